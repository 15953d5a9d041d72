"""Pick the default bilingual extractor from the two tuning sweeps.

    python benchmarks/choose_defaults.py     # after sweep.py and sweep_ot.py; writes results/defaults.md

Rule, on tuning data only: the lowest AER averaged over the five pairs, among the extractors
that are no more than 0.5 AER points worse than plain argmax on any pair (so that no language
pair pays for a gain elsewhere). Each extractor competes at the parameters its sweep chose.
"""

from __future__ import annotations

import json

from _common import RESULTS

MAX_LOSS = 0.005  # 0.5 AER points


def main() -> None:
    sweep = json.loads((RESULTS / "sweep.json").read_text())["results"]
    best = min(sweep, key=lambda r: r["mean_aer"])
    layer, centering = best["layer"], best["centering"]
    candidates = {}
    at_default = [r for r in sweep if (r["layer"], r["centering"]) == (layer, centering)]
    for name in {r["extractor"] for r in at_default}:
        row = min((r for r in at_default if r["extractor"] == name), key=lambda r: r["mean_aer"])
        candidates[name] = (row["params"], row["aer"])
    ot = json.loads((RESULTS / "sweep_ot.json").read_text())
    for name, params in ot["chosen"]["bilingual"].items():
        candidates[name] = (params, ot["report"]["bilingual"]["rows"][f"{name} {json.dumps(params)}"]["aer"])
    baseline = candidates["argmax"][1]
    lines = ["# Default bilingual extractor", "", "Command: `python benchmarks/choose_defaults.py` (reads sweep.json "
             f"and sweep_ot.json). Layer {layer}, centering `{centering}`; AER % on tuning data.", "",
             "| extractor | " + " | ".join(baseline) + " | mean | worst loss vs argmax | eligible |",
             "|---|" + "---|" * (len(baseline) + 3)]
    eligible = {}
    for name, (_, aer) in sorted(candidates.items(), key=lambda kv: sum(kv[1][1].values())):
        loss = max(aer[s] - baseline[s] for s in baseline)
        mean = sum(aer.values()) / len(aer)
        if loss <= MAX_LOSS:
            eligible[name] = mean
        cells = " | ".join(f"{100 * aer[s]:.1f}" for s in baseline)
        lines.append(f"| {name} | {cells} | {100 * mean:.2f} | {100 * loss:+.1f} | {'yes' if loss <= MAX_LOSS else 'no'} |")
    chosen = min(eligible, key=eligible.get)
    lines += ["", f"Chosen: **{chosen}**."]
    (RESULTS / "defaults.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
