"""Supervised span prediction (`wordalign train-span`) against the unsupervised extractors.

    python benchmarks/span.py                          # writes benchmarks/results/span.{md,json}
    python benchmarks/span.py --sets De-En --name span-trial -- --epochs 1   # options for train-span

For each standard pair: `wordalign train-span` on its train split, stopping early on its dev
split, as a whole process (timed); then `wordalign align --model CKPT` on its test split in a
fresh process. Unsupervised rows: every registered extractor on the embedded encoder (the one
the span models start from) on the same test splits, with the settings `wordalign align` uses.
Zero-shot rows: a model aligns the test split of a pair it never saw (TRANSFER). Reload check:
the checkpoint, loaded by `wordalign align` in a fresh process, must reproduce on the dev split
the AER that training measured for the epoch it kept.

Each trained pair is saved in --work as it finishes; a rerun with --keep skips pairs already
done there with the same seed and train-span options, so an interrupted run can continue.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from _common import GOLD, RESULTS, git_revision, machine, pct, rerender, training_benchmark_parser

from wordalign import Aligner, score_alignments, score_files
from wordalign.extractors import available
from wordalign.io import ParallelInput, read_alignments

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
# Pairs used at most, per split; the other splits are used whole (125-250 train, 25-50 dev,
# 98-208 test pairs). KFTT sentences are about twice as long as the others, and every word is
# one query: whole Ja-En splits (553 train, 100 dev, 582 test) would take hours of CPU here.
CAPS = {"train": 250, "dev": 50, "test": 200}
SET_CAPS = {"Ja-En": {"train": 100}}


def cap(name: str, split: str) -> int:
    return SET_CAPS.get(name, {}).get(split, CAPS[split])


def files(folder: str) -> tuple[str, str, str]:
    return tuple(str(GOLD / folder / name) for name in ("src.txt", "tgt.txt", "gold.txt"))


def capped(name: str, split: str, work: Path) -> tuple[str, str, str]:
    """The source, target and gold files of a pair's split, cut to :func:`cap` pairs (copies in ``work``)."""
    folder, limit = SETS[name][("train", "dev", "test").index(split)], cap(name, split)
    paths = []
    for path in files(folder):
        lines = Path(path).read_text(encoding="utf-8").splitlines(keepends=True)
        if len(lines) <= limit:
            paths.append(path)
            continue
        copy = work / f"{folder.replace('/', '_')}.{limit}.{Path(path).name}"
        copy.write_text("".join(lines[:limit]), encoding="utf-8")
        paths.append(str(copy))
    return tuple(paths)


def align_and_score(checkpoint: Path, split: tuple[str, str, str], out: Path) -> dict:
    """`wordalign align --model CKPT` on a gold split in a fresh process, scored."""
    src, tgt, gold = split
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "wordalign", "align", src, tgt, "--model", str(checkpoint), "-o",
                    str(out), "-q"], check=True)
    return {**score_files(gold, str(out))[0].as_dict(), "seconds": time.perf_counter() - started}


def train(name: str, args, work: Path) -> dict:
    src, tgt, gold = capped(name, "train", work)
    dev_src, dev_tgt, dev_gold = dev = capped(name, "dev", work)
    checkpoint = work / f"model-{name}"
    command = [sys.executable, "-m", "wordalign", "train-span", src, tgt, gold, "-o", str(checkpoint),
               "--dev-src", dev_src, "--dev-tgt", dev_tgt, "--dev-gold", dev_gold, "--seed", str(args.seed), "-q",
               *args.train_args]
    print("$", " ".join(command[1:]), file=sys.stderr, flush=True)
    started = time.perf_counter()
    subprocess.run(command, check=True)
    seconds = time.perf_counter() - started
    metadata = json.loads((checkpoint / "wordalign.json").read_text(encoding="utf-8"))
    dev = align_and_score(checkpoint, dev, work / f"{name}.dev.pharaoh")
    test = align_and_score(checkpoint, capped(name, "test", work), work / f"{name}.test.pharaoh")
    return {"train_pairs": len(Path(gold).read_text(encoding="utf-8").splitlines()),
            "test_pairs": test["sentences"], "train_seconds": seconds, "revision": git_revision(),
            "command": [Path(c).name if "/" in c else c for c in command[2:]], "trained": metadata["trained"],
            "result": metadata["result"], "dev_reloaded_aer": dev["aer"],
            "reproduced": dev["aer"] == metadata["result"]["dev_aer"], "test": test}


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
                        help="reuse pairs already trained in --work with the same seed and train-span options")
    parser.add_argument("train_args", nargs="*", help="extra `wordalign train-span` options, after --")
    args = parser.parse_args()
    if args.render:
        rerender(args.name, render)
        return

    args.work.mkdir(parents=True, exist_ok=True)
    partial = args.work / f"{args.name}.partial.json"
    options = {"caps": CAPS, "set_caps": SET_CAPS, "seed": args.seed, "train_args": args.train_args}
    results = json.loads(partial.read_text()) if args.keep and partial.is_file() else {}
    if results.get("options") != options:
        results = {"options": options, "trained": {}}
    for name in args.sets:
        if name not in results["trained"]:
            shutil.rmtree(args.work / f"model-{name}", ignore_errors=True)
            results["trained"][name] = train(name, args, args.work)
            partial.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    results["zero_shot"] = {
        test: {"model": source, **align_and_score(args.work / f"model-{source}", capped(test, "test", args.work),
                                                  args.work / f"{test}.from-{source}.pharaoh")}
        for test, source in TRANSFER.items() if test in args.sets and source in args.sets}
    results["unsupervised"] = unsupervised(args.sets, args.work)
    results.update(name=args.name, machine=machine())
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.name}.json").write_text(json.dumps(results, indent=1, ensure_ascii=False))
    (RESULTS / f"{args.name}.md").write_text(render(results))
    print(render(results))


