"""Per-setting extractor defaults."""

from __future__ import annotations

import pytest

from wordalign.errors import ConfigError
from wordalign.extractors import get_extractor
from wordalign.align.presets import DEFAULT_EXTRACTOR, SETTING_PARAMS, SETTINGS, resolve_extractor


def test_every_setting_names_registered_extractors_and_parameters():
    for setting in SETTINGS:
        get_extractor(DEFAULT_EXTRACTOR[setting])
        for name, params in SETTING_PARAMS[setting].items():
            assert set(params) <= set(get_extractor(name).defaults), (setting, name)


def test_caller_parameters_override_the_setting():
    name, params = resolve_extractor("monolingual", None, {"threshold": 0.9})
    assert name == DEFAULT_EXTRACTOR["monolingual"] and params["threshold"] == 0.9
    assert resolve_extractor("bilingual", "argmax", None) == ("argmax", {})


def test_unknown_setting():
    with pytest.raises(ConfigError, match="setting must be one of bilingual, monolingual"):
        resolve_extractor("trilingual", None, None)


def test_shipped_ot_parameters_are_the_ones_the_dev_sweep_chose():
    import json
    from pathlib import Path

    sweep = Path(__file__).resolve().parent.parent / "benchmarks" / "results" / "sweep_ot.json"
    chosen_per_setting = json.loads(sweep.read_text())["chosen"]
    assert set(chosen_per_setting) == set(SETTINGS)
    for setting, chosen in chosen_per_setting.items():
        for name, params in chosen.items():
            shipped = get_extractor(name).defaults | SETTING_PARAMS[setting].get(name, {})
            assert shipped == params, (setting, name)
