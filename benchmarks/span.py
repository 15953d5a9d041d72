"""Supervised span prediction (`wordalign train-span`) against the unsupervised extractors.

    python benchmarks/span.py                          # writes benchmarks/results/span.{md,json}
    python benchmarks/span.py --sets De-En --name span-trial -- --epochs 1   # options for train-span
    python benchmarks/span.py --sets Ro-En --name span-binary -- --head binary  # BinaryAlign's head
    python benchmarks/span.py --name span-binary --multilingual -- --head binary  # one model for all pairs
    python benchmarks/span.py --name span-binary --multilingual --leave-out Ja-En -- --head binary  # zero-shot
    python benchmarks/span.py --name span-kftt --sets Zh-En Ja-En --whole Ja-En  # all of Ja-En's gold

For each standard pair: `wordalign train-span` on its train split, stopping early on its dev
split and choosing its threshold and similarity prior there, as a whole process (timed); then
`wordalign align --model CKPT` on its test split in a fresh process. The span probabilities
alone (no prior, the threshold of the kept epoch) are scored on the test split too; with
``-- --head binary`` the same for BinaryAlign's head.
Unsupervised rows: every registered extractor on the embedded encoder (the one the span models
start from) on the same test splits, with the settings `wordalign align` uses. Zero-shot rows:
a model aligns the test split of a pair it never saw (TRANSFER). With --multilingual, one model
instead, trained on every pair's train split together (dev splits likewise) and tested on each
pair; a pair of --leave-out is in neither, so its test row is zero-shot. Each pair it trained on is
scored a second time with the model's threshold and prior chosen again on that pair's dev split
alone (`wordalign tune-span` on a copy; the weights are shared). Reload check: the checkpoint,
loaded by `wordalign align` in a fresh process, must reproduce on the dev split the AER that
tuning measured.

With --sets, only those pairs are run (and the zero-shot rows of their models); the rows of the
others stand as in the published results/NAME.json, and the table says at which revision each
pair was trained. Each trained pair is saved in --work as it finishes. With --keep, a pair whose
checkpoint is in --work and whose recorded options (splits, seed, train-span options, starting
model) equal this run's is not trained again: its training record is taken from the partial
results in --work or from the published results/NAME.json, with the revision it was trained at,
and the checkpoint is tuned again on the dev split (`wordalign tune-span`, what training does
last) and evaluated with this revision's code.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from _common import GOLD, RESULTS, git_revision, machine, pct, rerender, run_wordalign, training_benchmark_parser

from wordalign import Aligner, score_alignments, score_files
from wordalign.extractors import available, bind
from wordalign.io.links import read_alignments
from wordalign.io.text import ParallelInput
from wordalign.align.scorers import SUPERVISED
from wordalign.encoding.models import checkpoint_metadata

# Display name -> (train, dev, test) folders under data/gold/.
SETS = {
    "De-En": ("splits/deen_train", "splits/deen_dev", "splits/deen_test"),
    "En-Fr": ("splits/enfr_train", "splits/enfr_dev", "splits/enfr_test"),
    "Ro-En": ("splits/roen_train", "splits/roen_dev", "splits/roen_test"),
    "Zh-En": ("splits/zhen_train", "splits/zhen_dev", "splits/zhen_test"),
    "Ja-En": ("splits/jaen_train", "splits/jaen_dev", "jaen_kftt_test"),
}
# Zero-shot: test pair -> the pair whose model aligns it (trained without the test languages).
TRANSFER = {"De-En": "En-Fr", "Ja-En": "Zh-En"}
# Pair -> the pair whose model it is trained further from (`train-span --model CKPT`) instead
# of the bare encoder. Ja-En has the fewest training queries that fit the CPU budget (see
# SET_CAPS) and the weakest start: from a new head it had barely begun to learn in 2 epochs.
START_FROM = {"Ja-En": "Zh-En"}
# `train-span` options per pair. Epochs: the dev curves of a 2-epoch run were still falling
# steeply; the smaller splits (Ro-En, En-Fr) get more epochs within the CPU budget.
TRAIN_ARGS = {"De-En": ["--epochs", "2"], "En-Fr": ["--epochs", "4"], "Ro-En": ["--epochs", "5"],
              "Zh-En": ["--epochs", "2"], "Ja-En": ["--epochs", "2"]}
# Pairs used at most, per split; the other splits are used whole (125-250 train, 25-50 dev,
# 98-208 test pairs). KFTT sentences are about twice as long as the others, and every word is
# one query: whole Ja-En splits (553 train, 100 dev, 582 test) would take hours of CPU here.
CAPS = {"train": 250, "dev": 50, "test": 200}
HEAD_NAMES = {"span": "span prediction", "binary": "BinaryAlign head"}  # `train-span --head` values
SET_CAPS = {"Ja-En": {"train": 150}}
# With --whole PAIR, PAIR trains and stops on its whole train and dev splits (its test split stays
# capped, comparable with the other runs), for as many epochs as fit the CPU budget: a pass over
# KFTT's 553 train pairs takes over an hour here.
WHOLE_ARGS = {"Ja-En": ["--epochs", "1"]}


# One model for several pairs: trained on the concatenation of their (capped) train splits, stopped and
# tuned on the concatenation of their dev splits. Named by the pairs it leaves out (zero-shot rows).
MULTILINGUAL = "multilingual"
MULTILINGUAL_ARGS = ["--epochs", "2"]


def multilingual_name(left_out: list[str]) -> str:
    return MULTILINGUAL + "".join(f"-without-{pair}" for pair in left_out)


def cap(name: str, split: str) -> int | None:
    """Pairs of ``split`` used at most; None: the whole split."""
    return SET_CAPS.get(name, {}).get(split, CAPS[split])


def use_whole(name: str) -> None:
    """--whole: ``name`` trains and stops on its whole train and dev splits, with WHOLE_ARGS."""
    SET_CAPS[name] = {**SET_CAPS.get(name, {}), "train": None, "dev": None}
    TRAIN_ARGS[name] = TRAIN_ARGS[name] + WHOLE_ARGS.get(name, [])


def files(folder: str) -> tuple[str, str, str]:
    return tuple(str(GOLD / folder / name) for name in ("src.txt", "tgt.txt", "gold.txt"))


def capped(name: str, split: str, work: Path) -> tuple[str, str, str]:
    """The source, target and gold files of a pair's split, cut to :func:`cap` pairs (copies in ``work``);
    for a multilingual model, the concatenation of its pairs' capped splits."""
    if name.startswith(MULTILINGUAL):
        return concatenated(name, split, work)
    folder, limit = SETS[name][("train", "dev", "test").index(split)], cap(name, split)
    paths = []
    for path in files(folder):
        lines = Path(path).read_text(encoding="utf-8").splitlines(keepends=True)
        if limit is None or len(lines) <= limit:
            paths.append(path)
            continue
        copy = work / f"{folder.replace('/', '_')}.{limit}.{Path(path).name}"
        copy.write_text("".join(lines[:limit]), encoding="utf-8")
        paths.append(str(copy))
    return tuple(paths)


