"""Delivery to outside systems: an adapter takes one delivery and hands it over, idempotently
(the same idempotency key twice is one hand-over), or raises.

The inbox itself needs no adapter: a delivery is in its addressee's inbox once its row is
`delivered`.  One outside adapter is implemented, a directory drop of the telegram form (what
a mail or message gateway watching a folder would pick up); a real gateway (a webhook, AMHS)
is another class with the same `deliver`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Protocol

from cablebase.dispatch.queue import Item
from cablebase.record import Cable

__all__ = ["Adapter", "DeliveryError", "DirectoryDrop"]


class DeliveryError(Exception):
    """A delivery that failed; `permanent`: retrying cannot help (dead letter at once)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Adapter(Protocol):
    name: str

    def deliver(self, item: Item, cable: Cable, telegram: str) -> bool:
        """Hand the delivery over; True when this call made it, False when it had been made
        before (the idempotency key was seen)."""
        ...


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe(name: str) -> str:
    return _UNSAFE.sub("_", name).strip("._") or "_"


class DirectoryDrop:
    """ROOT/ADDRESSEE/REFERENCE_ID.txt, the telegram as render.to_telegram writes it.

    Exactly once: the text is written to a temporary file and hard-linked to its final name,
    which fails when the name exists: a delivery made before a crash is found, never made
    again, and a reader of the folder never sees half a file.  Every hand-over made is
    appended to ROOT/journal.log (key, one line)."""

    name = "drop"

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._dirs: set[str] = set()

    def path(self, item: Item) -> Path:
        return self.root / safe(item.addressee) / f"{safe(item.reference_id)}.txt"

    def deliver(self, item: Item, cable: Cable, telegram: str) -> bool:
        final = self.path(item)
        if final.parent.name not in self._dirs:
            final.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(final.parent.name)
        if final.exists():
            return False
        tmp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
        try:
            tmp.write_text(telegram, encoding="utf-8")
            try:
                os.link(tmp, final)
            except FileExistsError:
                return False
        except OSError as e:
            raise DeliveryError(f"drop {final}: {e.strerror or e}") from None
        finally:
            tmp.unlink(missing_ok=True)
        with open(self.root / "journal.log", "a", encoding="utf-8") as j:
            j.write(item.key + "\n")
        return True
