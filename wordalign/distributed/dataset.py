"""Align the pairs of a Ray Dataset: new columns with the links, for pipelines in Ray Data."""

from __future__ import annotations

from dataclasses import asdict

from ..align.config import AlignConfig
from ..errors import ConfigError
from ..options import build, split_options
from .config import EngineOptions
from .engine import actor_pool, fit_resources, ray_module, set_threads

# Engine options that mean something here (the others are about files and blocks).
ACTOR_OPTIONS = ("actors", "num_cpus", "num_gpus")


class PairAligner:
    """A Ray Data actor holding one aligner; adds the alignment columns to each batch."""

    def __init__(self, config: dict, num_cpus: float):
        from ..align.aligner import Aligner

        set_threads(num_cpus)
        self.aligner = Aligner(config=AlignConfig(**config))

    def __call__(self, batch: dict) -> dict:
        pairs = [(_side(src), _side(tgt)) for src, tgt in zip(batch["src"], batch["tgt"])]
        aligned = self.aligner.align_batch(pairs)
        batch = dict(batch)
        batch["links"] = [pair.pharaoh() for pair in aligned]
        batch["scores"] = [[round(score, 4) for score in pair.scores] for pair in aligned]
        batch["unaligned_src"] = [pair.unaligned_src for pair in aligned]
        batch["unaligned_tgt"] = [pair.unaligned_tgt for pair in aligned]
        if self.aligner.config.tokenize:
            for side in ("src", "tgt"):
                words = [getattr(pair, side) for pair in aligned]
                batch[f"{side}_words"] = [[str(word) for word in sentence] for sentence in words]
                batch[f"{side}_offsets"] = [[[word.start, word.end] for word in sentence] for sentence in words]
        return batch


def _side(side):
    """A cell of ``src`` or ``tgt``: a string, or a list (Arrow gives numpy arrays) of words."""
    return side if isinstance(side, str) else [str(word) for word in side]


def align_dataset(dataset, batch_size: int = 256, **options):
    """Add alignment columns to a Ray Dataset with ``src`` and ``tgt`` columns.

    Each actor of a Ray Data actor pool builds one :class:`~wordalign.align.aligner.Aligner`
    (the model loads once per actor) and aligns batches of rows. Added columns: ``links``
    (Pharaoh), ``scores`` (one per link), ``unaligned_src``, ``unaligned_tgt``; with
    ``tokenize``, also ``src_words``, ``tgt_words``, ``src_offsets``, ``tgt_offsets``.

    Parameters
    ----------
    dataset : ray.data.Dataset
        Rows with ``src`` and ``tgt``: strings (split on spaces, or raw text with
        ``tokenize``) or lists of words.
    batch_size : int
        Rows per call of an actor (the aligner encodes them in shared batches).
    **options
        The fields of :class:`~wordalign.align.config.AlignConfig`, and ``actors`` (default:
        the cluster's CPUs / ``num_cpus``, or its GPUs / ``num_gpus``), ``num_cpus`` (per actor:
        its torch threads), ``num_gpus`` (per actor; 1 runs one model per GPU).

    Returns
    -------
    ray.data.Dataset
        Lazily evaluated, like every Ray Dataset.
    """
    align_options, engine_options, unknown = split_options(options, AlignConfig, EngineOptions)
    unknown = set(unknown) | (set(engine_options) - set(ACTOR_OPTIONS))
    if unknown:
        raise ConfigError(f"unknown option {', '.join(sorted(unknown))}")
    config, engine = build(AlignConfig, align_options), build(EngineOptions, engine_options)
    if engine.num_gpus and config.device == "cpu":
        raise ConfigError("num_gpus asks for GPUs, but device is cpu")
    ray, engine = _on_cluster(engine)
    return dataset.map_batches(PairAligner, batch_size=batch_size, **actor_pool(ray, engine, engine.actors),
                               fn_constructor_kwargs={"config": asdict(config), "num_cpus": engine.num_cpus})


class SpanProjector:
    """A Ray Data actor holding one aligner (the projection's default extractor); projects the
    labelled spans of each row's source words onto its target."""

    def __init__(self, config: dict, project: dict, num_cpus: float):
        from ..projection.config import ProjectConfig
        from ..projection.project import projection_aligner

        set_threads(num_cpus)
        self.aligner = projection_aligner(AlignConfig(**config))
        self.project = ProjectConfig(**project)

    def __call__(self, batch: dict) -> dict:
        from ..projection.labels import Span
        from ..projection.spans import project_spans

        sources = [_side(tokens) for tokens in batch["tokens"]]
        aligned = self.aligner.align_batch([(src, _side(tgt)) for src, tgt in zip(sources, batch["target"])])
        batch = dict(batch)
        batch["target_tokens"], batch["target_spans"] = [], []
        for source, pair, spans in zip(sources, aligned, batch["spans"]):
            spans = [Span(int(s["start"]), int(s["end"]), str(s["label"])) for s in spans]
            report = project_spans(spans, pair.links, pair.scores, source, pair.tgt, gap=self.project.gap,
                                   ignore_punctuation=self.project.punctuation == "ignore", group=self.project.group)
            batch["target_tokens"].append([str(word) for word in pair.tgt])
            batch["target_spans"].append([
                {"start": p.span.start, "end": p.span.end, "label": p.span.label,
                 **({"char_start": pair.tgt[p.span.start].start, "char_end": pair.tgt[p.span.end - 1].end}
                    if self.aligner.config.tokenize else {})} for p in report.projected])
        return batch


def project_dataset(dataset, batch_size: int = 256, **options):
    """Project labelled spans across the pairs of a Ray Dataset, as ``wordalign project`` does.

    Parameters
    ----------
    dataset : ray.data.Dataset
        Rows with ``tokens`` (the source words), ``spans`` (``{"start", "end", "label"}``, word
        indices, ``end`` exclusive) and ``target`` (its translation: a string, split on spaces
        or as raw text with ``tokenize``, or a list of words).
    batch_size : int
        Rows per call of an actor.
    **options
        The fields of :class:`~wordalign.projection.config.ProjectConfig` that shape spans
        (``gap``, ``punctuation``, ``group``), of :class:`~wordalign.align.config.AlignConfig`,
        and ``actors``, ``num_cpus``, ``num_gpus`` as for :func:`align_dataset`.

    Returns
    -------
    ray.data.Dataset
        With ``target_tokens`` and ``target_spans`` added (spans with ``char_start`` and
        ``char_end`` in the raw target with ``tokenize``).
    """
    from ..projection.config import ProjectConfig

    project_options, align_options, engine_options, unknown = split_options(options, ProjectConfig, AlignConfig,
                                                                           EngineOptions)
    unknown = set(unknown) | (set(engine_options) - set(ACTOR_OPTIONS))
    unknown |= set(project_options) - {"gap", "punctuation", "group"}
    if unknown:
        raise ConfigError(f"unknown option {', '.join(sorted(unknown))}")
    project, config = build(ProjectConfig, project_options), build(AlignConfig, align_options)
    engine = build(EngineOptions, engine_options)
    ray, engine = _on_cluster(engine)
    return dataset.map_batches(SpanProjector, batch_size=batch_size, **actor_pool(ray, engine, engine.actors),
                               fn_constructor_kwargs={"config": asdict(config), "project": asdict(project),
                                                      "num_cpus": engine.num_cpus})


def _on_cluster(engine: EngineOptions):
    """Ray (started if it is not) and the engine's actors and CPUs fitted to its cluster."""
    ray = ray_module()
    if not ray.is_initialized():
        ray.init()
    return ray, fit_resources(ray, engine)
