"""Commands of accounts, tokens, the archive's policy and the audit log (docs/accounts.md).

`cablebase users ...`, `cablebase policy ...` and `cablebase audit` are local administration by
whoever holds the archive file (as with Django's createsuperuser): they ask for no login, and each
is written to the audit log as `local:<OS user name>`.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta

import click
from argon2 import PasswordHasher

from cablebase.access import audit as audit_log
from cablebase.access.accounts import MAX_TOKEN_DAYS, Accounts
from cablebase.access.policy import CAVEATS, RANKS, ROLES, Access, Policy, parse_rank
from cablebase.access.settings import get_policy, set_policy
from cablebase.cli.archive import archive_option
from cablebase.cli.params import FileName

PASSWORD_ENV = "CABLEBASE_PASSWORD"
_CAVEAT = click.Choice(CAVEATS, case_sensitive=False)
# The password hasher of these commands: None is argon2id with the library's defaults (tests
# put a cheap one here).
HASHER: PasswordHasher | None = None


def local_user() -> str:
    """The audit name of whoever runs an administrative command here."""
    try:
        name = getpass.getuser()
    except (OSError, KeyError):  # no login name (some containers)
        name = str(os.getuid()) if hasattr(os, "getuid") else "unknown"
    return f"local:{name}"


@contextmanager
def _accounts(path: str) -> Iterator[Accounts]:
    from cablebase.archive.store import is_dsn, open_store

    # A SQLite file or a PostgreSQL database (archive/store.py): the same tables and SQL.
    if not is_dsn(path) and not os.path.exists(path):
        raise click.ClickException(f"no archive at {path} (create one with: cablebase ingest PATH)")
    store = open_store(path, create=False)
    try:
        yield Accounts(store.conn, hasher=HASHER)
    except ValueError as exc:  # the model's refusals: taken name, weak password, unknown user...
        raise click.ClickException(str(exc)) from None
    finally:
        store.close()


def _new_password(name: str) -> str:
    password = os.environ.get(PASSWORD_ENV)
    if password is not None:
        return password
    return click.prompt(f"Password for {name}", hide_input=True, confirmation_prompt=True, err=True)


def _table(headers: Sequence[str], rows: list[Sequence[str]]) -> None:
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    for line in [headers, *rows]:
        click.echo("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())


def _clearance_text(rank: int, caveats: list[str]) -> str:
    return RANKS[rank] + (f" + {', '.join(caveats)}" if caveats else "")


# -- users ---------------------------------------------------------------------------


@click.group()
def users() -> None:
    """Accounts: add, list, grant, revoke, passwords, tokens."""


@users.command("add")
@click.argument("name")
@archive_option
@click.option("--role", type=click.Choice(ROLES), default="reader", show_default=True)
@click.option(
    "--clearance", default="UNCLASSIFIED", show_default=True, help="A level, S/TS..., or 0-3."
)
@click.option("--caveat", "caveats", multiple=True, type=_CAVEAT, help="Repeatable.")
def users_add(name: str, archive_path: str, role: str, clearance: str, caveats: tuple) -> None:
    """Add an account (password from $CABLEBASE_PASSWORD or a prompt)."""
    with _accounts(archive_path) as accounts:
        if accounts.get_user(name) is not None:  # before asking for a password
            raise click.ClickException(f"user {name!r} exists already")
        user = accounts.add_user(
            name, _new_password(name), role, clearance, caveats, by=local_user()
        )
        click.echo(f"added {user.name}: {user.role}, {_clearance_text(user.rank, user.caveats)}")


@users.command("list")
@archive_option
def users_list(archive_path: str) -> None:
    """The accounts: name, role, clearance, caveats, disabled, created."""
    with _accounts(archive_path) as accounts:
        found = accounts.list_users()
        _table(
            ("name", "role", "clearance", "caveats", "disabled", "created"),
            [
                (
                    u.name,
                    u.role,
                    RANKS[u.rank],
                    ",".join(u.caveats) or "-",
                    "yes" if u.disabled else "no",
                    u.created,
                )
                for u in found
            ],
        )
        audit_log.record(accounts.conn, local_user(), "users_list", detail=str(len(found)))


@users.command("grant")
@click.argument("name")
@archive_option
@click.option("--clearance", default=None, help="Raise the clearance to this level.")
@click.option("--caveat", "caveats", multiple=True, type=_CAVEAT, help="Repeatable.")
def users_grant(name: str, archive_path: str, clearance: str | None, caveats: tuple) -> None:
    """Raise a clearance and/or add caveats."""
    if clearance is None and not caveats:
        raise click.UsageError("give --clearance and/or --caveat")
    with _accounts(archive_path) as accounts:
        user = accounts.grant(name, clearance=clearance, caveats=caveats, by=local_user())
        click.echo(f"{user.name}: {_clearance_text(user.rank, user.caveats)}")


@users.command("revoke")
@click.argument("name")
@archive_option
@click.option("--caveat", "caveats", multiple=True, type=_CAVEAT, help="Repeatable.")
@click.option("--clearance", default=None, help="Lower the clearance to this level.")
def users_revoke(name: str, archive_path: str, caveats: tuple, clearance: str | None) -> None:
    """Take caveats away and/or lower a clearance."""
    if clearance is None and not caveats:
        raise click.UsageError("give --caveat and/or --clearance")
    with _accounts(archive_path) as accounts:
        user = accounts.revoke(name, caveats=caveats, clearance=clearance, by=local_user())
        click.echo(f"{user.name}: {_clearance_text(user.rank, user.caveats)}")


@users.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
@archive_option
def users_role(name: str, role: str, archive_path: str) -> None:
    """Change an account's role."""
    with _accounts(archive_path) as accounts:
        user = accounts.set_role(name, role, by=local_user())
        click.echo(f"{user.name}: {user.role}")


