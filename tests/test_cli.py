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
