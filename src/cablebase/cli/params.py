"""Parameter types of the commands: a value is refused as the command line's usage error
(status 2, one sentence) before any work, never found unusable halfway (a traceback, or
"internal error")."""

from __future__ import annotations

import click

# A row id of either store (releases, drafts, deliveries): a signed 64-bit integer.
ROW_ID = click.IntRange(1, (1 << 63) - 1)


def _no_nul(value: str, what: str, param, ctx) -> None:  # type: ignore[no-untyped-def]
    if "\x00" in value:
        raise click.BadParameter(f"{what} holds no NUL byte: {value!r}", ctx, param)


class ArchiveLocation(click.Path):
    """An archive: a SQLite file's name or a PostgreSQL URL, without a NUL byte (neither a
    system call nor libpq takes one)."""

    def __init__(self) -> None:
        super().__init__(dir_okay=False)

    def convert(self, value, param, ctx):  # type: ignore[no-untyped-def]
        if isinstance(value, str):
            _no_nul(value, "an archive's location", param, ctx)
        return super().convert(value, param, ctx)


class FileName(click.ParamType):
    """A file or folder name as typed: not empty (which would read as the current folder)
    and without a NUL byte (no system call takes one); "-" (stdin, stdout) passes.  A lone
    surrogate (invalid UTF-8 on the command line) is a real name's byte and passes too."""

    name = "file"

    def convert(self, value, param, ctx):  # type: ignore[no-untyped-def]
        if not isinstance(value, str):
            return value
        if not value:
            self.fail("an empty file name", param, ctx)
        _no_nul(value, "a file name", param, ctx)
        return value
