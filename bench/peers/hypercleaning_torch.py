#!/usr/bin/env python3
"""PyTorch peer of bench/{cpu,gpu}_hypercleaning.cpp: the same hypergradients of data hyper-cleaning.

Same problem, data (the same integer hash, so the outer loss f and |h| match hypertape's), rows,
float32 with FP32 products (no TF32), and the same measurement: one warm-up, then the median wall
time of --reps runs, each between two torch.cuda.synchronize() calls; peak bytes are
torch.cuda.max_memory_allocated() after reset_peak_memory_stats() (data included, as hypertape's
allocator peak includes it).

How each row is computed:
  truncatedK-T*          w detached after T - K plain gradient steps (no graph), then K steps whose
                         inner gradients use create_graph: h_{T-K}, as hypertape's Truncated{K}
  reverse-T*             all T steps with create_graph from w_0: full reverse mode
  checkpointed10-T1000   the same full reverse (no torch.utils.checkpoint): the hypergradient that
                         Checkpointed::binomial(10) computes, at full reverse's memory

  python3 bench/peers/hypercleaning_torch.py [--rows ID,ID,...] [--reps N] [--json FILE] [--device cuda|cpu]
                                             [--threads N]
  python3 bench/peers/hypercleaning_torch.py --worker [--device cuda|cpu] [--threads N]

--worker is how bench_cpu_hypercleaning runs this file, once per benchmark, interleaving its runs
with hypertape's. It prints one JSON line {"torch": version, "threads": n, "omp_wait_policy": the
environment's OMP_WAIT_POLICY or "unset"} (or {"error": why} when PyTorch cannot be imported, then
exits), then answers each line on its standard input with one JSON line:
  run ROW      one hypergradient of ROW: {"row", "seconds", "outer_loss", "hypergradient_norm"}
  probe N      {"saved_bytes_per_step", "saved_tensors_per_step"}: the bytes of the distinct tensor
               storages the autograd graph holds per recorded inner step (saved_tensors_hooks, data
               matrices X and Xval excluded), as held after N + 1 recorded steps minus after 1, over N
It exits at the end of its input.
"""
import argparse
import json
import os
import statistics
import sys
import time
import weakref

try:
    import torch
    import torch.nn.functional as F

    IMPORT_ERROR = None
except ImportError as error:
    IMPORT_ERROR = f"{sys.executable} cannot import torch ({error})"

EXAMPLES, FEATURES, CLASSES = 5000, 785, 10
GAMMA, BETA = 0.35, 1e-3
# Disjoint ranges of hash inputs, as in bench/hypercleaning.hpp.
TRAIN_IMAGES, VALIDATION_IMAGES, TRAIN_LABELS, VALIDATION_LABELS = 0, 1 << 22, 2 << 22, 3 << 22

# row id: (T, K) with K the truncation window, None for full reverse; and how torch computes it.
# The ids are bench/hypercleaning.hpp's.
ROWS = {
    "truncated1-T100": (100, 1, "truncated (detach)"),
    "truncated5-T100": (100, 5, "truncated (detach)"),
    "truncated25-T100": (100, 25, "truncated (detach)"),
    "reverse-T100": (100, None, "reverse"),
    "truncated5-T1000": (1000, 5, "truncated (detach)"),
    "reverse-T1000": (1000, None, "reverse"),
    "checkpointed10-T1000": (1000, None, "reverse (no checkpointing)"),
}
# Rows run when --rows is not given, as in the two hypertape benchmarks.
DEFAULT_ROWS = {
    "cuda": ["truncated5-T100", "reverse-T100", "truncated5-T1000", "reverse-T1000", "checkpointed10-T1000"],
    "cpu": ["truncated1-T100", "truncated5-T100", "truncated25-T100", "reverse-T100", "reverse-T1000",
            "checkpointed10-T1000"],
}


def mix(x):
    """bench/hypercleaning.hpp's 32-bit hash of int64 values below 2^32 (products stay below 2^59)."""
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


def setup(device_name, threads=None):
    """The device (failing clearly without CUDA), FP32 products, the CPU threads, and the data on it."""
    if device_name == "cuda" and not torch.cuda.is_available():
        sys.exit("hypercleaning_torch.py: torch sees no CUDA device")
    torch.backends.cuda.matmul.allow_tf32 = False  # PyTorch's default, made explicit
    if threads is not None:
        torch.set_num_threads(threads)
    return Data(torch.device(device_name))