def cell(score: dict) -> str:
    return f"{pct(score['aer'])} / {pct(score['precision'])} / {pct(score['recall'])} / {pct(score['f1'])}"


def render(results: dict) -> str:
    trained, names = results["trained"], list(results["trained"])
    best = {n: min(results["unsupervised"][n].items(), key=lambda item: item[1]["aer"]) for n in names}
    lines = [
        "Test splits (" + ", ".join(f"{n} {trained[n]['test_pairs']}" for n in names) + " pairs; Ja-En: the first "
        f"{results['options']['caps']['test']} pairs of the KFTT test set). Each cell: AER / precision / recall / F1 "
        "(%); lower AER is better. All rows use the embedded encoder (multilingual-e5-small, 4-bit weights).", "",
        "| method | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|",
    ]
    for extractor in results["unsupervised"][names[0]]:
        lines.append(f"| unsupervised `{extractor}` | "
                     + " | ".join(cell(results["unsupervised"][n][extractor]) for n in names) + " |")
    lines.append("| **span prediction**, trained on the pair | "
                 + " | ".join(f"**{cell(trained[n]['test'])}**" for n in names) + " |")
    zero = results.get("zero_shot", {})
    if zero:
        lines.append("| span prediction, zero-shot (model of another pair) | "
                     + " | ".join(f"{cell(zero[n])} ({zero[n]['model']} model)" if n in zero else "–"
                                  for n in names) + " |")
    gains = [f"{n} {100 * (best[n][1]['aer'] - trained[n]['test']['aer']):+.1f} (vs `{best[n][0]}`)" for n in names]
    lines += ["", "AER gain of the trained model over the best unsupervised extractor on each test split: "
              + ", ".join(gains) + ".", "",
              "| pair | train pairs | queries | epochs run (kept) | threshold | dev AER | training time | device |",
              "|---|---|---|---|---|---|---|---|"]
    for n in names:
        result = trained[n]["result"]
        lines.append(f"| {n} | {trained[n]['train_pairs']} | {result['queries']} | {result['epochs_run']} "
                     f"({result['best_epoch']}) | {result['threshold']} | {pct(result['dev_aer'])} | "
                     f"**{trained[n]['train_seconds'] / 60:.1f} min**{'*' if 'timing' in trained[n] else ''} | "
                     f"{result['device']} |")
    settings = trained[names[0]]["trained"]
    options = results["options"]
    extra = f" -- {' '.join(options['train_args'])}" if options["train_args"] else ""
    name = f" --name {results['name']}" if results["name"] != "span" else ""
    reproduced = all(trained[n]["reproduced"] for n in names)
    lines += [
        "",
        f"- Training: {settings['layers']} transformer blocks, links `{settings['links']}`, at most "
        f"{settings['epochs']} epochs with patience {settings['patience']} on the dev split, batch "
        f"{settings['batch_size']} queries, learning rate {settings['learning_rate']}, seed {settings['seed']}, "
        f"{settings['dtype']}; times are whole `wordalign train-span` processes on {results['machine']}"
        + ("; * the training loop alone (that run's process time was lost when its evaluation failed on a long "
           "pair, since fixed)" if any("timing" in trained[n] for n in names) else "") + ".",
        f"- Reload: `wordalign align --model CKPT` in a fresh process reproduces the dev AER that training "
        f"measured, for every pair: **{'yes' if reproduced else 'NO'}**.",
        f"- Splits used at most: {options['caps']['train']} train, {options['caps']['dev']} dev and "
        f"{options['caps']['test']} test pairs; Ja-En, whose KFTT sentences are about twice as long as the "
        f"others' (every word is one query), trains on its first {options['set_caps']['Ja-En']['train']} "
        "train pairs (of 553), stops on its first 50 dev pairs (of 100) and is tested on the first "
        f"{options['caps']['test']} pairs of the KFTT test set (of 582).",
        f"- Command: `python benchmarks/span.py{name}{extra}`; revisions "
        + ", ".join(f"{n} {trained[n]['revision']}" for n in names) + ".",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
