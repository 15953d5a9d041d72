"""The Ray engine against the command line on this machine: throughput, memory, identical output.

    python benchmarks/distributed.py                  # writes benchmarks/results/distributed.{md,json}
    python benchmarks/distributed.py --pairs 2000     # a quick look

A corpus of ``--pairs`` pairs cycling through the De-En gold pairs (as benchmarks/speed.py
builds it). Each run is a whole process, timed from start to exit, with default options:
``wordalign align SRC TGT -o OUT -q``, and ``wordalign align --engine ray SRC TGT -o DIR -q
--actors N`` (which starts a local Ray cluster of this machine's CPUs) followed by
``wordalign merge DIR -o OUT``. Peak memory is the largest sum of the resident sets of the
process and all its descendants (the Ray cluster's processes are), sampled every 0.2 s. The
merged output must equal the command line's byte for byte.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _common import RESULTS, ROOT, git_revision, machine
from speed import make_corpus


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            tree.setdefault(parent, []).append(int(entry))
    return tree


def _tree_rss_mb(root: int) -> float:
    tree, total, todo = _children(), 0, [root]
    while todo:
        pid = todo.pop()
        todo += tree.get(pid, [])
        try:
            with open(f"/proc/{pid}/status") as status:
                total += next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            continue
    return total / 1024


def timed(command: list[str]) -> dict:
    """Run a command; its wall seconds and the peak memory of its process tree."""
    peak, stop = [0.0], threading.Event()
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=errors)

        def sample():
            while not stop.wait(0.2):
                peak[0] = max(peak[0], _tree_rss_mb(process.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        code = process.wait()
        seconds = time.perf_counter() - started
        stop.set()
        sampler.join()
        if code:
            errors.seek(0)
            raise SystemExit(f"{' '.join(command)} failed ({code}):\n{errors.read().decode(errors='replace')}")
    return {"seconds": seconds, "peak_mb": peak[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--actors", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    wordalign = [sys.executable, "-m", "wordalign"]
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        src, tgt = make_corpus(folder, args.pairs)
        cli_out = folder / "cli.pharaoh"
        rows = {"cli": timed([*wordalign, "align", str(src), str(tgt), "-o", str(cli_out), "-q"])}
        expected = cli_out.read_bytes()
        for actors in args.actors:
            out_dir, merged = folder / f"ray-{actors}", folder / f"ray-{actors}.pharaoh"
            row = timed([*wordalign, "align", "--engine", "ray", str(src), str(tgt), "-o", str(out_dir), "-q",
                         "--actors", str(actors)])
            merge = timed([*wordalign, "merge", str(out_dir), "-o", str(merged), "-q"])
            row.update(merge_seconds=merge["seconds"], identical=merged.read_bytes() == expected)
            rows[f"ray-{actors}"] = row
            shutil.rmtree(out_dir)
    for row in rows.values():
        row["pairs_per_s"] = args.pairs / row["seconds"]
    results = {"revision": git_revision(), "machine": machine(), "cpus": os.cpu_count(), "pairs": args.pairs,
               "rows": rows}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "distributed.json").write_text(json.dumps(results, indent=1))
    (RESULTS / "distributed.md").write_text(render(results))
    print(render(results))


def render(results: dict) -> str:
    rows, cli = results["rows"], results["rows"]["cli"]["pairs_per_s"]
    lines = [f"{results['pairs']:,} De-En pairs on this {results['cpus']}-core machine, default options, whole "
             "processes (start-up, model loads, Ray's start included).", "",
             "| run | pairs/s | of the CLI's | peak memory (all processes) | merged output identical to the CLI's |",
             "|---|---|---|---|---|"]
    for name, row in rows.items():
        label = "`wordalign align`" if name == "cli" else f"`--engine ray --actors {name.split('-')[1]}`"
        identical = "" if name == "cli" else ("yes" if row["identical"] else "**no**")
        lines.append(f"| {label} | {row['pairs_per_s']:.1f} | {100 * row['pairs_per_s'] / cli:.0f}% | "
                     f"{row['peak_mb']:,.0f} MiB | {identical} |")
    merges = [row["merge_seconds"] for name, row in rows.items() if name != "cli"]
    lines += ["", f"- `wordalign merge` took {max(merges):.1f} s at most (not counted above).",
              f"- Command: `python benchmarks/distributed.py --pairs {results['pairs']}`; revision "
              f"{results['revision']} ({results['machine']})."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
