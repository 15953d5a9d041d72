"""Extractor defaults per alignment setting, chosen on dev data only.

``bilingual`` (translations) was tuned on the train/dev splits of the five standard pairs
(benchmarks/sweep.py, benchmarks/sweep_ot.py, benchmarks/sweep_softmax.py); ``monolingual``
(paraphrases, simplifications, entailment pairs: many words without a counterpart) on the dev
splits of the four monolingual sets (benchmarks/sweep_ot.py). A setting lists the parameters
in which it differs from an extractor's registered defaults.
"""

from __future__ import annotations

from ..errors import ConfigError

SETTINGS = ("bilingual", "monolingual")
DEFAULT_EXTRACTOR = {"bilingual": "softmax", "monolingual": "ot-unbalanced"}
# What the extractor reads (see SimilarityScorer): the bilingual choice is the tuned default
# encoder's (benchmarks/choose_defaults.py); the monolingual one was tuned on word similarities.
DEFAULT_LEVEL = {"bilingual": "subword", "monolingual": "word"}
# The encoder when none is given. The alignment-tuned default was trained on translations; on
# the monolingual sets it lowered F1 and null-alignment F1 (MSR-RTE F1 by about 5 points,
# benchmarks/tuned_default.py), so paraphrases keep the encoder before tuning.
DEFAULT_MODEL = {"bilingual": "embedded", "monolingual": "embedded-base"}
# Span-prediction probabilities are read by a threshold, whatever the setting.
SPAN_EXTRACTOR = "threshold"
SETTING_PARAMS: dict[str, dict[str, dict]] = {
    # The distortion prior is alignment's alone: fine-tuning's guide (also softmax) was tuned,
    # and the shipped delta trained, with the registered default, no prior.
    "bilingual": {"softmax": {"distortion": 0.2}},
    "monolingual": {
        "ot-balanced": {"distortion": 0.0, "links": "mutual", "threshold": 0.7},
        "ot-partial": {"marginals": "norm", "links": "mutual", "threshold": 0.05},
        "ot-unbalanced": {"links": "mutual", "threshold": 0.3},
    },
}


def setting_model(setting: str, model: str | None) -> str:
    """The encoder: the caller's, else the setting's (:data:`DEFAULT_MODEL`)."""
    check_setting(setting)
    return DEFAULT_MODEL[setting] if model is None else model


def check_setting(setting: str) -> str:
    if setting not in SETTINGS:
        raise ConfigError(f"setting must be one of {', '.join(SETTINGS)}, not {setting!r}")
    return setting


def resolve_level(setting: str, level: str | None, span: bool = False) -> str:
    """The level the extractor reads: the caller's, else the setting's (words for span models)."""
    return level or ("word" if span else DEFAULT_LEVEL[setting])


def resolve_extractor(setting: str, extractor: str | None, params: dict | None,
                      span: bool = False) -> tuple[str, dict]:
    """The extractor name and parameters to use: the setting's (or the span scorer's),
    overridden by the caller's."""
    check_setting(setting)
    if span:
        return extractor or SPAN_EXTRACTOR, dict(params or {})
    name = extractor or DEFAULT_EXTRACTOR[setting]
    return name, {**SETTING_PARAMS[setting].get(name, {}), **(params or {})}
