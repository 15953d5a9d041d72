"""Raw text in (``--tokenize``) against pre-tokenized text, on the five standard gold sets.

    python benchmarks/raw_text.py          # writes benchmarks/results/raw_text.{md,json}

Each gold set's tokenized sentences are detokenized (sacremoses' Moses detokenizer for the
languages written with spaces; Chinese and Japanese words joined with no space), remembering
where each gold token lies in the raw line. The raw pairs are aligned with ``tokenize=True``
(``--tokenize``, with ``--src-lang`` for Chinese and Japanese, as a user would run it) and the
predicted links are carried back onto the gold tokens through character offsets: a gold token
pair is linked when any predicted words overlapping the two tokens are linked. AER is then
computed against the gold as usual and compared with aligning the gold tokens directly (the
default pipeline, pre-tokenized). Token boundary F1: a predicted word counts as right when
its span is exactly a gold token's.
"""

from __future__ import annotations

import json
import time

from _common import RESULTS, STANDARD_SETS, GoldSet, git_revision, machine, pct

from wordalign import Aligner
from wordalign.evaluation import score_alignments

# Languages of each set's source and target side.
LANGUAGES = {"De-En": ("de", "en"), "En-Fr": ("en", "fr"), "Ro-En": ("ro", "en"), "Zh-En": ("zh", "en"),
             "Ja-En": ("ja", "en")}
UNSPACED = ("zh", "ja")


def detokenize(tokens: list[str], language: str, moses) -> tuple[str, list[tuple[int, int] | None]]:
    """The raw line for ``tokens`` and each token's span in it (None where detokenizing changed it)."""
    if language in UNSPACED:
        line = "".join(tokens)
    else:
        line = moses[language].detokenize(tokens, unescape=False)
    spans, cursor = [], 0
    for token in tokens:
        start = line.find(token, cursor)
        if start < 0:
            spans.append(None)
            continue
        spans.append((start, start + len(token)))
        cursor = start + len(token)
    return line, spans


def overlapping(spans, words) -> list[list[int]]:
    """For each gold token span, the indices of the predicted words that overlap it."""
    return [[] if span is None else [k for k, w in enumerate(words) if w.start < span[1] and span[0] < w.end]
            for span in spans]


def boundary_counts(spans, words) -> tuple[int, int, int]:
    """Predicted words, gold tokens, and predicted words whose span is exactly a gold token's."""
    gold = {span for span in spans if span is not None}
    return len(words), len(spans), sum((w.start, w.end) in gold for w in words)


def f1(hits: int, predicted: int, gold: int) -> float:
    return 2 * hits / (predicted + gold) if predicted + gold else 1.0


def main() -> None:
    from sacremoses import MosesDetokenizer

    moses = {lang: MosesDetokenizer(lang=lang) for pair in LANGUAGES.values() for lang in pair if lang not in UNSPACED}
    results = {"revision": git_revision(), "machine": machine(), "sets": {}}
    started = time.perf_counter()
    for name, folder in STANDARD_SETS.items():
        gold_set = GoldSet.load(name, folder)
        src_lang, tgt_lang = LANGUAGES[name]
        raw = [(detokenize(src, src_lang, moses), detokenize(tgt, tgt_lang, moses)) for src, tgt in gold_set.pairs]
        aligner = Aligner(src_lang=src_lang, tgt_lang=tgt_lang, tokenize=True)
        tokenized = aligner.align_batch(gold_set.pairs, tokenize=False)
        predicted = aligner.align_batch([(src_line, tgt_line) for (src_line, _), (tgt_line, _) in raw])
        mapped, counts = [], {"src": [0, 0, 0], "tgt": [0, 0, 0]}
        unmapped = 0
        for ((_, src_spans), (_, tgt_spans)), pair in zip(raw, predicted):
            src_words, tgt_words = overlapping(src_spans, pair.src), overlapping(tgt_spans, pair.tgt)
            unmapped += src_spans.count(None) + tgt_spans.count(None)
            links = set(pair.links)
            mapped.append([(i, j) for i, src_over in enumerate(src_words) for j, tgt_over in enumerate(tgt_words)
                           if any((a, b) in links for a in src_over for b in tgt_over)])
            for side, spans, words in (("src", src_spans, pair.src), ("tgt", tgt_spans, pair.tgt)):
                counts[side] = [c + n for c, n in zip(counts[side], boundary_counts(spans, words))]
        results["sets"][name] = {
            "pairs": len(gold_set.pairs), "languages": [src_lang, tgt_lang], "unmapped_tokens": unmapped,
            "tokenized": score_alignments(gold_set.gold, [p.links for p in tokenized]).as_dict(),
            "raw": score_alignments(gold_set.gold, mapped).as_dict(),
            "boundary_f1": {side: f1(hits, n_pred, n_gold) for side, (n_pred, n_gold, hits) in counts.items()},
            "example": {"raw": [raw[0][0][0], raw[0][1][0]],
                        "words": [list(map(str, predicted[0].src)), list(map(str, predicted[0].tgt))]},
        }
        results["signature"] = aligner.signature
    results["seconds"] = time.perf_counter() - started
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "raw_text.json").write_text(json.dumps(results, indent=1, ensure_ascii=False))
    (RESULTS / "raw_text.md").write_text(render(results))
    print(render(results))


def render(results: dict) -> str:
    lines = ["AER % of the default pipeline on the full gold sets: pre-tokenized input against raw input "
             "(`--tokenize`), links carried back to the gold tokens through character offsets; token boundary F1 "
             "% of the split against the gold tokenization (source / target).", "",
             "| set | pre-tokenized AER | raw-text AER | difference | boundary F1 src / tgt |", "|---|---|---|---|---|"]
    for name, row in results["sets"].items():
        before, after = row["tokenized"]["aer"], row["raw"]["aer"]
        f1s = row["boundary_f1"]
        lines.append(f"| {name} ({'-'.join(row['languages'])}) | {pct(before)} | {pct(after)} | "
                     f"{100 * (after - before):+.1f} | {pct(f1s['src'])} / {pct(f1s['tgt'])} |")
    lines += ["", f"- Signature of the raw runs (last set): `{results['signature']}`.",
              f"- Command: `python benchmarks/raw_text.py`; revision {results['revision']}; "
              f"{results['seconds']:.0f} s ({results['machine']})."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
