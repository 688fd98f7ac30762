#!/usr/bin/env python3
"""hypertape against PyTorch on the GPU hyper-cleaning benchmark: one run, interleaved, one table.

For each of --rounds rounds and each row, runs the hypertape binary on that row alone (a fresh
process: `bench_gpu_hypercleaning --rows ID --reps N --json FILE`, warm-up included), then the same
row in PyTorch in this process (hypercleaning_torch.py's run_row: warm-up, N timed runs), so that
drifts of clocks or temperature reach both sides alike. Per row and side, the time is the median of
all timed runs of all rounds and the peak the largest seen; ratio = torch seconds / hypertape seconds
(above 1: hypertape is faster). Both sides compute on identical data, so their outer losses f agree
and the column |h| diff (relative difference of the hypergradient norms) shows rounding only.

  python3 bench/peers/compare_gpu.py [--bench PATH] [--rounds 3] [--reps 3] [--rows ID,ID,...]
                                     [--json FILE] [--device cuda|cpu]
PATH defaults to build/bench/bench_gpu_hypercleaning (build-device/... after scripts/device-setup).
Needs PyTorch (python3 on the GPU device machine has it).
"""
import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

try:
    import torch  # noqa: F401  (hypercleaning_torch uses it)
except ImportError:
    sys.exit("compare_gpu.py: PyTorch is not installed (python3 on the GPU device machine has it)")

sys.path.insert(0, str(Path(__file__).resolve().parent))
import hypercleaning_torch as peer  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def run_hypertape(bench, row, reps, device):
    """The hypertape bench's JSON document for one row."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "row.json"
        command = [str(bench), "--rows", row, "--reps", str(reps), "--json", str(out), "--device", device]
        completed = subprocess.run(command, capture_output=True, text=True)
        if completed.returncode != 0 or not out.exists():
            sys.exit(f"compare_gpu.py: {' '.join(command)} failed (exit {completed.returncode}):\n"
                     f"{completed.stdout}{completed.stderr}")
        return json.loads(out.read_text())


def combine(rounds):
    """One row from its rounds' rows: the timed runs pooled and their median, the largest peak."""
    row = dict(rounds[-1])
    row["seconds_all"] = [s for r in rounds for s in r["seconds_all"]]
    row["seconds"] = statistics.median(row["seconds_all"])
    row["device_peak_bytes"] = max(r["device_peak_bytes"] for r in rounds)
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", default=str(REPO / "build/bench/bench_gpu_hypercleaning"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reps", type=int, default=3, help="timed runs per row, side and round")
    parser.add_argument("--rows", default=",".join(peer.DEFAULT_ROWS["cuda"]), help="comma-separated row ids")
    parser.add_argument("--json", help="write the combined rows to this file")
    parser.add_argument("--device", choices=["cuda", "cpu"], default="cuda")
    args = parser.parse_args()
    rows = args.rows.split(",")
    unknown = [r for r in rows if r not in peer.ROWS]
    if unknown:
        parser.error(f"unknown rows {unknown}; rows are {list(peer.ROWS)}")
    if not Path(args.bench).is_file():
        sys.exit(f"compare_gpu.py: no hypertape bench at {args.bench} (build it, or pass --bench)")

    data = peer.setup(args.device)
    runs = {row: {"hypertape": [], "torch": []} for row in rows}
    bandwidths = []
    for rnd in range(args.rounds):
        for row in rows:
            doc = run_hypertape(args.bench, row, args.reps, args.device)
            bandwidths.append(doc["copy_bandwidth_bytes_per_s"])
            runs[row]["hypertape"].append(doc["rows"][0])
            runs[row]["torch"].append(peer.run_row(row, data, args.reps))
            print(f"round {rnd + 1}/{args.rounds} {row:21} hypertape {runs[row]['hypertape'][-1]['seconds']:8.4f} s  "
                  f"torch {runs[row]['torch'][-1]['seconds']:8.4f} s", flush=True)
    bandwidth = statistics.median(bandwidths)

    print(f"\nhypertape against PyTorch {peer.torch.__version__} on {args.device}: {args.rounds} rounds x "
          f"{args.reps} runs per row and side, medians; copy bandwidth {bandwidth / 1e9:.1f} GB/s (hypertape's clone)")
    print(f"{'row':21} {'ht s':>9} {'torch s':>9} {'torch/ht':>8} {'ht MiB':>9} {'torch MiB':>9} "
          f"{'ht floor':>8} {'f ht':>9} {'f torch':>9} {'|h| diff':>9}  torch method")
    results = []
    for row in rows:
        h, p = combine(runs[row]["hypertape"]), combine(runs[row]["torch"])
        h["floor_fraction"] = h["floor_bytes"] / bandwidth / h["seconds"]
        ratio = p["seconds"] / h["seconds"]
        norm_diff = abs(h["hypergradient_norm"] - p["hypergradient_norm"]) / p["hypergradient_norm"]
        print(f"{row:21} {h['seconds']:9.4f} {p['seconds']:9.4f} {ratio:8.2f} {h['device_peak_bytes'] / 2**20:9.1f} "
              f"{p['device_peak_bytes'] / 2**20:9.1f} {100 * h['floor_fraction']:7.2f}% {h['outer_loss']:9.6f} "
              f"{p['outer_loss']:9.6f} {norm_diff:9.2e}  {p['method']}")
        results.append({"row": row, "ratio_torch_over_hypertape": ratio, "hypertape": h, "torch": p})
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"device": args.device, "torch": peer.torch.__version__, "copy_bandwidth_bytes_per_s": bandwidth,
                       "rows": results}, out, indent=1)


if __name__ == "__main__":
    main()
