"""What determines an alignment: one config for ``wordalign align``, ``Aligner`` and the pipeline.

:func:`signature` names a resolved configuration in one line, so that an output or a score
says how it was made (like sacrebleu's signatures).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..encoding.runtime import RuntimeOptions
from ..errors import ConfigError
from ..io.links import check_format
from ..io.output import OutputOptions
from ..options import option, parse_params
from ..segment import check_language


@dataclass(frozen=True)
class AlignConfig(RuntimeOptions):
    """How pairs are aligned: the model, what scores word pairs, the extractor, the runtime.

    Every field is also an option of ``wordalign align`` and a keyword of
    :class:`~wordalign.align.aligner.Aligner`, :func:`~wordalign.align.pipeline.align_files`
    and :func:`~wordalign.align.pipeline.align_manifest`.
    """

    model: str | None = option(
        None, "Local Hugging Face model directory, or embedded-base (the embedded encoder before alignment "
        "tuning); default: the embedded, alignment-tuned encoder.")
    scorer: str | None = option(
        None, "similarity (word-vector cosines) | span | binary (a `train-span` checkpoint of that head); default: the model's.")
    layer: int | None = option(None, "Hidden layer for word vectors (0 = embeddings).")
    extractor: str | None = option(
        None, "See `wordalign extractors`; default: the setting's for align, ot-unbalanced for project; "
        "threshold for span models.", "--extractor", "-e")
    extractor_params: dict = option(None, "Extractor parameter KEY=VALUE (repeatable).", "--param", "-p",
                                    factory=dict, text=list[str], parse=parse_params, metavar="KEY=VALUE")
    setting: str = option(
        "bilingual", "Dev-tuned defaults: bilingual | monolingual (paraphrases, many unaligned words).")
    centering: str | None = option(
        None, "Mean removal before the cosine: sentence | pair | none; default: pair.")
    level: str | None = option(
        None, "word: the extractor reads word similarities | subword: it reads subword similarities and two "
        "words are linked when any of their subwords are; default: the setting's (bilingual: subword, "
        "monolingual: word).")
    batch_size: int = option(32, "Sentences per encoder forward pass.")
    max_length: int | None = option(None, "Longest encoder input; longer sentences are windowed.")
    tokenize: bool = option(
        False, "The text is raw: split each line into words first (punctuation, numbers, URLs; Chinese and "
        "Japanese with a segmenter). Links index those words; -f jsonl gives their character offsets.",
        "--tokenize")
    src_lang: str | None = option(
        None, "Source language code for --tokenize (zh or ja choose the segmenter of Han text; default: "
        "Japanese on lines with kana, else Chinese).")
    tgt_lang: str | None = option(None, "Target language code for --tokenize.")

    def __post_init__(self):
        if (self.src_lang or self.tgt_lang) and not self.tokenize:
            raise ConfigError("--src-lang and --tgt-lang choose how --tokenize splits raw text: add --tokenize")
        for language in (self.src_lang, self.tgt_lang):
            check_language(language)


def parse_shard(value: str | None) -> tuple[int, int] | None:
    """``"2/8"`` → ``(2, 8)``."""
    if value is None:
        return None
    index, sep, count = value.partition("/")
    if not (sep and index.isdigit() and count.isdigit()):
        raise ConfigError(f"--shard expects i/n such as 0/4, got {value!r}")
    return int(index), int(count)


@dataclass(frozen=True)
class RunOptions(OutputOptions):
    """How alignments are written; options of ``wordalign align`` beside :class:`AlignConfig`."""

    output_format: str = option(
        "pharaoh", "pharaoh | scores (i-j:score) | jsonl (words, offsets with --tokenize, links, scores) | words "
        "(the words links index, as 'src ||| tgt').", "--format", "-f")
    signature: bool = option(False, "Write the reproducibility signature as the first line (jsonl only).",
                             "--signature")
    shard: tuple[int, int] | None = option(None, "i/n: align only the i-th (0-based) of n contiguous parts.",
                                           "--shard", text=str, parse=parse_shard, metavar="I/N")
    resume: bool = option(False, "Continue an interrupted -o run from its last complete line.", "--resume")

    def __post_init__(self):
        check_format(self.output_format)
        if self.signature and self.output_format != "jsonl":
            raise ConfigError("--signature needs --format jsonl: Pharaoh files have one line per input line only")



def signature(version: str, model: str, scorer: str, extractor: str, params: dict, dtype: str,
              words: str = "") -> str:
    """One line that names a resolved alignment configuration.

    ``wordalign:VERSION|model:MODEL|SCORER|extractor:NAME(KEY=VALUE,...)|dtype:DTYPE``, where
    ``SCORER`` is the scorer's own part (``scorer:similarity|layer:7|centering:pair``). Every
    extractor parameter is listed, defaults included, so equal signatures mean equal settings.
    Raw text adds how it was split into words: ``|words:tokenize(src_lang=auto,tgt_lang=auto)``.

    Parameters
    ----------
    version : str
        wordalign's version.
    model : str
        The model's name (see :attr:`wordalign.align.aligner.Aligner.signature`).
    scorer : str
        :attr:`wordalign.align.scorers.Scorer.signature`.
    extractor : str
        The extractor's name.
    params : dict
        All its parameters, resolved.
    dtype : str
        The precision of the forward pass.
    words : str
        How lines became words, when not split on spaces (``tokenize(src_lang=…,tgt_lang=…)``).
    """
    arguments = ",".join(f"{key}={value}" for key, value in params.items())
    tail = f"|words:{words}" if words else ""
    return f"wordalign:{version}|model:{model}|{scorer}|extractor:{extractor}({arguments})|dtype:{dtype}{tail}"
