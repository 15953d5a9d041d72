"""Probe for the next step of span prediction: its probabilities averaged with a similarity prior.

    python benchmarks/span_prior.py En-Fr Ro-En     # after `python benchmarks/span.py --keep`

For each pair, the span checkpoint that benchmarks/span.py left in its work folder scores the
dev and test splits; the embedded encoder's similarity prior is the geometric mean of the
`softmax` extractor's two directions, ``sqrt(softmax_j(S/T) · softmax_i(S/T))`` with its
defaults (layer 7, centering `pair`, T = 0.07). The matrix ``(1 - w) · span + w · prior`` is
cut at a threshold; for each weight ``w`` the threshold is chosen on dev, and the weight with
the lowest dev AER is the one a trainer would keep. Test scores are printed for every weight,
to read, not to choose by. Nothing here is part of `wordalign align` yet.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from _common import GOLD, ROOT, pct
from span import SETS, CAPS, cap

from wordalign.encoder import WordEncoder
from wordalign.evaluation import score_alignments
from wordalign.extractors import get_extractor
from wordalign.extractors.softmax import softmax
from wordalign.similarity import cosine_similarity
from wordalign.span_prediction import SpanScorer
from wordalign.span_training import THRESHOLDS, read_gold_set

WEIGHTS = tuple(round(0.1 * k, 1) for k in range(8))
TEMPERATURE = get_extractor("softmax").defaults["temperature"]


def matrices(scorer: SpanScorer, encoder: WordEncoder, folder: str, limit: int):
    """Span matrices, prior matrices and gold links of the first ``limit`` pairs of a split."""
    pairs, gold = read_gold_set(*(str(GOLD / folder / f"{name}.txt") for name in ("src", "tgt", "gold")))
    pairs, gold = pairs[:limit], gold[:limit]
    span = scorer.score_batch(pairs)
    vectors = encoder.embed([src for src, _ in pairs] + [tgt for _, tgt in pairs])
    prior = []
    for src, tgt in zip(vectors[: len(pairs)], vectors[len(pairs) :]):
        scaled = cosine_similarity(src, tgt, "pair") / TEMPERATURE
        prior.append(np.sqrt(softmax(scaled, 1) * softmax(scaled, 0)))
    return span, prior, gold


def score(split, weight: float, threshold: float):
    span, prior, gold = split
    hyps = [list(zip(*np.nonzero((1 - weight) * s + weight * p >= threshold))) for s, p in zip(span, prior)]
    return score_alignments(gold, hyps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sets", nargs="+", choices=list(SETS))
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / ".span-work")
    args = parser.parse_args()
    encoder = WordEncoder(None)
    for name in args.sets:
        scorer = SpanScorer(str(args.work / f"model-{name}"))
        _, dev_folder, test_folder = SETS[name]
        dev = matrices(scorer, encoder, dev_folder, cap(name, "dev"))
        test = matrices(scorer, encoder, test_folder, CAPS["test"])
        chosen = {}
        for weight in WEIGHTS:
            dev_aer = {threshold: score(dev, weight, threshold).aer for threshold in THRESHOLDS}
            threshold = min(THRESHOLDS, key=dev_aer.get)
            chosen[weight] = (dev_aer[threshold], threshold)
            result = score(test, weight, threshold)
            print(f"{name} w={weight}: dev AER {pct(chosen[weight][0])} at threshold {threshold}; test AER "
                  f"{pct(result.aer)} (P {pct(result.precision)}, R {pct(result.recall)})", flush=True)
        weight = min(WEIGHTS, key=lambda w: chosen[w][0])
        print(f"{name}: chosen on dev w={weight}, threshold {chosen[weight][1]}: test AER "
              f"{pct(score(test, weight, chosen[weight][1]).aer)}", flush=True)


if __name__ == "__main__":
    main()
