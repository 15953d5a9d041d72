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
done there (same revision and options), so an interrupted run can continue.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from _common import GOLD, RESULTS, ROOT, git_revision, machine, pct

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


def files(folder: str) -> tuple[str, str, str]:
    return tuple(str(GOLD / folder / name) for name in ("src.txt", "tgt.txt", "gold.txt"))


def head(path: str, n: int | None, out: Path) -> str:
    """The first ``n`` lines of ``path`` as a file in the work folder (``path`` itself if all)."""
    lines = Path(path).read_text(encoding="utf-8").splitlines(keepends=True)
    if n is None or n >= len(lines):
        return path
    out.write_text("".join(lines[:n]), encoding="utf-8")
    return str(out)


def align_and_score(checkpoint: Path, folder: str, out: Path) -> dict:
    """`wordalign align --model CKPT` on a gold set in a fresh process, scored."""
    src, tgt, gold = files(folder)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "wordalign", "align", src, tgt, "--model", str(checkpoint), "-o",
                    str(out), "-q"], check=True)
    return {**score_files(gold, str(out))[0].as_dict(), "seconds": time.perf_counter() - started}


def train(name: str, args, work: Path) -> dict:
    train_folder, dev_folder, test_folder = SETS[name]
    src, tgt, gold = files(train_folder)
    key = train_folder.split("/")[-1]
    src, tgt, gold = (head(path, args.train_pairs, work / f"{key}.{suffix}")
                      for path, suffix in zip((src, tgt, gold), ("src", "tgt", "gold")))
    dev_src, dev_tgt, dev_gold = files(dev_folder)
    checkpoint = work / f"model-{name}"
    command = [sys.executable, "-m", "wordalign", "train-span", src, tgt, gold, "-o", str(checkpoint),
               "--dev-src", dev_src, "--dev-tgt", dev_tgt, "--dev-gold", dev_gold, "--seed", str(args.seed), "-q",
               *args.train_args]
    print("$", " ".join(command[1:]), file=sys.stderr, flush=True)
    started = time.perf_counter()
    subprocess.run(command, check=True)
    seconds = time.perf_counter() - started
    metadata = json.loads((checkpoint / "wordalign.json").read_text(encoding="utf-8"))
    dev = align_and_score(checkpoint, dev_folder, work / f"{name}.dev.pharaoh")
    test = align_and_score(checkpoint, test_folder, work / f"{name}.test.pharaoh")
    return {"train_pairs": len(Path(gold).read_text(encoding="utf-8").splitlines()), "train_seconds": seconds,
            "command": [Path(c).name if "/" in c else c for c in command[2:]], "trained": metadata["trained"],
            "result": metadata["result"], "dev_reloaded_aer": dev["aer"],
            "reproduced": dev["aer"] == metadata["result"]["dev_aer"], "test": test}


def unsupervised(names: list[str]) -> dict:
    """Every extractor of the embedded encoder on each test split, as `wordalign align` runs it."""
    results = {}
    for extractor in available():
        if extractor == "threshold":  # made for span probabilities; cosines need a tuned cut
            continue
        aligner = Aligner(extractor=extractor)
        for name in names:
            src, tgt, gold = files(SETS[name][2])
            pairs = list(ParallelInput(src, tgt))
            hyps = [pair.links for pair in aligner.align_stream(pairs)]
            results.setdefault(name, {})[extractor] = score_alignments(read_alignments(gold), hyps).as_dict()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=list(SETS))
    parser.add_argument("--train-pairs", type=int, default=250,
                        help="train on at most the first N pairs of each train split (Ja-En has 553)")
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / ".span-work",
                        help="scratch folder for checkpoints and outputs (git-ignored)")
    parser.add_argument("--keep", action="store_true", help="reuse pairs already trained in --work")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--name", default="span", help="results file name (results/NAME.md and .json)")
    parser.add_argument("--render", action="store_true", help="only rewrite NAME.md from NAME.json")
    parser.add_argument("train_args", nargs="*", help="extra `wordalign train-span` options, after --")
    args = parser.parse_args()
    if args.render:
        (RESULTS / f"{args.name}.md").write_text(render(json.loads((RESULTS / f"{args.name}.json").read_text())))
        return

    args.work.mkdir(parents=True, exist_ok=True)
    partial = args.work / f"{args.name}.partial.json"
    options = {"train_pairs": args.train_pairs, "seed": args.seed, "train_args": args.train_args,
               "revision": git_revision()}
    results = json.loads(partial.read_text()) if args.keep and partial.is_file() else {}
    if results.get("options") != options:
        results = {"options": options, "trained": {}}
    for name in args.sets:
        if name not in results["trained"]:
            shutil.rmtree(args.work / f"model-{name}", ignore_errors=True)
            results["trained"][name] = train(name, args, args.work)
            partial.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    results["zero_shot"] = {
        test: {"model": source, **align_and_score(args.work / f"model-{source}", SETS[test][2],
                                                  args.work / f"{test}.from-{source}.pharaoh")}
        for test, source in TRANSFER.items() if test in args.sets and source in args.sets}
    results["unsupervised"] = unsupervised(args.sets)
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
        "Test splits (De-En 208, En-Fr 147, Ro-En 98, Zh-En 150, Ja-En KFTT test 582 pairs). Each cell: "
        "AER / precision / recall / F1 (%); lower AER is better. All rows use the embedded encoder "
        "(multilingual-e5-small, 4-bit weights).", "",
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
                     f"**{trained[n]['train_seconds'] / 60:.1f} min** | {result['device']} |")
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
        f"{settings['dtype']}; times are whole `wordalign train-span` processes on {results['machine']}.",
        f"- Test alignment time (`wordalign align --model CKPT`, whole process): "
        + ", ".join(f"{n} {trained[n]['test']['seconds']:.0f} s" for n in names) + ".",
        f"- Reload: `wordalign align --model CKPT` in a fresh process reproduces the dev AER that training "
        f"measured, for every pair: **{'yes' if reproduced else 'NO'}**.",
        f"- Command: `python benchmarks/span.py --train-pairs {options['train_pairs']}{name}{extra}`; "
        f"revision {options['revision']}.",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