@users.command("passwd")
@click.argument("name")
@archive_option
def users_passwd(name: str, archive_path: str) -> None:
    """Set a new password (from $CABLEBASE_PASSWORD or a prompt); the account's web and API
    sessions end (its API tokens stay: `users tokens`, `users untoken`)."""
    with _accounts(archive_path) as accounts:
        user = accounts.get_user(name)
        if user is None:
            raise click.ClickException(f"no user {name!r}")
        ended = accounts.set_password(name, _new_password(name), by=local_user())
        plural = "" if ended == 1 else "s"
        click.echo(f"password of {user.name} changed; {ended} session{plural} ended")


@users.command("disable")
@click.argument("name")
@archive_option
def users_disable(name: str, archive_path: str) -> None:
    """Disable an account; its sessions end and its tokens are revoked."""
    with _accounts(archive_path) as accounts:
        user = accounts.set_disabled(name, True, by=local_user())
        click.echo(f"{user.name} disabled (sessions ended, tokens revoked)")


@users.command("enable")
@click.argument("name")
@archive_option
def users_enable(name: str, archive_path: str) -> None:
    """Enable a disabled account."""
    with _accounts(archive_path) as accounts:
        user = accounts.set_disabled(name, False, by=local_user())
        click.echo(f"{user.name} enabled")


@users.command("token")
@click.argument("name")
@click.argument("label")
@archive_option
@click.option(
    "--days",
    type=click.IntRange(1, MAX_TOKEN_DAYS),
    default=None,
    help=f"Expire after N days (at most {MAX_TOKEN_DAYS}).",
)
def users_token(name: str, label: str, archive_path: str, days: int | None) -> None:
    """Create an API token and print it (once: only its hash is kept)."""
    with _accounts(archive_path) as accounts:
        ttl = timedelta(days=days) if days else None
        token = accounts.create_token(name, label, ttl=ttl, by=local_user())
        click.echo(token)
        if sys.stdout.isatty():
            click.echo("(shown once: store it now; use it as $CABLEBASE_TOKEN)", err=True)


@users.command("tokens")
@click.argument("name")
@archive_option
def users_tokens(name: str, archive_path: str) -> None:
    """The account's API tokens (labels and dates; the tokens themselves are not kept)."""
    with _accounts(archive_path) as accounts:
        tokens = accounts.list_tokens(name)
        _table(
            ("label", "created", "expires", "last_used"),
            [
                (
                    t["label"],
                    t["created"],
                    (t["expires"] or "never") + (" (expired)" if t["expired"] else ""),
                    t["last_used"] or "-",
                )
                for t in tokens
            ],
        )
        audit_log.record(accounts.conn, local_user(), "tokens_list", name)


@users.command("untoken")
@click.argument("name")
@click.argument("label")
@archive_option
def users_untoken(name: str, label: str, archive_path: str) -> None:
    """Revoke the account's API token with this label."""
    with _accounts(archive_path) as accounts:
        if not accounts.revoke_token(name, label, by=local_user()):
            raise click.ClickException(f"{name} has no token labelled {label!r}")
        click.echo(f"token {label!r} of {name} revoked")


