"""`cablebase release ...`: prepare, review, publish and withdraw redacted releases.

The acting account authenticates (`--user NAME` with its password from $CABLEBASE_PASSWORD or
a prompt, or `--token`), and must have the role archivist or admin: the two-person rule holds
on the command line as on the web.  See docs/releases.md.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from cablebase.cli.archive import archive_option

if TYPE_CHECKING:
    from cablebase.archive.store import Store


# A release id as both stores keep it (64-bit): a larger number is a usage error, not a
# traceback.
RELEASE_ID = click.IntRange(1, 2**63 - 1)


@contextmanager
def _store(path: str) -> Iterator:  # type: ignore[type-arg]
    """The archive's store, SQLite file or PostgreSQL database (docs/stores.md)."""
    from cablebase.archive.store import is_dsn, open_store

    if not is_dsn(path) and not os.path.exists(path):
        raise click.ClickException(f"no archive at {path} (create one with: cablebase ingest PATH)")
    store = open_store(path, create=False)
    try:
        yield store
    finally:
        store.close()


def _actor(store, name: str | None, token: str | None):  # type: ignore[no-untyped-def]
    """The authenticated account's name; ClickException unless it may handle releases.

    The acting archivist proves who they are like a reader of the read commands: `--user`
    with their password ($CABLEBASE_PASSWORD or a prompt), or an API token; a name alone
    would let one person prepare and review (the two-person rule)."""
    from cablebase.access.accounts import Accounts
    from cablebase.access.releases import ReleaseError, require_archivist
    from cablebase.cli import access as commands
    from cablebase.cli.identity import PASSWORD_ENV, authenticated

    if not name and not token:
        raise click.ClickException(
            f"name the acting archivist: --user NAME (password from ${PASSWORD_ENV} or a"
            " prompt) or --token"
        )
    user = authenticated(Accounts(store.conn, hasher=commands.HASHER), name, token)
    try:
        require_archivist(user.role)
    except ReleaseError as exc:
        raise click.ClickException(f"{user.name} is a {user.role}: {exc}") from None
    return user


def _readable(store, user, cable) -> bool:  # type: ignore[no-untyped-def]
    """An archivist handles only cables they read whole (as on the web): the others, and
    their releases, do not exist for them."""
    from cablebase.access.policy import Access, stored

    access = Access(store.policy(), user.viewer)
    return cable is not None and access.decide(stored(cable)) == "full"


def _base(store, r):  # type: ignore[no-untyped-def]
    """The version release `r` redacts (None when it is gone)."""
    from cablebase.access import releases

    try:
        return releases.base_record(store, r.reference_id, r.base_version)
    except releases.ReleaseError:
        return None


def _release(store, user, release_id: int):  # type: ignore[no-untyped-def]
    """Release `release_id` if `user` reads its cable whole; a ClickException otherwise, the
    same as for a release that does not exist."""
    from cablebase.access import releases

    r = releases.get(store, release_id)
    if r is None or not _readable(store, user, _base(store, r)):
        raise click.ClickException(f"no release {release_id}")
    return r


def _identity(f):  # type: ignore[no-untyped-def]
    """--user (also spelt --by) and --token: who acts, authenticated."""
    f = click.option(
        "--token",
        "token",
        envvar="CABLEBASE_TOKEN",
        default=None,
        help="Act as the owner of this API token.",
    )(f)
    return click.option(
        "--user",
        "--by",
        "by",
        default=None,
        help="The acting archivist's account; password from $CABLEBASE_PASSWORD or a prompt.",
    )(f)


def _fail(exc: Exception) -> click.ClickException:
    return click.ClickException(str(exc))


def _positions(
    store: Store, reference_id: str, numbers: tuple[int, ...], at: tuple[int, ...]
) -> list[int]:
    """Paragraph numbers as printed (¶N) to positions; `at` are positions given as such."""
    if not numbers:
        return list(at)
    cable = store.get(reference_id.strip().upper())
    if cable is None:
        raise click.ClickException(f"{reference_id} is not in the archive")
    out = list(at)
    for n in numbers:
        found = [i for i, p in enumerate(cable.paragraphs) if p.number == n]
        if len(found) != 1:
            what = "no" if not found else "more than one"
            raise click.ClickException(
                f"{reference_id} has {what} paragraph {n}: give its position with --withhold-at"
            )
        out.append(found[0])
    return out


def _line(r) -> str:  # type: ignore[no-untyped-def]
    who = f"prepared by {r.prepared_by} {r.prepared}"
    if r.reviewed_by:
        who += f", reviewed by {r.reviewed_by}"
    if r.published_by:
        who += f", published by {r.published_by} {r.published} as v{r.version}"
    return f"{r.id:>4}  {r.status:<9}  {r.reference_id} v{r.base_version}  {who}"


def _what(cable, r) -> list[str]:  # type: ignore[no-untyped-def]
    out = []
    for i in r.withheld:
        number = cable.paragraphs[i].number if i < len(cable.paragraphs) else None
        label = f"¶{number}" if number is not None else "unnumbered text"
        out.append(f"  withheld: {label} (position {i})")
    if r.subject:
        out.append("  withheld: the subject line")
    for span in r.spans:
        out.append(f"  redacted: {span!r}")
    if r.note:
        out.append(f"  note: {r.note}")
    return out


@click.group("release")
def release() -> None:
    """Redacted releases: prepare, review (by another archivist), publish, withdraw."""