def concatenated(name: str, split: str, work: Path) -> tuple[str, str, str]:
    """The capped ``split`` of every pair a multilingual model trains on, one file after the other."""
    pairs = [pair for pair in SETS if f"-without-{pair}" not in name]
    paths = []
    for k, file_name in enumerate(("src.txt", "tgt.txt", "gold.txt")):
        path = work / f"{name}.{split}.{file_name}"
        path.write_text("".join(Path(capped(pair, split, work)[k]).read_text(encoding="utf-8") for pair in pairs),
                        encoding="utf-8")
        paths.append(str(path))
    return tuple(paths)


def align_and_score(checkpoint: Path, split: tuple[str, str, str], out: Path) -> dict:
    """`wordalign align --model CKPT` on a gold split in a fresh process, scored."""
    src, tgt, gold = split
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "wordalign", "align", src, tgt, "--model", str(checkpoint), "-o",
                    str(out), "-q"], check=True)
    return {**score_files(gold, str(out)).corpus.as_dict(), "seconds": time.perf_counter() - started}


def effective(train_args: list[str]) -> list[str]:
    """``train-span`` options as the command reads them: of an option given twice (a default of the
    script, then one after --), the last value."""
    values: dict[str, list[str]] = {}
    for k, item in enumerate(train_args):
        if item.startswith("-"):
            following = train_args[k + 1] if k + 1 < len(train_args) else None
            values.pop(item, None)  # a repeated option moves to where it was last given
            values[item] = [following] if following is not None and not following.startswith("-") else []
    return [item for option, value in values.items() for item in (option, *value)]


