"""Alignment beyond one machine: Ray Data actors (``pip install 'wordalign[ray]'``).

:func:`align_dataset` (:mod:`~wordalign.distributed.dataset`) aligns a Ray Dataset's pairs;
:func:`align_on_ray` (``wordalign align --engine ray``, :mod:`~wordalign.distributed.engine`)
aligns files into a folder of blocks that :func:`merge_blocks` (``wordalign merge``) joins.
Importing this package imports neither Ray nor torch: the names load on first use.
"""

from __future__ import annotations

from importlib import import_module

_LAZY = {"align_dataset": "dataset", "project_dataset": "dataset", "align_on_ray": "engine",
         "merge_blocks": "merge"}
__all__ = list(_LAZY)


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{_LAZY[name]}", __name__), name)
