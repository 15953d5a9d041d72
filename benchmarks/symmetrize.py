"""Symmetrization inside the directional extractors, on tuning data: does ``direction=gdfa`` help?

    python benchmarks/symmetrize.py        # writes benchmarks/results/symmetrize.md and .json

For each of the five bilingual pairs, the tuning data (train and dev splits, data/gold/splits/*;
no test sentence: what the defaults were chosen on) is encoded once with
the defaults (embedded encoder, layer 7, centering ``pair``, float32), and ``argmax`` and
``softmax`` (at their default parameters) combine their two directions each way: intersection
(their default), union, and the growing heuristics of ``wordalign symmetrize``. A heuristic
becomes a default only by the rule that chose the default (benchmarks/choose_defaults.py): the
lowest mean AER among the variants no more than 0.5 points worse than plain argmax on any pair.
"""

from __future__ import annotations

import json

from _common import RESULTS, TUNING_SPLITS, GoldSet, encode_pairs, extract_all, git_revision, machine, similarities
from choose_defaults import MAX_LOSS

from wordalign import Aligner
from wordalign.evaluation import score_alignments
from wordalign.extractors.directions import DIRECTIONS

EXTRACTORS = ("argmax", "softmax")
SHOWN = tuple(d for d in DIRECTIONS if d != "gdfa")  # gdfa is grow-diag-final-and by another name


def measure() -> dict:
    aligner = Aligner(device="cpu", dtype="float32")
    encoder = aligner.scorer.encoder
    results = {}
    for name, folders in TUNING_SPLITS.items():
        gold_set = GoldSet.load(name, *folders)
        sims = similarities(encode_pairs(encoder, gold_set, [encoder.layer])[encoder.layer], "pair")
        results[name] = {f"{extractor} {direction}": score_alignments(
            gold_set.gold, extract_all(sims, extractor, {"direction": direction})[0]).aer
            for extractor in EXTRACTORS for direction in SHOWN}
        print(name, {k: round(100 * v, 1) for k, v in results[name].items()}, flush=True)
    return results


def render(data: dict) -> str:
    sets = list(data["results"])
    rows = list(data["results"][sets[0]])
    mean = {row: sum(data["results"][s][row] for s in sets) / len(sets) for row in rows}
    loss = {row: max(data["results"][s][row] - data["results"][s]["argmax intersection"] for s in sets)
            for row in rows}
    eligible = [row for row in rows if loss[row] <= MAX_LOSS]
    chosen = min(eligible, key=mean.get)
    lines = [f"Command: `python benchmarks/symmetrize.py` · revision {data['revision']} · {data['machine']}", "",
             "AER (%) on tuning data (train + dev splits) of the directional extractors with each way of combining their two directions "
             "(`-p direction=…`); the default is `softmax` with `intersection`.", "",
             "| extractor, direction | " + " | ".join(sets) + " | mean | worst loss vs argmax | eligible |",
             "|---" * (len(sets) + 4) + "|"]
    for row in sorted(rows, key=mean.get):
        label = f"**{row}**" if row == "softmax intersection" else row
        lines.append(f"| {label} | " + " | ".join(f"{100 * data['results'][s][row]:.1f}" for s in sets)
                     + f" | {100 * mean[row]:.1f} | {100 * loss[row]:+.1f} | {'yes' if row in eligible else 'no'} |")
    lines += ["", f"By the rule that chose the default (lowest mean among the variants at most "
              f"{100 * MAX_LOSS:.1f} points worse than argmax on every pair): `{chosen}`"
              + (", the default already." if chosen == "softmax intersection" else ".")]
    return "\n".join(lines) + "\n"


def main() -> None:
    data = {"revision": git_revision(), "machine": machine(), "results": measure()}
    (RESULTS / "symmetrize.json").write_text(json.dumps(data, indent=1) + "\n")
    (RESULTS / "symmetrize.md").write_text(render(data))
    print(render(data))


if __name__ == "__main__":
    main()
