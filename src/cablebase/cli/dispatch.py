"""`cablebase inbox` and `cablebase dispatch …`: dispatch on the command line.

    cablebase inbox POST [--page N] [--json] [--read ID | --ack ID]   [--archive DB] [--user U | --token T]
    cablebase dispatch run [--once] [--workers N] [--reserve K] [--drop DIR] [--batch N]
    cablebase dispatch status [--late] [--dead] [--alerts] [--json]              [--user U | --token T]
    cablebase dispatch retry (ID... | --all)
    cablebase dispatch send REFERENCE_ID...          (enqueue cables already in the archive)
    cablebase dispatch roster POST [CONTACT...]      (show or set a post's alert roster)

`run`, `retry`, `send` and `roster` are the operator's (whoever may write the archive file);
`inbox` and `status` read as the named account and show only the cables it is cleared for.
"""

from __future__ import annotations

import json
import signal

import click

from cablebase.cli.archive import _reader, archive_option
from cablebase.cli.identity import identity_options
from cablebase.cli.params import ROW_ID, FileName
from cablebase.processes import context

__all__ = ["COMMANDS"]


def _line(e) -> str:  # noqa: ANN001
    flags = ""
    if e.ack_required:
        flags = " ACK " + (f"by {e.acked_by or '-'}" if e.acked else "PENDING")
    unread = "*" if e.read is None else " "
    return (
        f"{unread} {e.precedence:<15} {e.role:<6} {e.reference_id:<20} {e.delivered or '-':<20}"
        f" {(e.classification or '-'):<12} {(e.subject or '')[:60]}{flags}"
    )


@click.command()
@click.argument("post")
@archive_option
@click.option("--page", type=click.IntRange(min=1, max=100000), default=1)
@click.option("--json", "as_json", is_flag=True)
@click.option("--read", "read_id", default=None, help="Mark this cable read in the inbox.")
@click.option("--ack", "ack_id", default=None, help="Acknowledge this FLASH/NIACT cable.")
@identity_options
def inbox(
    post: str,
    archive_path: str,
    page: int,
    as_json: bool,
    read_id: str | None,
    ack_id: str | None,
    user: str | None,
    token: str | None,
) -> None:
    """A post's or office's inbox: highest precedence first, then newest; unread (*) and
    unacknowledged counts.  Only cables the reader is cleared for are shown or counted."""
    from cablebase.dispatch import views
    from cablebase.dispatch.queue import Queue

    with _reader(archive_path, user, token, "inbox", post.upper()) as archive:
        key = views.normal(post)
        target = read_id or ack_id
        if target:
            # A cable the reader may not see is answered as one not delivered here.
            if archive.decision(target) == "none":
                raise click.ClickException(f"{target.upper()} is not in the inbox of {key}")
            controlled = archive.policy.mode == "controlled"
            who = archive.access.viewer.name
            if controlled and who is None:
                raise click.ClickException("marking needs an account (--user or --token)")
            done = Queue(archive.db).mark(target, key, ack=bool(ack_id), who=who)
            what = "acknowledged" if ack_id else "read"
            if not done:
                raise click.ClickException(
                    f"{target.upper()} is not in the inbox of {key}, or is already {what}"
                )
            click.echo(f"{target.upper()} {what} in the inbox of {key}", err=True)
        box = views.inbox(archive, post, page)
        if as_json:
            click.echo(json.dumps(box.to_dict(), indent=1))
            return
        click.echo(
            f"{box.addressee} ({box.name or 'not in the addressee table'}): {box.total} cables,"
            f" {box.unread} unread, {box.unacknowledged} unacknowledged",
            err=True,
        )
        for e in box.entries:
            click.echo(_line(e))


@click.group()
def dispatch() -> None:
    """Deliver released cables to their addressees (docs/dispatch.md)."""


def _worker_main(path: str, drop: str | None, batch: int, max_rank: int, once: bool) -> None:
    from cablebase.dispatch.adapters import DirectoryDrop
    from cablebase.dispatch.worker import Worker, connect

    stopping = []
    store = connect(path)  # first: an archive that cannot be opened leaves no handler behind
    # Stop between deliveries on SIGTERM; the caller's handler comes back after (this runs
    # in the caller's own process when --workers is 1).
    adapters = [DirectoryDrop(drop)] if drop else []
    w = Worker(store, adapters, batch=batch, max_rank=max_rank)
    previous = signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    try:
        stats = w.run(until_empty=once, stop=lambda: bool(stopping))
    except KeyboardInterrupt:
        stats = w.stats
    finally:
        signal.signal(signal.SIGTERM, previous)
    click.echo(
        f"worker {w.queue.worker}: {stats.delivered} delivered, {stats.failed} failed"
        f" ({stats.dead} dead), {stats.repeated} found made before, {stats.escalated} escalated",
        err=True,
    )


