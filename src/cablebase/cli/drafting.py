"""`cablebase draft …`: the drafting desk on the command line.

    cablebase draft check FILE [--json] [--date YYYY-MM-DD] [--archive DB] [--refids FILE]
    cablebase draft new FILE | edit ID FILE | show ID [--version N] [--check] | list
                    [--archive DB] [--user U | --token T]
    cablebase draft rules [--json]
    cablebase draft submit ID [--office O...] | clear ID OFFICE | recall ID | queue
    cablebase draft release ID [--telegram] | desk add|remove|list|self-release ...
                    (these always name who acts: --user U | --token T)

Exit status: 0 when the draft has no error (warnings allowed), 1 when it has errors, 2 when
the file cannot be read as a draft.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import sys
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import click

from cablebase.cli.archive import archive_option
from cablebase.cli.identity import identity_options
from cablebase.cli.params import ArchiveLocation, FileName

__all__ = ["COMMANDS", "draft"]


@click.group()
def draft() -> None:
    """Write cables: check drafts against the rules, store them, clear and release them
    (docs/drafting.md)."""


def _unreadable(message: str) -> click.ClickException:
    e = click.ClickException(message)
    e.exit_code = 2
    return e


def _located(archive: str) -> bool:
    """Whether an archive may be there: a PostgreSQL database is asked when opened (one
    without an archive is an error then), a SQLite file must exist."""
    from cablebase.archive.store import is_dsn

    return is_dsn(archive) or Path(archive).exists()


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
        from cablebase.archive.api import Archive

        if not _located(archive):
            raise _unreadable(f"no archive at {archive}")
        arch = Archive.open(archive, readonly=True, create=False)
        # what this reader may see: a cable withheld from them resolves as absent
        return lambda rid: arch.get(rid) is not None
    return None


@draft.command("check")
@click.argument("path", type=FileName())
@click.option("--json", "as_json", is_flag=True, help="Findings as JSON.")
@click.option(
    "--date",
    "on",
    default=None,
    metavar="YYYY-MM-DD",
    help="Judge the draft on this day (default: its DTG, or today).",
)
@click.option(
    "--archive", type=ArchiveLocation(), default=None, help="Resolve REF items in this archive."
)
@click.option(
    "--refids", type=FileName(), default=None, help="Resolve REF items in a list of ids (csv[.gz])."
)
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


def _form_of(path: str, text: str) -> str:
    from cablebase.drafting.check import _STRUCTURED

    kind = _STRUCTURED.get(Path(path).suffix.lower())
    return kind or ("json" if text.lstrip().startswith("{") else "text")


def _read_file(path: str) -> tuple[str, str]:
    """(text, form) of a draft file ('-': text on stdin)."""
    if path == "-":
        return sys.stdin.read(), "text"
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as e:
        raise _unreadable(f"cannot read {path}: {e.strerror or e}") from None
    return text, _form_of(path, text)


@contextmanager
def _drafts(archive_path: str, user: str | None, token: str | None, *, create: bool):
    from cablebase.archive.api import Archive
    from cablebase.cli.identity import cli_access
    from cablebase.drafting.store import DraftError, DraftStore

    if not create and not _located(archive_path):
        raise click.ClickException(f"no archive at {archive_path}")
    with Archive.open(archive_path, create=create) as archive:
        access = cli_access(archive.db, user=user, token=token)
        try:
            yield DraftStore(archive.db, access)
        except DraftError as e:
            raise click.ClickException(str(e)) from None


def _summary(body: str, form: str) -> str:
    from cablebase.drafting.check import StructuredError, check
    from cablebase.drafting.store import read

    try:
        findings = check(read(body, form))
    except StructuredError as e:
        return f"not readable as a draft: {e}"
    errors = sum(f.severity == "error" for f in findings)
    warnings = sum(f.severity == "warning" for f in findings)
    return f"{errors} errors, {warnings} warnings"


@draft.command("new")
@click.argument("path", type=FileName())
@archive_option
@identity_options
def new_command(path: str, archive_path: str, user: str | None, token: str | None) -> None:
    """Store the draft in PATH (text, .yaml or .json; - for stdin) as a new draft."""
    from cablebase.drafting.check import StructuredError

    text, form = _read_file(path)
    with _drafts(archive_path, user, token, create=True) as store:
        try:
            d = store.new(text, form)
        except StructuredError as e:
            raise _unreadable(f"{path}: {e}") from None
    click.echo(f"draft {d.id} (version 1): {_summary(text, form)}")


@draft.command("edit")
@click.argument("draft_id", type=click.IntRange(min=1, max=2**62))
@click.argument("path", type=FileName())
@archive_option
@identity_options
def edit_command(
    draft_id: int, path: str, archive_path: str, user: str | None, token: str | None
) -> None:
    """Save PATH as the next version of draft DRAFT_ID (the earlier versions are kept)."""
    from cablebase.drafting.check import StructuredError

    text, form = _read_file(path)
    with _drafts(archive_path, user, token, create=False) as store:
        try:
            d = store.edit(draft_id, text, form)
        except StructuredError as e:
            raise _unreadable(f"{path}: {e}") from None
    click.echo(f"draft {d.id} (version {d.version}): {_summary(text, form)}")


@draft.command("show")
@click.argument("draft_id", type=click.IntRange(min=1, max=2**62))
@click.option("--version", type=click.IntRange(min=1, max=2**31), default=None)
@click.option("--json", "as_json", is_flag=True, help="The stored draft as JSON.")
@click.option("--check", "with_check", is_flag=True, help="Check it; exit 1 on errors.")
@archive_option
@identity_options
def show_command(
    draft_id: int,
    version: int | None,
    as_json: bool,
    with_check: bool,
    archive_path: str,
    user: str | None,
    token: str | None,
) -> None:
    """Show a stored draft as written (its latest version, or --version N)."""
    with _drafts(archive_path, user, token, create=False) as store:
        d = store.get(draft_id, version)
        history = store.versions(draft_id)
        released = store.released_as(draft_id)
    if as_json:
        out = d.to_dict() | {
            "versions": [{"version": v, "saved_by": who, "saved": at} for v, who, at in history],
            "release": released,
        }
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        click.echo(d.body.rstrip("\n"))
        click.echo(
            f"\n-- draft {d.id}, version {d.version} of {len(history)}, {d.state},"
            f" by {d.author or '-'}, saved {d.updated}"
            + (f", released as {released['reference_id']}" if released else "")
            + " --",
            err=True,
        )
    if with_check:
        from cablebase.drafting.check import check
        from cablebase.drafting.store import read

        findings = check(read(d.body, d.form))
        for f in findings:
            where = f"draft {d.id}:{f.line}" if f.line else f"draft {d.id}"
            click.echo(f"{where}: {f.severity} {f.rule}: {f.message}", err=True)
        sys.exit(1 if any(f.severity == "error" for f in findings) else 0)


@draft.command("list")
@click.option("--json", "as_json", is_flag=True)
@archive_option
@identity_options
def list_command(as_json: bool, archive_path: str, user: str | None, token: str | None) -> None:
    """The drafts this reader may see, latest first."""
    with _drafts(archive_path, user, token, create=False) as store:
        rows = store.list()
    if as_json:
        keep = ("id", "author", "post", "classification", "subject", "state", "version", "updated")
        click.echo(json.dumps([{k: getattr(d, k) for k in keep} for d in rows], indent=2))
        return
    for d in rows:
        level = (d.classification or "-")[:12]
        subject = (d.subject or "")[:50]
        click.echo(
            f"{d.id:>5}  v{d.version:<3} {d.updated[:10]}  {level:<12} {d.post or '-':<12} {subject}"
        )
    click.echo(f"{len(rows)} drafts", err=True)


@draft.command("rules")
@click.option("--json", "as_json", is_flag=True)
def rules_command(as_json: bool) -> None:
    """The rules a draft is checked against: id, severity, day in force, what, source."""
    from cablebase.drafting.rules import load

    rows = [
        {
            "id": r.id,
            "severity": r.severity,
            "since": r.since.isoformat() if r.since else None,
            "rule": r.summary,
            "source": r.source,
        }
        for r in load()
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        since = f" (from {row['since']})" if row["since"] else ""
        click.echo(f"{row['id']:<28} {row['severity']:<8} {row['rule']}{since}")
        click.echo(f"{'':<37}{row['source']}")


# -- clearance and release (drafting/desk.py) ----------------------------------------------


@contextmanager
def _desk(archive_path: str, user: str | None, token: str | None):
    """(Desk, Archive) for the authenticated account: the desk's steps always name who acts
    (the two-person rules), as the release commands do."""
    from cablebase.access.accounts import Accounts
    from cablebase.access.policy import Access
    from cablebase.access.settings import get_policy
    from cablebase.archive.api import Archive
    from cablebase.cli import access as access_commands
    from cablebase.cli.identity import PASSWORD_ENV, authenticated
    from cablebase.drafting.desk import Desk
    from cablebase.drafting.store import DraftError, DraftStore

    if not _located(archive_path):
        raise click.ClickException(f"no archive at {archive_path}")
    if not user and not token:
        raise click.ClickException(
            f"name who acts: --user NAME (password from ${PASSWORD_ENV} or a prompt) or --token"
        )
    with Archive.open(archive_path, create=False) as archive:
        actor = authenticated(Accounts(archive.db, hasher=access_commands.HASHER), user, token)
        access = Access(get_policy(archive.db), actor.viewer)
        try:
            yield (
                Desk(DraftStore(archive.db, access), archive.store, actor.viewer),
                (archive.with_access(access)),
            )
        except DraftError as e:
            raise click.ClickException(str(e)) from None


def _resolve(archive):  # type: ignore[no-untyped-def]
    """REF items resolve against the archive as the actor reads it."""
    return lambda rid: archive.get(rid) is not None


@draft.command("submit")
@click.argument("draft_id", type=click.IntRange(min=1, max=2**62))
@click.option(
    "--office",
    "offices",
    multiple=True,
    help="An office that must clear it (repeat; default: the offices the draft lists).",
)
@archive_option
@identity_options
def submit_command(
    draft_id: int, offices: tuple[str, ...], archive_path: str, user: str | None, token: str | None
) -> None:
    """Submit your draft for clearance (its current version; refused while it has errors)."""
    with _desk(archive_path, user, token) as (desk, archive):
        d = desk.submit(draft_id, list(offices) or None, resolve=_resolve(archive))
        waiting = [o for o, by, _ in desk.offices(draft_id) if not by]
    click.echo(
        f"draft {d.id} (version {d.version}) {d.state}"
        + (f": waiting on {', '.join(waiting)}" if waiting else ": ready for release")
    )


@draft.command("recall")
@click.argument("draft_id", type=click.IntRange(min=1, max=2**62))
@archive_option
@identity_options
def recall_command(draft_id: int, archive_path: str, user: str | None, token: str | None) -> None:
    """Take your submitted draft back to edit it (the clearances given are dropped)."""
    with _desk(archive_path, user, token) as (desk, _):
        d = desk.recall(draft_id)
    click.echo(f"draft {d.id} is a draft again")


@draft.command("clear")
@click.argument("draft_id", type=click.IntRange(min=1, max=2**62))
@click.argument("office")
@archive_option
@identity_options
def clear_command(
    draft_id: int, office: str, archive_path: str, user: str | None, token: str | None
) -> None:
    """Clear a submitted draft for OFFICE (you must belong to it, and not be its drafter)."""
    with _desk(archive_path, user, token) as (desk, _):
        d = desk.clear(draft_id, office)
        waiting = [o for o, by, _ in desk.offices(draft_id) if not by]
    click.echo(
        f"draft {d.id} cleared by {office.upper()}"
        + (f"; waiting on {', '.join(waiting)}" if waiting else "; ready for release")
    )


@draft.command("release")
@click.argument("draft_id", type=click.IntRange(min=1, max=2**62))
@click.option("--telegram", "show", is_flag=True, help="Print the released telegram.")
@archive_option
@identity_options
def release_command(
    draft_id: int, show: bool, archive_path: str, user: str | None, token: str | None
) -> None:
    """Release a cleared draft: the post's next serial, the DTG of now, stored as a cable."""
    from cablebase.drafting.released import telegram

    with _desk(archive_path, user, token) as (desk, archive):
        r = desk.release(draft_id, resolve=_resolve(archive))
        cable = archive.get(r.reference_id) if show else None
    click.echo(f"draft {draft_id} released as {r.reference_id} ({r.released})", err=show)
    if cable is not None:
        click.echo(telegram(cable), nl=False)


