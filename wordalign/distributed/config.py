"""Options of the Ray engine (``wordalign align --engine ray``), declared without importing Ray."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ConfigError
from ..options import option

ENGINES = ("local", "ray")
BLOCK_MULTIPLE = 256  # blocks start on the aligner's chunk boundaries (align.aligner.CHUNK_PAIRS)


@dataclass(frozen=True)
class EngineOptions:
    """Where alignment runs: this process, or a pool of actors on a Ray cluster."""

    engine: str = option(
        "local", "local: this process | ray: actors on a Ray cluster (pip install 'wordalign[ray]'); -o is then "
        "a folder of blocks that `wordalign merge` joins.")
    address: str | None = option(
        None, "Ray cluster to join (the address `ray start --head` prints, or auto); default: RAY_ADDRESS, else "
        "a local cluster of this machine's CPUs.")
    actors: int | None = option(
        None, "Aligner actors, each with its own model; default: one per GPU with --num-gpus, else the "
        "cluster's CPUs / --num-cpus.")
    num_cpus: float | None = option(
        None, "CPUs per actor (its torch threads); default: the cluster's CPUs / --actors, else 1.")
    num_gpus: float = option(0.0, "GPUs per actor (1: a model per GPU).")
    block_size: int = option(1024, "Pairs per block: the unit of work, of output files and of restarts "
                                   "(a multiple of 256; small blocks keep the actors evenly busy).")

    def __post_init__(self):
        if self.engine not in ENGINES:
            raise ConfigError(f"engine must be one of {', '.join(ENGINES)}, not {self.engine!r}")
        if self.block_size < BLOCK_MULTIPLE or self.block_size % BLOCK_MULTIPLE:
            raise ConfigError(f"block_size must be a positive multiple of {BLOCK_MULTIPLE}, not {self.block_size}")
        if self.actors is not None and self.actors < 1:
            raise ConfigError(f"actors must be at least 1, not {self.actors}")
        if self.num_cpus is not None and self.num_cpus <= 0 or self.num_gpus < 0:
            raise ConfigError("num_cpus must be positive and num_gpus not negative")