@dispatch.command()
@archive_option
@click.option("--once", is_flag=True, help="Stop when nothing is due (else run until stopped).")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True)
@click.option(
    "--reserve",
    type=click.IntRange(0, 63),
    default=0,
    show_default=True,
    help="Workers (of --workers) kept for FLASH and NIACT IMMEDIATE only.",
)
@click.option("--drop", type=FileName(), default=None, help="Directory drop.")
@click.option("--batch", type=click.IntRange(1, 1000), default=16, show_default=True)
def run(
    archive_path: str, once: bool, workers: int, reserve: int, drop: str | None, batch: int
) -> None:
    """Deliver due deliveries, highest precedence first, until stopped (or --once)."""
    _exists(archive_path)
    if reserve and reserve >= workers:
        raise click.ClickException("--reserve must leave at least one worker for all precedences")
    if workers == 1:
        _worker_main(archive_path, drop, batch, 4, once)
        return
    # Opened here first: a database without an archive is one sentence from this process,
    # not a traceback from each worker, and the schema is up to date before they start.
    _store(archive_path).close()
    procs = [
        context().Process(
            target=_worker_main, args=(archive_path, drop, batch, 1 if i < reserve else 4, once)
        )
        for i in range(workers)
    ]
    for p in procs:
        p.start()
    try:
        for p in procs:
            p.join()
    except KeyboardInterrupt:
        for p in procs:
            p.terminate()
        for p in procs:
            p.join()


@dispatch.command()
@archive_option
@click.option("--late", "show_late", is_flag=True, help="List deliveries late on their objective.")
@click.option("--dead", "show_dead", is_flag=True, help="List dead letters with their reason.")
@click.option("--alerts", "show_alerts", is_flag=True, help="List escalations of FLASH/NIACT.")
@click.option("--json", "as_json", is_flag=True)
@identity_options
def status(
    archive_path: str,
    show_late: bool,
    show_dead: bool,
    show_alerts: bool,
    as_json: bool,
    user: str | None,
    token: str | None,
) -> None:
    """Deliveries by state and precedence (of the cables the reader sees)."""
    from cablebase.dispatch import views

    with _reader(archive_path, user, token, "dispatch.status", None) as archive:
        out = views.status(archive)
        if show_late:
            out["late"] = [e.to_dict() for e in views.late(archive)]
        if show_dead:
            out["dead"] = [e.to_dict() for e in views.dead(archive)]
        if show_alerts:
            out["alerts"] = views.alerts(archive)
        if as_json:
            click.echo(json.dumps(out, indent=1))
            return
        for state, n in sorted(out["by_state"].items()):
            click.echo(f"{state:<10} {n:>8}")
        for prec, states in out["by_precedence"].items():
            parts = ", ".join(f"{s} {n}" for s, n in sorted(states.items()))
            click.echo(f"  {prec:<16} {parts}")
        for what in ("late", "dead"):
            for e in out.get(what, []):
                click.echo(
                    f"{what} {e['precedence']:<15} {e['reference_id']:<20} {e['addressee']:<24}"
                    f" due {e['deadline']} {'delivered ' + e['delivered'] if e['delivered'] else e['state']}"
                    f"{'  ' + e['error'] if e['error'] else ''}"
                )
        for al in out.get("alerts", []):
            click.echo(
                f"alert {al['precedence']:<15} {al['reference_id']:<20} {al['addressee']:<24}"
                f" {al['contact'] or '(no alert roster)'} raised {al['raised']}"
            )


def _exists(path: str) -> None:
    """A SQLite file that is not there is no archive (a PostgreSQL database is asked when
    opened: one without an archive is an error there)."""
    from pathlib import Path

    from cablebase.archive.store import is_dsn

    if not is_dsn(path) and not Path(path).exists():
        raise click.ClickException(f"no archive at {path}")


def _store(path: str):  # noqa: ANN202
    from cablebase.dispatch.worker import connect

    _exists(path)
    return connect(path)


@dispatch.command()
@archive_option
@click.argument("ids", nargs=-1, type=ROW_ID)
@click.option("--all", "every", is_flag=True, help="Every dead letter.")
def retry(archive_path: str, ids: tuple[int, ...], every: bool) -> None:
    """Put dead letters (by delivery id, see `status --dead --json`) back in the queue."""
    from cablebase.dispatch.queue import Queue

    if not ids and not every:
        raise click.ClickException("name delivery ids, or --all")
    store = _store(archive_path)
    with store:
        n = Queue(store.conn).retry(None if every else ids)
    click.echo(f"{n} deliveries queued again", err=True)


@dispatch.command()
@archive_option
@click.argument("ids", nargs=-1, required=True)
def send(archive_path: str, ids: tuple[str, ...]) -> None:
    """Enqueue the deliveries of cables already in the archive (idempotent)."""
    from cablebase.archive.db import Db
    from cablebase.dispatch.outbox import enqueue

    total = 0
    with _store(archive_path) as store:
        db = Db.of(store.conn)
        for rid in ids:
            cable = store.get(rid.upper())
            if cable is None:
                raise click.ClickException(f"{rid} is not in the archive")
            with db.transaction(immediate=True):
                total += enqueue(db, cable)
    click.echo(f"{total} deliveries enqueued", err=True)


@dispatch.command()
@archive_option
@click.argument("post")
@click.argument("contacts", nargs=-1)
@click.option("--clear", is_flag=True, help="Empty the roster.")
def roster(archive_path: str, post: str, contacts: tuple[str, ...], clear: bool) -> None:
    """Show or set the alert roster of a post: who is alerted when a FLASH or NIACT stays
    unacknowledged past its objective."""
    from cablebase.archive.db import Db
    from cablebase.dispatch import views
    from cablebase.dispatch.queue import Queue

    key = views.normal(post)
    with _store(archive_path) as store:
        db = Db.of(store.conn)
        if contacts or clear:
            Queue(db).set_roster(key, list(contacts))
        for (c,) in db.execute(
            "SELECT contact FROM dispatch_rosters WHERE addressee = ? ORDER BY contact", (key,)
        ).fetchall():
            click.echo(c)


COMMANDS = [inbox, dispatch]
