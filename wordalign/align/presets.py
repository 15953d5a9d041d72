"""Extractor defaults per alignment setting, chosen on dev data only.

``bilingual`` (translations) was tuned on the train/dev splits of the five standard pairs
(benchmarks/sweep.py, benchmarks/sweep_ot.py); ``monolingual`` (paraphrases, simplifications,
entailment pairs: many words without a counterpart) on the dev splits of the four
monolingual sets (benchmarks/sweep_ot.py). The registered defaults of every extractor are the
bilingual choices; a setting only lists what it changes.
"""

from __future__ import annotations

from ..errors import ConfigError

SETTINGS = ("bilingual", "monolingual")
DEFAULT_EXTRACTOR = {"bilingual": "softmax", "monolingual": "ot-unbalanced"}
# Span-prediction probabilities are read by a threshold, whatever the setting.
SPAN_EXTRACTOR = "threshold"
SETTING_PARAMS: dict[str, dict[str, dict]] = {
    "bilingual": {},
    "monolingual": {
        "ot-balanced": {"distortion": 0.0, "links": "mutual", "threshold": 0.7},
        "ot-partial": {"marginals": "norm", "links": "mutual", "threshold": 0.05},
        "ot-unbalanced": {"links": "mutual", "threshold": 0.3},
    },
}


def resolve_extractor(setting: str, extractor: str | None, params: dict | None,
                      span: bool = False) -> tuple[str, dict]:
    """The extractor name and parameters to use: the setting's (or the span scorer's),
    overridden by the caller's."""
    if setting not in SETTINGS:
        raise ConfigError(f"setting must be one of {', '.join(SETTINGS)}, not {setting!r}")
    if span:
        return extractor or SPAN_EXTRACTOR, dict(params or {})
    name = extractor or DEFAULT_EXTRACTOR[setting]
    return name, {**SETTING_PARAMS[setting].get(name, {}), **(params or {})}
