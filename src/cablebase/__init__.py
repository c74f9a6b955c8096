"""cablebase: read, store, search and render diplomatic cables."""

from cablebase.record import Cable

__all__ = ["Cable", "__version__"]
__version__ = "0.1.0"
