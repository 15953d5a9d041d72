"""AER before and after `wordalign finetune` on the five standard pairs.

    python benchmarks/finetune.py                   # writes benchmarks/results/finetune.{md,json}
    python benchmarks/finetune.py --per-corpus 500  # a quick, smaller run
    python benchmarks/finetune.py --name finetune-2-epochs -- --epochs 2   # options for `wordalign finetune`
    python benchmarks/finetune.py --rescore         # the last run's checkpoint, scored with today's defaults

Builds one multilingual training file from the unlabelled parallel text in ../shared/parallel
(the first N lines of each corpus) plus the source and target sentences of the five gold sets
without their alignments, as a user aligning their own corpus would use it. Then runs
`wordalign finetune` as a whole process (timed from start to exit), and scores
`wordalign align` (default extractor) on the full gold sets with the embedded encoder and with
the checkpoint, each set in a fresh process. The checkpoint is scored once more in this
process; the scores must agree exactly.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

from _common import (GOLD, PARALLEL, PARALLEL_CORPORA, RESULTS, STANDARD_SETS, git_revision, machine, pct,
                     rerender, training_benchmark_parser)

from wordalign import align_files, score_files
from wordalign.align.presets import DEFAULT_EXTRACTOR

# Gold sets whose sentences (not alignments) join the training text.
GOLD_TEXT = {"De-En": ["deen"], "En-Fr": ["enfr"], "Ro-En": ["roen"], "Zh-En": ["zhen"],
             "Ja-En": ["jaen_kftt_dev", "jaen_kftt_test"]}


def head(path: Path, n: int) -> list[str]:
    lines = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if len(lines) == n:
                break
            lines.append(line.rstrip("\n"))
    return lines


def build_training_text(work: Path, per_corpus: int, seed: int) -> tuple[Path, Path, dict]:
    """Write the shuffled training mix; return its two files and the lines taken per source."""
    pairs, counts = [], {}
    sources = [(PARALLEL / name, name) for names in PARALLEL_CORPORA.values() for name in names]
    sources += [(GOLD / folder, f"gold:{folder}") for folders in GOLD_TEXT.values() for folder in folders]
    for folder, label in sources:
        limit = 10**9 if label.startswith(("ntrex", "gold:")) else per_corpus
        src, tgt = head(folder / "src.txt", limit), head(folder / "tgt.txt", limit)
        pairs += list(zip(src, tgt))
        counts[label] = len(src)
    random.Random(seed).shuffle(pairs)
    work.mkdir(parents=True, exist_ok=True)
    files = work / "train.src", work / "train.tgt"
    for path, side in zip(files, zip(*pairs)):
        path.write_text("".join(line + "\n" for line in side), encoding="utf-8")
    return files[0], files[1], counts


def score(model: Path | None, work: Path, fresh_process: bool) -> dict:
    """Corpus scores of the default pipeline on each full set, as `wordalign align` computes them.

    ``fresh_process``: through the command line, one new process per set; otherwise through
    :func:`wordalign.align_files` in this process (the same code path, so the same numbers).
    """
    scores = {}
    for name, folder in STANDARD_SETS.items():
        src, tgt, gold = (str(GOLD / folder / f) for f in ("src.txt", "tgt.txt", "gold.txt"))
        out = work / f"{folder}.{'cli' if fresh_process else 'api'}.{'tuned' if model else 'base'}.pharaoh"
        out.unlink(missing_ok=True)
        if fresh_process:
            model_args = ["--model", str(model)] if model else []
            subprocess.run([sys.executable, "-m", "wordalign", "align", src, tgt, *model_args, "-o", str(out), "-q"],
                           check=True)
        else:
            align_files(src, tgt, output=str(out), model=str(model) if model else None, quiet=True)
        scores[name] = score_files(gold, str(out)).corpus.as_dict()
    return scores


def main() -> None:
    parser = training_benchmark_parser(__doc__, "finetune", ".finetune-work",
                                       "scratch folder for the training text and the checkpoint (git-ignored)")
    parser.add_argument("--per-corpus", type=int, default=1000, help="lines taken from each large corpus")
    parser.add_argument("--rescore", action="store_true",
                        help="score NAME's checkpoint (still in --work) again with the defaults of the day")
    parser.add_argument("finetune_args", nargs="*", help="extra `wordalign finetune` options, after --")
    args = parser.parse_args()
    if args.render:
        rerender(args.name, render)
        return
    if args.rescore:
        rescore(args.name, args.work / "model", args.work)
        return

    shutil.rmtree(args.work, ignore_errors=True)
    src, tgt, counts = build_training_text(args.work, args.per_corpus, args.seed)
    checkpoint = args.work / "model"
    command = [sys.executable, "-m", "wordalign", "finetune", str(src), str(tgt), "-o", str(checkpoint),
               "--seed", str(args.seed), "-q", *args.finetune_args]
    print("$", " ".join(command[1:]), file=sys.stderr, flush=True)
    started = time.perf_counter()
    subprocess.run(command, check=True)
    train_seconds = time.perf_counter() - started
    metadata = json.loads((checkpoint / "wordalign.json").read_text())
    results = {"name": args.name, "revision": git_revision(), "machine": machine(), "command": command[2:],
               "per_corpus": args.per_corpus, "training_lines": counts, "pairs": sum(counts.values()),
               "train_seconds": train_seconds, "finetune": metadata, **score_checkpoint(checkpoint, args.work)}
    write_results(results)


def score_checkpoint(checkpoint: Path, work: Path) -> dict:
    """The embedded default and the checkpoint through the command line, and the checkpoint once more
    in this process (the scores must agree exactly)."""
    after = score(checkpoint, work, fresh_process=True)
    in_process = score(checkpoint, work, fresh_process=False)
    return {"before": score(None, work, fresh_process=True), "after": after, "after_in_process": in_process,
            "reproduced": in_process == after, "scored_at": git_revision()}


def rescore(name: str, checkpoint: Path, work: Path) -> None:
    """Score run ``name``'s checkpoint again with the defaults of the day, if ``work`` still holds it."""
    results = json.loads((RESULTS / f"{name}.json").read_text())
    record = checkpoint / "wordalign.json"
    if not record.is_file() or json.loads(record.read_text()) != results["finetune"]:
        raise SystemExit(f"{name}: {checkpoint} is not the checkpoint {name}.json records; train it again")
    write_results({**results, **score_checkpoint(checkpoint, work)})