@release.command("prepare")
@click.argument("reference_id")
@click.option("--withhold", "numbers", type=int, multiple=True, help="Paragraph number (¶N).")
@click.option("--withhold-at", "at", type=int, multiple=True, help="Paragraph position (0-based).")
@click.option("--redact", "spans", multiple=True, help="Text redacted wherever it occurs.")
@click.option("--subject", is_flag=True, help="Withhold the subject line.")
@click.option("--note", default=None, help="Why, for the reviewer.")
@_identity
@archive_option
def prepare_cmd(
    reference_id: str,
    numbers: tuple[int, ...],
    at: tuple[int, ...],
    spans: tuple[str, ...],
    subject: bool,
    note: str | None,
    by: str | None,
    token: str | None,
    archive_path: str,
) -> None:
    """Prepare a draft release of REFERENCE_ID's current version."""
    from cablebase.access import releases

    with _store(archive_path) as store:
        user = _actor(store, by, token)
        who = user.name
        if not _readable(store, user, store.get(reference_id.strip().upper())):
            raise click.ClickException(f"{reference_id} is not in the archive")
        withheld = _positions(store, reference_id, numbers, at)
        try:
            r = releases.prepare(
                store,
                reference_id,
                withheld=withheld,
                spans=spans,
                subject=subject,
                note=note,
                by=who,
            )
        except releases.ReleaseError as exc:
            raise _fail(exc) from None
        click.echo(f"release {r.id}: draft of {r.reference_id} version {r.base_version}")
        click.echo(
            f"  next: cablebase release show {r.id}; cablebase release review {r.id} --user ..."
        )


@release.command("edit")
@click.argument("release_id", type=RELEASE_ID)
@click.option("--withhold", "numbers", type=int, multiple=True, help="Paragraph number (¶N).")
@click.option("--withhold-at", "at", type=int, multiple=True, help="Paragraph position (0-based).")
@click.option("--redact", "spans", multiple=True, help="Text redacted wherever it occurs.")
@click.option("--subject/--keep-subject", default=None, help="Withhold the subject line or not.")
@click.option("--note", default=None, help="Why, for the reviewer.")
@_identity
@archive_option
def edit_cmd(
    release_id: int,
    numbers: tuple[int, ...],
    at: tuple[int, ...],
    spans: tuple[str, ...],
    subject: bool | None,
    note: str | None,
    by: str | None,
    token: str | None,
    archive_path: str,
) -> None:
    """Edit a draft: the withheld paragraphs or the spans given replace the release's own.

    An edited release is a draft again and needs a new review."""
    from cablebase.access import releases

    with _store(archive_path) as store:
        user = _actor(store, by, token)
        who = user.name
        r = _release(store, user, release_id)
        withheld = _positions(store, r.reference_id, numbers, at) if numbers or at else None
        try:
            r = releases.update(
                store,
                release_id,
                withheld=withheld,
                spans=list(spans) if spans else None,
                subject=subject,
                note=note,
                by=who,
            )
        except releases.ReleaseError as exc:
            raise _fail(exc) from None
        click.echo(r.caption())


@release.command("list")
@click.option("--status", type=click.Choice(["draft", "reviewed", "published", "withdrawn"]))
@click.option("--cable", "reference_id", default=None, help="Only the releases of this cable.")
@_identity
@archive_option
def list_cmd(
    status: str | None,
    reference_id: str | None,
    by: str | None,
    token: str | None,
    archive_path: str,
) -> None:
    """List releases, newest first (of the cables you read whole)."""
    from cablebase.access import releases

    with _store(archive_path) as store:
        user = _actor(store, by, token)
        rows = releases.list_releases(store, reference_id=reference_id, status=status)
        rows = [r for r in rows if _readable(store, user, _base(store, r))]
        for r in rows:
            click.echo(_line(r))
        if not rows:
            click.echo("no releases", err=True)


@release.command("show")
@click.argument("release_id", type=RELEASE_ID)
@click.option("--telegram", is_flag=True, help="The whole release as a telegram.")
@_identity
@archive_option
def show_cmd(
    release_id: int, telegram: bool, by: str | None, token: str | None, archive_path: str
) -> None:
    """Preview what release RELEASE_ID publishes (the redacted record)."""
    from cablebase.access import releases
    from cablebase.render import to_telegram

    with _store(archive_path) as store:
        r = _release(store, _actor(store, by, token), release_id)
        try:
            cable = releases.render(store, r)
        except releases.ReleaseError as exc:
            raise _fail(exc) from None
        if telegram:
            click.echo(to_telegram(cable), nl=False)
            return
        click.echo(r.caption())
        click.echo("\n".join(_what(cable, r)))
        click.echo("")
        if cable.subject is not None:
            click.echo(f"SUBJECT: {cable.subject}")
        for p in cable.paragraphs:
            lead = f"{p.number}. " if p.number is not None else ""
            lead += f"({p.portion}) " if p.portion else ""
            if p.heading:
                click.echo(f"  {p.heading}")
            click.echo(f"{lead}{p.text}")
        click.echo(f"\n{len(cable.redactions)} redaction(s); source form {cable.source.form}")


def _action(name: str, doc: str):  # type: ignore[no-untyped-def]
    @release.command(name, help=doc)
    @click.argument("release_id", type=RELEASE_ID)
    @_identity
    @archive_option
    def command(release_id: int, by: str | None, token: str | None, archive_path: str) -> None:
        from cablebase.access import releases

        with _store(archive_path) as store:
            user = _actor(store, by, token)
            who = user.name
            _release(store, user, release_id)
            try:
                r = getattr(releases, name)(store, release_id, by=who)
            except releases.ReleaseError as exc:
                raise _fail(exc) from None
            click.echo(r.caption())

    return command


_action("review", "Approve draft RELEASE_ID (its preparer may not).")
_action("publish", "Publish reviewed RELEASE_ID as the cable's new version, open to all.")
_action("withdraw", "Withdraw draft or reviewed RELEASE_ID.")

COMMANDS: list = [release]
