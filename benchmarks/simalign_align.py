"""SimAlign over a corpus file pair, as a user would run it: one Pharaoh line per input line.

Used by benchmarks/speed.py for the whole-process comparison; runs in the SimAlign venv
(see benchmarks/simalign_baseline.py for how to make it):

    .venv-simalign/bin/python benchmarks/simalign_align.py SRC TGT OUT [--model DIR]

SimAlign aligns one pair per call (it has no batch mode). Settings as in the quality
baseline: the project's converted encoder, token_type "bpe", layer 7; only argmax ("a"), its
cheapest method, so the comparison is as favourable to SimAlign as it can be.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import transformers
from simalign import SentenceAligner
from simalign_baseline import LAYER, TOKEN_TYPE, default_model_dir, read_lines, words


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("src")
    ap.add_argument("tgt")
    ap.add_argument("out")
    ap.add_argument("--model", help="local encoder directory (default: ask the project venv)")
    args = ap.parse_args()
    transformers.logging.set_verbosity_error()
    aligner = SentenceAligner(model=args.model or default_model_dir(), token_type=TOKEN_TYPE,
                              matching_methods="a", device="cpu", layer=LAYER)
    with open(args.out, "w", encoding="utf-8") as out:
        for src_line, tgt_line in zip(read_lines(Path(args.src)), read_lines(Path(args.tgt)), strict=True):
            src, tgt = words(src_line), words(tgt_line)
            links = sorted(aligner.get_word_aligns(src, tgt)["inter"]) if src and tgt else []
            out.write(" ".join(f"{i}-{j}" for i, j in links) + "\n")


if __name__ == "__main__":
    main()
