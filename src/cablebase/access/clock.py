"""The day declassification dates are judged on, when nothing else names one.

The web app is given a clock of its own (`create_app(clock=...)`); the command line and the
library read the wall clock's UTC day here, one function for both, so a run that must judge
every command on one day (a test spanning midnight) pins this, not each caller.
"""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The wall clock, in UTC."""
    return datetime.now(UTC)


def today() -> str:
    """The wall clock's UTC day, as ISO `YYYY-MM-DD` (how declassification dates are stored)."""
    return now().date().isoformat()
