"""Alignment on a Ray cluster: Ray Data's actor pool, one :class:`~wordalign.align.aligner.Aligner` per actor.

Two entry points. :func:`align_dataset` adds links to a Ray Dataset of pairs, for pipelines
that already live in Ray Data. :func:`align_on_ray` is ``wordalign align --engine ray``: the
inputs are cut into blocks (:mod:`~wordalign.distributed.blocks`), each actor aligns whole
blocks and writes one file per block, atomically; a rerun skips the blocks already written,
and :func:`~wordalign.distributed.merge.merge_blocks` joins them into the usual one-line-per-
input output, byte for byte what ``wordalign align`` writes.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from tqdm import tqdm

from ..align.config import AlignConfig, RunOptions
from ..errors import ConfigError, InputError, WordAlignError
from ..options import build, recorded, split_options
from .blocks import Block, input_kind, plan_blocks, read_block
from .config import EngineOptions

log = logging.getLogger("wordalign")
RUN_RECORD = "run.json"
BLOCKS = "blocks"


def ray_module():
    """Ray, or the install command when it is missing; Ray Data's progress and info logs off
    (stderr carries wordalign's own progress bar and summary)."""
    os.environ.setdefault("RAY_DATA_LOG_LEVEL", "WARNING")
    try:
        import ray
        import ray.data
    except ImportError:
        raise ConfigError("the Ray engine needs Ray: pip install 'wordalign[ray]'") from None
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    return ray


def block_file(out_dir: Path, index: int) -> Path:
    return out_dir / BLOCKS / f"block-{index:06d}.tsv"


def set_threads(num_cpus: float) -> None:
    """An actor's torch threads: its CPUs, so that actors do not oversubscribe the cores."""
    import torch

    torch.set_num_threads(max(1, int(num_cpus)))


class BlockAligner:
    """A Ray Data actor: builds one aligner, then aligns whole blocks and writes their files.

    A block's file holds ``ROW<TAB>LINE`` for each of its rows, ``LINE`` what
    ``wordalign align`` writes for that pair; it is written as ``.part`` and renamed, so a block
    either has its whole file or none. A bad input (a :class:`~wordalign.errors.WordAlignError`)
    is returned as the block's ``error``, not raised: Ray would retry it, and it would fail again.
    """

    def __init__(self, config: dict, output_format: str, out_dir: str, num_cpus: float):
        from ..align.aligner import Aligner

        set_threads(num_cpus)
        self.aligner = Aligner(config=AlignConfig(**config))
        self.output_format, self.out_dir = output_format, Path(out_dir)

    def __call__(self, batch: dict) -> dict:
        from ..align.aligner import CHUNK_PAIRS
        from ..io.links import format_pair

        out = {"index": [], "pairs": [], "empty": [], "error": [], "seconds": []}
        for described in batch["block"]:
            block = Block(**{k: tuple(v) if isinstance(v, list) else v for k, v in json.loads(described).items()})
            started, pairs, empty, error = time.perf_counter(), 0, 0, ""
            path = block_file(self.out_dir, block.index)
            part = path.with_name(path.name + ".part")
            try:
                with open(part, "w", encoding="utf-8") as stream:
                    for row, pair in enumerate(self.aligner.align_stream(read_block(block), CHUNK_PAIRS),
                                               block.first_row):
                        stream.write(f"{row}\t{format_pair(pair, self.output_format)}\n")
                        pairs += 1
                        empty += not (pair.src and pair.tgt)
                os.replace(part, path)
            except InputError as exc:
                part.unlink(missing_ok=True)
                if exc.pair is not None:  # of the chunk that starts after the ``pairs`` written
                    exc = exc.located(block.paths[0], block.first_line + pairs + exc.pair)
                error = str(exc)
            except WordAlignError as exc:
                part.unlink(missing_ok=True)
                error = str(exc)
            for key, value in (("index", block.index), ("pairs", pairs), ("empty", empty), ("error", error),
                               ("seconds", time.perf_counter() - started)):
                out[key].append(value)
        return out


@dataclass
class RaySummary:
    blocks: int
    skipped: int
    pairs: int
    empty_pairs: int
    actors: int
    seconds: float
    out_dir: str

    def __str__(self) -> str:
        rate = self.pairs / self.seconds if self.seconds else 0.0
        return (f"aligned {self.pairs} pairs in {self.blocks} blocks ({self.skipped} already done, "
                f"{self.empty_pairs} pairs with an empty side) with {self.actors} actors in {self.seconds:.1f} s, "
                f"{rate:.1f} pairs/s; blocks in {self.out_dir}: `wordalign merge {self.out_dir} -o OUT` joins them")


def align_on_ray(inputs: list[str], **options) -> RaySummary:
    """Align inputs on a Ray cluster into a folder of blocks (``wordalign align --engine ray``).

    Parameters
    ----------
    inputs : list of str
        Two line-aligned text files ``SRC TGT`` (read with line numbers, so empty lines keep
        their place), or JSON-lines or Parquet files with one pair per row in ``src`` and
        ``tgt`` (strings, split on spaces or with ``tokenize``; or lists of words).
    **options
        The fields of :class:`~wordalign.align.config.AlignConfig`; of
        :class:`~wordalign.align.config.RunOptions` ``output`` (the folder, required),
        ``output_format`` and ``quiet``; and of :class:`EngineOptions`.

    Returns
    -------
    RaySummary
        Blocks aligned and skipped, pairs, actors, time.
    """
    align_options, run_options, engine_options, unknown = split_options(options, AlignConfig, RunOptions,
                                                                        EngineOptions)
    if unknown:
        raise ConfigError(f"unknown option {', '.join(sorted(unknown))}")
    config, run, engine = (build(AlignConfig, align_options), build(RunOptions, run_options),
                           build(EngineOptions, engine_options))
    if run.output in (None, "-"):
        raise ConfigError("--engine ray writes a folder of blocks: give it with -o DIR")
    if run.shard or run.resume or run.signature:
        raise ConfigError("--engine ray cuts the input into blocks and reruns skip finished ones: --shard, "
                          "--resume and --signature do not apply")
    started = time.perf_counter()
    blocks = plan_blocks(inputs, engine.block_size)  # every input checked before anything starts
    if config.tokenize and input_kind(inputs) == "text":
        from ..align.pipeline import check_segmenters
        from ..io.text import ParallelInput

        check_segmenters(ParallelInput(*inputs), config)
    out_dir = Path(run.output)
    _claim(out_dir, inputs, blocks, config, run, engine)
    todo = [block for block in blocks if not block_file(out_dir, block.index).exists()]
    ray = ray_module()
    if not ray.is_initialized():
        ray.init(address=engine.address, include_dashboard=False, log_to_driver=False,
                 logging_level=logging.WARNING, configure_logging=False)
    engine = fit_resources(ray, engine)
    actors = engine.actors
    summary = RaySummary(len(blocks), len(blocks) - len(todo), 0, 0, actors, 0.0, str(out_dir))
    if todo:
        _run(ray, todo, actors, config, run, engine, out_dir, summary)
    summary.seconds = time.perf_counter() - started
    if not run.quiet:
        log.info("%s", summary)
    return summary


def _run(ray, todo, actors, config, run, engine, out_dir, summary) -> None:
    from ..align.presets import setting_model
    from ..encoding.models import names_embedded, resolve_model

    model = setting_model(config.setting, config.model)
    if names_embedded(model):
        resolve_model(model)  # converted once here, not by every actor
    dataset = ray.data.from_items([{"block": json.dumps(block.as_dict())} for block in todo],
                                  override_num_blocks=len(todo))
    aligned = dataset.map_batches(
        BlockAligner, batch_size=1, **actor_pool(ray, engine, min(actors, len(todo))),
        fn_constructor_kwargs={"config": asdict(config), "output_format": run.output_format,
                               "out_dir": str(out_dir), "num_cpus": engine.num_cpus})
    show_bar = not run.quiet and sys.stderr.isatty()
    with tqdm(total=sum(block.rows for block in todo), unit="pair", disable=not show_bar, file=sys.stderr) as bar:
        for row in aligned.iter_rows():
            if row["error"]:
                raise InputError(row["error"])
            summary.pairs += row["pairs"]
            summary.empty_pairs += row["empty"]
            bar.update(row["pairs"])


def actor_pool(ray, engine: EngineOptions, size: int) -> dict:
    """``map_batches`` arguments for a pool of ``size`` actors with the engine's resources each."""
    return {"compute": ray.data.ActorPoolStrategy(size=size), "num_cpus": engine.num_cpus,
            "num_gpus": engine.num_gpus or None}


def fit_resources(ray, engine: EngineOptions) -> EngineOptions:
    """The engine with ``actors`` and ``num_cpus`` filled in from the cluster: one actor per GPU
    with ``num_gpus``; else ``actors`` share the CPUs, or one actor per ``num_cpus`` (1) CPUs."""
    resources = ray.cluster_resources()
    cpus = resources.get("CPU", 1)
    if engine.num_gpus:
        actors = engine.actors or max(1, int(resources.get("GPU", 0) / engine.num_gpus))
        return replace(engine, actors=actors, num_cpus=engine.num_cpus or max(1.0, cpus // actors))
    if engine.actors:
        return replace(engine, num_cpus=engine.num_cpus or max(1.0, cpus // engine.actors))
    num_cpus = engine.num_cpus or 1.0
    return replace(engine, actors=max(1, int(cpus / num_cpus)), num_cpus=num_cpus)


def _claim(out_dir: Path, inputs, blocks, config: AlignConfig, run: RunOptions, engine: EngineOptions) -> None:
    """Create the output folder with its run record, or check that the record there is this run's."""
    record = {"inputs": [[os.path.realpath(path), os.path.getsize(path)] for path in inputs],
              "kind": input_kind(inputs), "block_size": engine.block_size,
              "rows": sum(block.rows for block in blocks), "blocks": len(blocks),
              "config": recorded(config), "output_format": run.output_format}
    record = json.loads(json.dumps(record))  # as it reads back
    path = out_dir / RUN_RECORD
    if out_dir.exists() and not out_dir.is_dir():
        raise ConfigError(f"{out_dir} is a file; --engine ray writes a folder")
    if path.exists():
        if json.loads(path.read_text(encoding="utf-8")) != record:
            raise ConfigError(f"{out_dir} holds the blocks of another run (other inputs or options): choose another "
                              "-o, or delete it")
        return
    if out_dir.exists() and any(out_dir.iterdir()):
        raise ConfigError(f"{out_dir} is not empty and holds no wordalign run: choose another -o")
    (out_dir / BLOCKS).mkdir(parents=True, exist_ok=True)
    staging = path.with_name(path.name + ".tmp")
    staging.write_text(json.dumps(record, indent=1), encoding="utf-8")
    os.replace(staging, path)
