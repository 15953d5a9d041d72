"""Choose the optimal-transport extractors' parameters on dev data, per setting.

    python benchmarks/sweep_ot.py     # writes benchmarks/results/sweep_ot.md and sweep_ot.json

Bilingual: the train + dev splits of the five standard pairs, lowest mean AER. Monolingual:
the dev splits of MTRef, Wiki, Edinburgh++ and MSR-RTE, highest mean F1 (the measure of
Arase et al. 2023) among the settings that are no worse than argmax in F1 and in
null-alignment F1 on any of the four sets (so that no kind of data pays for a gain on
another; the best mean F1 overall where no setting qualifies). The encoder settings are the
library defaults (layer, centering). Each plan is solved once and read off with both link
rules at every threshold of the grid.
"""

from __future__ import annotations

import itertools
import json
import time

import numpy as np
from _common import (MONO_DEV, RESULTS, TUNING_SPLITS, GoldSet, encode_pairs, extract_all, git_revision, machine,
                     pair_norms, similarities)

from wordalign import Aligner
from wordalign.evaluation import score_alignments
from wordalign.extractors.ot import LINK_RULES, balanced_plan, links_from_plan, partial_plan, unbalanced_plan

THRESHOLDS = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7)
COMMON = {"distortion": (0.0, 0.1), "marginals": ("uniform", "norm")}
SOLVERS = {
    "ot-balanced": (balanced_plan, {"reg": (0.0, 0.05)}),
    "ot-partial": (partial_plan, {"mass": (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)}),
    "ot-unbalanced": (unbalanced_plan, {"reg": (0.02, 0.05, 0.1), "reg_m": (0.1, 0.3, 1.0)}),
}
ARGMAX = ("argmax", "{}")
SETTINGS = {"bilingual": TUNING_SPLITS, "monolingual": {name: (folder,) for name, folder in MONO_DEV.items()}}


def grid(options: dict) -> list[dict]:
    keys = list(options)
    return [dict(zip(keys, values)) for values in itertools.product(*(options[k] for k in keys))]


def sweep_set(aligner: Aligner, gold_set: GoldSet) -> dict:
    """{(extractor, json params incl. threshold): AlignmentScore} on one data set."""
    layer = aligner.scorer.encoder.layer
    vectors = encode_pairs(aligner.scorer.encoder, gold_set, [layer])[layer]
    sims, norms, lengths = similarities(vectors, aligner.scorer.centering), pair_norms(vectors), gold_set.lengths
    scores = {ARGMAX: score_alignments(gold_set.gold, extract_all(sims, "argmax", {})[0], lengths)}
    for name, (solve, options) in SOLVERS.items():
        for params in grid(options | COMMON):
            plans = [solve(sim, **params, word_weights=w) if sim.size else None for sim, w in zip(sims, norms)]
            for links, threshold in itertools.product(LINK_RULES, THRESHOLDS):
                hyps = [list(zip(*np.nonzero(links_from_plan(*plan, threshold, links)))) if plan else []
                        for plan in plans]
                key = (name, json.dumps(params | {"links": links, "threshold": threshold}))
                scores[key] = score_alignments(gold_set.gold, hyps, lengths)
    return scores


def no_worse_than_argmax(per_set: dict, key: tuple) -> bool:
    """Whether setting ``key`` has at least argmax's F1 and null-alignment F1 on every set."""
    return all(scores[key].f1 >= scores[ARGMAX].f1 and scores[key].null_f1 >= scores[ARGMAX].null_f1
               for scores in per_set.values())


def main() -> None:
    aligner = Aligner(device="cpu", dtype="float32")
    started = time.perf_counter()
    report, chosen = {}, {}
    for setting, sets in SETTINGS.items():
        per_set = {}
        for name, folders in sets.items():
            per_set[name] = sweep_set(aligner, GoldSet.load(name, *folders))
            print(f"{setting} {name}: done ({time.perf_counter() - started:.0f} s)", flush=True)
        keys = list(next(iter(per_set.values())))
        mean_aer = {k: np.mean([per_set[s][k].aer for s in per_set]) for k in keys}
        mean_f1 = {k: np.mean([per_set[s][k].f1 for s in per_set]) for k in keys}
        score = mean_aer if setting == "bilingual" else {k: -f1 for k, f1 in mean_f1.items()}
        chosen[setting] = {}
        for name in SOLVERS:
            options = [k for k in keys if k[0] == name]
            if setting == "monolingual":
                options = [k for k in options if no_worse_than_argmax(per_set, k)] or options
            chosen[setting][name] = json.loads(min(options, key=score.get)[1])
        report[setting] = {"sets": list(per_set), "rows": {
            f"{k[0]} {k[1]}": {"mean_aer": mean_aer[k], "mean_f1": mean_f1[k],
                               "aer": {s: per_set[s][k].aer for s in per_set},
                               "f1": {s: per_set[s][k].f1 for s in per_set},
                               "null_f1": {s: per_set[s][k].null_f1 for s in per_set}} for k in keys}}
    write_report(report, chosen)
    print(json.dumps(chosen, indent=1))


def write_report(report: dict, chosen: dict) -> None:
    lines = ["# Optimal-transport parameters chosen on dev data", "",
             f"Command: `python benchmarks/sweep_ot.py` · revision {git_revision()} · {machine()}", ""]
    for setting, choice in chosen.items():
        data = report[setting]
        bilingual = setting == "bilingual"
        measure = "AER %" if bilingual else "F1 / null-alignment F1 %; mean of F1"
        lines += [f"## {setting.capitalize()} ({', '.join(data['sets'])}; {measure})", "",
                  "| extractor | chosen parameters | " + " | ".join(data["sets"]) + " | mean |",
                  "|---|---|" + "---|" * (len(data["sets"]) + 1)]
        for name, params in [("argmax", {}), *choice.items()]:
            row = data["rows"][f"{name} {json.dumps(params)}"]
            cells = [f"{100 * row['aer'][s]:.1f}" if bilingual else
                     f"{100 * row['f1'][s]:.1f} / {100 * row['null_f1'][s]:.1f}" for s in data["sets"]]
            mean = row["mean_aer"] if bilingual else row["mean_f1"]
            shown = " ".join(f"{k}={v}" for k, v in params.items()) or "(reference)"
            if not bilingual and name != "argmax" and not all(
                    row[m][s] >= data["rows"]["argmax {}"][m][s] for m in ("f1", "null_f1") for s in data["sets"]):
                shown += " (no setting is as good as argmax everywhere: best mean F1)"
            lines.append(f"| {name} | {shown} | " + " | ".join(cells) + f" | {100 * mean:.2f} |")
        lines.append("")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "sweep_ot.md").write_text("\n".join(lines), encoding="utf-8")
    (RESULTS / "sweep_ot.json").write_text(json.dumps({"chosen": chosen, "report": report}), encoding="utf-8")


if __name__ == "__main__":
    main()
