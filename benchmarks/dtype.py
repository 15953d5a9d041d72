"""Float32 against bfloat16 for the default pipeline: AER and throughput on the five sets.

    python benchmarks/dtype.py         # writes benchmarks/results/dtype.md and dtype.json

`--dtype auto` may use bfloat16 only where this benchmark shows it moves no set's AER by more
than 0.2 points (the rule the encoder follows; see wordalign/encoding/runtime.py).
"""

from __future__ import annotations

import json
import time

from _common import RESULTS, STANDARD_SETS, GoldSet, git_revision, machine, pct

from wordalign import Aligner
from wordalign.evaluation import score_alignments

DTYPES = ("float32", "bfloat16")


def main() -> None:
    rows = {}
    for dtype in DTYPES:
        aligner = Aligner(device="cpu", dtype=dtype)
        for name, folder in STANDARD_SETS.items():
            gold_set = GoldSet.load(name, folder)
            started = time.perf_counter()
            pairs = aligner.align_batch(gold_set.pairs)
            seconds = time.perf_counter() - started
            score = score_alignments(gold_set.gold, [p.links for p in pairs])
            rows.setdefault(name, {})[dtype] = {"aer": score.aer, "pairs_per_s": len(pairs) / seconds}
            print(f"{dtype} {name}: AER {pct(score.aer)}, {len(pairs) / seconds:.1f} pairs/s", flush=True)
    worst = max(abs(r["bfloat16"]["aer"] - r["float32"]["aer"]) for r in rows.values())
    lines = [f"Command: `python benchmarks/dtype.py` · revision {git_revision()} · {machine()}", "",
             "Default pipeline (layer 7, softmax), full gold sets, in-process alignment after the model is "
             "loaded (batch 32).", "",
             "| set | AER float32 | AER bfloat16 | Δ AER | pairs/s float32 | pairs/s bfloat16 | speed-up |",
             "|---|---|---|---|---|---|---|"]
    for name, r in rows.items():
        f32, b16 = r["float32"], r["bfloat16"]
        lines.append(f"| {name} | {pct(f32['aer'])} | {pct(b16['aer'])} | {100 * (b16['aer'] - f32['aer']):+.2f} | "
                     f"{f32['pairs_per_s']:.1f} | {b16['pairs_per_s']:.1f} | "
                     f"{b16['pairs_per_s'] / f32['pairs_per_s']:.2f}× |")
    lines += ["", f"Largest AER change: {100 * worst:.2f} points "
              f"({'within' if worst <= 0.002 else 'beyond'} the 0.2-point bar for `--dtype auto`)."]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "dtype.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (RESULTS / "dtype.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
