#!/usr/bin/env python3
"""PyTorch peer of bench/gpu_hypercleaning.cpp: the same hypergradients of data hyper-cleaning.

Same problem, data (the same integer hash, so the outer loss f and |h| match hypertape's), rows,
float32 with FP32 products (no TF32), and the same measurement: one warm-up, then the median wall
time of --reps runs, each between two torch.cuda.synchronize() calls; peak bytes are
torch.cuda.max_memory_allocated() after reset_peak_memory_stats() (data included, as hypertape's
allocator peak includes it).

How each row is computed:
  truncated5-T*          w detached after T - 5 plain gradient steps (no graph), then 5 steps whose
                         inner gradients use create_graph: h_{T-5}, as hypertape's Truncated{5}
  reverse-T*             all T steps with create_graph from w_0: full reverse mode
  checkpointed10-T1000   the same full reverse (no torch.utils.checkpoint): the hypergradient that
                         Checkpointed::binomial(10) computes, at full reverse's memory

  python3 bench/peers/hypercleaning_torch.py [--rows ID,ID,...] [--reps N] [--json FILE] [--device cuda|cpu]
"""
import argparse
import json
import statistics
import sys
import time

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    sys.exit("hypercleaning_torch.py: PyTorch is not installed (python3 on the GPU device machine has it)")

EXAMPLES, FEATURES, CLASSES = 5000, 785, 10
GAMMA, BETA = 0.35, 1e-3
# Disjoint ranges of hash inputs, as in gpu_hypercleaning.cpp.
TRAIN_IMAGES, VALIDATION_IMAGES, TRAIN_LABELS, VALIDATION_LABELS = 0, 1 << 22, 2 << 22, 3 << 22

# row id: (T, K) with K the truncation window, None for full reverse; and how torch computes it.
ROWS = {
    "truncated5-T100": (100, 5, "truncated (detach)"),
    "reverse-T100": (100, None, "reverse"),
    "truncated5-T1000": (1000, 5, "truncated (detach)"),
    "reverse-T1000": (1000, None, "reverse"),
    "checkpointed10-T1000": (1000, None, "reverse (no checkpointing)"),
}


def mix(x):
    """gpu_hypercleaning.cpp's 32-bit hash of int64 values below 2^32 (products stay below 2^59)."""
    mask = 0xFFFFFFFF
    x = (((x >> 16) ^ x) * 0x45D9F3B) & mask
    x = (((x >> 16) ^ x) * 0x45D9F3B) & mask
    return (x >> 16) ^ x


def images(offset, device):
    u = mix(torch.arange(EXAMPLES * FEATURES, dtype=torch.int64) + offset).double() / 2.0**32
    x = torch.clamp(2 * u - 1, min=0).reshape(EXAMPLES, FEATURES)
    x[:, -1] = 1
    return x.float().to(device)


def labels(offset, device):
    return (mix(torch.arange(EXAMPLES, dtype=torch.int64) + offset) % CLASSES).to(device)


class Data:
    def __init__(self, device):
        self.X, self.y = images(TRAIN_IMAGES, device), labels(TRAIN_LABELS, device)
        self.Xval, self.yval = images(VALIDATION_IMAGES, device), labels(VALIDATION_LABELS, device)


def step(d, w, lam, create_graph):
    """w - gamma grad_w [CE_weighted(X w^T, y, sigmoid(lam)) + beta/2 |w|^2]."""
    losses = F.cross_entropy(d.X @ w.T, d.y, reduction="none")
    inner = (torch.sigmoid(lam) * losses).mean() + 0.5 * BETA * (w * w).sum()
    (g,) = torch.autograd.grad(inner, w, create_graph=create_graph)
    return w - GAMMA * g


def hypergradient(d, T, K):
    """(f, d f / d lambda) through T steps; K: differentiate only the last K (None: all)."""
    lam = torch.zeros(EXAMPLES, device=d.X.device, requires_grad=True)
    w = torch.zeros(CLASSES, FEATURES, device=d.X.device, requires_grad=True)
    first = 0 if K is None else T - K
    for _ in range(first):
        w = step(d, w, lam.detach(), create_graph=False).detach().requires_grad_()
    for _ in range(first, T):
        w = step(d, w, lam, create_graph=True)
    f = F.cross_entropy(d.Xval @ w.T, d.yval)
    (h,) = torch.autograd.grad(f, lam)
    return f, h


def synchronize(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def run_row(row, d, reps):
    """One warm-up and `reps` timed hypergradients of `row`; a dict as the hypertape bench's JSON rows."""
    T, K, method = ROWS[row]
    device = d.X.device
    seconds, peak = [], 0
    for i in range(reps + 1):  # i == 0: the warm-up
        if device.type == "cuda":
            torch.cuda.reset_peak_memory_stats(device)
        synchronize(device)
        start = time.perf_counter()
        f, h = hypergradient(d, T, K)
        synchronize(device)
        elapsed = time.perf_counter() - start
        if i > 0:
            seconds.append(elapsed)
            if device.type == "cuda":
                peak = max(peak, torch.cuda.max_memory_allocated(device))
    return {
        "row": row, "method": method, "T": T, "seconds": statistics.median(seconds), "seconds_all": seconds,
        "device_peak_bytes": peak, "outer_loss": f.item(), "hypergradient_norm": h.norm().item(),
    }


def setup(device_name):
    """The device (failing clearly without CUDA), FP32 products, and the data on it."""
    if device_name == "cuda" and not torch.cuda.is_available():
        sys.exit("hypercleaning_torch.py: torch sees no CUDA device")
    torch.backends.cuda.matmul.allow_tf32 = False  # PyTorch's default, made explicit
    return Data(torch.device(device_name))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default=",".join(ROWS), help="comma-separated row ids")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--json", help="write the rows to this file")
    parser.add_argument("--device", choices=["cuda", "cpu"], default="cuda")
    args = parser.parse_args()
    rows = args.rows.split(",")
    unknown = [r for r in rows if r not in ROWS]
    if unknown:
        parser.error(f"unknown rows {unknown}; rows are {list(ROWS)}")
    d = setup(args.device)
    print(f"PyTorch {torch.__version__} on {args.device}; median of {args.reps} runs after a warm-up")
    print(f"{'row':21} {'method':27} {'T':>5} {'seconds':>9} {'peak MiB':>10} {'f':>9} {'|h|':>10}")
    results = []
    for row in rows:
        r = run_row(row, d, max(1, args.reps))
        results.append(r)
        print(f"{row:21} {r['method']:27} {r['T']:5d} {r['seconds']:9.4f} {r['device_peak_bytes'] / 2**20:10.1f} "
              f"{r['outer_loss']:9.6f} {r['hypergradient_norm']:10.4e}", flush=True)
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"implementation": "torch", "torch": torch.__version__, "device": args.device, "rows": results},
                      out, indent=1)


if __name__ == "__main__":
    main()
