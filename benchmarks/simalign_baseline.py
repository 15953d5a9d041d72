"""SimAlign baseline (Jalili Sabet et al., 2020) on the five standard gold sets.

Runs the PyPI package ``simalign`` with a LOCAL encoder directory (no model hub),
scores argmax / itermax / match with corpus-level AER, precision, recall and F1
(Och & Ney 2003), and writes benchmarks/results/simalign.json and simalign.md.

SimAlign lives in its own venv so the project venv's packages stay untouched.
From the repository root:

    python3.11 -m venv .venv-simalign
    .venv-simalign/bin/pip install torch==2.13.0        # pinned: CPU wheel
    .venv-simalign/bin/pip install simalign==0.4 transformers==5.24.0
    .venv-simalign/bin/python benchmarks/simalign_baseline.py [--model DIR] [--threads N]

--model defaults to the project's converted encoder (multilingual-e5-small, a
BertModel with a generic fast tokenizer.json), whose directory is asked from the
project venv: ``.venv/bin/python -c "from wordalign.encoding.models.embedded import
embedded_model_dir; print(embedded_model_dir())"``. This script itself never
imports wordalign.

No adaptation of SimAlign is needed: for a path it loads AutoConfig/AutoModel/
AutoTokenizer, which gives the BertModel of config.json (position ids 0..L-1)
and the generic fast tokenizer of tokenizer.json (not XLMRobertaTokenizer);
the script checks both before aligning. Settings: token_type="bpe", layer=7
(hidden_states[7], i.e. output of the 7th transformer layer), methods "mai",
distortion 0.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import subprocess
import time
from importlib.metadata import version
from pathlib import Path

import torch
import transformers
from simalign import SentenceAligner

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "data" / "gold"
RESULTS = ROOT / "benchmarks" / "results"
SETS = {"De-En": "deen", "En-Fr": "enfr", "Ro-En": "roen", "Zh-En": "zhen", "Ja-En": "jaen_kftt_test"}
METHODS = {"argmax": "inter", "itermax": "itermax", "match": "mwmf"}  # our name -> SimAlign's key
LAYER, TOKEN_TYPE, MATCHING = 7, "bpe", "mai"


def words(line: str) -> list[str]:
    """Pre-tokenized line -> words; split on ASCII space/tab only (U+3000 may be a token)."""
    return [w for w in re.split(r"[ \t]+", line.rstrip("\r\n").strip(" \t")) if w]


def read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")[:-1] if path.stat().st_size else []


def read_gold(path: Path) -> list[tuple[set, set]]:
    """Pharaoh gold, 0-based: 'i-j' sure, 'i?j' possible. Returns (sure, possible ⊇ sure) per line."""
    out = []
    for line in read_lines(path):
        sure, possible = set(), set()
        for item in line.split():
            sep = "-" if "-" in item else "?"
            i, j = item.split(sep)
            link = (int(i), int(j))
            possible.add(link)
            if sep == "-":
                sure.add(link)
        out.append((sure, possible))
    return out


def score(predicted: list[set], gold: list[tuple[set, set]]) -> dict:
    a = s = a_s = a_p = 0
    for pred, (sure, possible) in zip(predicted, gold, strict=True):
        a, s = a + len(pred), s + len(sure)
        a_s, a_p = a_s + len(pred & sure), a_p + len(pred & possible)
    p, r = (a_p / a if a else 0.0), (a_s / s if s else 0.0)
    return {"aer": 1.0 - (a_s + a_p) / (a + s), "precision": p, "recall": r,
            "f1": 2 * p * r / (p + r) if p + r else 0.0}


def default_model_dir() -> str:
    code = "from wordalign.encoding.models.embedded import embedded_model_dir; print(embedded_model_dir())"
    out = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-c", code], cwd=ROOT,
                         check=True, capture_output=True, text=True).stdout
    return out.strip().splitlines()[-1]


def subword_mismatches(tokenizer, pairs) -> int:
    """Sentences where SimAlign's per-word tokenization disagrees with the batched encoding
    (it maps subword vectors to words by position, so any disagreement would misalign)."""
    bad = 0
    for sent in (s for pair in pairs for s in pair):
        per_word = sum(len(tokenizer.tokenize(w)) for w in sent)
        batched = len(tokenizer(sent, is_split_into_words=True, truncation=True)["input_ids"]) - 2
        bad += per_word != batched
    return bad


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", help="local encoder directory (default: ask the project venv)")
    ap.add_argument("--threads", type=int, help="torch threads (default: torch's own)")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    transformers.logging.set_verbosity_error()
    model_dir = args.model or default_model_dir()

    aligner = SentenceAligner(model=model_dir, token_type=TOKEN_TYPE, matching_methods=MATCHING,
                              device="cpu", layer=LAYER)
    model, tokenizer = aligner.embed_loader.emb_model, aligner.embed_loader.tokenizer
    config = json.loads((Path(model_dir) / "config.json").read_text())
    assert type(model).__name__ in config["architectures"], (type(model), config["architectures"])
    assert tokenizer.is_fast and "XLMRoberta" not in type(tokenizer).__name__, type(tokenizer)

    settings = {"simalign": version("simalign"), "transformers": transformers.__version__,
                "torch": torch.__version__, "torch_threads": torch.get_num_threads(),
                "model_dir": model_dir, "model_class": type(model).__name__,
                "tokenizer_class": type(tokenizer).__name__, "layer": LAYER, "token_type": TOKEN_TYPE,
                "matching_methods": MATCHING, "distortion": aligner.distortion, "device": "cpu",
                "python": platform.python_version(), "machine": platform.machine(),
                "subword_mismatches": {}}
    results = {}
    for name, folder in SETS.items():
        src = [words(l) for l in read_lines(GOLD / folder / "src.txt")]
        tgt = [words(l) for l in read_lines(GOLD / folder / "tgt.txt")]
        gold = read_gold(GOLD / folder / "gold.txt")
        assert len(src) == len(tgt) == len(gold), (name, len(src), len(tgt), len(gold))
        pairs = list(zip(src, tgt))
        settings["subword_mismatches"][name] = subword_mismatches(tokenizer, pairs)

        predicted = {m: [] for m in METHODS}
        start = time.perf_counter()
        for s, t in pairs:
            out = aligner.get_word_aligns(s, t) if s and t else {k: [] for k in METHODS.values()}
            for ours, theirs in METHODS.items():
                predicted[ours].append(set(out[theirs]))
        seconds = time.perf_counter() - start

        results[name] = {m: score(predicted[m], gold) for m in METHODS}
        results[name].update(seconds=round(seconds, 2), pairs=len(pairs))
        print(name, {m: round(100 * results[name][m]["aer"], 1) for m in METHODS},
              f"{seconds:.1f}s", flush=True)

    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "simalign.json").write_text(json.dumps({"settings": settings, "results": results}, indent=1))
    write_markdown(settings, results, args)


def write_markdown(settings: dict, results: dict, args) -> None:
    run = ".venv-simalign/bin/python benchmarks/simalign_baseline.py"
    run += f" --model {args.model}" if args.model else ""
    run += f" --threads {args.threads}" if args.threads else ""
    lines = ["# SimAlign baseline", "",
             "Rerun from the repository root:", "", "```",
             "python3.11 -m venv .venv-simalign",
             ".venv-simalign/bin/pip install torch==2.13.0",
             f".venv-simalign/bin/pip install simalign=={settings['simalign']} "
             f"transformers=={settings['transformers']}",
             run, "```", "",
             f"SimAlign {settings['simalign']} unmodified (no subclassing or patching), transformers "
             f"{settings['transformers']}, torch {settings['torch']} with {settings['torch_threads']} "
             f"threads on CPU. Model: `{settings['model_dir']}` loaded by SimAlign's auto-class path as "
             f"{settings['model_class']} + {settings['tokenizer_class']} (tokenizer.json). "
             f"token_type={settings['token_type']}, layer={settings['layer']}, distortion "
             f"{settings['distortion']}. Corpus-level AER (%), Och & Ney 2003, lower is better.", "",
             "| Method | " + " | ".join(results) + " |", "|---" * (len(results) + 1) + "|"]
    for m in METHODS:
        lines.append(f"| SimAlign {m} | " + " | ".join(f"{100 * r[m]['aer']:.1f}" for r in results.values()) + " |")
    lines += ["| seconds (all three methods) | " + " | ".join(f"{r['seconds']:.0f}" for r in results.values()) + " |",
              "| pairs | " + " | ".join(str(r["pairs"]) for r in results.values()) + " |", "",
              "Precision / recall / F1 per method and set: simalign.json.", ""]
    (RESULTS / "simalign.md").write_text("\n".join(lines))


if __name__ == "__main__":
    main()
