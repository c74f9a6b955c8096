"""Who runs a command-line read (search, show, export...): the access it reads with.

Under an open policy everyone reads everything and nothing is asked.  Under a controlled one
the reader names themselves with an API token (`--token` or $CABLEBASE_TOKEN) or with `--user`
and their password ($CABLEBASE_PASSWORD, else a hidden prompt); without either they read as
anonymous (only declassified and released cables).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import argon2
import click

from cablebase.access import audit
from cablebase.access.accounts import Accounts, AuthError, User
from cablebase.access.policy import ANONYMOUS, EVERYONE, Access
from cablebase.access.settings import get_policy

PASSWORD_ENV = "CABLEBASE_PASSWORD"
TOKEN_ENV = "CABLEBASE_TOKEN"


def cli_access(
    conn: Any,  # a store's connection (either store) or archive/db.py's Db
    *,
    user: str | None,
    token: str | None,
    password: str | None = None,
    hasher: argon2.PasswordHasher | None = None,
) -> Access:
    """The Access of a command-line reader (see the module's doc).  An explicit `--user` wins
    over a token from the environment.  Bad credentials: click.ClickException."""
    policy = get_policy(conn)
    if policy.mode == "open":
        return Access(policy, EVERYONE)
    if user or token:
        accounts = Accounts(conn, hasher=hasher)
        return Access(policy, authenticated(accounts, user, token, password).viewer)
    return Access(policy, ANONYMOUS)


def authenticated(
    accounts: Accounts, user: str | None, token: str | None, password: str | None = None
) -> User:
    """The account named by `user` (its password from `password`, $CABLEBASE_PASSWORD or a
    hidden prompt) or else by an API token; click.ClickException when they do not check out."""
    conn = accounts.conn
    if user:
        if password is None:
            password = os.environ.get(PASSWORD_ENV)
        if password is None:
            password = click.prompt(f"Password for {user}", hide_input=True, err=True)
        try:
            return accounts.authenticate(user, password, via="cli")
        except AuthError as exc:
            raise click.ClickException(_message(user, exc)) from None
    found = accounts.token_user((token or "").strip())
    if found is None:
        audit.record(conn, None, "login_failed", detail="cli token")
        raise click.ClickException(
            "the API token is not valid (unknown, expired or revoked); check --token or"
            f" ${TOKEN_ENV}"
        )
    audit.record(conn, found.name, "login", detail="cli token")
    return found


def _message(user: str, exc: AuthError) -> str:
    if exc.reason == "throttled":
        return f"too many failed logins for {user}; try again in {exc.retry_after} s"
    if exc.reason == "disabled":
        return f"the account {user} is disabled"
    return f"login failed for {user}: wrong user name or password"


def identity_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """--user and --token (envvar CABLEBASE_TOKEN) for the archive's read commands; the
    command receives them as `user` and `token` and passes them to `cli_access`."""
    f = click.option(
        "--token",
        "token",
        envvar=TOKEN_ENV,
        show_envvar=True,
        default=None,
        help="Read as the owner of this API token (controlled archives).",
    )(f)
    return click.option(
        "--user",
        "user",
        default=None,
        help=f"Read as this account (controlled archives); password from ${PASSWORD_ENV}"
        " or a prompt.",
    )(f)
