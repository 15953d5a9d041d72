"""The training loop's shared pieces: optimizer and schedule, one step, length-bucketed batches."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from ..errors import ConfigError

Item = TypeVar("Item")
# Items sorted together for length bucketing, in batches.
BUCKET_BATCHES = 50


def check_training(config, counts: Sequence[str]) -> None:
    """Refuse, before anything loads, a training config that cannot train.

    Parameters
    ----------
    config
        A training config: its ``learning_rate`` (where set), ``warmup`` and ``dtype`` are checked.
    counts : sequence of str
        Its fields that must be at least 1 where set (epochs, batch size, ...).
    """
    for name in counts:
        value = getattr(config, name)
        if value is not None and value < 1:
            raise ConfigError(f"{name} must be at least 1, not {value}")
    rate = config.learning_rate
    if rate is not None and not (rate > 0 and math.isfinite(rate)):
        raise ConfigError(f"learning_rate must be a positive number, not {rate}")
    if not 0 <= config.warmup <= 1:
        raise ConfigError(f"warmup is a share of the steps, between 0 and 1, not {config.warmup}")
    if config.dtype == "float16":
        raise ConfigError("training runs in float32 or bfloat16 autocast; float16 would need loss scaling")


def optimizer_and_schedule(model, learning_rate: float, total_steps: int, warmup: float):
    """AdamW over all parameters but the word embeddings, with linear warm-up and decay.

    The word-embedding matrix (most of a multilingual encoder's weights) stays frozen: with a
    few thousand steps it would barely move, while its optimizer state would triple the
    memory and its updates cost a third of each step. The learning rate rises linearly over
    the first ``warmup`` share of ``total_steps`` and falls linearly to zero after.

    Returns
    -------
    trainable : list[torch.nn.Parameter]
    optimizer : torch.optim.AdamW
    scheduler : torch.optim.lr_scheduler.LambdaLR
    """
    import torch

    for parameter in model.get_input_embeddings().parameters():
        parameter.requires_grad_(False)
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=learning_rate, weight_decay=0.0)
    warmup_steps = max(1, round(warmup * total_steps))

    def schedule(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        return max(0.0, (total_steps - step) / max(1, total_steps - warmup_steps))

    return trainable, optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)


def optimizer_step(loss, trainable, optimizer, scheduler) -> float:
    """Backpropagate ``loss``, clip the gradient norm to 1, step the optimizer and the schedule.

    A loss without a gradient (no target in the batch) only advances the schedule, so the
    learning rate follows the step count either way. Returns the loss as a float.
    """
    import torch

    optimizer.zero_grad(set_to_none=True)
    if loss.requires_grad:
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        optimizer.step()
    scheduler.step()
    return float(loss.detach())


def length_bucketed(items: Sequence[Item], size: int, length: Callable[[Item], int],
                    rng: random.Random) -> Iterator[list[Item]]:
    """Cut ``items`` (already in random order) into batches of similar length, in random order.

    Sorting by length before batching keeps padding small; shuffling the batches keeps the
    order random. ``items`` should be one bucket of about ``BUCKET_BATCHES`` batches.
    """
    by_length = sorted(items, key=length)
    batches = [by_length[k : k + size] for k in range(0, len(by_length), size)]
    rng.shuffle(batches)
    yield from batches


def moving_average(average: float, value: float) -> float:
    """The loss shown in progress bars: an exponential moving average (NaN until a value)."""
    return value if math.isnan(average) else 0.98 * average + 0.02 * value
