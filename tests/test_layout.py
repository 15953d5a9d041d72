"""The package's architecture, checked: arrows point down, light commands stay light, options are declared once."""

from __future__ import annotations

import ast
import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

import wordalign

PACKAGE = Path(wordalign.__file__).parent
INFERENCE = ("io", "segment", "encoding", "extractors", "align", "projection", "display", "distributed",
             "symmetrize.py")


def imported_modules(path: Path) -> set[str]:
    """Absolute names of the wordalign modules a file imports (relative imports resolved)."""
    package = ".".join(("wordalign", *path.relative_to(PACKAGE).parent.parts))
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            names.update([module] + [f"{module}.{alias.name}" for alias in node.names])
    return {name for name in names if name.startswith("wordalign")}


@pytest.mark.parametrize("room", INFERENCE)
def test_inference_never_imports_training_or_the_cli(room):
    paths = [PACKAGE / room] if room.endswith(".py") else sorted((PACKAGE / room).rglob("*.py"))
    for path in paths:
        upward = {name for name in imported_modules(path)
                  if name.startswith(("wordalign.train", "wordalign.cli"))}
        assert not upward, f"{path.relative_to(PACKAGE)} imports {sorted(upward)}"


def test_the_import_check_sees_relative_imports():
    assert "wordalign.train.loop" in imported_modules(PACKAGE / "train" / "finetune.py")
    assert "wordalign.errors" in imported_modules(PACKAGE / "encoding" / "models" / "embedded.py")


@pytest.mark.parametrize("argv", [["--help"], ["extractors"], ["score", "GOLD", "GOLD"], ["align", "--help"]])
def test_light_commands_import_neither_torch_nor_transformers(argv):
    gold = Path(__file__).parent / "golden" / "sample.gold"
    argv = [str(gold) if arg == "GOLD" else arg for arg in argv]
    code = ("import sys, contextlib, io\nfrom wordalign.cli import run\n"
            f"with contextlib.redirect_stdout(io.StringIO()): code = run({argv!r})\n"
            "print(code, 'torch' in sys.modules, 'transformers' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["0", "False", "False"], result.stderr


def test_importing_the_package_loads_nothing_heavy_until_a_name_is_used():
    code = ("import sys, wordalign\nbefore = 'numpy' in sys.modules\nwordalign.Aligner\n"
            "print(before, 'numpy' in sys.modules, 'torch' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "True", "False"]
    assert set(wordalign.__all__) <= set(dir(wordalign))
    with pytest.raises(AttributeError):
        wordalign.no_such_name  # noqa: B018


def cli_options(command: str) -> set[str]:
    """The parameter names of a CLI command, as typer sees them."""
    import typer.main

    from wordalign.cli import app

    click_command = typer.main.get_command(app).commands[command]
    return {param.name for param in click_command.params}


def test_each_command_takes_its_options_from_its_config():
    from wordalign import AlignConfig
    from wordalign.align.config import RunOptions
    from wordalign.distributed.config import EngineOptions
    from wordalign.encoding.runtime import RuntimeOptions
    from wordalign.evaluation import ScoreOptions
    from wordalign.display.show import ShowOptions
    from wordalign.projection.config import ProjectConfig
    from wordalign.symmetrize import SymmetrizeOptions
    from wordalign.train.config import FinetuneConfig, SpanTrainConfig

    def fields(*classes):
        return {field.name for config in classes for field in dataclasses.fields(config)}

    assert cli_options("align") == fields(AlignConfig, RunOptions, EngineOptions) | {"inputs", "manifest"}
    assert cli_options("score") == fields(ScoreOptions) | {"gold", "hyp", "as_json"}
    assert cli_options("finetune") == fields(FinetuneConfig) | {"src", "tgt", "output"}
    assert cli_options("train-span") == fields(SpanTrainConfig) | {"src", "tgt", "gold", "output"}
    assert cli_options("tune-span") == fields(RuntimeOptions) | {"checkpoint", "dev_src", "dev_tgt", "dev_gold"}
    assert cli_options("project") == fields(ProjectConfig, AlignConfig) | {"source", "target"}
    assert cli_options("symmetrize") == fields(SymmetrizeOptions) | {"forward", "reverse"}
    assert cli_options("show") == fields(ShowOptions, AlignConfig) | {"src", "tgt", "links"}


def test_unknown_keyword_options_are_config_errors(tmp_path):
    from wordalign import ConfigError, align_files, finetune, score_files

    with pytest.raises(ConfigError, match="unknown option extracter"):
        align_files("src.txt", "tgt.txt", extracter="argmax")
    with pytest.raises(ConfigError, match="unknown option epoch;"):
        finetune("src.txt", "tgt.txt", str(tmp_path / "m"), epoch=2)
    with pytest.raises(ConfigError, match="--tgt needs --src"):
        score_files("gold.txt", "hyp.txt", tgt="tgt.txt")


def test_checkpoint_records_are_the_configs_recorded_fields():
    from wordalign.options import recorded
    from wordalign.train.config import FinetuneConfig

    record = recorded(FinetuneConfig(guide_params={"threshold": 0.2}, objectives=("so", "psi")))
    assert "quiet" not in record and "resume" not in record and "save_every" not in record
    assert record["objectives"] == ["so", "psi"] and json.loads(json.dumps(record)) == record


def test_the_help_loads_neither_numpy_nor_the_trainers():
    code = ("import sys, contextlib, io\nfrom wordalign.cli import run\n"
            "with contextlib.redirect_stdout(io.StringIO()): run(['--help'])\n"
            "print('numpy' in sys.modules, 'wordalign.train.finetune' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]