# -- policy --------------------------------------------------------------------------


def _show_policy(policy: Policy) -> None:
    click.echo(f"mode: {policy.mode}")
    click.echo(f"portions: {'yes' if policy.portions else 'no'}")
    click.echo(f"declassification: {policy.declassify}")
    click.echo(f"public: {policy.describe_public()}")


@click.group(invoke_without_command=True)
@archive_option
@click.pass_context
def policy(ctx: click.Context, archive_path: str) -> None:
    """The archive's access policy: open (everyone reads everything) or controlled."""
    if ctx.get_parameter_source("archive_path") is not click.core.ParameterSource.DEFAULT:
        # `policy --archive F set ...`: the subcommand's own default gives way to F
        ctx.default_map = {name: {"archive_path": archive_path} for name in ("show", "set")}
    if ctx.invoked_subcommand is None:
        ctx.invoke(policy_show, archive_path=archive_path)


@policy.command("show")
@archive_option
def policy_show(archive_path: str) -> None:
    """Print the policy."""
    with _accounts(archive_path) as accounts:
        _show_policy(get_policy(accounts.conn))
        audit_log.record(accounts.conn, local_user(), "policy_show")


@policy.command("set")
@click.argument("mode", type=click.Choice(["open", "controlled"]))
@archive_option
@click.option(
    "--portions/--no-portions",
    default=None,
    help="Controlled: may readers see the paragraphs they are cleared for? (default: yes)",
)
@click.option(
    "--declassify",
    type=click.Choice(["reviewed", "automatic"]),
    default=None,
    help="reviewed (default): a passed date makes a cable eligible, `cablebase declassify`"
    " opens it; automatic: a passed date opens it.",
)
@click.option(
    "--public",
    "public",
    default=None,
    help="The public profile's level: UNCLASSIFIED (default), CONFIDENTIAL..., or none.",
)
@click.option(
    "--public-restricted/--no-public-restricted",
    default=None,
    help="May the public read cables under handling restrictions (SBU, LOU, FOUO)? (no)",
)
def policy_set(
    mode: str,
    archive_path: str,
    portions: bool | None,
    declassify: str | None,
    public: str | None,
    public_restricted: bool | None,
) -> None:
    """Set the policy (options not given keep their value)."""
    with _accounts(archive_path) as accounts:
        old = get_policy(accounts.conn)
        rank = old.public_rank
        if public is not None:
            rank = -1 if public.strip().lower() == "none" else parse_rank(public)
        new = Policy(
            mode,
            old.portions if portions is None else portions,
            declassify or old.declassify,
            rank,
            old.public_restricted if public_restricted is None else public_restricted,
        )
        set_policy(accounts.conn, new)
        audit_log.record(
            accounts.conn, local_user(), "policy_set", detail=f"{_brief(old)} -> {_brief(new)}"
        )
        _show_policy(new)


def _brief(p: Policy) -> str:
    return f"{p.mode}/{int(p.portions)}/{p.declassify}/public={p.public_rank}{'+r' * p.public_restricted}"


# -- declassification ------------------------------------------------------------------


@click.command()
@click.argument("query")
@archive_option
@click.option("--dry-run", is_flag=True, help="Only count what would be declassified.")
@click.option(
    "--user",
    "--by",
    "user",
    default=None,
    help="The acting archivist; password from $CABLEBASE_PASSWORD or a prompt.",
)
@click.option("--token", default=None, envvar="CABLEBASE_TOKEN", help="Act as this token's owner.")
def declassify(
    query: str, archive_path: str, dry_run: bool, user: str | None, token: str | None
) -> None:
    """Declassify the eligible cables matching QUERY (their declassification date has passed
    and no exemption holds them): every reader, the public too, then reads them whole.
    Under `reviewed` declassification (the default) a date alone opens nothing.  An archivist
    or admin acts, authenticated; each cable is written to the audit log."""
    from cablebase.access.declassify import DeclassifyError
    from cablebase.access.declassify import declassify as run
    from cablebase.access.releases import ReleaseError, require_archivist
    from cablebase.archive.api import Archive
    from cablebase.archive.query import QueryError
    from cablebase.cli.identity import authenticated

    if not user and not token:
        raise click.ClickException("name the acting archivist: --user NAME or --token")
    with _accounts(archive_path) as accounts:
        actor = authenticated(accounts, user, token)
        try:
            require_archivist(actor.role)
        except ReleaseError as exc:
            raise click.ClickException(f"{actor.name} is a {actor.role}: {exc}") from None
    with Archive.open(archive_path) as archive:
        access = Access(archive.policy, actor.viewer)
        try:
            out = run(archive, query, by=actor.name, access=access, dry_run=dry_run)
        except (DeclassifyError, QueryError, ValueError) as exc:
            raise click.ClickException(str(exc)) from None
    verb = "would be declassified" if dry_run else "declassified"
    click.echo(
        f"{len(out.eligible):,} cables {verb}; not yet due {out.not_yet:,}, no date or exempted"
        f" {out.closed:,}, already open {out.already:,}"
    )


