"""Unsupervised fine-tuning of the encoder on parallel text: what ``wordalign finetune`` does."""

from __future__ import annotations

import logging
import math
import os
import random
import time
from dataclasses import asdict, dataclass, replace
from itertools import islice
from pathlib import Path

from tqdm import tqdm

from ..align.scorers.similarity import LEVELS
from ..encoding.encoder import WordEncoder
from ..encoding.models import EMBEDDED, names_embedded, names_tuned_default
from ..errors import ConfigError
from ..extractors import bind, get_extractor
from ..io.text import STDIN
from ..options import build, recorded
from .checkpoint import write_checkpoint
from .config import GUIDE_DEFAULTS, LEARNING_RATE, TUNED_LEARNING_RATE, FinetuneConfig
from .corpus import ParallelCorpus
from .loop import BUCKET_BATCHES, length_bucketed, moving_average, optimizer_and_schedule, optimizer_step
from .objectives import centered_cosine, consistency_loss, parallel_identification_loss, self_training_loss

log = logging.getLogger("wordalign")
RESUME_FILE = "resume-state.pt"
# PSI contrasts sentence vectors; the temperature of common in-batch contrastive setups.
PSI_TEMPERATURE = 0.05


@dataclass
class FinetuneSummary:
    output_dir: str
    steps: int
    pairs_seen: int
    pairs_too_long: int
    seconds: float
    device: str
    final_loss: float | None

    def __str__(self) -> str:
        loss = "no loss (no pair fit)" if self.final_loss is None else f"loss {self.final_loss:.4f} (moving average)"
        return (f"fine-tuned {self.steps} steps on {self.pairs_seen} pairs ({self.pairs_too_long} "
                f"longer than the token limit skipped) in {self.seconds / 60:.1f} min on {self.device}; "
                f"{loss}; model in {self.output_dir}")


def default_learning_rate(model: str | None) -> float:
    """Fine-tuning's peak learning rate when none is given: lower for the alignment-tuned default.

    Parameters
    ----------
    model : str or None
        The ``--model`` fine-tuning starts from.
    """
    return TUNED_LEARNING_RATE if names_tuned_default(model) else LEARNING_RATE


