"""Alignment quality of every extractor on the bilingual and monolingual gold sets.

    python benchmarks/quality.py        # writes benchmarks/results/quality.md and quality.json

Bilingual: the five standard sets, full and test splits (data/make_splits.py). Monolingual:
the test splits of MTRef, Wiki, Edinburgh++ and MSR-RTE, with null-alignment F1. Every
extractor runs at its dev-tuned parameters for the setting (wordalign/align/presets.py) on one
encoding per set, at the default layer, centering and level (per setting), so the default extractor's row is
exactly what `wordalign align` prints without flags (with `--setting monolingual` for the
monolingual table). SimAlign rows come from benchmarks/results/simalign.json
(benchmarks/simalign_baseline.py), run on the same converted encoder.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from _common import MONO_TEST, ROOT, RESULTS, STANDARD_SETS, GoldSet, git_revision, machine, pair_links, pct

from wordalign.align.presets import DEFAULT_EXTRACTOR, resolve_extractor, resolve_level, setting_model
from wordalign.align.scorers import SimilarityScorer
from wordalign.evaluation import score_alignments
from wordalign.extractors import available, bind

sys.path.insert(0, str(ROOT / "data"))
from make_splits import SPLITS  # noqa: E402

# Line range of each test split inside its full set (KFTT test is a full set of its own).
TEST_RANGES = {"De-En": SPLITS["deen"][1]["test"], "En-Fr": SPLITS["enfr"][1]["test"],
               "Ro-En": SPLITS["roen"][1]["test"], "Zh-En": SPLITS["zhen"][1]["test"], "Ja-En": (0, 582)}
METRICS = ("aer", "precision", "recall", "f1")


def measure(scorer: SimilarityScorer, gold_set: GoldSet, setting: str, test_range: tuple[int, int] | None = None) -> dict:
    started = time.perf_counter()
    scores = scorer.score_batch(gold_set.pairs)
    encode_ms = 1000 * (time.perf_counter() - started) / len(gold_set.pairs)
    begin, end = test_range or (0, len(gold_set.pairs))
    rows = {"full": {}, "test": {}, "encode_ms_per_pair": encode_ms}
    for name in available():
        extract = bind(name, resolve_extractor(setting, name, None)[1])
        started = time.perf_counter()
        hyps = pair_links(extract, scores)
        seconds = (time.perf_counter() - started) / len(scores)
        lengths = gold_set.lengths
        rows["full"][name] = (score_alignments(gold_set.gold, hyps, lengths).as_dict()
                              | {"extract_ms_per_pair": 1000 * seconds})
        rows["test"][name] = score_alignments(gold_set.gold[begin:end], hyps[begin:end], lengths[begin:end]).as_dict()
    return rows


def table(results: dict, part: str, setting: str, metrics=METRICS) -> list[str]:
    sets = list(results)
    lines = ["| method | " + " | ".join(sets) + " |", "|---" * (len(sets) + 1) + "|"]
    for name in available():
        label = f"**{name}** (default)" if name == DEFAULT_EXTRACTOR[setting] else name
        cells = [" / ".join(pct(results[s][part][name][m]) for m in metrics) for s in sets]
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


def timing(results: dict) -> str:
    sets = list(results)
    encode = sum(results[s]["encode_ms_per_pair"] for s in sets) / len(sets)
    extract = ", ".join(f"{n} {sum(results[s]['full'][n]['extract_ms_per_pair'] for s in sets) / len(sets):.2f}"
                        for n in available())
    return (f"Time per pair, averaged over these sets: encoder {encode:.1f} ms (both sentences, batch 32, "
            f"float32, 2 CPU threads); extraction in ms: {extract}.")


def ot_against_argmax(results: dict) -> str:
    """Per set, the OT extractor with the best F1 against argmax, to two decimals."""
    cells = []
    for name, result in results.items():
        rows = result["full"]
        best = max((e for e in rows if e.startswith("ot-")), key=lambda e: rows[e]["f1"])
        gains = [100 * (rows[best][m] - rows["argmax"][m]) for m in ("f1", "null_f1")]
        cells.append(f"{name} `{best}` F1 {gains[0]:+.2f}, null F1 {gains[1]:+.2f}")
    return "Best OT extractor against argmax, in points: " + "; ".join(cells) + "."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=None)
    args = parser.parse_args()
    scorers = {setting: SimilarityScorer(setting_model(setting, args.model), level=resolve_level(setting, None),
                                         word_weights=True, device="cpu", dtype="float32")
               for setting in ("bilingual", "monolingual")}
    bilingual, monolingual = {}, {}
    for name, folder in STANDARD_SETS.items():
        bilingual[name] = measure(scorers["bilingual"], GoldSet.load(name, folder), "bilingual", TEST_RANGES[name])
        print(f"{name}: AER {pct(bilingual[name]['full'][DEFAULT_EXTRACTOR['bilingual']]['aer'])}", flush=True)
    for name, folder in MONO_TEST.items():
        monolingual[name] = measure(scorers["monolingual"], GoldSet.load(name, folder), "monolingual")
        print(f"{name}: F1 {pct(monolingual[name]['full'][DEFAULT_EXTRACTOR['monolingual']]['f1'])}", flush=True)
    scorer = scorers["bilingual"]
    encoder = ("the embedded defaults: multilingual-e5-small (4-bit) with its alignment delta for the bilingual "
               "sets, without it (`embedded-base`) for the monolingual ones" if args.model is None else args.model)
    lines = [
        f"Command: `python benchmarks/quality.py` · revision {git_revision()} · {machine()}",
        "",
        f"Encoder: {encoder}, layer {scorer.encoder.layer}, centering `{scorer.centering}`, level "
        f"`{resolve_level('bilingual', None)}` (bilingual) and `{resolve_level('monolingual', None)}` (monolingual); "
        "extractor parameters per setting as tuned on dev data (wordalign/align/presets.py); float32 (`--dtype auto` uses "
        "bfloat16 on CPUs that have it natively: AER within 0.06 points, see the dtype table). Each cell: "
        "AER / precision / recall / F1 (%); lower AER is better. SimAlign: PyPI simalign on the untuned converted encoder (`--model embedded-base`) "
        "(subword level, layer 7).",
        "",
        "**Bilingual, full gold sets** (De-En 508, En-Fr 447, Ro-En 248, Zh-En 450, Ja-En KFTT test 582 pairs)",
        "",
        *table(bilingual, "full", "bilingual"),
        *simalign_rows(list(bilingual)),
        "",
        "**Bilingual, test splits** (De-En 208, En-Fr 147, Ro-En 98, Zh-En 150, Ja-En 582 pairs; never used "
        "for tuning)",
        "",
        *table(bilingual, "test", "bilingual"),
        "",
        timing(bilingual),
        "",
        "**Monolingual, test splits** (`--setting monolingual`; MTRef 800, Wiki 1052, Edinburgh++ 306, "
        "MSR-RTE 800 pairs). Each cell: AER / precision / recall / F1 / null-alignment F1 (%).",
        "",
        *table(monolingual, "full", "monolingual", METRICS + ("null_f1",)),
        "",
        ot_against_argmax(monolingual),
        "",
        timing(monolingual),
    ]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "quality.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (RESULTS / "quality.json").write_text(json.dumps({"bilingual": bilingual, "monolingual": monolingual}, indent=1),
                                          encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