def write_results(results: dict) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{results['name']}.json").write_text(json.dumps(results, indent=1, ensure_ascii=False))
    (RESULTS / f"{results['name']}.md").write_text(render(results))
    print(render(results))


def render(results: dict) -> str:
    names = list(results["before"])
    gains = [100 * (results["before"][n]["aer"] - results["after"][n]["aer"]) for n in names]
    lines = [
        f"Default extractor (`{DEFAULT_EXTRACTOR['bilingual']}`), full gold sets, AER / precision / recall "
        "(lower AER is better).", "",
        "| encoder | " + " | ".join(names) + " | mean AER |", "|---" * (len(names) + 2) + "|",
    ]
    for label, key in (("embedded", "before"), ("fine-tuned", "after")):
        cells = [f"{pct(results[key][n]['aer'])} / {pct(results[key][n]['precision'])} / "
                 f"{pct(results[key][n]['recall'])}" for n in names]
        mean = sum(results[key][n]["aer"] for n in names) / len(names)
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {pct(mean)} |")
    lines.append("| AER gain | " + " | ".join(f"{g:+.1f}" for g in gains) + f" | {sum(gains) / len(gains):+.1f} |")
    ft = results["finetune"]["finetuned"]
    done = results["finetune"]["result"]
    options = results["command"][results["command"].index("-q") + 1 :]  # what was given after --
    extra = f" -- {' '.join(options)}" if options else ""
    name = f" --name {results['name']}" if results.get("name", "finetune") != "finetune" else ""
    lines += [
        "",
        f"- Training: {results['pairs']} pairs, {ft['epochs']} epoch(s): {done['steps']} steps of "
        f"{ft['batch_size']} pairs ({done['pairs_seen']} pairs seen, {done['pairs_too_long']} over "
        f"{ft['max_tokens']} tokens skipped); objectives {' + '.join(ft['objectives'])}, guide "
        f"{' '.join([ft['guide'], *(f'{k}={v}' for k, v in ft['guide_params'].items())])}, learning rate "
        f"{ft['learning_rate']}, seed {ft['seed']}; "
        f"**{results['train_seconds'] / 60:.1f} min** as a whole process on {done['device']} in {ft['dtype']} "
        f"({results['machine']}).",
        "- Lines per source: " + ", ".join(f"{k} {v}" for k, v in results["training_lines"].items()) + ".",
        f"- The checkpoint, loaded again in this process through `wordalign.align_files(model=DIR)`, "
        f"reproduces the scores of `wordalign align --model DIR` above exactly: "
        f"**{'yes' if results['reproduced'] else 'NO'}**.",
        f"- Command: `python benchmarks/finetune.py --per-corpus {results['per_corpus']}{name}{extra}`; "
        f"trained at revision {results['revision']}, scored at {results.get('scored_at', results['revision'])} "
        "(`--rescore` scores the checkpoint again with the defaults of the day).",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