def storage_of(tensor):
    """The tensor's storage (untyped_storage() from PyTorch 2.0, storage() before)."""
    return tensor.untyped_storage() if hasattr(tensor, "untyped_storage") else tensor.storage()


class _Packed:
    """What the pack hook hands autograd: the saved tensor, in an object that dies with its graph node."""

    __slots__ = ("tensor", "__weakref__")

    def __init__(self, tensor):
        self.tensor = tensor


def saved_bytes_per_step(d, steps):
    """Bytes and tensors the autograd graph holds per recorded inner step, data matrices excluded.

    Every tensor autograd saves goes through saved_tensors_hooks; a weak reference to it tells
    whether the graph still holds it. The held bytes are those of the distinct storages still held,
    less X's and Xval's (excluded by identity), after 1 and after steps + 1 recorded steps; their
    difference over `steps` is the marginal cost of one recorded step.
    """
    packed = []

    def pack(tensor):
        p = _Packed(tensor)
        packed.append(weakref.ref(p))
        return p

    def held():
        data = {storage_of(d.X).data_ptr(), storage_of(d.Xval).data_ptr()}
        storages, tensors = {}, 0
        for ref in packed:
            p = ref()
            if p is not None:
                storage = storage_of(p.tensor)
                if storage.data_ptr() not in data:
                    storages[storage.data_ptr()] = storage.nbytes()
                    tensors += 1
        return sum(storages.values()), tensors

    lam = torch.zeros(EXAMPLES, device=d.X.device, requires_grad=True)
    w = torch.zeros(CLASSES, FEATURES, device=d.X.device, requires_grad=True)
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda p: p.tensor):
        w = step(d, w, lam, create_graph=True)
        first_bytes, first_tensors = held()
        for _ in range(steps):
            w = step(d, w, lam, create_graph=True)
        last_bytes, last_tensors = held()
    return {"saved_bytes_per_step": (last_bytes - first_bytes) / steps,
            "saved_tensors_per_step": (last_tensors - first_tensors) / steps}


def serve(d):
    """The --worker loop: one JSON line per request line (see the module's docstring)."""
    for line in iter(sys.stdin.readline, ""):
        words = line.split()
        if len(words) == 2 and words[0] == "run" and words[1] in ROWS:
            T, K, _ = ROWS[words[1]]
            start = time.perf_counter()
            f, h = hypergradient(d, T, K)
            synchronize(d.X.device)
            seconds = time.perf_counter() - start
            answer = {"row": words[1], "seconds": seconds, "outer_loss": f.item(),
                      "hypergradient_norm": h.norm().item()}
        elif len(words) == 2 and words[0] == "probe" and words[1].isdigit() and int(words[1]) > 0:
            answer = saved_bytes_per_step(d, int(words[1]))
        else:
            answer = {"error": f"unknown request {line.strip()!r} (run ROW, probe N; rows are {list(ROWS)})"}
        print(json.dumps(answer), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", help="comma-separated row ids (default: the device's rows in DEFAULT_ROWS)")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--json", help="write the rows to this file")
    parser.add_argument("--device", choices=["cuda", "cpu"], default="cuda")
    parser.add_argument("--threads", type=int, help="torch.set_num_threads (default: PyTorch's)")
    parser.add_argument("--worker", action="store_true", help="answer requests on standard input (see above)")
    args = parser.parse_args()
    if IMPORT_ERROR is not None:
        if args.worker:
            print(json.dumps({"error": IMPORT_ERROR}), flush=True)
            return
        sys.exit(f"hypercleaning_torch.py: {IMPORT_ERROR}")
    if args.threads is not None and args.threads < 1:
        parser.error("--threads must be at least 1")
    if args.worker:
        d = setup(args.device, args.threads)
        hello = {"torch": torch.__version__, "threads": torch.get_num_threads(),
                 "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "unset")}
        print(json.dumps(hello), flush=True)
        serve(d)
        return
    rows = args.rows.split(",") if args.rows else DEFAULT_ROWS[args.device]
    unknown = [r for r in rows if r not in ROWS]
    if unknown:
        parser.error(f"unknown rows {unknown}; rows are {list(ROWS)}")
    d = setup(args.device, args.threads)
    print(f"PyTorch {torch.__version__} on {args.device}, {torch.get_num_threads()} CPU threads; "
          f"median of {args.reps} runs after a warm-up")
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
