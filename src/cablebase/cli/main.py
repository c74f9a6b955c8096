"""The ``cablebase`` command.

    cablebase parse PATH|- [--form F] [--year YYYY] [--json|--jsonl|--telegram|--markdown] [--strict]
    cablebase generate N --form FORM OUT [--seed S]
    cablebase demo
    cablebase ingest | search | show | stats | export | graph | errors   (the archive)

``parse`` streams every cable of a file, folder, archive or stdin to stdout;
failures (location: reason) and a closing summary line go to stderr.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from importlib import resources

import click

from cablebase.cli.params import ArchiveLocation, FileName
from cablebase.forms.detect import FORMS
from cablebase.record import Cable

_FORM_CHOICES = ("auto", *FORMS)


class _Main(click.Group):
    """The command group; failures of the archive file, the disk or the code itself end in one
    sentence and a non-zero status, never a traceback (CABLEBASE_DEBUG=1 shows it)."""

    def invoke(self, ctx: click.Context):  # type: ignore[no-untyped-def]
        import sqlite3

        from cablebase.archive.archive_file import ArchiveFileError, describe_sqlite_error
        from cablebase.archive.store import Unsupported

        _echo_typed_bytes()
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except (ArchiveFileError, Unsupported) as e:
            raise click.ClickException(str(e)) from None
        except sqlite3.Error as e:
            _debug()
            raise click.ClickException(describe_sqlite_error(e)) from None
        except BrokenPipeError:  # `cablebase search … | head`
            sys.stderr.close()
            raise click.exceptions.Exit(0) from None
        except OSError as e:
            _debug()
            where = f" ({e.filename})" if e.filename else ""
            raise click.ClickException(f"{e.strerror or e}{where}") from None
        except MemoryError:
            raise click.ClickException("out of memory") from None
        except Exception as e:  # a defect of ours: say so plainly
            _debug()
            raise click.ClickException(
                f"internal error ({type(e).__name__}: {e}); please report it"
                " (CABLEBASE_DEBUG=1 shows the traceback)"
            ) from None


def _echo_typed_bytes() -> None:
    """A command line's invalid UTF-8 arrives as lone surrogates (Python's surrogateescape):
    a file name or an id echoed back writes its bytes as typed instead of failing."""
    import contextlib

    for stream in (sys.stdout, sys.stderr):
        # not a TextIOWrapper (AttributeError), or closed
        with contextlib.suppress(AttributeError, ValueError, OSError):
            stream.reconfigure(errors="surrogateescape")  # type: ignore[union-attr]


def _debug() -> None:
    import os
    import traceback

    if os.environ.get("CABLEBASE_DEBUG"):
        traceback.print_exc()


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cablebase")
def main() -> None:
    """Read, store, search and render diplomatic cables."""


def _renderer(output: str) -> Callable[[Cable], str]:
    from cablebase import render

    return render.to_telegram if output == "telegram" else render.to_markdown


@main.command()
@click.argument("path", type=FileName())
@click.option(
    "--form",
    type=click.Choice(_FORM_CHOICES),
    default="auto",
    show_default=True,
    help="Form of the input documents (auto detects each one).",
)
@click.option("--year", type=int, default=None, help="Year of the cables (context for fragments).")
@click.option("--json", "output", flag_value="json", help="Pretty JSON (an array for many).")
@click.option("--jsonl", "output", flag_value="jsonl", help="One JSON record per line.")
@click.option("--telegram", "output", flag_value="telegram", help="Canonical telegram text.")
@click.option("--markdown", "output", flag_value="markdown", help="Readable markdown.")
@click.option("--strict", is_flag=True, help="Exit 1 when any input item failed.")
def parse(path: str, form: str, year: int | None, output: str | None, strict: bool) -> None:
    """Parse the cables in PATH (a file, folder, archive, or - for stdin).

    Without an output option: pretty JSON for a single cable, JSON lines for many.
    """
    from cablebase.forms.sources import Failure
    from cablebase.parse import iter_cables

    out = click.get_text_stream("stdout")
    counts = {"cables": 0, "warnings": 0, "failures": 0}

    def cables() -> Iterator[Cable]:
        for item in iter_cables(path, form=form, year=year):
            if isinstance(item, Failure):
                counts["failures"] += 1
                click.echo(f"failure: {item}", err=True)
                continue
            counts["cables"] += 1
            counts["warnings"] += len(item.warnings)
            yield item

    stream = cables()
    if output is None:
        # Look ahead one item: a single cable is printed as pretty JSON.
        first = next(stream, None)
        second = next(stream, None) if first is not None else None
        output = "jsonl" if second is not None else "json"
        stream = _chain([c for c in (first, second) if c is not None], stream)

    if output == "jsonl":
        for cable in stream:
            out.write(cable.to_json().decode("utf-8"))
            out.write("\n")
    elif output == "json":
        _write_json(out, stream)
    else:
        render = _renderer(output)
        for n, cable in enumerate(stream):
            if n:
                out.write("\n\n")
            text = render(cable)
            out.write(text if text.endswith("\n") else text + "\n")
    out.flush()
    click.echo(
        f"{counts['cables']} cables, {counts['warnings']} warnings, {counts['failures']} failures",
        err=True,
    )
    if strict and counts["failures"]:
        sys.exit(1)


def _chain(head: list[Cable], rest: Iterator[Cable]) -> Iterator[Cable]:
    yield from head
    yield from rest


def _write_json(out, stream: Iterator[Cable]) -> None:  # type: ignore[no-untyped-def]
    """One cable as a pretty object; several as a pretty array (written as they come)."""
    first = next(stream, None)
    if first is None:
        out.write("[]\n")
        return
    second = next(stream, None)
    if second is None:
        out.write(first.to_json(indent=True).decode("utf-8") + "\n")
        return
    out.write("[\n")
    out.write(first.to_json(indent=True).decode("utf-8"))
    for cable in _chain([second], stream):
        out.write(",\n")
        out.write(cable.to_json(indent=True).decode("utf-8"))
    out.write("\n]\n")


@main.command()
@click.argument("n", type=int)
@click.option("--form", type=click.Choice(FORMS), default="html", show_default=True)
@click.argument("out", type=click.Path())
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
def generate(n: int, form: str, out: str, seed: int) -> None:
    """Write N synthetic cables in FORM to OUT (a file, folder or archive)."""
    from cablebase import generate as gen

    gen.write(n, form, out, seed)
    click.echo(f"wrote {n} {form} cables to {out}", err=True)


def sample_text() -> str:
    """The bundled sample cable (an invented telegram) as text."""
    return resources.files("cablebase").joinpath("samples/sample.txt").read_text("utf-8")


@main.command()
@click.option(
    "--archive",
    "archive_path",
    type=ArchiveLocation(),
    default="cablebase-demo.db",
    show_default=True,
    help="Where to build the demo archive.",
)
@click.option("--n", type=int, default=5000, show_default=True, help="Generated cables to archive.")
def demo(archive_path: str, n: int) -> None:
    """Parse the bundled sample cable, then build a demo archive of generated cables and search it."""
    from cablebase.parse import parse_text
    from cablebase.render import to_markdown

    cable = parse_text(sample_text(), form="telegram")
    rows = [
        ("reference id", cable.reference_id),
        ("created", cable.created),
        ("classification", cable.classification),
        ("handling", ", ".join(cable.handling) or None),
        ("from", cable.sender),
        ("to", ", ".join(r.name for r in cable.recipients if r.role == "to") or None),
        ("info", str(sum(1 for r in cable.recipients if r.role == "info"))),
        ("tags", " ".join(cable.tags) or None),
        ("subject", cable.subject),
        ("references", ", ".join(r.id or r.text for r in cable.references) or None),
        ("classified by", cable.classified_by.text if cable.classified_by else None),
        ("paragraphs", str(len(cable.paragraphs))),
        ("signers", ", ".join(cable.signers) or None),
        ("warnings", str(len(cable.warnings))),
    ]
    width = max(len(k) for k, _ in rows)
    click.echo("1. The sample cable (invented), parsed from its raw telegram text:\n")
    for key, value in rows:
        click.echo(f"  {key.ljust(width)}  {value if value is not None else '-'}")
    for w in cable.warnings:
        click.echo(f"  warning: {w.code}: {w.message}")
    click.echo("")
    click.echo(to_markdown(cable))
    _demo_archive(archive_path, n)


def _demo_archive(archive_path: str, n: int) -> None:
    """Generate n cables, ingest them, and run a few searches over the result."""
    import tempfile
    from pathlib import Path

    from cablebase.archive.api import Archive
    from cablebase.archive.ingest import ingest
    from cablebase.generate import write

    click.echo(f"\n2. A demo archive of {n:,} generated cables at {archive_path}:\n")
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "generated.csv"
        write(n, "csv", source, seed=0)
        summary = ingest([source], archive_path)
    click.echo(f"  ingest: {summary.line()}")
    size = Path(archive_path).stat().st_size
    click.echo(f"  archive: {archive_path}, {size / 1e6:,.0f} MB on disk (delete it when done)")
    with Archive.open(archive_path) as archive:
        for query in (
            "tag:PGOV class:>=secret",
            '"foreign minister" year:2009',
            "handling:noforn -tag:PREL",
        ):
            try:
                count = archive.count(query)
            except Exception as exc:  # a demo query the language rejects is shown, not fatal
                click.echo(f"  {query!r}: {exc}")
                continue
            click.echo(f"\n  search {query!r}: {count:,} cables; the newest:")
            for hit in archive.search(query, sort="-date", limit=3):
                click.echo(
                    f"    {hit.reference_id:<20} {(hit.created or '')[:10]}  {hit.subject or ''}"[
                        :110
                    ]
                )
    click.echo(
        f"\n  Explore it: cablebase search 'tag:PREL \"prime minister\"' --archive {archive_path}"
        f"\n             cablebase stats --archive {archive_path}"
        "\n  A real release: cablebase ingest cables.csv --archive cables.db"
    )


@main.command()
@click.option(
    "--archive", "archive_path", type=ArchiveLocation(), default=None, help="The archive to serve."
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8000, show_default=True)
@click.option(
    "--demo", is_flag=True, help="Serve a demo archive of generated cables (built if absent)."
)
@click.option(
    "--n",
    type=int,
    default=5000,
    show_default=True,
    help="Cables in the demo archive (5,000 take about 115 MB and half a minute to build).",
)
@click.option(
    "--secure-cookies",
    is_flag=True,
    help="Mark session cookies Secure (serving behind https); requests that arrive over https"
    " get them anyway.",
)
@click.option(
    "--query-budget",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Seconds of CPU time one request's queries may take before they are stopped with a"
    " 400 (default 5).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Server processes sharing the port (about one per core; docs/deployment.md).",
)
def serve(
    archive_path: str | None,
    host: str,
    port: int,
    demo: bool,
    n: int,
    secure_cookies: bool,
    query_budget: float | None,
    workers: int,
) -> None:
    """Serve the reading room (web pages and the /api) over an archive."""
    import os

    import uvicorn

    from cablebase.web.app import create_app

    if demo:
        archive_path = archive_path or "cablebase-demo.db"
        if not os.path.exists(archive_path):
            _demo_archive(archive_path, n)
    archive_path = archive_path or os.environ.get("CABLEBASE_ARCHIVE", "cables.db")
    from cablebase.archive.store import is_dsn, shown

    if not is_dsn(archive_path) and not os.path.exists(archive_path):
        raise click.ClickException(
            f"no archive at {archive_path}: build one with `cablebase ingest PATH --archive "
            f"{archive_path}`, or run `cablebase serve --demo`"
        )
    click.echo(f"reading room for {shown(archive_path)} at http://{host}:{port}/", err=True)
    from cablebase.web.app import QUERY_BUDGET, SETTINGS_ENV, settings_json

    settings = dict(secure_cookies=secure_cookies, query_budget=query_budget or QUERY_BUDGET)
    app = create_app(archive_path, **settings)  # also checks the archive before any worker starts
    if workers == 1:
        uvicorn.run(app, host=host, port=port, log_level="warning")
        return
    # Several processes: uvicorn starts each and imports the app by name; they build it from
    # the same settings, passed in the environment.  This one only checked the archive.
    if app.state.audit is not None:
        app.state.audit.close()
    os.environ[SETTINGS_ENV] = settings_json(archive_path, **settings)
    uvicorn.run(
        "cablebase.web.app:from_environment",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="warning",
    )
