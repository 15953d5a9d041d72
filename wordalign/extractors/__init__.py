"""Alignment extractors: pure functions from a similarity matrix to a boolean link matrix.

:data:`EXTRACTORS` is the table of the built-in ones; adding an extractor is one new module
and one line here. :func:`register` adds one at run time (a plugin of your own).
"""

from .argmax import argmax
from .itermax import itermax
from .match import match
from .ot import ot_balanced, ot_partial, ot_unbalanced
from .registry import ExtractorInfo, available, bind, get_extractor, register
from .softmax import softmax_threshold
from .threshold import threshold_links

EXTRACTORS = {
    "argmax": argmax,
    "itermax": itermax,
    "match": match,
    "softmax": softmax_threshold,
    "ot-balanced": ot_balanced,
    "ot-partial": ot_partial,
    "ot-unbalanced": ot_unbalanced,
    "threshold": threshold_links,
}
for _name, _function in EXTRACTORS.items():
    register(_name)(_function)

__all__ = ["EXTRACTORS", "ExtractorInfo", "available", "bind", "get_extractor", "register"]