# -- audit ---------------------------------------------------------------------------

_WHEN = click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"])


def _bound(value, *, date_only: bool):  # type: ignore[no-untyped-def]
    """A click DateTime as `entries` takes it: a bare date covers its whole day."""
    if value is None:
        return None
    return value.date() if date_only else value


@click.command()
@archive_option
@click.option("--user", default=None, help="Only this user's entries (local:NAME for commands).")
@click.option("--action", default=None, help="Only this action (login, login_failed, read...).")
@click.option("--since", type=_WHEN, default=None, help="From this date or time (UTC).")
@click.option("--until", type=_WHEN, default=None, help="Up to this date (inclusive) or time.")
@click.option("--limit", type=click.IntRange(min=0), default=None, help="At most N entries.")
@click.option("--export", "fmt", type=click.Choice(["csv", "jsonl"]), default=None)
@click.option(
    "--out", "-o", type=FileName(), default="-", help="--export: output file (default: stdout)."
)
@click.option(
    "--as",
    "as_user",
    default=None,
    help="Read the log as this admin account (password from $CABLEBASE_PASSWORD or a prompt):"
    " entries naming a cable they may not see are left out.",
)
@click.option(
    "--token", default=None, envvar="CABLEBASE_TOKEN", help="Read the log as this token's admin."
)
def audit(
    archive_path: str,
    user: str | None,
    action: str | None,
    since,  # type: ignore[no-untyped-def]
    until,  # type: ignore[no-untyped-def]
    limit: int | None,
    fmt: str | None,
    out: str,
    as_user: str | None,
    token: str | None,
) -> None:
    """The audit log, newest first: logins, reads, searches, exports, account changes.

    Run by whoever holds the archive file it shows every entry; with --as or --token, under
    a controlled policy, only what that admin's clearance allows."""
    filters = {
        "user": user,
        "action": action,
        "since": _bound(since, date_only=since is not None and _is_midnight(since)),
        "until": _bound(until, date_only=until is not None and _is_midnight(until)),
        "limit": limit,
    }
    with _accounts(archive_path) as accounts:
        conn = accounts.conn
        if as_user or token:
            from cablebase.cli.identity import cli_access

            access = cli_access(conn, user=as_user, token=token, hasher=HASHER)
            if access.policy.mode == "controlled" and access.viewer.role != "admin":
                raise click.ClickException("only an admin reads the audit log")
            filters["access"] = access
        if fmt:
            if out == "-":
                n = audit_log.export(conn, sys.stdout, fmt, **filters)
            else:
                with open(out, "w", encoding="utf-8", newline="") as f:
                    n = audit_log.export(conn, f, fmt, **filters)
                click.echo(f"{n} entries written to {out}", err=True)
            audit_log.record(conn, local_user(), "audit_export", out, detail=f"{fmt} {n}")
            return
        rows = [
            (e.at, e.user or "-", e.action, e.target or "-", e.address or "-", e.detail or "")
            for e in audit_log.entries(conn, **filters)  # type: ignore[arg-type]
        ]
        if rows:
            _table(("at", "user", "action", "target", "address", "detail"), rows)
        else:
            click.echo("no entries")
        audit_log.record(conn, local_user(), "audit_view", detail=str(len(rows)))


def _is_midnight(value) -> bool:  # type: ignore[no-untyped-def]
    # click.DateTime cannot tell "2024-05-01" from "2024-05-01T00:00:00"; both mean the day.
    return value.hour == value.minute == value.second == 0


COMMANDS: list[click.Command] = [users, policy, audit, declassify]
