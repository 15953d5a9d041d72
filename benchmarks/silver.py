"""Silver pretraining (WSPAlign's idea): a span model trained first on the links that the
unsupervised aligner is sure of in unlabelled parallel text, then on a pair's gold train split.

    python benchmarks/silver.py                                    # Ro-En, 1,000 silver pairs
    python benchmarks/silver.py --pair De-En --silver-pairs 3000   # the rows of other runs stand

Every step is a `wordalign` command in a fresh process, as a user would run it:

1. text: the first --silver-pairs pairs of the pair's corpora in ../shared/parallel, taken from
   each in turn (not Kyoto Wikipedia; no pair with a side that is a gold-set sentence), split into
   words by `wordalign align --tokenize -f words`;
2. silver links: those words aligned twice, by the default pipeline and with `-e argmax`;
   `wordalign symmetrize -m intersect` keeps the links both found;
3. `wordalign train-span --skip-unlinked` on the silver links (a word without one is unknown, not
   unaligned), stopped and tuned on the pair's gold dev split (timed);
4. `wordalign train-span --model SILVER_CHECKPOINT` on the pair's gold train split, with the
   `train-span` options, splits and dev split of benchmarks/span.py (timed).

Both checkpoints are scored on the pair's test split by `wordalign align --model`, beside the
model that span.py trained on the gold alone (results/span.json) and the unsupervised default.
"""

from __future__ import annotations

import json
import shutil
from itertools import zip_longest
from pathlib import Path

from _common import (EXCLUDED_CORPORA, PARALLEL, PARALLEL_CORPORA, RESULTS, git_revision, gold_sentences, machine,
                     rerender, run_wordalign, sentence_key, training_benchmark_parser)
from span import SETS, TRAIN_ARGS, align_and_score, capped, cell

from wordalign.align.presets import DEFAULT_EXTRACTOR
from wordalign.io.links import read_alignments


def raw_text(pair: str, count: int, work: Path) -> tuple[str, str, dict]:
    """The first ``count`` usable pairs of the pair's corpora, one from each in turn, oriented as
    the gold sets are; the two files and the pairs taken from each corpus."""
    corpora = [name for name in PARALLEL_CORPORA[pair] if name not in EXCLUDED_CORPORA]
    english_first = pair.startswith("En-")  # the corpora hold the other language first
    excluded, taken = gold_sentences(), {name: 0 for name in corpora}
    streams = [zip(*((PARALLEL / name / side).read_text(encoding="utf-8").splitlines()
                     for side in ("src.txt", "tgt.txt"))) for name in corpora]
    lines = []
    for row in zip_longest(*streams):
        for name, both in zip(corpora, row):
            if both is None or len(lines) == count:
                continue
            other, english = (line.strip() for line in both)
            if not (other and english) or {sentence_key(other), sentence_key(english)} & excluded:
                continue
            lines.append((english, other) if english_first else (other, english))
            taken[name] += 1
        if len(lines) == count:
            break
    paths = work / "raw.src", work / "raw.tgt"
    for path, side in zip(paths, zip(*lines)):
        path.write_text("".join(line + "\n" for line in side), encoding="utf-8")
    return str(paths[0]), str(paths[1]), taken


def silver_links(pair: str, raw_src: str, raw_tgt: str, work: Path) -> tuple[str, str, str, dict]:
    """Split the raw text into words and keep the links that two extractors agree on; the word
    files, the silver links and how much of the text they cover."""
    src_lang, tgt_lang = pair.lower().split("-")
    words = work / "words.txt"
    seconds = run_wordalign("align", raw_src, raw_tgt, "--tokenize", "--src-lang", src_lang, "--tgt-lang", tgt_lang,
                        "-f", "words", "-o", str(words), "-q")
    sides = list(zip(*(line.split(" ||| ") for line in words.read_text(encoding="utf-8").splitlines())))
    src, tgt = work / "words.src", work / "words.tgt"
    for path, side in zip((src, tgt), sides):
        path.write_text("".join(line + "\n" for line in side), encoding="utf-8")
    default, argmax, silver = work / "default.pharaoh", work / "argmax.pharaoh", work / "silver.gold"
    seconds += run_wordalign("align", str(src), str(tgt), "-o", str(default), "-q")
    seconds += run_wordalign("align", str(src), str(tgt), "-e", "argmax", "-o", str(argmax), "-q")
    seconds += run_wordalign("symmetrize", str(default), str(argmax), "-m", "intersect", "-o", str(silver), "-q")
    links = [alignment.sure for alignment in read_alignments(str(silver))]
    words_in = [len(line.split()) for side in sides for line in side]
    linked = sum(len({i for i, _ in pair_links}) + len({j for _, j in pair_links}) for pair_links in links)
    return str(src), str(tgt), str(silver), {"links": sum(map(len, links)), "words": sum(words_in),
                                              "words_linked": linked, "seconds": seconds}


