"""Alignment extractors: pure functions from a similarity matrix to a boolean link matrix.

Each module of this package registers its extractors with :func:`register`; adding an
extractor is adding one module.
"""

import importlib
import pkgutil

from .registry import ExtractorInfo, available, bind, get_extractor, register

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "registry":
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["ExtractorInfo", "available", "bind", "get_extractor", "register"]
