"""`cablebase draft …`: the drafting desk on the command line.

    cablebase draft check FILE [--json] [--date YYYY-MM-DD] [--archive DB] [--refids FILE]

Exit status: 0 when the draft has no error (warnings allowed), 1 when it has errors, 2 when
the file cannot be read as a draft.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import sys
from collections.abc import Callable

import click

__all__ = ["COMMANDS", "draft"]


@click.group()
def draft() -> None:
    """Write cables: check a draft against the drafting rules (docs/drafting.md)."""


def _unreadable(message: str) -> click.ClickException:
    e = click.ClickException(message)
    e.exit_code = 2
    return e


def _resolver(archive: str | None, refids: str | None) -> Callable[[str], bool] | None:
    if refids:
        opener = gzip.open if refids.endswith(".gz") else open
        try:
            with opener(refids, "rt", encoding="utf-8", errors="replace") as f:
                ids = {line.split(",", 1)[0].strip().upper() for line in f if line.strip()}
        except OSError as e:
            raise _unreadable(f"cannot read {refids}: {e.strerror or e}") from None
        return lambda rid: rid.upper() in ids
    if archive:
        from pathlib import Path

        from cablebase.archive.api import Archive

        if not Path(archive).exists():
            raise _unreadable(f"no archive at {archive}")
        arch = Archive.open(archive, readonly=True, create=False)
        # what this reader may see: a cable withheld from them resolves as absent
        return lambda rid: arch.get(rid) is not None
    return None


@draft.command("check")
@click.argument("path")
@click.option("--json", "as_json", is_flag=True, help="Findings as JSON.")
@click.option(
    "--date",
    "on",
    default=None,
    metavar="YYYY-MM-DD",
    help="Judge the draft on this day (default: its DTG, or today).",
)
@click.option("--archive", default=None, help="Resolve REF items in this archive.")
@click.option("--refids", default=None, help="Resolve REF items in a list of ids (csv[.gz]).")
def check_command(
    path: str, as_json: bool, on: str | None, archive: str | None, refids: str | None
) -> None:
    """Check the draft in PATH (telegram text, .yaml/.yml or .json; - for text on stdin)."""
    from cablebase.drafting.check import StructuredError, check, load_draft
    from cablebase.drafting.rules import Context

    day = None
    if on:
        try:
            day = dt.date.fromisoformat(on)
        except ValueError:
            raise click.BadParameter(f"not a date: {on!r}", param_hint="--date") from None
    try:
        if path == "-":
            d = load_draft("-", date=day, text=sys.stdin.read())
        else:
            d = load_draft(path, date=day)
    except StructuredError as e:
        raise _unreadable(f"{path}: {e}") from None
    except OSError as e:
        raise _unreadable(f"cannot read {path}: {e.strerror or e}") from None
    findings = check(d, Context(resolve=_resolver(archive, refids)))
    errors = sum(f.severity == "error" for f in findings)
    warnings = sum(f.severity == "warning" for f in findings)
    if as_json:
        out = {
            "path": path,
            "date": d.date.isoformat(),
            "errors": errors,
            "warnings": warnings,
            "findings": [f.to_dict() for f in findings],
        }
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        for f in findings:
            where = f"{path}:{f.line}" if f.line else path
            field = f" [{f.field}]" if f.field else ""
            click.echo(f"{where}:{field} {f.severity} {f.rule}: {f.message}")
            if f.fix:
                click.echo(f"    fix: {f.fix}")
        click.echo(f"{path}: {errors} errors, {warnings} warnings", err=True)
    sys.exit(1 if errors else 0)


COMMANDS: list = [draft]
