"""Symmetrization inside the directional extractors, on tuning data: does ``direction=gdfa`` help?

    python benchmarks/symmetrize.py        # writes benchmarks/results/symmetrize.md and .json

For each of the five bilingual pairs, the tuning data (train and dev splits, data/gold/splits/*;
no test sentence: what the defaults were chosen on) is scored once with the defaults (the
embedded default encoder at its layer and level, centering ``pair``, float32), and ``argmax`` and
``softmax`` (at their default parameters) combine their two directions each way: intersection
(their default), union, and the growing heuristics of ``wordalign symmetrize``. A heuristic
becomes a default only by the rule that chose the default (benchmarks/choose_defaults.py): the
least worst-case regret over the five pairs.
"""

from __future__ import annotations

import json

from _common import RESULTS, TUNING_SPLITS, GoldSet, git_revision, machine, pair_links
from choose_defaults import choose, regrets

from wordalign import Aligner
from wordalign.evaluation import score_alignments
from wordalign.extractors import bind
from wordalign.extractors.directions import DIRECTIONS

EXTRACTORS = ("argmax", "softmax")
SHOWN = tuple(d for d in DIRECTIONS if d != "gdfa")  # gdfa is grow-diag-final-and by another name


def measure() -> tuple[dict, str]:
    aligner = Aligner(device="cpu", dtype="float32")
    results = {}
    for name, folders in TUNING_SPLITS.items():
        gold_set = GoldSet.load(name, *folders)
        scores = aligner.scorer.score_batch(gold_set.pairs)
        results[name] = {}
        for extractor in EXTRACTORS:
            for direction in SHOWN:
                extract = bind(extractor, {"direction": direction})
                hyps = pair_links(extract, scores)
                results[name][f"{extractor} {direction}"] = score_alignments(gold_set.gold, hyps).aer
        print(name, {k: round(100 * v, 1) for k, v in results[name].items()}, flush=True)
    return results, aligner.scorer.signature


def render(data: dict) -> str:
    sets = list(data["results"])
    rows = list(data["results"][sets[0]])
    table = {row: {s: data["results"][s][row] for s in sets} for row in rows}
    mean = {row: sum(table[row].values()) / len(sets) for row in rows}
    worst, chosen = regrets(table), choose(table)
    lines = [f"Command: `python benchmarks/symmetrize.py` · revision {data['revision']} · {data['machine']}", "",
             "AER (%) on tuning data (train + dev splits) of the directional extractors with each way of combining "
             f"their two directions (`-p direction=…`), scorer `{data['scorer']}`; the default is `softmax` with "
             "`intersection`.", "",
             "| extractor, direction | " + " | ".join(sets) + " | mean | worst regret |",
             "|---" * (len(sets) + 3) + "|"]
    for row in sorted(rows, key=lambda r: (worst[r], mean[r])):
        label = f"**{row}**" if row == "softmax intersection" else row
        lines.append(f"| {label} | " + " | ".join(f"{100 * table[row][s]:.1f}" for s in sets)
                     + f" | {100 * mean[row]:.1f} | {100 * worst[row]:+.1f} |")
    lines += ["", f"By the rule that chose the default (least worst-case regret): `{chosen}`"
              + (", the default already." if chosen == "softmax intersection" else ".")]
    return "\n".join(lines) + "\n"


def main() -> None:
    results, scorer = measure()
    data = {"revision": git_revision(), "machine": machine(), "scorer": scorer, "results": results}
    (RESULTS / "symmetrize.json").write_text(json.dumps(data, indent=1) + "\n")
    (RESULTS / "symmetrize.md").write_text(render(data))
    print(render(data))


if __name__ == "__main__":
    main()
