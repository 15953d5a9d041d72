"""Start-up: whole-process wall time of short commands, this revision against an earlier one.

    python benchmarks/startup.py                  # against 1d3477f (main before the restructure)
    python benchmarks/startup.py --base REV --runs 5

Each command runs as its own process, ``python -m wordalign ...`` in this tree or in a checkout
of ``--base`` (a temporary git worktree), alternating between the two; the table gives the median of ``--runs`` runs of each. The embedded encoder is converted
before timing (a warm cache), and ``--dtype float32`` keeps both revisions on the same
kernels. Commands:

- ``--help``;
- ``score``: the De-En gold file scored against itself (508 lines; parsing and scoring);
- ``align``: one pair (``Das Haus ist klein .`` / ``The house is small .``).

Bars (issue #17): ``--help`` and ``score`` under 0.5 s, one-pair ``align`` at most 60 % of the
base revision's time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import GOLD, RESULTS, ROOT, git_revision, machine

BASE = "1d3477f"
BARS = {"--help": ("under", 0.5), "score": ("under", 0.5), "align": ("ratio", 0.6)}


def commands(folder: Path) -> dict[str, list[str]]:
    (folder / "src.txt").write_text("Das Haus ist klein .\n", encoding="utf-8")
    (folder / "tgt.txt").write_text("The house is small .\n", encoding="utf-8")
    gold = str(GOLD / "deen" / "gold.txt")
    return {"--help": ["--help"], "score": ["score", gold, gold],
            "align": ["align", str(folder / "src.txt"), str(folder / "tgt.txt"), "-q", "--dtype", "float32"]}


def wall_time(tree: Path, argv: list[str]) -> float:
    """Seconds of ``python -m wordalign ARGV`` run from ``tree`` (``-m`` puts the working directory
    first on the path, before an installed copy)."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "wordalign", *argv], cwd=tree, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def measure(base: str, runs: int) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        old = scratch / "base"
        subprocess.run(["git", "worktree", "add", "--detach", str(old), base], cwd=ROOT, check=True,
                       capture_output=True)
        try:
            trees = {"this": ROOT, "base": old}
            argvs = commands(scratch)
            for tree in trees.values():  # warm: conversion cached, files in the page cache
                wall_time(tree, argvs["align"])
            times = {name: {tree: [] for tree in trees} for name in argvs}
            for _ in range(runs):
                for name, argv in argvs.items():
                    for tree, path in trees.items():
                        times[name][tree].append(wall_time(path, argv))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=ROOT, check=True)
    medians = {name: {tree: statistics.median(values) for tree, values in by_tree.items()}
               for name, by_tree in times.items()}
    return {"times": times, "medians": medians}


def verdict(name: str, median: dict) -> str:
    kind, bar = BARS[name]
    ratio = median["this"] / median["base"]
    held = median["this"] < bar if kind == "under" else ratio <= bar
    target = f"< {bar} s" if kind == "under" else f"≤ {bar:.0%} of base"
    return f"{target}: {'met' if held else 'NOT met'}"


def render(data: dict) -> str:
    lines = [
        "# Start-up",
        "",
        f"`python benchmarks/startup.py` at {data['revision']} against {data['base']}, median of "
        f"{data['runs']} runs, whole process (`python -m wordalign …`), warm cache; {data['machine']}.",
        "",
        "| command | this revision (s) | base (s) | ratio | bar |",
        "|---|---|---|---|---|",
    ]
    for name, median in data["medians"].items():
        lines.append(f"| `{name}` | {median['this']:.2f} | {median['base']:.2f} | "
                     f"{median['this'] / median['base']:.2f} | {verdict(name, median)} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default=BASE, help="revision to compare with")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--name", default="startup", help="results file name (results/NAME.md and .json)")
    args = parser.parse_args()
    data = {"revision": git_revision(), "base": args.base, "runs": args.runs, "machine": machine(),
            **measure(args.base, args.runs)}
    (RESULTS / f"{args.name}.json").write_text(json.dumps(data, indent=1) + "\n")
    (RESULTS / f"{args.name}.md").write_text(render(data))
    print(render(data))


if __name__ == "__main__":
    main()
