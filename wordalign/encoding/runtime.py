"""Where and in what precision a model runs: device, dtype, autocast, batch size, length limit."""

from __future__ import annotations

from contextlib import contextmanager, nullcontext
from dataclasses import dataclass

from ..errors import ConfigError
from ..options import option

DTYPES = ("auto", "float32", "bfloat16", "float16")


def resolve_device(device: str) -> str:
    """``auto`` → ``cuda`` when a GPU is visible, else ``cpu``; anything else is checked."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError(f"--device {device}: no CUDA GPU is visible to torch")
    if device != "cpu" and not device.startswith("cuda"):
        raise ConfigError(f"--device must be auto, cpu or cuda[:N], not {device!r}")
    return device


def cpu_has_native_bfloat16() -> bool:
    """Whether this CPU computes bfloat16 natively (AVX512-BF16 or AMX)."""
    import torch

    probes = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(getattr(torch.cpu, probe, lambda: False)() for probe in probes)


def resolve_dtype(dtype: str, device: str):
    """Map a ``--dtype`` name to the torch dtype the forward pass runs in.

    ``auto`` is bfloat16 autocast on a CPU with native bfloat16, where benchmarks/dtype.py
    measured it 1.7-1.9x faster than float32 with AER within 0.06 points on all five standard
    sets; float32 elsewhere (on GPUs it has not been measured yet).
    """
    import torch

    if dtype not in DTYPES:
        raise ConfigError(f"--dtype must be one of {', '.join(DTYPES)}, not {dtype!r}")
    if dtype == "float16" and device == "cpu":
        raise ConfigError("--dtype float16 needs a GPU; use bfloat16 on CPU")
    if dtype == "auto":
        return torch.bfloat16 if device == "cpu" and cpu_has_native_bfloat16() else torch.float32
    return {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[dtype]


def autocast(device: str, dtype):
    """Autocast to ``dtype`` on ``device`` (``cpu``, ``cuda:N``); a no-op context for float32."""
    import torch

    if dtype == torch.float32:
        return nullcontext()
    return torch.autocast(device_type=device.split(":")[0], dtype=dtype)


def sequence_limit(tokenizer, config, max_length: int | None) -> int:
    """The longest input, special tokens included: ``max_length`` capped by the model's limit."""
    if max_length is not None and max_length < 1:
        raise ConfigError(f"max_length must be at least 1, not {max_length}")
    limit = min(getattr(tokenizer, "model_max_length", 512) or 512,
                getattr(config, "max_position_embeddings", 512) or 512)
    return min(max_length or limit, limit)


@dataclass(frozen=True)
class RuntimeOptions:
    """Where models run: the options every command that runs a model shares."""

    device: str = option("auto", "auto | cpu | cuda[:N].")
    dtype: str = option("auto", "auto | float32 | bfloat16 | float16 (float16 on GPUs; training refuses it).")


@dataclass(frozen=True)
class Runtime:
    """A resolved device and dtype, and the batch size of forward passes.

    Parameters
    ----------
    device : str
        ``cpu`` or ``cuda[:N]`` (see :func:`resolve_device`).
    dtype : torch.dtype
        What forward passes autocast to (see :func:`resolve_dtype`).
    batch_size : int
        Sequences per forward pass.
    """

    device: str
    dtype: object
    batch_size: int

    @classmethod
    def resolve(cls, device: str = "auto", dtype: str = "auto", batch_size: int = 32) -> Runtime:
        """Check and resolve ``--device``, ``--dtype`` and ``--batch-size``."""
        if batch_size < 1:
            raise ConfigError("batch_size must be at least 1")
        resolved = resolve_device(device)
        return cls(resolved, resolve_dtype(dtype, resolved), batch_size)

    @property
    def dtype_name(self) -> str:
        """``float32``, ``bfloat16`` or ``float16``."""
        return str(self.dtype).removeprefix("torch.")

    def autocast(self):
        """Autocast to :attr:`dtype` (training uses it too); a no-op context for float32."""
        return autocast(self.device, self.dtype)

    @contextmanager
    def inference(self):
        """Context for forward passes: no autograd, autocast to :attr:`dtype`."""
        import torch

        with torch.inference_mode(), self.autocast():
            yield
