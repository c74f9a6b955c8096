"""The archive's commands: ingest, search, show, stats, export, graph, errors.

Registered on the `cablebase` group by cablebase.cli.  Every command takes `--archive FILE`
(default: $CABLEBASE_ARCHIVE or ./cables.db).
"""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager

import click

from cablebase.archive.query import QueryError
from cablebase.cli.identity import identity_options
from cablebase.cli.params import ArchiveLocation, FileName

DEFAULT_ARCHIVE = "cables.db"


def archive_option(f):  # type: ignore[no-untyped-def]
    return click.option(
        "--archive",
        "archive_path",
        type=ArchiveLocation(),
        default=lambda: os.environ.get("CABLEBASE_ARCHIVE", DEFAULT_ARCHIVE),
        show_default="$CABLEBASE_ARCHIVE or cables.db",
        help="The archive: a SQLite file, or a PostgreSQL database as postgresql://…",
    )(f)


def _open(path: str, *, must_exist: bool = True):  # type: ignore[no-untyped-def]
    from cablebase.archive.api import Archive

    # A read never makes an archive of a missing, empty or foreign file (archive_file.check).
    return Archive.open(path, create=not must_exist)


@contextmanager
def _reader(path: str, user: str | None, token: str | None, action: str, target: str | None):  # type: ignore[no-untyped-def]
    """The archive as the command's reader sees it (access.identity: open policy -> everyone;
    controlled -> the account named by --user/--token, else anonymous).  Under a controlled
    policy the read is audited."""
    from cablebase.access import audit
    from cablebase.cli.identity import cli_access

    with _open(path) as archive:
        access = cli_access(archive.db, user=user, token=token)
        if archive.policy.mode == "controlled":
            audit.record(archive.db, access.viewer.name, action, target, detail="cli")
        # One generation of the archive for the whole command (Archive.pinned).
        yield archive.pinned().with_access(access)


def _query_error(query: str, exc: QueryError) -> click.ClickException:
    pointer = " " * exc.position + "^"
    return click.ClickException(f"{exc.message}\n  {query}\n  {pointer}")


def _quiet_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so Python's exit flush stays silent."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


TERMINAL_LIMIT = 20  # hits `search` prints to a terminal without --limit/--all


def _on_terminal() -> bool:
    return sys.stdout.isatty()


def _everything(query: str) -> str:
    """`*` (and the empty query) select every cable."""
    return "" if query.strip() == "*" else query


