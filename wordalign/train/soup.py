"""Average the weights of fine-tuning runs that started from one model (a uniform model soup)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ..encoding.bert import WEIGHTS
from ..encoding.models import read_metadata
from ..errors import ConfigError
from .checkpoint import update_metadata

# Settings that may differ between the runs of a soup; any other difference is refused.
VARYING = ("seed", "src", "tgt")


def average_checkpoints(directories: list[str | os.PathLike], output: str | os.PathLike) -> dict:
    """Write a checkpoint whose every weight is the mean of the same weight in ``directories``.

    ``θ = (1/K) Σ_k θ_k`` for runs ``k = 1..K`` fine-tuned from the same model with the same
    settings but their own seed (data order and dropout). Runs from one start stay in one basin
    of the loss, so their mean is a model of its own, usually better than each run and less
    dependent on the luck of a seed; it aligns at the cost of one model.

    Parameters
    ----------
    directories : list of path-like
        Checkpoints that ``wordalign finetune`` wrote, from the same ``--model`` and ``--layer``
        with the same settings except ``--seed`` (checked).
    output : path-like
        Directory to create; it appears whole or not at all. Its ``wordalign.json`` is the first
        run's, with ``finetuned.seed`` replaced by the list of the runs' seeds.

    Returns
    -------
    dict
        The averaged checkpoint's metadata.

    References
    ----------
    Wortsman et al. (2022). Model soups: averaging weights of multiple fine-tuned models improves
    accuracy without increasing inference time. ICML.
    """
    import numpy as np
    from safetensors.numpy import load_file, save_file

    runs, out = [Path(d) for d in directories], Path(output)
    if out.exists():
        raise ConfigError(f"{out} already exists; averaging never overwrites")
    if len(runs) < 2:
        raise ConfigError("averaging needs at least two checkpoints")
    settings = [read_metadata(run).get("finetuned") for run in runs]
    if None in settings:
        raise ConfigError(f"{runs[settings.index(None)]} is not a checkpoint of `wordalign finetune`")
    fixed = [{k: v for k, v in s.items() if k not in VARYING} for s in settings]
    for run, other in zip(runs[1:], fixed[1:]):
        if other != fixed[0]:
            changed = sorted(k for k in other.keys() | fixed[0].keys() if other.get(k) != fixed[0].get(k))
            raise ConfigError(f"{run} was trained with other settings than {runs[0]} ({', '.join(changed)}); "
                              "only the seed may differ")
    weights = [load_file(str(run / WEIGHTS)) for run in runs]
    for run, tensors in zip(runs[1:], weights[1:]):
        if tensors.keys() != weights[0].keys():
            raise ConfigError(f"{run} and {runs[0]} hold different parameters")
    mean = {name: (sum(tensors[name].astype(np.float64) for tensors in weights) / len(weights))
            .astype(value.dtype) for name, value in weights[0].items()}

    staging = out.with_name(out.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(runs[0], staging, ignore=shutil.ignore_patterns(WEIGHTS))  # the mean replaces them
    save_file(mean, str(staging / WEIGHTS), metadata={"format": "pt"})
    metadata = update_metadata(staging, {"finetuned": {**settings[0], "seed": [s["seed"] for s in settings]}})
    os.replace(staging, out)
    return metadata