def pair_options(name: str, args) -> dict:
    """Everything besides the code that decides a pair's result; --keep compares it."""
    if name.startswith(MULTILINGUAL):
        return {"caps": {pair: {split: cap(pair, split) for split in CAPS} for pair in SETS}, "seed": args.seed,
                "train_args": MULTILINGUAL_ARGS + args.train_args, "start_from": None, "left_out": args.leave_out}
    return {"caps": {split: cap(name, split) for split in CAPS}, "seed": args.seed,
            "train_args": TRAIN_ARGS[name] + args.train_args, "start_from": START_FROM.get(name)}


def train(name: str, args, work: Path) -> dict:
    """`wordalign train-span` on a pair's train split (dev split for early stopping and tuning)."""
    src, tgt, gold = capped(name, "train", work)
    dev_src, dev_tgt, dev_gold = capped(name, "dev", work)
    checkpoint = work / f"model-{name}"
    options = pair_options(name, args)
    start = ["--model", str(work / f"model-{options['start_from']}")] if options["start_from"] else []
    command = [sys.executable, "-m", "wordalign", "train-span", src, tgt, gold, "-o", str(checkpoint),
               "--dev-src", dev_src, "--dev-tgt", dev_tgt, "--dev-gold", dev_gold, "--seed", str(args.seed), "-q",
               *start, *options["train_args"]]
    print("$", " ".join(command[1:]), file=sys.stderr, flush=True)
    started = time.perf_counter()
    subprocess.run(command, check=True)
    seconds = time.perf_counter() - started
    metadata = json.loads((checkpoint / "wordalign.json").read_text(encoding="utf-8"))
    return {"options": options, "train_pairs": len(Path(gold).read_text(encoding="utf-8").splitlines()),
            "train_seconds": seconds, "revision": git_revision(),
            "command": [Path(c).name if "/" in c else c for c in command[2:]], "trained": metadata["trained"],
            "result": metadata["result"]}


def tune(checkpoint: Path, dev_split: tuple[str, str, str]) -> float:
    """`wordalign tune-span` of a trained checkpoint on a dev split; seconds taken."""
    return run_wordalign("tune-span", str(checkpoint), *dev_split)


def tuned_on_pair(name: str, pair: str, work: Path) -> dict:
    """A multilingual model with its threshold and prior chosen again on one pair's dev split (what a
    user with dev gold for their pair does), scored on that pair's test split.

    Tuned in a copy whose weights are links to the model's: only ``wordalign.json`` differs.
    """
    model, view = work / f"model-{name}", work / f"model-{name}-tuned-on-{pair}"
    shutil.rmtree(view, ignore_errors=True)
    view.mkdir()
    for file in model.iterdir():
        if file.name == "wordalign.json":
            shutil.copy(file, view / file.name)
        else:
            (view / file.name).symlink_to(file.resolve())
    tune_seconds = tune(view, capped(pair, "dev", work))
    metadata = json.loads((view / "wordalign.json").read_text(encoding="utf-8"))
    return {**align_and_score(view, capped(pair, "test", work), work / f"{view.name}.{pair}.test.pharaoh"),
            "threshold": metadata["threshold"], "prior": metadata["prior"], "dev_aer": metadata["tuned_on"]["aer"],
            "tune_seconds": tune_seconds}