def finetune(src: str, tgt: str, output_dir: str, **options) -> FinetuneSummary:
    """Fine-tune an encoder on unlabelled parallel sentences so that it aligns words better.

    The blocks up to the alignment layer are trained with the self-training objective
    (:func:`~wordalign.train.objectives.self_training_loss`) on the word similarity matrix that
    alignment uses, optionally with parallel sentence identification
    (:func:`~wordalign.train.objectives.parallel_identification_loss`). Blocks above the layer
    are never used for alignment and are dropped; the word-embedding matrix stays frozen.

    Parameters
    ----------
    src, tgt : str
        Line-aligned parallel files (raw text; see ``split``).
    output_dir : str
        Checkpoint directory to create: a Hugging Face model directory that ``--model`` loads,
        with ``wordalign.json`` describing the run. It appears only when training is complete;
        until then the directory holds a resumable state.
    **options
        The fields of :class:`FinetuneConfig`: ``model`` (``None`` for the embedded encoder,
        or a local model directory), ``layer`` (the model's default when ``None``),
        ``objectives`` (some of ``so``, self-training, and ``psi``, parallel sentence
        identification), ``split`` (``punct`` splits raw text into words and punctuation,
        ``space`` for pre-tokenized text), ``max_pairs``, ``epochs``, ``batch_size``,
        ``learning_rate`` (:func:`default_learning_rate` when ``None``), ``warmup`` (AdamW with
        linear warm-up over that share of steps and linear decay), ``max_tokens`` (pairs with a
        longer side are skipped and counted),
        ``level`` (``word``: the objectives compare word vectors, the mean of their subwords;
        ``subword``: subword vectors, the matrix ``wordalign align --level subword`` reads), ``guide`` and ``guide_params`` (the extractor whose links on the model's own
        similarity matrix, without dropout, become the self-training targets;
        ``guide_params`` update :data:`GUIDE_DEFAULTS`), ``seed`` (equal settings, equal
        model), ``device``, ``dtype`` (used as autocast), ``save_every`` (steps between
        resumable states), ``resume`` (continue from the state in ``output_dir``; the result
        equals an uninterrupted run's), ``quiet``.

    References
    ----------
    Dou & Neubig (2021). Word Alignment by Fine-tuning Embeddings on Parallel Corpora. EACL.
    """
    import torch

    config = build(FinetuneConfig, options)
    if STDIN in (src, tgt):
        raise ConfigError("fine-tuning reads its files several times: give file paths, not standard input")
    rate = default_learning_rate(config.model) if config.learning_rate is None else config.learning_rate
    config = replace(config, guide_params={**GUIDE_DEFAULTS.get(config.guide, {}), **(config.guide_params or {})},
                     learning_rate=rate)
    target_links = bind(config.guide, config.guide_params)  # checked before anything loads
    if config.level not in LEVELS:
        raise ConfigError(f"level must be one of {', '.join(LEVELS)}, not {config.level!r}")
    out = Path(output_dir)
    _check_output_dir(out, config.resume)
    corpus = ParallelCorpus(src, tgt, split=config.split, max_pairs=config.max_pairs)
    torch.manual_seed(config.seed)  # before loading: weights the checkpoint lacks (a pooler) start seeded too
    encoder = WordEncoder(config.model, layer=config.layer, device=config.device, dtype=config.dtype,
                          trainable=True)
    if config.max_tokens > encoder.max_length:
        raise ConfigError(f"max_tokens {config.max_tokens} exceeds the encoder's limit of {encoder.max_length}")
    if encoder.mapper.bare_metaspace_id is not None:  # SentencePiece pieces are word-like; WordPiece's are not
        corpus.split_unspaced_with(encoder.mapper.word_pieces)
    out.mkdir(parents=True, exist_ok=True)
    # The embedded encoders by name: their cache path is this machine's.
    model_name = (config.model or EMBEDDED) if names_embedded(config.model) else encoder.source
    record = {**recorded(replace(config, model=model_name, layer=encoder.layer,
                                 device=encoder.device.split(":")[0], dtype=encoder.runtime.dtype_name)),
              "src": str(Path(src).resolve()), "tgt": str(Path(tgt).resolve()),
              "temperature": get_extractor("softmax").defaults["temperature"]}
    trainer = _Trainer(encoder, config, record, corpus, target_links)
    start_step = trainer.load_state(out / RESUME_FILE) if config.resume else 0
    total = trainer.total_steps
    log.info("fine-tuning on %d pairs (%d with an empty side skipped), %d steps, on %s",
             corpus.n_pairs, corpus.n_empty, total, encoder.device)
    started = time.perf_counter() - trainer.seconds_before
    progress = tqdm(total=total, initial=start_step, desc="fine-tuning", unit="step",
                    disable=True if config.quiet else None, dynamic_ncols=True)
    for step, batch in enumerate(islice(trainer.batches(), start_step, None), start_step + 1):
        trainer.train_step(batch, step)
        progress.update()
        progress.set_postfix(loss=f"{trainer.average_loss:.4f}")
        if step % config.save_every == 0 and step < total:
            trainer.seconds_before = time.perf_counter() - started
            trainer.save_state(out / RESUME_FILE, step)
    progress.close()
    seconds = time.perf_counter() - started
    summary = FinetuneSummary(str(out), trainer.steps_done, trainer.pairs_seen, trainer.pairs_too_long,
                              seconds, encoder.device, None if math.isnan(trainer.average_loss) else trainer.average_loss)
    trainer.save_model(out, summary)
    return summary


