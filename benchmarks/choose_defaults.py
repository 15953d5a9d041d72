"""Pick the default bilingual extractor and level of the embedded default encoder, on tuning data.

    python benchmarks/choose_defaults.py                   # the default encoder; writes results/defaults.{md,json}
    python benchmarks/choose_defaults.py --model embedded-base --name defaults-base

Every extractor competes at the bilingual setting's parameters (the choices of sweep.py,
sweep_ot.py and sweep_softmax.py), on word similarities and on subword similarities
(``--level subword``: two words are linked when any of their subwords are), on the train + dev
splits of the five standard pairs.

Rule: the least worst-case regret. A candidate's regret on a pair is its AER minus the best
candidate's AER on that pair; the default is the candidate whose largest regret over the five
pairs is smallest (ties within 0.1 point: the lower mean AER). The five pairs span close and
distant languages and scripts, and a default must serve languages that have no gold set at all:
a candidate that is never far from the best on any of them is the safest choice for a sixth,
while the best mean can hide a loss on one language behind a gain on another.
"""

from __future__ import annotations

import argparse
import json
import time

from _common import RESULTS, TUNING_SPLITS, GoldSet, git_revision, machine, pair_links

from wordalign.align.presets import resolve_extractor
from wordalign.align.scorers import SimilarityScorer
from wordalign.evaluation import score_alignments
from wordalign.extractors import bind

CANDIDATES = ("argmax", "itermax", "match", "softmax", "ot-balanced", "ot-partial", "ot-unbalanced")
LEVELS = ("word", "subword")
TIE = 0.001  # 0.1 AER points


def measure(model: str, layer: int | None = None) -> dict[str, dict[str, float]]:
    """AER of every candidate (``"NAME"`` at word level, ``"NAME subword"``) on each pair's tuning data."""
    sets = {name: GoldSet.load(name, *folders) for name, folders in TUNING_SPLITS.items()}
    table: dict[str, dict[str, float]] = {}
    for level in LEVELS:
        scorer = SimilarityScorer(model, layer=layer, word_weights=True, level=level)
        for pair, gold_set in sets.items():
            scores = scorer.score_batch(gold_set.pairs)
            for name in CANDIDATES:
                extract = bind(name, resolve_extractor("bilingual", name, None)[1])
                hyps = pair_links(extract, scores)
                label = name if level == "word" else f"{name} subword"
                table.setdefault(label, {})[pair] = score_alignments(gold_set.gold, hyps).aer
    return table


def regrets(table: dict[str, dict[str, float]]) -> dict[str, float]:
    """Each candidate's largest AER distance to the best candidate over the pairs."""
    pairs = next(iter(table.values()))
    best = {pair: min(row[pair] for row in table.values()) for pair in pairs}
    return {name: max(row[pair] - best[pair] for pair in pairs) for name, row in table.items()}


def choose(table: dict[str, dict[str, float]]) -> str:
    """The candidate of least worst-case regret; within :data:`TIE` of it, the lowest mean AER."""
    worst = regrets(table)
    least = min(worst.values())
    tied = [name for name, value in worst.items() if value <= least + TIE]
    return min(tied, key=lambda name: sum(table[name].values()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="embedded", help="encoder (default: the embedded default)")
    parser.add_argument("--name", default="defaults", help="results file name (results/NAME.md and .json)")
    args = parser.parse_args()
    started = time.perf_counter()
    table = measure(args.model)
    results = {"model": args.model, "revision": git_revision(), "machine": machine(), "table": table,
               "chosen": choose(table), "seconds": time.perf_counter() - started,
               "command": "python benchmarks/choose_defaults.py" + (
                   "" if args.name == "defaults" else f" --model {args.model} --name {args.name}")}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.name}.json").write_text(json.dumps(results, indent=1))
    (RESULTS / f"{args.name}.md").write_text(render(results))
    print(render(results))


def render(results: dict) -> str:
    table, worst = results["table"], regrets(results["table"])
    pairs = list(next(iter(table.values())))
    lines = ["# Default bilingual extractor", "",
             f"Command: `{results['command']}` (model `{results['model']}`, its default layer, centering `pair`); "
             f"AER % on tuning data (train + dev splits); revision {results['revision']}.", "",
             "| extractor | level | " + " | ".join(pairs) + " | mean | worst regret |",
             "|---|---|" + "---|" * (len(pairs) + 2)]
    for label in sorted(table, key=lambda name: (worst[name], sum(table[name].values()))):
        name, _, level = label.partition(" ")
        cells = " | ".join(f"{100 * table[label][pair]:.1f}" for pair in pairs)
        lines.append(f"| {name} | {level or 'word'} | {cells} | {100 * sum(table[label].values()) / len(pairs):.2f} "
                     f"| {100 * worst[label]:+.1f} |")
    lines += ["", f"Chosen by the least worst-case regret: **{results['chosen']}**."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