def span_alone(checkpoint: Path, split: tuple[str, str, str], threshold: float) -> dict:
    """The head's probabilities without the prior, cut at ``threshold``, scored on a gold split."""
    src, tgt, gold = split
    pairs = list(ParallelInput(src, tgt))
    live = [k for k, (s, t) in enumerate(pairs) if s and t]
    scorer_class = SUPERVISED[checkpoint_metadata(checkpoint)["scorer"]]
    scorer, extract = scorer_class(str(checkpoint), prior_weight=0.0), bind("threshold", {"threshold": threshold})
    hyps = [[] for _ in pairs]
    for k, matrix in zip(live, scorer.head_probabilities([pairs[k] for k in live])):
        hyps[k] = list(zip(*np.nonzero(extract(matrix))))
    return score_alignments(read_alignments(gold), hyps).as_dict()


def evaluate(name: str, entry: dict, work: Path, tune_seconds: float | None) -> dict:
    """A trained model's tuning, reload check and test scores, with and without the prior: on its
    pair's test split, or for a multilingual model on every pair's (those it left out zero-shot)."""
    checkpoint = work / f"model-{name}"
    metadata = json.loads((checkpoint / "wordalign.json").read_text(encoding="utf-8"))
    dev = align_and_score(checkpoint, capped(name, "dev", work), work / f"{name}.dev.pharaoh")
    result = entry["result"]
    kept_epoch = next(h for h in result["dev_history"] if h["epoch"] == result["best_epoch"])
    tuning = {"threshold": metadata["threshold"], "prior": metadata["prior"], "dev_aer": metadata["tuned_on"]["aer"],
              "span_alone_dev_aer": kept_epoch["aer"], "revision": git_revision(), "tune_seconds": tune_seconds}
    tests = {}
    for pair in SETS if name.startswith(MULTILINGUAL) else [name]:
        test_split = capped(pair, "test", work)
        tests[pair] = {**align_and_score(checkpoint, test_split, work / f"{name}.{pair}.test.pharaoh"),
                       "span_alone": span_alone(checkpoint, test_split, kept_epoch["threshold"])}
        if name.startswith(MULTILINGUAL) and f"-without-{pair}" not in name:
            tests[pair]["tuned_on_pair"] = tuned_on_pair(name, pair, work)
    evaluated = {**entry, "tuning": tuning, "dev_reloaded_aer": dev["aer"], "reproduced": dev["aer"] == tuning["dev_aer"]}
    if name.startswith(MULTILINGUAL):
        return {**evaluated, "test": tests}
    test = tests[name]
    alone = test.pop("span_alone")
    return {**evaluated, "test_pairs": test["sentences"], "test": test, "test_span_alone": alone}


def unsupervised(names: list[str], work: Path) -> dict:
    """Every extractor of the embedded encoder on each test split, as `wordalign align` runs it."""
    results = {}
    for extractor in available():
        if extractor == "threshold":  # made for span probabilities; cosines need a tuned cut
            continue
        aligner = Aligner(extractor=extractor)
        for name in names:
            src, tgt, gold = capped(name, "test", work)
            pairs = list(ParallelInput(src, tgt))
            hyps = [pair.links for pair in aligner.align_stream(pairs)]
            results.setdefault(name, {})[extractor] = score_alignments(read_alignments(gold), hyps).as_dict()
    return results


