"""Choose the default layer, centering, extractor and extractor parameters on tuning data.

Only the train and dev parts of the splits are used (data/gold/splits/*_train, *_dev), never a
test split. Each configuration is scored by its AER averaged over the five language pairs.

    python benchmarks/sweep.py            # writes benchmarks/results/sweep.md and sweep.json
"""

from __future__ import annotations

import argparse
import itertools
import json
import time

from _common import RESULTS, TUNING_SPLITS, GoldSet, encode_pairs, git_revision, machine, score_extractor, similarities

from wordalign.encoding.encoder import WordEncoder
from wordalign.align.scorers.similarity import CENTERINGS

GRID = {
    "argmax": [{}],
    "itermax": [{"alpha": a} for a in (0.8, 0.9, 0.95)],
    "match": [{"min_similarity": m} for m in (-1.0, 0.0, 0.1, 0.2)],
    "softmax": [{"temperature": t, "threshold": c}
                for t in (0.02, 0.03, 0.05, 0.07, 0.1) for c in (0.1, 0.15, 0.2, 0.25, 0.3, 0.4)],
}


def label(extractor: str, params: dict) -> str:
    return extractor + "".join(f" {k}={v}" for k, v in params.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--layers", default="3-11", help="hidden-state range, e.g. 3-11")
    parser.add_argument("--model", default=None, help="model directory (default: embedded)")
    args = parser.parse_args()
    low, high = map(int, args.layers.split("-"))
    layers = range(low, high + 1)
    encoder = WordEncoder(args.model, layer=high, device="cpu", dtype="float32")
    started = time.perf_counter()
    aer: dict[tuple, dict[str, float]] = {}  # (layer, centering, config label) -> {set: AER}
    for name, folders in TUNING_SPLITS.items():
        gold_set = GoldSet.load(name, *folders)
        by_layer = encode_pairs(encoder, gold_set, layers)
        for layer, centering in itertools.product(layers, CENTERINGS):
            sims = similarities(by_layer[layer], centering)
            for extractor, configs in GRID.items():
                for params in configs:
                    score = score_extractor(sims, gold_set.gold, extractor, params)
                    aer.setdefault((layer, centering, extractor, json.dumps(params)), {})[name] = score.aer
        print(f"{name}: done ({time.perf_counter() - started:.0f} s)", flush=True)

    mean = {key: sum(v.values()) / len(v) for key, v in aer.items()}
    best_key = min(mean, key=mean.get)
    layer, centering, extractor, _ = best_key
    chosen_params = {
        name: json.loads(min((k for k in mean if k[:3] == (layer, centering, name)), key=mean.get)[3])
        for name in GRID
    }
    write_report(aer, mean, layers, best_key, chosen_params, encoder.source)
    print(f"best: layer {layer}, centering {centering}, {label(extractor, chosen_params[extractor])}: "
          f"mean AER {100 * mean[best_key]:.2f}")


def write_report(aer, mean, layers, best_key, chosen_params, source) -> None:
    layer, centering, extractor, _ = best_key
    sets = list(TUNING_SPLITS)
    lines = [
        "# Sweep on tuning data (train + dev splits; no test sentence)",
        "",
        f"Command: `python benchmarks/sweep.py` · revision {git_revision()} · {machine()}",
        "",
        f"Chosen: **layer {layer}, centering `{centering}`, extractor `{extractor}`**; "
        f"mean AER {100 * mean[best_key]:.2f} %. Per-extractor parameters chosen at that layer "
        "and centering:",
        "",
    ]
    lines += [f"- `{label(name, params)}`" for name, params in chosen_params.items()]
    lines += ["", f"## Mean AER (%) by layer, centering `{centering}`, each extractor at its chosen parameters", "",
              "| layer | " + " | ".join(chosen_params) + " |", "|---" * (len(chosen_params) + 1) + "|"]
    for lay in layers:
        row = [f"{100 * mean[(lay, centering, name, json.dumps(p))]:.2f}" for name, p in chosen_params.items()]
        lines.append(f"| {lay} | " + " | ".join(row) + " |")
    lines += ["", f"## Centering at layer {layer} (mean AER %)", "",
              "| centering | " + " | ".join(chosen_params) + " |", "|---" * (len(chosen_params) + 1) + "|"]
    for cen in CENTERINGS:
        row = [f"{100 * mean[(layer, cen, name, json.dumps(p))]:.2f}" for name, p in chosen_params.items()]
        lines.append(f"| {cen} | " + " | ".join(row) + " |")
    lines += ["", f"## Every configuration at layer {layer}, centering `{centering}` (AER %)", "",
              "| configuration | " + " | ".join(sets) + " | mean |", "|---" * (len(sets) + 2) + "|"]
    for key in sorted((k for k in mean if k[:2] == (layer, centering)), key=mean.get):
        row = [f"{100 * aer[key][s]:.1f}" for s in sets]
        lines.append(f"| {label(key[2], json.loads(key[3]))} | " + " | ".join(row) + f" | {100 * mean[key]:.2f} |")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "sweep.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    records = [{"layer": k[0], "centering": k[1], "extractor": k[2], "params": json.loads(k[3]),
                "aer": v, "mean_aer": mean[k]} for k, v in aer.items()]
    (RESULTS / "sweep.json").write_text(json.dumps({"model": source, "results": records}, indent=0), encoding="utf-8")


if __name__ == "__main__":
    main()
