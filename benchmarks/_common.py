"""Shared helpers of the benchmark scripts: gold sets, encoding once, scoring many extractors."""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "data" / "gold"
RESULTS = ROOT / "benchmarks" / "results"
PARALLEL = ROOT.parent / "shared" / "parallel"  # unlabelled parallel text
SHARED_GOLD = ROOT.parent / "shared" / "gold"
# Corpora under PARALLEL per pair (each folder's src.txt is the non-English side). NTREX-128 is
# news, nearest to the Europarl and news gold sets.
PARALLEL_CORPORA = {
    "De-En": ["multi30k_de-en", "ntrex128_de-en"],
    "En-Fr": ["multi30k_fr-en", "ntrex128_fr-en"],
    "Ro-En": ["ro-sts_ro-en", "ntrex128_ro-en"],
    "Zh-En": ["tatoeba-manythings_zh-en", "ntrex128_zh-en"],
    "Ja-En": ["small_parallel_enja_ja-en", "kyoto-wiki_ja-en", "ntrex128_ja-en"],
}
EXCLUDED_CORPORA = {"kyoto-wiki_ja-en": "overlaps the KFTT test set"}  # not for what is scored on gold text
sys.path.insert(0, str(ROOT))

from wordalign.evaluation import AlignmentScore, score_alignments  # noqa: E402
from wordalign.extractors import bind  # noqa: E402
from wordalign.io.links import read_alignments  # noqa: E402
from wordalign.io.text import ParallelInput  # noqa: E402
from wordalign.align.aligner import extract_links  # noqa: E402
from wordalign.align.scorers.similarity import cosine_similarity, word_norms  # noqa: E402

# The five standard bilingual sets: display name -> folder under data/gold/.
STANDARD_SETS = {"De-En": "deen", "En-Fr": "enfr", "Ro-En": "roen", "Zh-En": "zhen", "Ja-En": "jaen_kftt_test"}
MONO_DEV = {"MTRef": "mono_mtref_dev", "Wiki": "mono_wiki_dev", "Edinburgh++": "mono_edinburgh_dev",
            "MSR-RTE": "mono_msr_rte_dev"}
MONO_TEST = {name: folder.replace("_dev", "_test") for name, folder in MONO_DEV.items()}
TUNING_SPLITS = {name: (f"splits/{key}_train", f"splits/{key}_dev")
                 for name, key in [("De-En", "deen"), ("En-Fr", "enfr"), ("Ro-En", "roen"),
                                   ("Zh-En", "zhen"), ("Ja-En", "jaen")]}


@dataclass
class GoldSet:
    name: str
    pairs: list[tuple[list[str], list[str]]]
    gold: list

    @property
    def lengths(self) -> list[tuple[int, int]]:
        return [(len(src), len(tgt)) for src, tgt in self.pairs]

    @classmethod
    def load(cls, name: str, *folders: str) -> "GoldSet":
        pairs, gold = [], []
        for folder in folders:
            path = GOLD / folder
            pairs += list(ParallelInput(str(path / "src.txt"), str(path / "tgt.txt")))
            gold += read_alignments(str(path / "gold.txt"))
        return cls(name, pairs, gold)


def encode_pairs(encoder, gold_set: GoldSet, layers) -> dict[int, list[tuple[np.ndarray, np.ndarray]]]:
    """Word vectors of every pair, per layer, from one encoder pass over both sides."""
    n = len(gold_set.pairs)
    sentences = [src for src, _ in gold_set.pairs] + [tgt for _, tgt in gold_set.pairs]
    by_layer = encoder.embed_layers(sentences, list(layers))
    return {layer: [(vectors[k], vectors[n + k]) for k in range(n)] for layer, vectors in by_layer.items()}


def similarities(vectors, centering: str) -> list[np.ndarray]:
    return [cosine_similarity(src, tgt, centering) for src, tgt in vectors]


def pair_norms(vectors) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per pair, the norms of the source and target word vectors (for ``marginals=norm``)."""
    return [word_norms(src, tgt) for src, tgt in vectors]


def extract_all(sims: list[np.ndarray], extractor: str, params: dict, weights=None) -> tuple[list[list], float]:
    """Links of one extractor over precomputed similarity matrices, and seconds per pair."""
    extract = bind(extractor, params)
    weights = weights or [None] * len(sims)
    started = time.perf_counter()
    hyps = [list(zip(*np.nonzero(extract(sim, w)))) for sim, w in zip(sims, weights)]
    return hyps, (time.perf_counter() - started) / max(1, len(sims))


def pair_links(extract, scores) -> list[list[tuple[int, int]]]:
    """Each pair's word links from its scores (``PairScores``), read as the aligner reads them."""
    return [list(zip(*extract_links(extract, pair).nonzero())) for pair in scores]


def score_extractor(sims: list[np.ndarray], gold: list, extractor: str, params: dict) -> AlignmentScore:
    """Corpus score of one extractor over precomputed similarity matrices."""
    return score_alignments(gold, extract_all(sims, extractor, params)[0])


def run_wordalign(*arguments: str) -> float:
    """Run a `wordalign` command in a fresh process, as a user would; seconds taken."""
    print("$ wordalign", " ".join(arguments), file=sys.stderr, flush=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "wordalign", *arguments], check=True)
    return time.perf_counter() - started


def sentence_key(sentence: str) -> str:
    """A sentence as :func:`gold_sentences` compares them: lowercased, without spaces."""
    return "".join(sentence.lower().split())


def gold_sentences() -> set[str]:
    """Every sentence of every gold set we have (test, dev and train splits, bilingual and
    monolingual), as :func:`sentence_key`: training text that contains one is dropped."""
    seen = set()
    for root in (GOLD, SHARED_GOLD):
        for path in sorted(root.glob("**/*.txt")) if root.is_dir() else []:
            if path.name in ("src.txt", "tgt.txt"):
                lines = path.read_text(encoding="utf-8").splitlines()
                seen.update(sentence_key(line) for line in lines if line.strip())
    return seen


def machine() -> str:
    import torch

    cpu = platform.processor() or platform.machine()
    return f"{cpu}, {torch.get_num_threads()} threads, torch {torch.__version__}"


def git_revision() -> str:
    """The short commit hash, with ``+changes`` when tracked files differ from it (results of uncommitted code)."""
    try:
        head = subprocess.check_output(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True).strip()
        changed = subprocess.run(["git", "diff", "--quiet", "HEAD"], cwd=ROOT).returncode != 0
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+changes" if changed else "")


def pct(value: float) -> str:
    return f"{100 * value:.1f}"


def training_benchmark_parser(doc: str, name: str, work: str, work_help: str) -> argparse.ArgumentParser:
    """The options every training benchmark takes: ``--work``, ``--seed``, ``--name``, ``--render``."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / work, help=work_help)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--name", default=name, help="results file name (results/NAME.md and .json)")
    parser.add_argument("--render", action="store_true", help="only rewrite NAME.md from NAME.json")
    return parser


def rerender(name: str, render) -> None:
    """Rewrite ``results/NAME.md`` from ``results/NAME.json`` (for ``--render``)."""
    (RESULTS / f"{name}.md").write_text(render(json.loads((RESULTS / f"{name}.json").read_text())))