def main() -> None:
    parser = training_benchmark_parser(__doc__, "span", ".span-work",
                                       "scratch folder for checkpoints and outputs (git-ignored)")
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=list(SETS))
    parser.add_argument("--keep", action="store_true",
                        help="reuse pairs trained before (in --work, or published) with unchanged options")
    parser.add_argument("--multilingual", action="store_true",
                        help="train one model on the train splits of all pairs together instead, and test it on each")
    parser.add_argument("--leave-out", action="append", default=[], choices=list(SETS), metavar="PAIR",
                        help="with --multilingual: a pair not to train on (repeatable); its row is zero-shot")
    parser.add_argument("--whole", action="append", default=[], choices=list(SETS), metavar="PAIR",
                        help="train and stop PAIR on its whole train and dev splits (repeatable; see WHOLE_ARGS)")
    parser.add_argument("train_args", nargs="*", help="extra `wordalign train-span` options, after --")
    args = parser.parse_args()
    if args.render:
        rerender(args.name, render)
        return
    if args.leave_out and not args.multilingual:
        parser.error("--leave-out is for --multilingual")
    if args.whole and args.multilingual:
        parser.error("--whole is for the per-pair models")
    for name in args.whole:
        use_whole(name)

    if args.multilingual:
        models, part = [multilingual_name(args.leave_out)], "multilingual"
    else:
        models, part = sorted(args.sets, key=lambda n: n in START_FROM), "trained"  # models others start from first
        for name in args.sets:
            if START_FROM.get(name, name) not in args.sets:
                parser.error(f"{name} is trained further from the {START_FROM[name]} model: add {START_FROM[name]} "
                             "to --sets")
    args.work.mkdir(parents=True, exist_ok=True)
    partial = args.work / f"{args.name}.partial.json"
    kept = {}
    for earlier in (RESULTS / f"{args.name}.json", partial):
        if args.keep and earlier.is_file():
            kept.update(json.loads(earlier.read_text(encoding="utf-8")).get(part, {}))
    results, retrained = {part: {}}, set()
    for name in models:
        entry, tune_seconds = kept.get(name), None
        if (entry is None or entry.get("options") != pair_options(name, args) or START_FROM.get(name) in retrained
                or not (args.work / f"model-{name}" / "config.json").is_file()):
            shutil.rmtree(args.work / f"model-{name}", ignore_errors=True)
            entry = train(name, args, args.work)
            retrained.add(name)
        else:
            tune_seconds = tune(args.work / f"model-{name}", capped(name, "dev", args.work))
        results[part][name] = evaluate(name, entry, args.work, tune_seconds)
        partial.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    results["zero_shot"] = {} if args.multilingual else {
        test: {"model": source, **align_and_score(args.work / f"model-{source}", capped(test, "test", args.work),
                                                  args.work / f"{test}.from-{source}.pharaoh")}
        for test, source in TRANSFER.items() if source in args.sets}
    # Every pair, not only --sets: the unsupervised rows are all of this revision's default encoder.
    results["unsupervised"] = unsupervised(list(SETS), args.work)
    published = RESULTS / f"{args.name}.json"
    # The rows of pairs (and multilingual models) not run stand as published (the table gives each one's revision).
    earlier = json.loads(published.read_text(encoding="utf-8")) if published.is_file() else {}
    for part in ("trained", "zero_shot", "unsupervised", "multilingual"):
        rows = {**earlier.get(part, {}), **results.get(part, {})}
        order = [name for name in SETS if name in rows] + sorted(name for name in rows if name not in SETS)
        results[part] = {name: rows[name] for name in order}
    # The command line under the table is that of the per-pair models; a multilingual run keeps it.
    train_args = earlier.get("train_args", []) if args.multilingual else args.train_args
    whole = earlier.get("whole", []) if args.multilingual else args.whole
    results.update(name=args.name, machine=machine(), train_args=train_args, whole=whole)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.name}.json").write_text(json.dumps(results, indent=1, ensure_ascii=False))
    (RESULTS / f"{args.name}.md").write_text(render(results))
    print(render(results))


def cell(score: dict) -> str:
    return f"{pct(score['aer'])} / {pct(score['precision'])} / {pct(score['recall'])} / {pct(score['f1'])}"


def starting_encoder(entry: dict) -> str:
    """Which embedded encoder a pair's training started from, read off the converted model's folder."""
    return "tuned default" if "-aligned-" in Path(entry["trained"]["model"]).name else "embedded-base (untuned)"


