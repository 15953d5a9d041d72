"""Whole-process speed and peak memory of ``wordalign align`` on large corpora, against SimAlign.

    python benchmarks/speed.py                       # writes benchmarks/results/speed.md and .json
    python benchmarks/speed.py --sizes 1000 --simalign-sizes 1000 --dtypes bfloat16   # a quick look

Corpora of 1k, 10k and 100k pairs repeat the De-En gold pairs (Europarl). For each size and
dtype, ``python -m wordalign align SRC TGT -o OUT -q --dtype D`` runs as its own process:
pairs/s counts everything from process start to exit (imports, model load, reading, writing),
and peak memory is that process's maximum resident set size.

In the same run, the encoder forward pass alone is timed on the same pairs, tokenized and
padded beforehand exactly as the aligner does it (chunks of 256 pairs, length-sorted batches):
its pairs/s (two sentences per pair) is the ceiling for the aligner on this machine. SimAlign
(PyPI, its own venv, see benchmarks/simalign_align.py) aligns the same files with the same
encoder in float32, the only precision it runs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

from _common import GOLD, RESULTS, ROOT, git_revision, machine

from wordalign.align.aligner import CHUNK_PAIRS
from wordalign.encoding.encoder import WordEncoder
from wordalign.io.text import ParallelInput

SIMALIGN_PYTHON = ROOT / ".venv-simalign" / "bin" / "python"
CORPUS = GOLD / "deen"


def make_corpus(folder: Path, n_pairs: int) -> tuple[Path, Path]:
    """``n_pairs`` lines cycling through the gold pairs of :data:`CORPUS`."""
    paths = []
    for side in ("src", "tgt"):
        lines = (CORPUS / f"{side}.txt").read_text(encoding="utf-8").splitlines(keepends=True)
        path = folder / f"{n_pairs}.{side}"
        path.write_text("".join(lines[k % len(lines)] for k in range(n_pairs)), encoding="utf-8")
        paths.append(path)
    return paths[0], paths[1]


def run_process(command: list[str], output: Path, n_pairs: int) -> dict:
    """Run ``command``; wall seconds, pairs/s and peak RSS of that process alone."""
    with tempfile.TemporaryFile() as errors:  # a pipe could fill up and block the child
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)  # rusage of this child only
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            errors.seek(0)
            raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n"
                             f"{errors.read().decode(errors='replace')}")
    with open(output, encoding="utf-8") as lines:
        written = sum(1 for _ in lines)
    if written != n_pairs:
        raise SystemExit(f"{output}: {written} lines for {n_pairs} pairs")
    # ru_maxrss is in KiB on Linux (this benchmark's platform; bytes on macOS)
    return {"seconds": seconds, "pairs_per_s": n_pairs / seconds, "peak_rss_mb": usage.ru_maxrss / 1024}


def encoder_alone(src: Path, tgt: Path, dtype: str) -> dict:
    """Pairs/s of the forward passes alone, on inputs prepared as the aligner prepares them."""
    encoder = WordEncoder(device="cpu", dtype=dtype)
    pairs = iter(ParallelInput(str(src), str(tgt)))
    seconds, n_pairs = 0.0, 0
    while chunk := list(islice(pairs, CHUNK_PAIRS)):
        _, segments, _ = encoder.segment([s for s, _ in chunk] + [t for _, t in chunk])
        batches = list(encoder.padded_batches(segments))
        with encoder.runtime.inference():
            started = time.perf_counter()
            for _, ids, mask in batches:
                encoder.hidden_states(ids, mask)
            seconds += time.perf_counter() - started
        n_pairs += len(chunk)
    return {"pairs": n_pairs, "seconds": seconds, "pairs_per_s": n_pairs / seconds}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    ap.add_argument("--dtypes", nargs="+", default=["float32", "bfloat16"])
    ap.add_argument("--simalign-sizes", type=int, nargs="*", default=[1000, 10_000],
                    help="SimAlign aligns about 20 pairs/s here: 100k pairs would take 1.5 hours")
    ap.add_argument("--encoder-pairs", type=int, default=10_000,
                    help="pairs for the encoder-alone measurement")
    ap.add_argument("--name", default="speed", help="results file name (results/NAME.md and .json)")
    args = ap.parse_args()
    sizes = sorted(set(args.sizes) | set(args.simalign_sizes))
    report = {"revision": git_revision(), "machine": machine(), "corpus": str(CORPUS.relative_to(ROOT)),
              "wordalign": {}, "encoder_alone": {}, "simalign": {}}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        corpora = {n: make_corpus(folder, n) for n in sizes}
        probe = make_corpus(folder, args.encoder_pairs)
        for dtype in args.dtypes:
            alone = encoder_alone(*probe, dtype)
            report["encoder_alone"][dtype] = alone
            print(f"encoder alone {dtype}: {alone['pairs_per_s']:.1f} pairs/s", flush=True)
            for n in args.sizes:
                out = folder / f"wordalign.{dtype}.{n}"
                command = [sys.executable, "-m", "wordalign", "align", *map(str, corpora[n]),
                           "-o", str(out), "-q", "--dtype", dtype, "--device", "cpu"]
                result = run_process(command, out, n)
                report["wordalign"].setdefault(dtype, {})[n] = result
                print(f"wordalign {dtype} {n}: {result['pairs_per_s']:.1f} pairs/s, "
                      f"{result['peak_rss_mb']:.0f} MB", flush=True)
        if args.simalign_sizes and not SIMALIGN_PYTHON.exists():
            raise SystemExit(f"{SIMALIGN_PYTHON} missing: see benchmarks/simalign_baseline.py")
        for n in args.simalign_sizes:
            out = folder / f"simalign.{n}"
            command = [str(SIMALIGN_PYTHON), "benchmarks/simalign_align.py", *map(str, corpora[n]), str(out)]
            result = run_process(command, out, n)
            report["simalign"][n] = result
            print(f"simalign float32 {n}: {result['pairs_per_s']:.1f} pairs/s", flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.name}.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    (RESULTS / f"{args.name}.md").write_text(markdown(report, " ".join(sys.argv[1:])), encoding="utf-8")
    print(markdown(report, ""))


def markdown(report: dict, arguments: str) -> str:
    command = "python benchmarks/speed.py" + (f" {arguments}" if arguments else "")
    lines = [f"Command: `{command}` · revision {report['revision']} · {report['machine']}", "",
             (f"Corpus: the De-En gold pairs (`{report['corpus']}`) repeated. Default pipeline "
              "(`wordalign align SRC TGT -o OUT`, softmax, layer 7) as a whole process, from start to "
              "exit, model load included. *Encoder alone*: the forward passes only, on the same inputs "
              "batched the same way, measured in the same run."), "",
             "| dtype | pairs | pairs/s | share of encoder alone | vs SimAlign | peak memory |",
             "|---|---|---|---|---|---|"]
    simalign = {int(n): r for n, r in report["simalign"].items()}
    for dtype, runs in report["wordalign"].items():
        ceiling = report["encoder_alone"][dtype]["pairs_per_s"]
        for n, r in sorted(runs.items(), key=lambda item: int(item[0])):
            ratio = (f"{r['pairs_per_s'] / simalign[int(n)]['pairs_per_s']:.1f}×"
                     if int(n) in simalign else "")
            lines.append(f"| {dtype} | {int(n):,} | {r['pairs_per_s']:.1f} | {100 * r['pairs_per_s'] / ceiling:.0f}% "
                         f"| {ratio} | {r['peak_rss_mb']:,.0f} MiB |")
    for dtype, alone in report["encoder_alone"].items():
        lines.append(f"| {dtype}, encoder alone | {alone['pairs']:,} | {alone['pairs_per_s']:.1f} | 100% | | |")
    for n, r in sorted(simalign.items()):
        lines.append(f"| SimAlign argmax, float32 | {n:,} | {r['pairs_per_s']:.1f} | | 1.0× | {r['peak_rss_mb']:,.0f} MiB |")
    lines += ["", ("The 1k rows are dominated by start-up (imports and model load, a few seconds, paid once per "
                   "process; `--manifest` pays it once for many corpora). SimAlign aligns one pair per call, so its "
                   "rate does not depend on the corpus size; it is not run on 100k pairs (about 1.5 hours).")]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