def run(pair: str, count: int, epochs: int, seed: int, work: Path) -> dict:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    raw_src, raw_tgt, taken = raw_text(pair, count, work)
    src, tgt, silver, coverage = silver_links(pair, raw_src, raw_tgt, work)
    dev = capped(pair, "dev", work)
    dev_options = ["--dev-src", dev[0], "--dev-tgt", dev[1], "--dev-gold", dev[2], "--seed", str(seed), "-q"]
    silver_model, gold_model = work / "model-silver", work / "model-silver-then-gold"
    silver_seconds = run_wordalign("train-span", src, tgt, silver, "-o", str(silver_model), "--skip-unlinked",
                               "--epochs", str(epochs), *dev_options)
    gold_seconds = run_wordalign("train-span", *capped(pair, "train", work), "-o", str(gold_model), "--model",
                             str(silver_model), *TRAIN_ARGS[pair], *dev_options)
    test = capped(pair, "test", work)
    metadata = {name: json.loads((model / "wordalign.json").read_text(encoding="utf-8"))["result"]
                for name, model in (("silver", silver_model), ("gold", gold_model))}
    return {"pair": pair, "silver_pairs": count, "corpora": taken, "silver": coverage, "silver_epochs": epochs,
            "seed": seed, "gold_train_args": TRAIN_ARGS[pair], "revision": git_revision(),
            "silver_training": {"seconds": silver_seconds, "queries": metadata["silver"]["queries"],
                                "epochs_run": metadata["silver"]["epochs_run"]},
            "gold_training": {"seconds": gold_seconds, "queries": metadata["gold"]["queries"],
                              "epochs_run": metadata["gold"]["epochs_run"]},
            "test": {"silver": align_and_score(silver_model, test, work / "silver.test.pharaoh"),
                     "silver_then_gold": align_and_score(gold_model, test, work / "silver-then-gold.test.pharaoh")}}


def main() -> None:
    parser = training_benchmark_parser(__doc__, "silver", ".silver-work",
                                       "scratch folder for the silver text, links and checkpoints (git-ignored)")
    parser.add_argument("--pair", default="Ro-En", choices=list(SETS))
    parser.add_argument("--silver-pairs", type=int, default=1000,
                        help="parallel sentence pairs to make silver links on")
    parser.add_argument("--silver-epochs", type=int, default=1, help="`train-span --epochs` on the silver links")
    args = parser.parse_args()
    if args.render:
        rerender(args.name, render)
        return
    result = run(args.pair, args.silver_pairs, args.silver_epochs, args.seed, args.work / args.pair)
    published = RESULTS / f"{args.name}.json"
    results = json.loads(published.read_text(encoding="utf-8")) if published.is_file() else {"runs": {}}
    results["runs"][f"{args.pair}, {args.silver_pairs} pairs, {args.silver_epochs} epochs"] = result
    results["machine"] = machine()
    published.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    (RESULTS / f"{args.name}.md").write_text(render(results))
    print(render(results))


def render(results: dict) -> str:
    span = json.loads((RESULTS / "span.json").read_text(encoding="utf-8"))
    lines = ["Test split of each pair (as in results/span.md); each cell AER / precision / recall / F1 (%), lower "
             "AER is better. Gold alone: the model `benchmarks/span.py` trained on the pair's gold train split only.",
             "",
             "| pair | silver pairs: links, words linked | silver training | then gold training | "
             "unsupervised default | silver alone | **silver, then gold** | gold alone | revision |",
             "|---|---|---|---|---|---|---|---|---|"]
    for entry in results["runs"].values():
        pair, silver = entry["pair"], entry["silver"]
        default_cell = cell(span["unsupervised"][pair][DEFAULT_EXTRACTOR["bilingual"]])
        gold_alone = span["trained"].get(pair)
        lines.append(
            f"| {pair} | {entry['silver_pairs']:,}: {silver['links']:,} links, "
            f"{silver['words_linked'] / silver['words']:.0%} "
            f"| {entry['silver_training']['queries']:,} queries, {entry['silver_training']['epochs_run']} epoch(s), "
            f"{entry['silver_training']['seconds'] / 60:.1f} min | {entry['gold_training']['queries']:,} queries, "
            f"{entry['gold_training']['epochs_run']} epoch(s), {entry['gold_training']['seconds'] / 60:.1f} min "
            f"| {default_cell} | {cell(entry['test']['silver'])} | **{cell(entry['test']['silver_then_gold'])}** "
            f"| {cell(gold_alone['test']) if gold_alone else '–'} | {entry['revision']} |")
    lines += ["", f"- Times: whole `wordalign train-span` processes on {results['machine']}. Silver links: the default "
              "pipeline's links that `-e argmax` also finds (`wordalign symmetrize -m intersect`); \"words linked\" "
              "is the share of words with at least one; training on them skips the others (`--skip-unlinked`).",
              "- Command: `python benchmarks/silver.py --pair PAIR --silver-pairs N --silver-epochs E`; the gold stage "
              "uses the pair's `train-span` options of benchmarks/span.py and the same dev split, so it differs from "
              "gold alone only by where it starts."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
