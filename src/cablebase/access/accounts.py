"""Accounts, web sessions, API tokens and login throttling (docs/accounts.md).

Passwords are kept as argon2id hashes.  Session and API tokens are 256-bit secrets from
`secrets`; only their SHA-256 is stored (a fast hash is enough for a random secret of that size),
so a copy of the archive file gives no one a way in.  Every login attempt and every change to an
account is written to the audit log.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import argon2
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from cablebase.access import audit
from cablebase.access.audit import parse_stamp, stamp
from cablebase.access.policy import (
    CAVEATS,
    RANKS,
    ROLES,
    Viewer,
    caveat_bits,
    caveat_names,
    parse_rank,
)
from cablebase.archive.db import Db

MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # argon2 takes any length; a cap keeps a request from costing much
# Throttling: this many failures within WINDOW lock a name (or an address) until they age out.
NAME_FAILURES = 5
ADDRESS_FAILURES = 20
WINDOW = timedelta(minutes=15)
SESSION_TTL = timedelta(hours=12)
MAX_TOKEN_DAYS = 3650  # the longest lifetime of an API token (web form and command line)
# A session's expiry slides with use; writing it back at most once a minute keeps reads cheap.
_TOUCH = timedelta(minutes=1)
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")  # no ':' (audit's "local:" users)
_LABEL = re.compile(r"[^\x00-\x1f\x7f]{1,64}")
_DUMMIES: dict[tuple, str] = {}  # hashes verified against for unknown names
TOKEN_PREFIX = "cbt_"  # API tokens: recognisable in a leaked log or config file


class AuthError(Exception):
    """A login that did not succeed.  `reason`: bad_credentials | throttled | disabled;
    `retry_after`: seconds until a throttled name or address may try again."""

    def __init__(self, reason: str, retry_after: int = 0) -> None:
        self.reason = reason
        self.retry_after = retry_after
        messages = {
            "bad_credentials": "wrong user name or password",
            "throttled": f"too many failed logins; try again in {retry_after} s",
            "disabled": "this account is disabled",
        }
        super().__init__(messages.get(reason, reason))


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    rank: int  # clearance: 0 UNCLASSIFIED .. 3 TOP SECRET
    bits: int  # caveat permissions, bits of policy.CAVEATS
    created: str
    disabled: bool

    @property
    def viewer(self) -> Viewer:
        return Viewer(self.name, self.role, self.rank, self.bits)

    @property
    def caveats(self) -> list[str]:
        return caveat_names(self.bits)

    @property
    def clearance(self) -> str:
        return RANKS[self.rank]


_USER_COLUMNS = "id, name, role, clearance, caveats, created, disabled"
_USER_COLUMNS_U = ", ".join("u." + c for c in _USER_COLUMNS.split(", "))


def _user(row: tuple) -> User:
    uid, name, role, rank, bits, created, disabled = row
    return User(uid, name, role, rank, bits, created, bool(disabled))


def _secret(text: str) -> bytes:
    """A password or token as the bytes hashed: UTF-8, a lone surrogate (invalid UTF-8 typed on
    a command line, or in $CABLEBASE_PASSWORD) kept as its own code point rather than failing.
    Every hash and check goes through here, so the same text always gives the same bytes."""
    return text.encode("utf-8", "surrogatepass")


def _digest(token: str) -> str:
    return hashlib.sha256(_secret(token)).hexdigest()


def _caveat_bits_strict(names: Iterable[str]) -> int:
    names = list(names)
    unknown = [n for n in names if str(n).strip().upper() not in CAVEATS]
    if unknown:
        raise ValueError(f"unknown caveat {unknown[0]!r}: one of {', '.join(CAVEATS)}")
    return caveat_bits(names)


def _check_password(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise ValueError(f"password too short: at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise ValueError(f"password too long: at most {MAX_PASSWORD} characters")


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise ValueError(f"role {role!r}: one of {', '.join(ROLES)}")
    return role


class Accounts:
    """The accounts of one archive, on its store's connection (`store.conn`: SQLite's or
    PostgreSQL's; the SQL is archive/db.py's, the same for both).

    Administrative methods take an optional `by`: who made the change, for the audit log."""

    def __init__(
        self,
        conn: Any,
        *,
        hasher: argon2.PasswordHasher | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.db = Db.of(conn)
        self.conn = self.db.raw  # the store's own connection (callers pass it on)
        self.hasher = hasher or argon2.PasswordHasher()  # argon2id, the library's defaults
        self.clock = clock or (lambda: datetime.now(UTC))

    def _now(self) -> datetime:
        now = self.clock()
        return now if now.tzinfo else now.replace(tzinfo=UTC)

    def _audit(self, user: str | None, action: str, target: str | None = None, **kw: str | None):
        audit.record(self.db, user, action, target, at=self._now(), **kw)

    # -- accounts ------------------------------------------------------------------

    def add_user(
        self,
        name: str,
        password: str,
        role: str = "reader",
        clearance: int | str = 0,
        caveats: Iterable[str] = (),
        *,
        by: str | None = None,
    ) -> User:
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise ValueError(
                f"user name {name!r}: 1-64 letters, digits, '.', '_', '@' or '-',"
                " starting with a letter or digit"
            )
        _check_role(role)
        _check_password(password)
        rank = parse_rank(clearance)
        bits = _caveat_bits_strict(caveats)
        self._within_own(by, rank, bits)
        if self.get_user(name) is not None:
            raise ValueError(f"user {name!r} exists already")
        hashed = self.hasher.hash(_secret(password))
        created = stamp(self._now())
        try:
            with self.db.transaction():
                uid = self.db.insert(
                    "INSERT INTO users (name, password, role, clearance, caveats, created)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (name, hashed, role, rank, bits, created),
                )
                detail = f"role={role} clearance={RANKS[rank]}"
                detail += f" caveats={','.join(caveat_names(bits))}"
                self._audit(by, "user_add", name, detail=detail)
        except Db.IntegrityError as exc:  # added meanwhile by someone else
            raise ValueError(f"user {name!r} exists already") from exc
        return User(uid, name, role, rank, bits, created, False)

    def get_user(self, name: str) -> User | None:
        row = self.db.execute(
            f"SELECT {_USER_COLUMNS} FROM users WHERE {_BY_NAME}", (_fold(name),)
        ).fetchone()
        return _user(row) if row else None

    def list_users(self) -> list[User]:
        return [
            _user(r)
            for r in self.db.execute(f"SELECT {_USER_COLUMNS} FROM users ORDER BY lower(name)")
        ]

    def _require(self, name: str) -> User:
        user = self.get_user(name)
        if user is None:
            raise ValueError(f"no user {name!r}")
        return user

    def set_password(self, name: str, password: str, *, by: str | None = None) -> int:
        """A new password; the name's failed-login count starts again, and every session of
        the user (web and API logins) ends: whoever knew the old password is out.  API tokens
        stay (revoke them one by one).  Returns how many sessions ended."""
        user = self._require(name)
        _check_password(password)
        hashed = self.hasher.hash(_secret(password))
        with self.db.transaction():
            self.db.execute("UPDATE users SET password = ? WHERE id = ?", (hashed, user.id))
            self.db.execute("DELETE FROM login_failures WHERE key = ?", (_name_key(name),))
            self._audit(by, "user_passwd", user.name)
            ended = self.db.execute(
                "DELETE FROM sessions WHERE user_id = ? AND kind = 'session'", (user.id,)
            ).rowcount
            self._audit(by, "sessions_end", user.name, detail=str(ended))
        return ended

    def set_role(self, name: str, role: str, *, by: str | None = None) -> User:
        user = self._require(name)
        _not_self(user, by, "role")
        _check_role(role)
        with self.db.transaction():
            self.db.execute("UPDATE users SET role = ? WHERE id = ?", (role, user.id))
            self._audit(by, "user_role", user.name, detail=f"{user.role} -> {role}")
        return self._require(name)

    def set_disabled(self, name: str, disabled: bool, *, by: str | None = None) -> User:
        """Disabling also ends the user's sessions and revokes their tokens."""
        user = self._require(name)
        _not_self(user, by, "account's state")
        with self.db.transaction():
            self.db.execute(
                "UPDATE users SET disabled = ? WHERE id = ?", (int(bool(disabled)), user.id)
            )
            if disabled:
                self.db.execute("DELETE FROM sessions WHERE user_id = ?", (user.id,))
            self._audit(by, "user_disable" if disabled else "user_enable", user.name)
        return self._require(name)

    def grant(
        self,
        name: str,
        *,
        clearance: int | str | None = None,
        caveats: Iterable[str] = (),
        by: str | None = None,
    ) -> User:
        """Raise the clearance (to `clearance`; lowering it is `revoke`'s) and add caveats."""
        user = self._require(name)
        _not_self(user, by, "clearance")
        rank = user.rank if clearance is None else parse_rank(clearance)
        if rank < user.rank:
            raise ValueError(f"{user.name} is cleared for {RANKS[user.rank]}; lower it with revoke")
        bits = user.bits | _caveat_bits_strict(caveats)
        self._within_own(by, rank, bits)
        return self._set_clearance(user, rank, bits, "user_grant", by)

    def revoke(
        self,
        name: str,
        *,
        caveats: Iterable[str] = (),
        clearance: int | str | None = None,
        by: str | None = None,
    ) -> User:
        """Take caveats away and/or lower the clearance to `clearance`."""
        user = self._require(name)
        _not_self(user, by, "clearance")
        rank = user.rank if clearance is None else parse_rank(clearance)
        if rank > user.rank:
            raise ValueError(f"{user.name} is cleared for {RANKS[user.rank]}; raise it with grant")
        bits = user.bits & ~_caveat_bits_strict(caveats)
        return self._set_clearance(user, rank, bits, "user_revoke", by)

    def _within_own(self, by: str | None, rank: int, bits: int) -> None:
        """An account grants no clearance or caveat it does not hold itself: an admin cleared
        for UNCLASSIFIED would otherwise make an account of TOP SECRET and log in as it.
        (`by` that names no account, such as local:NAME, is whoever holds the file.)"""
        actor = self.get_user(by) if by and not by.startswith("local:") else None
        if actor is None:
            return
        if rank > actor.rank or bits & ~actor.bits:
            raise ValueError(
                "you cannot grant a clearance or caveat you do not hold yourself:"
                " an admin who holds it must"
            )

    def _set_clearance(self, user: User, rank: int, bits: int, action: str, by: str | None):
        with self.db.transaction():
            self.db.execute(
                "UPDATE users SET clearance = ?, caveats = ? WHERE id = ?", (rank, bits, user.id)
            )
            detail = f"clearance={RANKS[rank]} caveats={','.join(caveat_names(bits))}"
            self._audit(by, action, user.name, detail=detail)
        return self._require(user.name)

    # -- logins ----------------------------------------------------------------------

    def authenticate(
        self, name: str, password: str, *, address: str | None = None, via: str | None = None
    ) -> User:
        """The user, when `password` is theirs and neither the name nor the address is
        throttled; AuthError otherwise.  `via` (web, api, cli) goes into the audit entry."""
        now = self._now()
        since = stamp(now - WINDOW)
        keys = [(_name_key(name), NAME_FAILURES)]
        if address:
            keys.append((_address_key(address), ADDRESS_FAILURES))
        wait = max((self._throttled(k, limit, since, now) for k, limit in keys), default=0)
        if wait:
            self._audit(name, "login_throttled", address=address, detail=via)
            raise AuthError("throttled", wait)

        row = None
        if isinstance(name, str) and 0 < len(name) <= 64:
            row = self.db.execute(
                f"SELECT {_USER_COLUMNS}, password FROM users WHERE {_BY_NAME}", (_fold(name),)
            ).fetchone()
        ok = False
        if isinstance(password, str) and len(password) <= MAX_PASSWORD:
            # An unknown name costs the same work as a known one: no timing oracle for names.
            ok = self._verify(row[-1] if row else self._dummy_hash(), password) and row is not None
        if not ok:
            with self.db.transaction():
                self.db.execute("DELETE FROM login_failures WHERE at <= ?", (since,))
                self.db.executemany(
                    "INSERT INTO login_failures (key, at) VALUES (?, ?)",
                    [(k, stamp(now)) for k, _ in keys],
                )
                self._audit(name, "login_failed", address=address, detail=via)
            raise AuthError("bad_credentials")
        user = _user(row[:-1])  # type: ignore[index]
        if user.disabled:
            self._audit(user.name, "login_failed", address=address, detail=_join(via, "disabled"))
            raise AuthError("disabled")
        with self.db.transaction():
            if self.hasher.check_needs_rehash(row[-1]):  # type: ignore[index]
                self.db.execute(
                    "UPDATE users SET password = ? WHERE id = ?",
                    (self.hasher.hash(_secret(password)), user.id),
                )
            self.db.execute("DELETE FROM login_failures WHERE key = ?", (_name_key(name),))
            self._audit(user.name, "login", address=address, detail=via)
        return user

    def _verify(self, hashed: str, password: str) -> bool:
        try:
            return self.hasher.verify(hashed, _secret(password))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def _dummy_hash(self) -> str:
        # One per process and parameter set: an Accounts made per request must not pay (and
        # show in its timing) an extra hash on its first unknown name.
        h = self.hasher
        key = (h.time_cost, h.memory_cost, h.parallelism, h.hash_len, h.salt_len, h.type)
        if key not in _DUMMIES:
            _DUMMIES[key] = h.hash(secrets.token_urlsafe(16))
        return _DUMMIES[key]

    def _throttled(self, key: str, limit: int, since: str, now: datetime) -> int:
        """Seconds until `key` may try again (0: now).  Throttled attempts are not counted as
        failures, so the lock lifts when the window has passed, whatever an attacker does."""
        times = [
            t
            for (t,) in self.db.execute(
                "SELECT at FROM login_failures WHERE key = ? AND at > ? ORDER BY at",
                (key, since),
            )
        ]
        if len(times) < limit:
            return 0
        # Below the limit again once the failure `limit` places from the newest ages out.
        frees = parse_stamp(times[len(times) - limit]) + WINDOW
        return max(1, int((frees - now).total_seconds() + 0.999))

    def failures(self, name: str) -> int:
        """Failed logins for `name` within the window (for the admin pages)."""
        since = stamp(self._now() - WINDOW)
        return self.db.one(
            "SELECT count(*) FROM login_failures WHERE key = ? AND at > ?",
            (_name_key(name), since),
        )

    # -- web sessions --------------------------------------------------------------

    def create_session(
        self, user: User | str, *, ttl: timedelta = SESSION_TTL, web: bool = True
    ) -> tuple[str, str | None]:
        """(session token, CSRF token).  The session lasts `ttl` after its last use.
        `web`: a browser's session (the cookie, with a CSRF token for its forms); otherwise
        an API session (POST /api/login: a bearer token, no CSRF token).  Each works only
        where it was made for (`session`, `api_session`)."""
        u = user if isinstance(user, User) else self._require(user)
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32) if web else None
        now = self._now()
        with self.db.transaction():
            self.db.execute(
                "INSERT INTO sessions (token_hash, user_id, kind, csrf, created, expires,"
                " last_used) VALUES (?, ?, 'session', ?, ?, ?, ?)",
                (_digest(token), u.id, csrf, stamp(now), stamp(now + ttl), stamp(now)),
            )
        return token, csrf

    def session(self, token: str) -> tuple[User, str] | None:
        """(user, CSRF token) of a live web session; None when unknown, expired or disabled,
        and for an API session (a bearer token is no cookie)."""
        found = self._lookup(token, "session")
        return (found[0], found[1]) if found and found[1] is not None else None

    def api_session(self, token: str) -> User | None:
        """The user of a live API session (POST /api/login); None otherwise, and for a web
        session (a cookie is no bearer token)."""
        found = self._lookup(token, "session")
        return found[0] if found and found[1] is None else None

    def end_session(self, token: str) -> None:
        if not isinstance(token, str):
            return
        digest = _digest(token)
        with self.db.transaction():
            row = self.db.execute(
                "SELECT u.name FROM sessions s JOIN users u ON u.id = s.user_id"
                " WHERE s.token_hash = ? AND s.kind = 'session'",
                (digest,),
            ).fetchone()
            self.db.execute(
                "DELETE FROM sessions WHERE token_hash = ? AND kind = 'session'", (digest,)
            )
            if row:
                self._audit(row[0], "logout")

    def end_sessions(self, name: str, *, by: str | None = None) -> int:
        """End every web session of a user (their API tokens stay); return how many."""
        user = self._require(name)
        with self.db.transaction():
            n = self.db.execute(
                "DELETE FROM sessions WHERE user_id = ? AND kind = 'session'", (user.id,)
            ).rowcount
            self._audit(by, "sessions_end", user.name, detail=str(n))
        return n

    def _lookup(self, token: str, kind: str) -> tuple[User, str | None] | None:
        if not isinstance(token, str) or not token or len(token) > 256:
            return None
        digest = _digest(token)
        row = self.db.execute(
            f"SELECT s.csrf, s.expires, s.last_used, {_USER_COLUMNS_U}"
            " FROM sessions s JOIN users u ON u.id = s.user_id"
            " WHERE s.token_hash = ? AND s.kind = ?",
            (digest, kind),
        ).fetchone()
        if row is None:
            return None
        csrf, expires, last_used, *urow = row
        user = _user(tuple(urow))
        if user.disabled:
            return None
        now = self._now()
        if expires is not None and parse_stamp(expires) <= now:
            self._housekeeping("DELETE FROM sessions WHERE token_hash = ?", (digest,))
            return None
        last = parse_stamp(last_used) if last_used else None
        if last is None or now - last >= _TOUCH:
            new_expires = expires
            if kind == "session" and expires is not None and last is not None:
                # Sliding: the idle time allowed (expires - last use) starts again now.
                new_expires = stamp(now + (parse_stamp(expires) - last))
            self._housekeeping(
                "UPDATE sessions SET last_used = ?, expires = ? WHERE token_hash = ?",
                (stamp(now), new_expires, digest),
            )
        return user, csrf

    def _housekeeping(self, sql: str, params: tuple) -> None:
        """A write that a lookup makes in passing: on a read-only or busy connection it is
        skipped rather than failing the request (the session then just does not slide)."""
        try:
            with self.db.transaction():
                self.db.execute(sql, params)
        except Db.Refused:
            pass

    # -- API tokens ----------------------------------------------------------------

    def create_token(
        self, user: User | str, label: str, *, ttl: timedelta | None = None, by: str | None = None
    ) -> str:
        """A new API token for `user` (shown once: only its hash is kept).  `label` names it
        among the user's tokens; `ttl` None: valid until revoked."""
        u = user if isinstance(user, User) else self._require(user)
        if not isinstance(label, str) or not _LABEL.fullmatch(label):
            raise ValueError("token label: 1-64 printable characters")
        if ttl is not None and ttl <= timedelta(0):
            raise ValueError("token lifetime must be positive")
        now = self._now()
        with self.db.transaction():
            self.db.execute(
                "DELETE FROM sessions WHERE user_id = ? AND kind = 'token' AND expires <= ?",
                (u.id, stamp(now)),
            )
            taken = self.db.execute(
                "SELECT 1 FROM sessions WHERE user_id = ? AND kind = 'token' AND label = ?",
                (u.id, label),
            ).fetchone()
            if taken:
                raise ValueError(f"{u.name} has a token labelled {label!r} already")
            token = TOKEN_PREFIX + secrets.token_urlsafe(32)
            expires = stamp(now + ttl) if ttl is not None else None
            self.db.execute(
                "INSERT INTO sessions (token_hash, user_id, kind, label, created, expires)"
                " VALUES (?, ?, 'token', ?, ?, ?)",
                (_digest(token), u.id, label, stamp(now), expires),
            )
            self._audit(by or u.name, "token_create", u.name, detail=label)
        return token

    def token_user(self, token: str) -> User | None:
        """The user of a live API token; None when unknown, expired, revoked or disabled."""
        found = self._lookup(token, "token")
        return found[0] if found else None

    def list_tokens(self, name: str) -> list[dict]:
        """The user's tokens: label, created, expires (None: never), last_used, expired."""
        user = self._require(name)
        now = stamp(self._now())
        return [
            {
                "label": label,
                "created": created,
                "expires": expires,
                "last_used": last_used,
                "expired": expires is not None and expires <= now,
            }
            for label, created, expires, last_used in self.db.execute(
                "SELECT label, created, expires, last_used FROM sessions"
                " WHERE user_id = ? AND kind = 'token' ORDER BY created, label",
                (user.id,),
            )
        ]

    def revoke_token(self, name: str, label: str, *, by: str | None = None) -> bool:
        user = self._require(name)
        with self.db.transaction():
            n = self.db.execute(
                "DELETE FROM sessions WHERE user_id = ? AND kind = 'token' AND label = ?",
                (user.id, label),
            ).rowcount
            if n:
                self._audit(by or user.name, "token_revoke", user.name, detail=label)
        return bool(n)


def _not_self(user: User, by: str | None, what: str) -> None:
    """No one changes their own clearance, role or state: another admin must (an admin cleared
    for UNCLASSIFIED would otherwise read what they like)."""
    if by is not None and by.strip().casefold() == user.name.casefold():
        raise ValueError(f"you cannot change your own {what}: another admin must")


# A user name as both stores compare it: ASCII letters folded (SQLite's NOCASE; PostgreSQL's
# lower() over the "C" column), any other character as it is, so that no Unicode fold (the
# Kelvin sign's `k`) makes one name another.
_BY_NAME = "lower(name) = ?"
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _fold(name: str) -> str:
    return name.translate(_ASCII_LOWER) if isinstance(name, str) else name


def _name_key(name: object) -> str:
    return "name:" + str(name).strip().lower()[:128]


def _address_key(address: str) -> str:
    return "addr:" + address[:128]


def _join(*parts: str | None) -> str | None:
    kept = [p for p in parts if p]
    return " ".join(kept) if kept else None
