"""What one input may make ingest read, hold or expand, and the count kept against it.

Decompression bombs and runaway inputs are refused as they stream — never after they have
been expanded — with a :class:`LimitExceeded` whose message names the flag to change
(``refused (--max-ratio 200): ...``).  The defaults are documented in the README.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

__all__ = ["RATIO_FLOOR", "Budget", "LimitExceeded", "Limits", "human_size", "parse_size"]

RATIO_FLOOR = 64 << 20  # the expansion ratio is judged only past this many bytes

_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


MAX_SIZE = (1 << 63) - 1  # a byte count a file, a stream or a database column can hold


def parse_size(text: str) -> int:
    """`32M`, `8G`, `4096`, `1.5g` -> bytes (binary units; a trailing `B`/`iB` is allowed)."""
    t = text.strip().lower().removesuffix("ib").removesuffix("b")
    unit = t[-1:] if t[-1:] in _UNITS and t[-1:] else ""
    try:
        value = float(t[: len(t) - len(unit)] if unit else t)
    except ValueError:
        raise ValueError(f"not a size: {text!r} (examples: 4096, 32M, 8G)") from None
    if value < 0:
        raise ValueError(f"not a size: {text!r} (negative)")
    size = value * _UNITS[unit]
    if not size <= MAX_SIZE:  # NaN and infinity included (float("1e400"), "nan")
        raise ValueError(f"not a size: {text!r} (at most {human_size(MAX_SIZE)})")
    return int(size)


def human_size(n: int) -> str:
    """1073741824 -> '1 GiB' (one decimal at most)."""
    for unit, label in ((1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")):
        if n >= unit:
            return f"{n / unit:.1f}".removesuffix(".0") + f" {label}"
    return f"{n} bytes"


@dataclass(slots=True, frozen=True)
class Limits:
    """What one input may make ingest read, hold or expand (README: "Limits").

    Generous for real cables — the longest cable of the 2011 release is well under 1 MB,
    the full cables.csv about 1.7 GB and its compression ratio about 4 — and small enough
    that no input drives memory or time without bound.  Each limit has a flag of
    ``cablebase ingest`` and an environment variable (the field name upper-cased after
    ``CABLEBASE_``, e.g. ``CABLEBASE_MAX_ITEM_SIZE=64M``).
    """

    max_item_size: int = 32 << 20  # one document or cables.csv row, held in memory to parse
    max_expanded: int = 8 << 30  # decompressed bytes of one compressed stream or member
    max_archive_size: int = 32 << 30  # decompressed bytes of one input file, all layers
    max_members: int = 1_000_000  # members of one input file's archives, nested ones too
    max_depth: int = 8  # archives and compressed streams inside each other
    max_ratio: int = 200  # decompressed / compressed bytes, past the first 64 MiB

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: int | None) -> Limits:
        """Defaults, then $CABLEBASE_MAX_* variables, then explicit (non-None) overrides."""
        env = os.environ if environ is None else environ
        values: dict[str, int] = {}
        for name in cls.__dataclass_fields__:
            raw = env.get(f"CABLEBASE_{name.upper()}")
            if raw:
                try:
                    values[name] = parse_size(raw)
                except ValueError as exc:
                    raise ValueError(f"CABLEBASE_{name.upper()}: {exc}") from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


class LimitExceeded(Exception):
    """An input breaks one of the Limits; the message is the Failure reason."""

    def __init__(self, flag: str, what: str) -> None:
        super().__init__(f"refused ({flag}): {what}")


class Budget:
    """Members and expanded bytes of one input file so far, against its Limits."""

    def __init__(self, limits: Limits, *, raw: bool = False) -> None:
        self.limits = limits
        self.raw = raw  # the walk hands out items as bytes (sources.Raw), not yet unwrapped
        self.members = 0
        self.expanded = 0

    def member(self) -> None:
        self.members += 1
        if self.members > self.limits.max_members:
            n = self.limits.max_members
            raise LimitExceeded(
                f"--max-members {n:,}", f"more than {n:,} archive members in one input"
            )

    def expanded_by(self, produced: int, consumed: int | None) -> None:
        """Check one decompression: ``produced`` bytes out of ``consumed`` compressed ones
        (None: unknown, no ratio).  Called as bytes come out, so nothing expands far past
        a limit before it is refused."""
        limits = self.limits
        if produced > limits.max_expanded:
            cap = human_size(limits.max_expanded)
            raise LimitExceeded(f"--max-expanded {cap}", f"expands to more than {cap}")
        if (
            consumed is not None
            and produced > RATIO_FLOOR
            and produced > limits.max_ratio * max(consumed, 1)
        ):
            raise LimitExceeded(
                f"--max-ratio {limits.max_ratio}",
                f"expands more than {limits.max_ratio}x its compressed size "
                f"({human_size(consumed)} to over {human_size(produced)}): "
                "a decompression bomb?",
            )

    def grow(self, n: int) -> None:
        self.expanded += n
        if self.expanded > self.limits.max_archive_size:
            cap = human_size(self.limits.max_archive_size)
            raise LimitExceeded(
                f"--max-archive-size {cap}", f"one input expands to more than {cap}"
            )