def multilingual_label(name: str) -> str:
    left_out = name.split("-without-")[1:]
    return "one model, all pairs" + (f" but {', '.join(left_out)} (zero-shot there)" if left_out else "")


def first(limit: int | None, whole: int) -> str:
    return f"all {whole}" if limit is None else f"its first {limit} (of {whole})"


def render(results: dict) -> str:
    trained, multilingual = results["trained"], results.get("multilingual", {})
    names = [n for n in SETS if n in trained or any(n in m["test"] for m in multilingual.values())]
    models = {**trained, **multilingual}
    test_pairs = {n: trained[n]["test_pairs"] if n in trained else
                  next(m["test"][n]["sentences"] for m in multilingual.values() if n in m["test"]) for n in names}
    best = {n: min(results["unsupervised"][n].items(), key=lambda item: item[1]["aer"]) for n in names}
    started = {n: trained[n]["options"]["start_from"] for n in trained if trained[n]["options"]["start_from"]}
    lines = [
        "Test splits (" + ", ".join(f"{n} {test_pairs[n]}" for n in names) + " pairs"
        + (f"; Ja-En: the first {CAPS['test']} pairs of the KFTT test set" if "Ja-En" in names else "")
        + "). Each cell: AER / precision / recall / F1 "
        "(%); lower AER is better. All rows use the embedded multilingual-e5-small (4-bit weights): the unsupervised "
        "rows the default encoder of the revision of this run, the trained rows the encoder in the \"starts from\" "
        "column of the second table.", "",
        "| method | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|",
    ]

    def row(label: str, cells: dict) -> None:
        lines.append(f"| {label} | " + " | ".join(cells.get(n, "–") for n in names) + " |")

    for extractor in results["unsupervised"][names[0]]:
        row(f"unsupervised `{extractor}`", {n: cell(results["unsupervised"][n][extractor]) for n in names})
    further = "; ".join(f"{n}: trained further from the {source} model" for n, source in started.items())
    method = HEAD_NAMES[next(iter(models.values()))["trained"].get("head", "span")]
    if trained:
        row(f"{method} alone, trained on the pair{f' ({further})' if further else ''}",
            {n: cell(trained[n]["test_span_alone"]) for n in trained})
        row(f"**{method} + similarity prior** (what `wordalign align --model CKPT` does)",
            {n: f"**{cell(trained[n]['test'])}**" for n in trained})
    for name, model in multilingual.items():
        row(f"{method} + similarity prior, {multilingual_label(name)}", {n: cell(model["test"][n]) for n in names})
        retuned = {n: score["tuned_on_pair"] for n, score in model["test"].items() if "tuned_on_pair" in score}
        if retuned:
            row(f"{method} + similarity prior, {multilingual_label(name)}, threshold and prior chosen again on "
                "each pair's dev split (`wordalign tune-span`)",
                {n: f"{cell(score)} (threshold {score['threshold']})" for n, score in retuned.items()})
    zero = {n: score for n, score in results.get("zero_shot", {}).items() if n in names}
    if zero:
        row(f"{method}, zero-shot (model of another pair)",
            {n: f"{cell(zero[n])} ({zero[n]['model']} model)" for n in zero})
    gains = [f"{n} {100 * (best[n][1]['aer'] - trained[n]['test']['aer']):+.1f} (vs `{best[n][0]}`)" for n in trained]
    lines += ["", "AER gain of the model trained on the pair over the best unsupervised extractor on each test split: "
              + ", ".join(gains) + ".", "",
              "| model | train pairs | starts from | `train-span` options | queries | epochs run (kept) | "
              "prior: layer, weight | threshold | dev AER: head alone → with prior | training time | device, dtype | "
              "revision: trained (tuned) |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for n, model in models.items():
        result, tuning = model["result"], model["tuning"]
        prior = f"{tuning['prior']['layer']}, {tuning['prior']['weight']}" if tuning["prior"]["weight"] else "none"
        retuned = f" ({tuning['revision']})" if tuning["tune_seconds"] is not None else ""
        lines.append(f"| {n if n in SETS else multilingual_label(n)} | {model['train_pairs']} | "
                     f"{started.get(n) or starting_encoder(model)} | "
                     f"`{' '.join(effective(model['options']['train_args']))}` | {result['queries']} | "
                     f"{result['epochs_run']} ({result['best_epoch']}) | {prior} | {tuning['threshold']} | "
                     f"{pct(tuning['span_alone_dev_aer'])} → {pct(tuning['dev_aer'])} | "
                     f"**{model['train_seconds'] / 60:.1f} min** | "
                     f"{result['device']}, {model['trained']['dtype']} | "
                     f"{model['revision']}{retuned} |")
    settings = next(iter(models.values()))["trained"]
    reproduced = all(model["reproduced"] for model in models.values())
    ja = trained.get("Ja-En", {}).get("options", {}).get("caps")
    lines += [
        "",
        f"- Training: {settings.get('blocks', settings.get('layers'))} transformer blocks, links `{settings['links']}`, patience "
        f"{settings['patience']} on the dev split, batch {settings['batch_size']} queries, learning rate "
        f"{settings['learning_rate']}, seed {settings['seed']}; times are whole `wordalign "
        f"train-span` processes on {results['machine']}. A model trained further starts from the other pair's "
        "checkpoint (`train-span --model CKPT`): its blocks and span head, with a new learning-rate schedule.",
        "- Similarity prior: after the last epoch, training blends the span probabilities with link probabilities "
        "from word-vector similarities, `(1 - w) · span + w · prior`, those of one of the model's own layers or "
        "those of the default aligner (`default`), and chooses the prior, the weight `w` and the threshold on the "
        "dev split (no prior, `w` = 0, is one choice). A pair trained at an earlier revision "
        "was tuned again at the revision in brackets with `wordalign tune-span CKPT DEV_SRC DEV_TGT DEV_GOLD`, "
        "which does the same on a trained checkpoint.",
        f"- Reload: `wordalign align --model CKPT` in a fresh process reproduces the dev AER that tuning "
        f"measured, for every pair: **{'yes' if reproduced else 'NO'}**.",
        *([f"- One model, all pairs: `python benchmarks/span.py{'' if results['name'] == 'span' else ' --name ' + results['name']}"
           " --multilingual [--leave-out PAIR] -- OPTIONS` trains one model on the train splits of every pair "
           "together (concatenated, capped as below) and stops and tunes it on their dev splits together; a pair "
           "left out is not in either, so its row is zero-shot. The row \"chosen again on each pair's dev split\" is "
           "that model with its threshold and prior tuned for each pair by `wordalign tune-span CKPT DEV_SRC DEV_TGT "
           "DEV_GOLD` on a copy: one set of weights, a `wordalign.json` per pair."] if multilingual else []),
        f"- Splits used at most: {CAPS['train']} train, {CAPS['dev']} dev and {CAPS['test']} test pairs"
        + (f"; Ja-En, whose KFTT sentences are about twice as long as the others' (every word is one query), "
           f"trains on {first(ja['train'], 553)} train pairs, stops on {first(ja['dev'], 100)} dev pairs "
           f"and is tested on the first {ja['test']} pairs of the KFTT test set (of 582)" if ja else "")
        + ".",
        f"- Command: `python benchmarks/span.py{'' if results['name'] == 'span' else ' --name ' + results['name']}"
        f"{''.join(f' --whole {n}' for n in results.get('whole', []))}"
        f"{' --sets ' + ' '.join(trained) if set(trained) != set(SETS) else ''}"
        f" --keep{' -- ' + ' '.join(results['train_args']) if results.get('train_args') else ''}`, with the per-pair `train-span` options of `TRAIN_ARGS` and `START_FROM` in the script "
        "(--keep reuses the checkpoint of a pair whose options are unchanged, trained at the revision in the "
        "table, and tunes and evaluates it again; `--sets PAIR ...` runs only those pairs, and the rows of the "
        "others stand as published).",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