class _Trainer:
    """The model, optimizer, data order and counters of one fine-tuning run."""

    def __init__(self, encoder: WordEncoder, config: FinetuneConfig, record: dict, corpus: ParallelCorpus, guide):
        self.encoder, self.config, self.record, self.corpus, self.guide = encoder, config, record, corpus, guide
        self.temperature = record["temperature"]
        self.model = encoder.model
        self.model.train()
        self.steps_per_epoch = math.ceil(corpus.n_pairs / config.batch_size)
        self.total_steps = self.steps_per_epoch * config.epochs
        self.trainable, self.optimizer, self.scheduler = optimizer_and_schedule(
            self.model, config.learning_rate, self.total_steps, config.warmup)
        self.steps_done = self.pairs_seen = self.pairs_too_long = 0
        self.average_loss = float("nan")  # until a batch has a loss
        self.seconds_before = 0.0

    def batches(self):
        """Tokenized batches of every epoch, in the seeded order (a pure function of the settings).

        Pairs are drawn ``BUCKET_BATCHES`` batches at a time, sorted by length and cut into
        batches whose order is then shuffled: every batch holds pairs of similar length, so
        little compute goes to padding, while the data order stays random.
        """
        mapper, size = self.encoder.mapper, self.config.batch_size
        for epoch in range(self.config.epochs):
            seed = self.config.seed * 1000 + epoch
            pairs, rng = self.corpus.shuffled(seed=seed), random.Random(seed)
            while chunk := list(islice(pairs, size * BUCKET_BATCHES)):
                tokenized = mapper([s for s, _ in chunk] + [t for _, t in chunk])
                n = len(chunk)
                pairs_of_chunk = [(tokenized[k], tokenized[n + k]) for k in range(n)]
                for batch in length_bucketed(pairs_of_chunk, size, lambda pair: max(map(_length, pair)), rng):
                    fitting = [pair for pair in batch if max(map(_length, pair)) <= self.config.max_tokens]
                    yield fitting, len(batch) - len(fitting)

    def train_step(self, batch, step: int) -> float:
        """One optimizer step on a batch; returns its loss."""
        import torch

        pairs, too_long = batch
        self.pairs_too_long += too_long
        self.pairs_seen += len(pairs)
        self.steps_done = step
        if not pairs:
            self.scheduler.step()
            return float("nan")
        targets = self._targets(pairs) if "so" in self.config.objectives else None
        src_vectors, tgt_vectors = self._vectors(pairs)
        loss = torch.zeros((), device=self.encoder.device)
        if targets is not None:
            sums, links = zip(*(self_training_loss(centered_cosine(s, t), target,
                                                   temperature=self.temperature)
                                for s, t, target in zip(src_vectors, tgt_vectors, targets)))
            loss = loss + torch.stack(sums).sum() / max(1, sum(links))
        if "co" in self.config.objectives:
            loss = loss + torch.stack([consistency_loss(centered_cosine(s, t), temperature=self.temperature)
                                       for s, t in zip(src_vectors, tgt_vectors)]).mean()
        if "psi" in self.config.objectives and len(pairs) > 1:
            loss = loss + parallel_identification_loss(
                torch.stack([w.mean(dim=0) for w in src_vectors]), torch.stack([w.mean(dim=0) for w in tgt_vectors]),
                temperature=PSI_TEMPERATURE)
        value = optimizer_step(loss, self.trainable, self.optimizer, self.scheduler)
        self.average_loss = moving_average(self.average_loss, value)
        return value

    def _targets(self, pairs) -> list:
        """The guide extractor's links for each pair, read off the current model without dropout.

        A separate pass without gradient in eval mode, as awesome-align computes its guides;
        the trained pass keeps dropout. Links read off the dropout pass itself are noisy
        targets: with them the fine-tuning benchmark gained 2.0 AER points on average
        (revision 7ec2f2c), with these 3.0 (README, "What fine-tuning buys").
        """
        import torch

        self.model.eval()
        try:
            with torch.no_grad():
                src_vectors, tgt_vectors = self._vectors(pairs)
        finally:
            self.model.train()
        return [torch.as_tensor(self.guide(centered_cosine(s, t).cpu().numpy().astype("float64")), device=s.device)
                for s, t in zip(src_vectors, tgt_vectors)]

    def _vectors(self, pairs):
        """Differentiable word (or, at ``level`` subword, subword) vectors at the alignment layer
        for both sides of every pair."""
        states = self.encoder.subword_states if self.config.level == "subword" else self.encoder.word_states
        vectors = states([side for pair in pairs for side in pair])
        return vectors[0::2], vectors[1::2]

    def save_state(self, path: Path, step: int) -> None:
        """Write a resumable state as one file, atomically: weights, optimizer, schedule, RNG, counters."""
        import torch

        trainable = {name: p.detach().cpu() for name, p in self.model.named_parameters() if p.requires_grad}
        cuda = self.encoder.device.startswith("cuda")
        state = {"settings": self.record, "step": step, "pairs_seen": self.pairs_seen,
                 "pairs_too_long": self.pairs_too_long, "average_loss": self.average_loss,
                 "seconds": self.seconds_before, "model": trainable, "optimizer": self.optimizer.state_dict(),
                 "scheduler": self.scheduler.state_dict(), "torch_rng": torch.get_rng_state(),
                 "cuda_rng": torch.cuda.get_rng_state(self.encoder.device) if cuda else None}
        staging = path.with_name(path.name + ".tmp")
        with open(staging, "wb") as handle:
            torch.save(state, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(staging, path)
        log.info("step %d: loss %.4f; resumable state saved", step, self.average_loss)

    def load_state(self, path: Path) -> int:
        """Restore a state saved by :meth:`save_state`; returns the step it was saved at."""
        import torch

        state = torch.load(path, map_location="cpu", weights_only=False)
        if state["settings"] != self.record:
            changed = sorted(k for k, v in self.record.items() if state["settings"].get(k) != v)
            raise ConfigError(f"--resume: the saved run used other settings ({', '.join(changed)})")
        missing, unexpected = self.model.load_state_dict(state["model"], strict=False)
        if unexpected or set(state["model"]) - {name for name, _ in self.model.named_parameters()}:
            raise ConfigError(f"--resume: {path} does not fit this model")
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        torch.set_rng_state(state["torch_rng"])
        if state["cuda_rng"] is not None:
            torch.cuda.set_rng_state(state["cuda_rng"], self.encoder.device)
        self.steps_done, self.pairs_seen = state["step"], state["pairs_seen"]
        self.pairs_too_long, self.average_loss = state["pairs_too_long"], state["average_loss"]
        self.seconds_before = state["seconds"]
        log.info("resuming at step %d of %d", state["step"], self.total_steps)
        return state["step"]

    def save_model(self, out: Path, summary: FinetuneSummary) -> None:
        """Write the model directory (see :func:`~wordalign.train.checkpoint.write_checkpoint`)."""
        self.model.eval()
        metadata = {"finetuned": self.record, "layer": self.record["layer"],
                    "result": asdict(summary)}
        write_checkpoint(out, self.model, self.encoder.mapper.tokenizer, metadata)
        (out / RESUME_FILE).unlink(missing_ok=True)


def _length(sentence) -> int:
    return len(sentence.prefix) + len(sentence.content) + len(sentence.suffix)


def _check_output_dir(out: Path, resume: bool) -> None:
    if out.exists() and not out.is_dir():
        raise ConfigError(f"{out} is a file; --output must be a directory to create")
    if (out / "config.json").exists():
        raise ConfigError(f"{out} already holds a finished model; choose another --output")
    if resume:
        if not (out / RESUME_FILE).is_file():
            raise ConfigError(f"--resume: no resumable state in {out}")
        return
    if (out / RESUME_FILE).exists():
        raise ConfigError(f"{out} holds an interrupted run: add --resume to continue it, or choose another --output")
    if out.exists() and any(out.iterdir()):
        raise ConfigError(f"{out} exists and is not empty; choose another --output")