def _count_line(total: int, query: str, offset: int, limit: int | None) -> str:
    """`2,994 cables match 'iran'` (with the range shown when --offset/--limit cut it)."""
    what = f"match {query!r}" if query.strip() else "in the archive"
    line = f"{total:,} cable{'s' if total != 1 else ''} {what}"
    shown = max(0, min(total, offset + limit) - offset) if limit is not None else total - offset
    if (offset or limit is not None) and total:
        line += f"; showing {max(shown, 0):,} from #{offset + 1:,}"
    return line


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    m, s = divmod(int(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


class _Progress:
    """A one-line progress display on a terminal; plain log lines every 10 s otherwise."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last = 0.0

    def __call__(self, s) -> None:  # type: ignore[no-untyped-def]
        now = time.monotonic()
        if not self.tty and now - self.last < 10:
            return
        self.last = now
        rate = s.items / s.seconds if s.seconds else 0.0
        share = f"{s.bytes_read / s.bytes_total:6.1%}" if s.bytes_total else "   ?  "
        line = (
            f"{share}  {s.items:>10,} items  {rate:>8,.0f}/s  ETA {_duration(s.eta)}"
            f"  ({s.quarantined:,} quarantined)"
        )
        if self.tty:
            width = 30
            done = int(width * min(s.bytes_read / s.bytes_total, 1.0)) if s.bytes_total else 0
            bar = "#" * done + "-" * (width - done)
            click.echo(f"\r[{bar}] {line}", nl=False, err=True)
        else:
            click.echo(f"ingest: {line}", err=True)

    def close(self) -> None:
        if self.tty:
            click.echo("", err=True)


class _Size(click.ParamType):
    """A byte count: 4096, 32M, 8G."""

    name = "size"

    def convert(self, value, param, ctx):  # type: ignore[no-untyped-def]
        if isinstance(value, int):
            return value
        from cablebase.forms.sources import parse_size

        try:
            return parse_size(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


_FORMS = ("auto", "html", "csv", "markdown", "text", "telegram", "fragment", "export")


def _limit_options(f):  # type: ignore[no-untyped-def]
    """One flag per input limit (forms.sources.Limits); unset flags fall back to
    $CABLEBASE_MAX_* and then to the defaults."""
    for flag, kind, text in reversed(
        (
            ("--max-item-size", _Size(), "Largest document or csv row (default 32M)."),
            ("--max-expanded", _Size(), "Largest decompressed stream or member (default 8G)."),
            ("--max-archive-size", _Size(), "Most bytes one input expands to (default 32G)."),
            ("--max-members", click.IntRange(min=0), "Most archive members per input (1000000)."),
            ("--max-depth", click.IntRange(min=0), "Deepest nesting of archives (default 8)."),
            ("--max-ratio", click.IntRange(min=1), "Largest expansion ratio (default 200)."),
        )
    ):
        f = click.option(flag, type=kind, default=None, help=text)(f)
    return f


@click.command()
@click.argument("paths", nargs=-1, required=True)
@archive_option
@click.option(
    "--form",
    type=click.Choice(_FORMS),
    default="auto",
    show_default=True,
    help="Form of every input document.",
)
@click.option("--year", type=int, default=None, help="Year hint for fragments.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Parsing processes (default: all cores).",
)
@click.option("--strict", is_flag=True, hidden=True, help="The default: exit 1 on quarantine.")
@_limit_options
def ingest(
    paths: tuple[str, ...],
    archive_path: str,
    form: str,
    year: int | None,
    workers: int | None,
    strict: bool,
    **limit_flags: int | None,
) -> None:
    """Read every cable under PATHS (files, folders, archives, - for stdin) into the archive.

    Idempotent and resumable: running it again changes nothing that is already stored and
    completes an interrupted run.  Items that fail are quarantined (see `cablebase errors`).

    Exit status: 0 when every input item was stored; 1 when any item was quarantined or
    refused by a limit (the rest is stored; the summary names them); 2 on a usage error,
    such as a PATH that does not exist (nothing is read then).
    """
    from cablebase.archive.ingest import ingest as run
    from cablebase.forms.sources import Limits

    missing = [p for p in paths if p != "-" and not os.path.exists(p)]
    if missing:
        what = "broken symbolic link" if os.path.islink(missing[0]) else "no such file or folder"
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise click.BadParameter(f"{what}: {missing[0]}{more}", param_hint="PATHS")
    try:
        limits = Limits.from_env(**limit_flags)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    progress = _Progress()
    try:
        summary = run(
            paths,
            archive_path,
            form=form,
            year=year,
            workers=workers,
            progress=progress,
            limits=limits,
        )
    finally:
        progress.close()
    click.echo(summary.line(), err=True)
    if summary.warnings:
        # The warnings are kept on each cable's record (docs/record.md): say where to read them.
        click.echo(
            f"  warnings: counted by code in `cablebase stats --archive {archive_path}`;"
            ' each cable\'s own in `cablebase show ID --json` (its "warnings")',
            err=True,
        )
    for kind, n in sorted(summary.reasons.items(), key=lambda kv: -kv[1]):
        click.echo(f"  quarantined: {n:,} × {kind}", err=True)
    if summary.quarantined:
        for example in summary.examples:
            click.echo(f"    {example}", err=True)
        more = summary.quarantined - len(summary.examples)
        tail = f"{more:,} more; " if more > 0 else ""
        click.echo(
            f"ingest: {summary.quarantined:,} of {summary.items:,} items not stored "
            f"({tail}all listed by: cablebase errors --archive {archive_path})",
            err=True,
        )
        sys.exit(1)


@click.command()
@click.argument("query", default="")
@archive_option
@click.option("--sort", type=click.Choice(["relevance", "date", "-date"]), default="relevance")
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=None,
    help=f"At most this many hits (default: all into a pipe or file, {TERMINAL_LIMIT} on a"
    " terminal).",
)
@click.option("--all", "show_all", is_flag=True, help="Every hit, also on a terminal.")
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip this many hits.")
@click.option("--json", "as_json", is_flag=True, help="JSON lines, one hit per line.")
@click.option("--count", "only_count", is_flag=True, help="Print only the number of hits.")
@click.option("--facets", "with_facets", is_flag=True, help="Print facet counts after the hits.")
@identity_options
def search(
    query: str,
    archive_path: str,
    sort: str,
    limit: int | None,
    offset: int,
    as_json: bool,
    only_count: bool,
    with_facets: bool,
    show_all: bool,
    user: str | None,
    token: str | None,
) -> None:
    """Search the archive (query language: docs/search.md; '' or '*' is every cable).

    The hits go to stdout, a count line to stderr (so pipes get the hits alone).  Into a pipe
    or a file every hit; on a terminal the first 20 and how to see more (--all, --limit)."""
    import orjson

    query = _everything(query)
    with _reader(archive_path, user, token, "search", query) as archive:
        try:
            if only_count:
                click.echo(archive.count(query))
                return
            total = archive.count(query)
            hint = None
            if (
                limit is None
                and not show_all
                and _on_terminal()
                and total - offset > TERMINAL_LIMIT
            ):
                # A reader at a terminal gets a screenful and the way to the rest.
                limit = TERMINAL_LIMIT
                hint = (
                    f"(the first {TERMINAL_LIMIT:,} of {total - offset:,}: --all for every hit,"
                    f" --limit N --offset {offset + TERMINAL_LIMIT} for the next ones)"
                )
            click.echo(_count_line(total, query, offset, limit), err=True)
            if not total:  # a value that matches nothing: the near ones (archive/hints.py)
                from cablebase.archive.hints import hints

                for h in hints(archive, query):
                    click.echo(f"  {h.message}", err=True)
            hits = archive.search(query, sort=sort, limit=limit, offset=offset, snippets=True)
            out = click.get_text_stream("stdout")
            for hit in hits:
                if as_json:
                    out.write(orjson.dumps(hit).decode("utf-8") + "\n")
                else:
                    created = (hit.created or "")[:10]
                    line = f"{hit.reference_id:<22} {created:<10} {(hit.classification or '')[:12]:<12} {hit.subject or ''}"
                    out.write(line + "\n")
                    if hit.snippet:
                        out.write(f"    {hit.snippet}\n")
            if hint:
                out.flush()
                click.echo(hint, err=True)
            if with_facets:
                for name, values in archive.facets(query).items():
                    if as_json:
                        out.write(orjson.dumps({"facet": name, "values": values}).decode() + "\n")
                        continue
                    out.write(f"\n{name}:\n")
                    for value, n in values:
                        out.write(f"  {n:>8,}  {value}\n")
        except QueryError as exc:
            raise _query_error(query, exc) from None


@click.command()
@click.argument("reference_id")
@archive_option
@click.option("--json", "as_json", is_flag=True, help="The JSON record instead of the telegram.")
@click.option("--markdown", "as_markdown", is_flag=True, help="Markdown instead of the telegram.")
@click.option(
    "--version",
    "version",
    type=click.IntRange(min=1, max=2**31),
    default=None,
    help="This version of the cable (an original, a published release...).",
)
@identity_options
def show(
    reference_id: str,
    archive_path: str,
    as_json: bool,
    as_markdown: bool,
    version: int | None,
    user: str | None,
    token: str | None,
) -> None:
    """Show one cable, with the cables it cites and the cables that cite it."""
    from cablebase.render import to_markdown

    with _reader(archive_path, user, token, "read", reference_id.upper()) as archive:
        cable = archive.get(reference_id, version=version)
        if cable is None:
            numbers = archive.version_numbers(reference_id) if version else []
            if numbers:  # the cable is there for this reader, that version is not
                listed = ", ".join(map(str, numbers))
                raise click.ClickException(
                    f"{reference_id} has no version {version} for you (versions: {listed})"
                )
            raise click.ClickException(f"{reference_id} is not in the archive")
        if as_json:
            click.echo(cable.to_json(indent=True).decode("utf-8"))
            return
        if as_markdown:
            click.echo(to_markdown(cable))
        else:  # a desk-released cable in the page layout it was transmitted with
            from cablebase.drafting.released import archive_telegram

            click.echo(archive_telegram(archive, cable))
        cites = archive.cites(cable.reference_id)
        cited_by = archive.cited_by(cable.reference_id)
        click.echo("\n-- references --")
        for ref in cites:
            where = "" if ref.in_archive else "   (not in the archive)"
            click.echo(f"cites     {ref.letter or '-'}  {ref.reference_id}{where}")
        for ref in cited_by:
            click.echo(f"cited by  {ref.letter or '-'}  {ref.reference_id}")
        if not cites and not cited_by:
            click.echo("(none)")
        sources = archive.store.sources(cable.reference_id)
        if len(sources) > 1:  # one cable read from several forms (docs/sources.md)
            click.echo("\n-- sources --")
            for s in sources:
                where = s.path or "-"
                where += f"#row{s.offset}" if s.offset is not None and s.form == "csv" else ""
                released = f"   released {s.released[:10]}" if s.released else ""
                click.echo(f"{s.form:<9} {where}{released}")
            for w in cable.warnings:
                if w.code == "merge.disagree":
                    click.echo(f"disagree  {w.message}")
        numbers = archive.version_numbers(reference_id)
        if len(numbers) > 1:  # an original and its release, or re-read versions
            shown = version or archive.default_version(reference_id)
            marks = [f"{n} (shown)" if n == shown else str(n) for n in numbers]
            click.echo(f"\n-- versions: {', '.join(marks)}; --version N shows one --")


@click.command()
@archive_option
@click.option("--json", "as_json", is_flag=True)
@identity_options
def stats(archive_path: str, as_json: bool, user: str | None, token: str | None) -> None:
    """Counts by classification, year, origin and tag; reference resolution rate."""
    from cablebase.archive.stats import format_stats
    from cablebase.archive.stats import stats as compute

    with _reader(archive_path, user, token, "stats", None) as archive:
        result = compute(archive)
        if as_json:
            import orjson

            click.echo(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode("utf-8"))
        else:
            click.echo(format_stats(result))


@click.command()
@click.argument("query", default="")
@archive_option
@click.option("--to", "fmt", type=click.Choice(["jsonl", "csv", "parquet"]), default="jsonl")
@click.option("--out", "-o", type=FileName(), default="-", help="Output file (default: stdout).")
@click.option(
    "--sort", type=click.Choice(["date", "-date", "id"]), default="date", show_default=True
)
@click.option("--text", is_flag=True, help="csv/parquet: add the cable's text as a column.")
@click.option(
    "--record",
    is_flag=True,
    help="csv: add the whole record as JSON (a `record` column): what `ingest` reads back.",
)
@identity_options
def export(
    query: str,
    archive_path: str,
    fmt: str,
    out: str,
    sort: str,
    text: bool,
    record: bool,
    user: str | None,
    token: str | None,
) -> None:
    """Export every cable matching QUERY, streaming, with no cap.

    QUERY '*' (or '', or none at all) exports every cable of the archive."""
    from cablebase.archive.export import export as run

    query = _everything(query)
    with _reader(archive_path, user, token, "export", query) as archive:
        try:
            target = sys.stdout.buffer if out == "-" else out
            n = run(archive, query, fmt, target, sort=sort, text=text, record=record)
        except QueryError as exc:
            raise _query_error(query, exc) from None
        except BrokenPipeError:  # `cablebase export ... | head`: the reader left, that is fine
            _quiet_stdout()
            return
    where = "stdout" if out == "-" else os.path.abspath(out)
    size = f", {_human(os.path.getsize(out))}" if out != "-" and os.path.isfile(out) else ""
    click.echo(f"exported {n:,} cable{'s' if n != 1 else ''} as {fmt} to {where}{size}", err=True)


def _human(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:,} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000  # type: ignore[assignment]
    return str(n)


@click.command()
@click.argument("query", default="")
@archive_option
@click.option("--to", "fmt", type=click.Choice(["graphml", "gexf"]), default="graphml")
@click.option("--out", "-o", type=FileName(), default="-", help="Output file (default: stdout).")
@click.option("--no-unresolved", is_flag=True, help="Leave out cited ids the archive lacks.")
@identity_options
def graph(
    query: str,
    archive_path: str,
    fmt: str,
    out: str,
    no_unresolved: bool,
    user: str | None,
    token: str | None,
) -> None:
    """The citation network of the cables matching QUERY, for Gephi and friends."""
    from cablebase.archive.graph import graph as run

    query = _everything(query)
    with _reader(archive_path, user, token, "export", f"graph {query}") as archive:
        try:
            target = sys.stdout.buffer if out == "-" else out
            run(archive, query, fmt, target, include_unresolved=not no_unresolved)
        except QueryError as exc:
            raise _query_error(query, exc) from None
        except BrokenPipeError:
            _quiet_stdout()
            return
    if out != "-":
        click.echo(f"wrote the {fmt} graph to {os.path.abspath(out)}", err=True)


@click.command()
@archive_option
def errors(archive_path: str) -> None:
    """Inputs that could not be stored, with their location and reason."""
    with _open(archive_path) as archive:
        rows = archive.store.quarantined()
        for location, reason, seen in rows:
            click.echo(f"{location}\t{reason}\t{seen}")
        click.echo(f"{len(rows):,} quarantined items", err=True)


COMMANDS = (ingest, search, show, stats, export, graph, errors)