@draft.command("queue")
@click.option("--json", "as_json", is_flag=True)
@archive_option
@identity_options
def queue_command(as_json: bool, archive_path: str, user: str | None, token: str | None) -> None:
    """The drafts waiting on you: to clear for your offices, or to release for your posts."""
    with _desk(archive_path, user, token) as (desk, _):
        rows = [(d, desk.offices(d.id)) for d in desk.queue()]
    if as_json:
        out = [
            {
                "id": d.id,
                "state": d.state,
                "post": d.post,
                "subject": d.subject,
                "author": d.author,
                "offices": [{"office": o, "cleared_by": by, "cleared": at} for o, by, at in offs],
            }
            for d, offs in rows
        ]
        click.echo(json.dumps(out, indent=2))
        return
    for d, offs in rows:
        waiting = ",".join(o for o, by, _ in offs if not by) or "-"
        click.echo(f"{d.id:>5}  {d.state:<9} {d.post or '-':<12} {waiting:<16} {d.subject or ''}")
    click.echo(f"{len(rows)} drafts waiting", err=True)


@draft.command("desk")
@click.argument("action", type=click.Choice(["add", "remove", "list", "self-release"]))
@click.argument("unit", required=False)
@click.argument("value", required=False)
@archive_option
@identity_options
def desk_command(
    action: str,
    unit: str | None,
    value: str | None,
    archive_path: str,
    user: str | None,
    token: str | None,
) -> None:
    """Who clears and releases (admins): `add|remove UNIT USER` where UNIT is an office
    (AF/W) or release:POST; `list [UNIT]`; `self-release POST on|off`."""
    with _desk(archive_path, user, token) as (desk, _):
        if action == "list":
            for u, who in desk.members(unit):
                click.echo(f"{u:<24} {who}")
            return
        if not unit or not value:
            raise click.UsageError(f"draft desk {action} needs two arguments")
        if action == "add":
            desk.add_member(unit, value)
        elif action == "remove":
            if not desk.remove_member(unit, value):
                raise click.ClickException(f"{value} is not in {unit.upper()}")
        else:
            if value not in ("on", "off"):
                raise click.UsageError("self-release POST on|off")
            desk.set_self_release(unit, value == "on")
    click.echo("done")


COMMANDS: list = [draft]
