"""The cablebase command: parse (outputs, failures, summary, --strict), demo, python -m."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cablebase.cli import main, sample_text
from tests.test_forms import CSV_ROWS, PAGE, TELEGRAM


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_parse_one_file_pretty_json(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "10MUSCAT217.html"
    path.write_text(PAGE, encoding="utf-8")
    result = runner.invoke(main, ["parse", str(path)])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["reference_id"] == "10MUSCAT217"
    assert record["source"]["form"] == "html"
    assert record["source"]["path"] == str(path)
    assert result.stdout.startswith("{\n")  # pretty
    summary = result.stderr.strip().splitlines()[-1]
    assert re.fullmatch(r"1 cables, \d+ warnings, 0 failures", summary)


def test_parse_many_jsonl_with_failures(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "rows.csv").write_bytes(CSV_ROWS)
    (tmp_path / "t.txt").write_text(TELEGRAM, encoding="utf-8")
    (tmp_path / "junk.bin").write_bytes(bytes(range(256)))
    result = runner.invoke(main, ["parse", str(tmp_path)])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    ids = [json.loads(line)["source"]["form"] for line in lines]
    assert ids == ["csv", "csv", "telegram"]
    assert f"failure: {tmp_path / 'junk.bin'}: binary data" in result.stderr
    assert "3 cables," in result.stderr and "1 failures" in result.stderr


def test_strict_exit_code(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    result = runner.invoke(main, ["parse", "--strict", str(tmp_path)])
    assert result.exit_code == 1
    assert "0 cables, 0 warnings, 1 failures" in result.stderr
    assert runner.invoke(main, ["parse", str(tmp_path)]).exit_code == 0


def test_parse_stdin_and_json_array(runner: CliRunner) -> None:
    result = runner.invoke(main, ["parse", "-", "--json"], input=gzip.compress(CSV_ROWS))
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert [r["reference_id"] for r in records] == ["75ROME3012", "66BUENOSAIRES2481"]
    assert [r["source"]["offset"] for r in records] == [0, 1]


def test_parse_forced_form_and_year(runner: CliRunner) -> None:
    result = runner.invoke(
        main,
        ["parse", "-", "--form", "fragment", "--year", "2007", "--jsonl"],
        input="REF: A. ROME 55\n",
    )
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["source"]["form"] == "fragment"


def test_parse_renderings(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text(TELEGRAM, encoding="utf-8")
    tele = runner.invoke(main, ["parse", str(path), "--telegram"])
    assert tele.exit_code == 0, tele.output
    assert "SKOPJE" in tele.stdout
    md = runner.invoke(main, ["parse", str(path), "--markdown"])
    assert md.exit_code == 0, md.output
    assert "SKOPJE" in md.stdout.upper()


def test_demo(runner: CliRunner, tmp_path) -> None:
    archive = tmp_path / "demo.db"
    result = runner.invoke(main, ["demo", "--archive", str(archive), "--n", "600"])
    assert result.exit_code == 0, result.output
    assert "reference id" in result.stdout
    assert "VALLETTA" in result.stdout.upper()
    # The demo archive was built and searched.
    assert "600 added" in result.stdout
    size = archive.stat().st_size / 1e6
    assert f"archive: {archive}, {size:,.0f} MB on disk" in result.stdout
    assert "search 'tag:PGOV class:>=secret'" in result.stdout
    from cablebase.archive.api import Archive

    with Archive.open(archive) as built:
        assert len(built) == 600
        assert built.count("tag:PGOV class:>=secret") == int(
            result.stdout.split("search 'tag:PGOV class:>=secret': ")[1]
            .split(" ")[0]
            .replace(",", "")
        )


def test_sample_is_an_invented_telegram() -> None:
    text = sample_text()
    lines = text.splitlines()
    assert lines[0].startswith("VZCZC")
    for label in ("DE RUEHVT", "ZNY CCCCC ZZH", "FM AMEMBASSY VALLETTA", "TO ", "INFO "):
        assert any(line.startswith(label) for line in lines), label
    assert "C O N F I D E N T I A L SECTION 01 OF 02 VALLETTA 000412" in lines
    assert "VALLETTA 00000412 002 OF 002" in lines
    assert lines[-1] == "MARCHETTI"


def test_python_dash_m(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text(TELEGRAM, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "cablebase", "parse", str(path), "--jsonl"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["source"]["form"] == "telegram"
    assert "1 cables" in proc.stderr
    demo = subprocess.run(
        [sys.executable, "-m", "cablebase", "demo", "--n", "300"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,  # the demo archive is written to the working folder
    )
    assert demo.returncode == 0, demo.stderr
    assert "reference id" in demo.stdout


# -- the archive commands as a researcher meets them (issue 12) -------------------------------


@pytest.fixture(scope="module")
def small_archive(module_archive: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """200 generated cables ingested through the command, as a user builds an archive, on
    each store (store_fixtures.module_archive)."""
    from cablebase.generate import write

    tmp = tmp_path_factory.mktemp("cli")
    source = tmp / "generated.csv"
    write(200, "csv", source, seed=3)
    archive = module_archive
    result = CliRunner().invoke(main, ["ingest", str(source), "--archive", str(archive)])
    assert result.exit_code == 0, result.output
    return archive


def test_search_prints_a_count_line_on_stderr_only(runner: CliRunner, small_archive: str):
    from cablebase import Archive

    with Archive.open(small_archive) as a:
        total = a.count("tag:PGOV")
        hits = [h.reference_id for h in a.search("tag:PGOV")]
    assert 2 < total < 200
    result = runner.invoke(main, ["search", "tag:PGOV", "--archive", str(small_archive)])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == f"{total:,} cables match 'tag:PGOV'"
    # stdout: the hits alone (an id line, perhaps a snippet line under it), for pipes.
    ids = [line.split()[0] for line in result.stdout.splitlines() if not line.startswith(" ")]
    assert ids == hits
    cut = runner.invoke(
        main,
        ["search", "tag:PGOV", "--limit", "2", "--offset", "1", "--archive", str(small_archive)],
    )
    assert cut.stderr.splitlines()[0] == f"{total:,} cables match 'tag:PGOV'; showing 2 from #2"
    every = runner.invoke(main, ["search", "*", "--archive", str(small_archive), "--limit", "1"])
    assert every.stderr.splitlines()[0] == "200 cables in the archive; showing 1 from #1"


@pytest.mark.parametrize("everything", [["*"], [""], []], ids=["star", "empty", "none"])
def test_export_star_empty_or_no_query_is_everything_and_o_confirms(
    runner: CliRunner, small_archive: str, tmp_path: Path, everything: list[str]
):
    out = tmp_path / "all.jsonl"
    result = runner.invoke(
        main, ["export", *everything, "-o", str(out), "--archive", str(small_archive)]
    )
    assert result.exit_code == 0, result.output
    rows = out.read_text(encoding="utf-8").splitlines()
    assert len(rows) == 200
    assert len({json.loads(r)["reference_id"] for r in rows}) == 200
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith(f"exported 200 cables as jsonl to {out.resolve()}, ")
    assert line.endswith(("KB", "MB"))


def test_graph_o_confirms(runner: CliRunner, small_archive: str, tmp_path: Path):
    out = tmp_path / "g.graphml"
    result = runner.invoke(main, ["graph", "*", "-o", str(out), "--archive", str(small_archive)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert f"wrote the graphml graph to {out.resolve()}" in result.stderr


def test_ingest_says_where_the_warnings_are(
    runner: CliRunner, tmp_path: Path, empty_archive: str, new_archive
):
    # A telegram without its E.O. line: stored, with a warning on its record.
    text = "\n".join(line for line in TELEGRAM.splitlines() if not line.startswith("E.O."))
    (tmp_path / "t.txt").write_text(text, encoding="utf-8")
    archive = empty_archive
    result = runner.invoke(main, ["ingest", str(tmp_path / "t.txt"), "--archive", str(archive)])
    assert result.exit_code == 0, result.output
    assert "(1 warnings)" in result.stderr
    assert f"cablebase stats --archive {archive}" in result.stderr
    assert "cablebase show ID --json" in result.stderr
    stats = runner.invoke(main, ["stats", "--archive", str(archive)])
    assert "preamble.no_eo" in stats.stdout
    # A clean input says nothing of warnings.
    (tmp_path / "clean").mkdir()
    (tmp_path / "clean" / "t.txt").write_text(TELEGRAM, encoding="utf-8")
    clean = runner.invoke(
        main, ["ingest", str(tmp_path / "clean"), "--archive", str(new_archive(archive))]
    )
    assert "cablebase stats" not in clean.stderr


def test_archive_at_the_package_root() -> None:
    # A fresh interpreter: the name resolves on first use, and `import cablebase` alone does
    # not load the archive (nor the grammar).
    code = (
        "import sys, cablebase\n"
        "assert 'cablebase.archive.api' not in sys.modules\n"
        "from cablebase import Archive\n"
        "from cablebase.archive.api import Archive as Deep\n"
        "assert Archive is Deep and 'Archive' in cablebase.__all__\n"
        "print('ok')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def _readme_block(title: str) -> list[list[str]]:
    """The commands of the README's sh block under a heading, split as a shell would."""
    import shlex

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = text.split(f"### {title}", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return [shlex.split(line, comments=True) for line in block.splitlines() if line.strip()]


@pytest.mark.corpus
@pytest.mark.slow
def test_the_readme_example_prints_on_the_dev_corpus(tmp_path: Path, html_tar: Path) -> None:
    """Each read command of the README's example, run on an archive of the dev corpus's
    Cablegate pages, prints what it promises (not nothing with exit 0)."""
    runner = CliRunner()
    archive = tmp_path / "cables.db"
    built = runner.invoke(main, ["ingest", str(html_tar), "--archive", str(archive)])
    assert built.exit_code == 0, built.output
    commands = [c for c in _readme_block("An archive of a real release") if c[1] != "ingest"]
    assert [c[1] for c in commands] == ["search", "show", "export", "export"]
    for argv in commands:
        args = [str(archive) if a == "cables.db" else a for a in argv[1:]]
        if "-o" in args:
            at = args.index("-o") + 1
            args[at] = str(tmp_path / args[at])
        result = runner.invoke(main, args)
        assert result.exit_code == 0, (argv, result.output)
        if args[0] == "search":
            n = int(result.stderr.split()[0].replace(",", ""))
            assert n > 0 and len(result.stdout.splitlines()) >= n, argv
        elif args[0] == "show":
            assert "VZCZC" in result.stdout and "-- references --" in result.stdout
        else:
            out = Path(args[args.index("-o") + 1])
            n = int(result.stderr.split()[1].replace(",", ""))
            assert n > 0 and out.stat().st_size > 0, argv


def hit_lines(stdout: str) -> list[str]:
    """The hit lines of `search`'s output (a snippet line under a hit is indented)."""
    return [line for line in stdout.splitlines() if line and not line.startswith(" ")]


def test_search_on_a_terminal_shows_a_screenful_and_the_way_to_more(
    runner: CliRunner, small_archive: str, monkeypatch: pytest.MonkeyPatch
):
    from cablebase.cli import archive as commands

    monkeypatch.setattr(commands, "_on_terminal", lambda: True)
    args = ["search", "*", "--archive", str(small_archive)]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert len(hit_lines(result.stdout)) == commands.TERMINAL_LIMIT
    assert "(the first 20 of 200: --all for every hit, --limit N --offset 20" in result.stderr
    assert len(hit_lines(runner.invoke(main, [*args, "--all"]).stdout)) == 200
    assert len(hit_lines(runner.invoke(main, [*args, "--limit", "30"]).stdout)) == 30
    # Into a pipe (CliRunner's stdout is no terminal): every hit, no hint.
    monkeypatch.setattr(commands, "_on_terminal", lambda: False)
    piped = runner.invoke(main, args)
    assert len(hit_lines(piped.stdout)) == 200 and "--all" not in piped.stderr
