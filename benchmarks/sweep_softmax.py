"""The default extractor's parameters again, for the tuned encoder on subwords, on tuning data.

    python benchmarks/sweep_softmax.py      # writes results/sweep_softmax.{md,json}

``softmax`` at every temperature, threshold and distortion of the grid, on the subword
similarities of the default encoder (the tuned default, ``--level subword``), on the train + dev
splits of the five standard pairs. sweep.py chose the parameters on the base encoder's word
similarities; this checks whether the tuned encoder, at the default level, wants others.
"""

from __future__ import annotations

import itertools
import json
import time

from _common import RESULTS, TUNING_SPLITS, GoldSet, git_revision, machine, pair_links

from wordalign.align.presets import resolve_extractor
from wordalign.align.scorers import SimilarityScorer
from wordalign.evaluation import score_alignments
from wordalign.extractors import bind
from wordalign.extractors.registry import resolve_params

EXTRACTOR, SETTING_PARAMS = resolve_extractor("bilingual", None, None)
TEMPERATURES = (0.03, 0.05, 0.07, 0.1, 0.15)
THRESHOLDS = (0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5)
DISTORTIONS = (0.0, 0.1, 0.15, 0.2, 0.3, 0.5)
PARAMETERS = ("temperature", "threshold", "distortion")


def main() -> None:
    started = time.perf_counter()
    sets = {name: GoldSet.load(name, *folders) for name, folders in TUNING_SPLITS.items()}
    scorer = SimilarityScorer("embedded", word_weights=True, level="subword")
    scores = {pair: scorer.score_batch(gold_set.pairs) for pair, gold_set in sets.items()}
    table = {}
    for values in itertools.product(TEMPERATURES, THRESHOLDS, DISTORTIONS):
        extract = bind(EXTRACTOR, dict(zip(PARAMETERS, values)))
        table[" ".join(map(str, values))] = {
            pair: score_alignments(gold_set.gold, pair_links(extract, scores[pair])).aer
            for pair, gold_set in sets.items()}
    current = resolve_params(EXTRACTOR, SETTING_PARAMS)
    results = {"revision": git_revision(), "machine": machine(), "table": table,
               "current": " ".join(str(float(current[key])) for key in PARAMETERS),
               "seconds": time.perf_counter() - started}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "sweep_softmax.json").write_text(json.dumps(results, indent=1))
    (RESULTS / "sweep_softmax.md").write_text(render(results))
    print(render(results))


def render(results: dict) -> str:
    table = results["table"]
    pairs = list(next(iter(table.values())))
    mean = {key: sum(row.values()) / len(row) for key, row in table.items()}
    lines = [f"`{EXTRACTOR}` on the tuned default's subword similarities; AER % on tuning data "
             f"(train + dev splits), the 8 best settings, the default, and the default without distortion.", "",
             "| " + " | ".join(PARAMETERS) + " | " + " | ".join(pairs) + " | mean |",
             "|---" * len(PARAMETERS) + "|" + "---|" * (len(pairs) + 1)]
    shown = sorted(table, key=mean.get)[:8]
    without_distortion = " ".join(results["current"].split()[:-1] + ["0.0"])
    shown += [key for key in (results["current"], without_distortion) if key not in shown]
    for key in shown:
        bold = "**" if key == results["current"] else ""
        settings = " | ".join(f"{bold}{value}{bold}" for value in key.split())
        cells = " | ".join(f"{100 * table[key][pair]:.1f}" for pair in pairs)
        lines.append(f"| {settings} | {cells} | {100 * mean[key]:.2f} |")
    lines += ["", f"- Command: `python benchmarks/sweep_softmax.py`; revision {results['revision']}; "
              f"{results['seconds']:.0f} s ({results['machine']}). The default is in bold."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
