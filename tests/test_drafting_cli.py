"""`cablebase draft check`: output, exit status, and the seed cable read in place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cablebase.cli import main
from cablebase.drafting.reference import available
from tests.test_drafting import BASE

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEED = SHARED / "seed" / "000_a14579bc8f05333a.txt"
REFIDS = SHARED / "corpus" / "cablegate-refids.csv.gz"


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, ["draft", "check", *args], input=input)


def test_clean_draft_exits_0(tmp_path):
    p = tmp_path / "d.txt"
    p.write_text(BASE)
    r = run(str(p), "--date", "2026-06-01")
    assert r.exit_code == 0, r.output
    assert "0 errors, 0 warnings" in r.output


def test_draft_with_errors_exits_1_and_names_the_line(tmp_path):
    p = tmp_path / "d.txt"
    p.write_text(BASE.replace("2. (U) Embassy", "2. Embassy"))
    r = run(str(p), "--date", "2026-06-01")
    assert r.exit_code == 1
    assert f"{p}:22: error marking.portion-missing:" in r.output


def test_json_output(tmp_path):
    p = tmp_path / "d.txt"
    p.write_text(BASE.replace("DECL: 05/31/2036", "DECL: X3"))
    r = run(str(p), "--date", "2026-06-01", "--json")
    assert r.exit_code == 1
    out = json.loads(r.output[: r.output.rindex("}") + 1])
    assert out["errors"] == 1 and out["date"] == "2026-06-01"
    (f,) = out["findings"]
    assert f["rule"] == "decl.exemption" and f["line"] == 10 and f["severity"] == "error"


def test_refs_resolve_against_a_list_of_ids(tmp_path):
    p = tmp_path / "d.txt"
    p.write_text(BASE)
    ids = tmp_path / "ids.csv"
    ids.write_text("reference_id,month\n25BAMAKO754,11\n")
    assert run(str(p), "--date", "2026-06-01", "--refids", str(ids)).exit_code == 0
    ids.write_text("reference_id,month\n25BAMAKO755,11\n")
    r = run(str(p), "--date", "2026-06-01", "--refids", str(ids))
    assert r.exit_code == 0  # a warning only
    assert f"{p}:14: warning refs.resolve: REF A 25BAMAKO754 is not in the archive" in r.output
    assert run(str(p), "--refids", str(tmp_path / "none.csv")).exit_code == 2


def test_stdin_and_unreadable_input(tmp_path):
    assert run("-", "--date", "2026-06-01", input=BASE).exit_code == 0
    r = run(str(tmp_path / "missing.txt"))
    assert r.exit_code == 2 and "cannot read" in r.output and "Traceback" not in r.output
    bad = tmp_path / "d.yaml"
    bad.write_text("post: [unclosed\n")
    r = run(str(bad))
    assert r.exit_code == 2 and "line" in r.output
    assert run(str(bad), "--date", "tomorrow").exit_code == 2


@pytest.mark.skipif(not SEED.exists() or not REFIDS.exists(), reason="../shared absent")
def test_seed_reports_the_nouakchott_route_and_nothing_it_does_right():
    """Read by hand: the seed (09BAMAKO776, 1 Dec 2009) routes AMEMBASSY NOUAKCHOTT under RUEHNM,
    Niamey's indicator (RUEHNK is Nouakchott's), on line 13; and its SUBJECT (line 29) carries
    no portion mark, though its paragraphs do.  Everything else is right for its day: SECRET
    banner = highest mark (S); every paragraph marked ((S), ¶16 (U), ¶13-14 redacted); E.O. 12958
    was in force; DECL 11/30/2019 is ten years out; reasons 1.4 (b) (d); Classified By names
    Gillian Milovanovic, Ambassador; TAGS ASEC ML PGOV PINR PREL PTER; REF A and B are cables
    (09BAMAKO754, 08BAMAKO217); precedences IMMEDIATE/PRIORITY; three pages with a summary;
    signed MILOVANOVIC."""
    r = run(str(SEED), "--json", "--refids", str(REFIDS))
    out = json.loads(r.output[: r.output.rindex("}") + 1])
    assert out["date"] == "2009-12-01"
    got = [(f["rule"], f["line"]) for f in out["findings"]]
    if not available()["routes"]:
        pytest.skip("routing book absent")
    assert got == [("addressee.route", 13), ("subject.unmarked", 29)]
    route = out["findings"][0]
    assert "RUEHNM" in route["message"] and "NOUAKCHOTT" in route["message"]
    assert route["fix"] == "RUEHNK/AMEMBASSY NOUAKCHOTT"
    assert r.exit_code == 1


@pytest.mark.skipif(not SEED.exists(), reason="../shared absent")
def test_seed_runs_to_three_pages():
    """The seed's page markers end at `BAMAKO 00000776 003 OF 003`: three pages, so the summary
    rule (more than three pages) would not ask for one even if it had none."""
    from cablebase.drafting.check import load_draft
    from cablebase.drafting.rules.paragraphs import page_count

    assert page_count(load_draft(SEED).cable) == 3


def test_rules_command_and_the_docs_list_the_same_rules():
    """`draft rules` prints the rules from the code; docs/drafting.md's table names each with the
    same severity, so the page cannot drift from the code."""
    import re

    r = CliRunner().invoke(main, ["draft", "rules", "--json"])
    assert r.exit_code == 0
    rows = {x["id"]: x["severity"] for x in json.loads(r.output)}
    doc = (Path(__file__).resolve().parents[1] / "docs" / "drafting.md").read_text("utf-8")
    table = dict(
        re.findall(
            r"^\| `([a-z.-]+)` \| (\w+)", doc.split("## The rules", 1)[1].split("###")[0], re.M
        )
    )
    assert table == rows
