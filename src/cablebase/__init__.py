"""cablebase: read, store, search and render diplomatic cables.

The entry points, at the package root:

- ``parse_text``, ``parse_file``, ``iter_cables`` (each item a ``Cable`` or a ``Failure``):
  read cables from text, files, folders and archives;
- ``Archive``: an archive file (``Archive.open("cables.db")``) to search, count, facet and read.

They are imported on first use, so that ``import cablebase.record`` (the archive, the
renderer) does not load the grammar, nor ``import cablebase`` the archive.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cablebase.record import Cable

if TYPE_CHECKING:
    from cablebase.archive.api import Archive
    from cablebase.forms.sources import Failure
    from cablebase.parse import iter_cables, parse_file, parse_text

__all__ = ["Archive", "Cable", "Failure", "__version__", "iter_cables", "parse_file", "parse_text"]
__version__ = "0.1.0"

_LAZY = {
    "Archive": "cablebase.archive.api",
    "Failure": "cablebase.forms.sources",
    "iter_cables": "cablebase.parse",
    "parse_file": "cablebase.parse",
    "parse_text": "cablebase.parse",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'cablebase' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
