"""Alignment quality of every extractor on the five standard bilingual sets.

    python benchmarks/quality.py        # writes benchmarks/results/quality.md and quality.json

Full sets and test splits (data/make_splits.py), AER / precision / recall / F1 in %, with every
extractor at its default parameters on one encoding per set, at the default layer and
centering: the default extractor's row is exactly what `wordalign align` prints without flags.
SimAlign rows come from benchmarks/results/simalign.json (benchmarks/simalign_baseline.py),
run on the same converted encoder.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from _common import (ROOT, RESULTS, STANDARD_SETS, GoldSet, encode_pairs, extract_all, git_revision, machine,
                     similarities,
                     pct)

from wordalign import Aligner
from wordalign.aligner import DEFAULT_EXTRACTOR
from wordalign.evaluation import score_alignments
from wordalign.extractors import available, get_extractor

sys.path.insert(0, str(ROOT / "data"))
from make_splits import SPLITS  # noqa: E402

# Line range of each test split inside its full set (KFTT test is a full set of its own).
TEST_RANGES = {"De-En": SPLITS["deen"][1]["test"], "En-Fr": SPLITS["enfr"][1]["test"],
               "Ro-En": SPLITS["roen"][1]["test"], "Zh-En": SPLITS["zhen"][1]["test"], "Ja-En": (0, 582)}
METRICS = ("aer", "precision", "recall", "f1")


def measure(aligner: Aligner, gold_set: GoldSet, test_range: tuple[int, int]) -> dict:
    started = time.perf_counter()
    vectors = encode_pairs(aligner.encoder, gold_set, [aligner.encoder.layer])[aligner.encoder.layer]
    encode_ms = 1000 * (time.perf_counter() - started) / len(gold_set.pairs)
    sims = similarities(vectors, aligner.centering)
    begin, end = test_range
    rows = {"full": {}, "test": {}, "encode_ms_per_pair": encode_ms}
    for name in available():
        hyps, seconds = extract_all(sims, name, {})
        rows["full"][name] = score_alignments(gold_set.gold, hyps).as_dict() | {"extract_ms_per_pair": 1000 * seconds}
        rows["test"][name] = score_alignments(gold_set.gold[begin:end], hyps[begin:end]).as_dict()
    return rows


def table(results: dict, part: str) -> list[str]:
    sets = list(results)
    lines = ["| method | " + " | ".join(sets) + " |", "|---" * (len(sets) + 1) + "|"]
    for name in available():
        label = f"**{name}** (default)" if name == DEFAULT_EXTRACTOR else name
        cells = [" / ".join(pct(results[s][part][name][m]) for m in METRICS) for s in sets]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines


def simalign_rows(sets: list[str]) -> list[str]:
    path = RESULTS / "simalign.json"
    if not path.exists():
        return ["", "(SimAlign rows: run benchmarks/simalign_baseline.py first.)"]
    data = json.loads(path.read_text())["results"]
    return [f"| SimAlign {method} | " + " | ".join(
        " / ".join(pct(data[s][method][m]) for m in METRICS) if s in data else "–" for s in sets) + " |"
        for method in ("argmax", "itermax", "match")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=None)
    args = parser.parse_args()
    aligner = Aligner(args.model, device="cpu")
    results = {}
    for name, folder in STANDARD_SETS.items():
        results[name] = measure(aligner, GoldSet.load(name, folder), TEST_RANGES[name])
        print(f"{name}: AER {pct(results[name]['full'][DEFAULT_EXTRACTOR]['aer'])}", flush=True)
    sets = list(STANDARD_SETS)
    params = {n: get_extractor(n).defaults for n in available()}
    timing = ", ".join(f"{s} {results[s]['encode_ms_per_pair']:.1f}" for s in sets)
    lines = [
        f"Command: `python benchmarks/quality.py` · revision {git_revision()} · {machine()}",
        "",
        f"Encoder: {'embedded multilingual-e5-small (4-bit)' if aligner.encoder.is_embedded else aligner.encoder.source}, "
        f"layer {aligner.encoder.layer}, centering `{aligner.centering}`. Extractor parameters: "
        + "; ".join(f"`{n}` " + " ".join(f"{k}={v}" for k, v in p.items()) for n, p in params.items()) + ".",
        "",
        "Each cell: AER / precision / recall / F1 (%); lower AER is better. SimAlign: PyPI simalign "
        "on the same converted encoder (subword level, layer 7).",
        "",
        "**Full gold sets** (De-En 508, En-Fr 447, Ro-En 248, Zh-En 450, Ja-En KFTT test 582 pairs)",
        "",
        *table(results, "full"),
        *simalign_rows(sets),
        "",
        "**Test splits** (De-En 208, En-Fr 147, Ro-En 98, Zh-En 150, Ja-En KFTT test 582 pairs; never used for tuning)",
        "",
        *table(results, "test"),
        "",
        f"Encoder time, ms per pair (both sentences, batch 32, float32): {timing}. Extraction, ms per pair "
        "(De-En): " + ", ".join(f"{n} {results['De-En']['full'][n]['extract_ms_per_pair']:.2f}" for n in available()) + ".",
    ]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "quality.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (RESULTS / "quality.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
