"""Structured drafts (YAML/JSON): read into the same record as a text draft; findings point at
the field and its line in the file."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from cablebase.drafting import check
from cablebase.drafting.check import load_draft
from cablebase.drafting.structured import StructuredError

YAML = """\
post: BAMAKO
date: 2026-06-01
to:
  - {route: RUEHC, name: SECSTATE WASHDC, precedence: IMMEDIATE}
info:
  - {route: RUEHNK, name: AMEMBASSY NOUAKCHOTT, precedence: PRIORITY}
classification: CONFIDENTIAL
captions: [SIPDIS]
eo: "13526"
declassify: 2036-05-31
tags: [PREL, PGOV, ML]
subject: (C) MINISTER PREVIEWS THE SUMMIT
references:
  - BAMAKO 754
  - STATE 12345 (NOTAL)
classified_by: {name: Jane Doe, position: Ambassador, office: Embassy Bamako}
reasons: [1.4(b), 1.4(d)]
paragraphs:
  - {mark: C, text: The Foreign Minister told the Ambassador the summit will go ahead.}
  - {mark: U, text: Embassy will report further.}
signer: DOE
"""


def load(tmp_path, text: str, name: str = "draft.yaml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return load_draft(p)


def test_yaml_draft_reads_like_the_text_draft(tmp_path):
    d = load(tmp_path, YAML)
    c = d.cable
    assert d.date == dt.date(2026, 6, 1)
    assert c.classification == "CONFIDENTIAL" and c.post == "BAMAKO"
    assert [(r.role, r.route, r.precedence) for r in c.recipients] == [
        ("to", "RUEHC", "IMMEDIATE"),
        ("info", "RUEHNK", "PRIORITY"),
    ]
    assert c.tags == ["PREL", "PGOV", "ML"] and c.subject_portion == "C"
    assert c.declassify_on == "2036-05-31" and c.classification_reasons == ["1.4(b)", "1.4(d)"]
    assert [(p.number, p.portion) for p in c.paragraphs] == [(1, "C"), (2, "U")]
    assert c.signers == ["DOE"]
    assert check(d) == []


def test_a_finding_names_the_field_and_its_line(tmp_path):
    text = YAML.replace("{mark: U, text: Embassy", "{text: Embassy")
    (f,) = check(load(tmp_path, text))
    assert f.rule == "marking.portion-missing"
    assert f.field == "paragraphs[1]" and f.line == 20


def test_an_unknown_precedence_is_reported_at_its_field(tmp_path):
    text = YAML.replace("precedence: IMMEDIATE}", "precedence: URGENT}")
    found = [f for f in check(load(tmp_path, text)) if f.rule == "precedence.valid"]
    assert [(f.field, f.line) for f in found] == [("to[0].precedence", 4)]


def test_a_single_paragraph_is_not_numbered_unless_the_draft_says_so(tmp_path):
    one = YAML.replace("  - {mark: U, text: Embassy will report further.}\n", "")
    assert check(load(tmp_path, one)) == []
    numbered = one.replace("{mark: C,", "{number: 1, mark: C,")
    assert [f.rule for f in check(load(tmp_path, numbered))] == ["paragraphs.single-numbered"]


def test_json_draft(tmp_path):
    import yaml

    data = yaml.safe_load(YAML)
    data["date"] = "2026-06-01"
    data["declassify"] = "2036-05-31"
    data["tags"] = ["PREL", "PGOV"]
    d = load(tmp_path, json.dumps(data, indent=1), "draft.json")
    assert d.form == "json"
    (f,) = check(d)
    assert f.rule == "tags.geographic" and f.field == "tags" and f.line is not None


@pytest.mark.parametrize(
    "text, message",
    [
        ("post: [unclosed\n", "line"),
        ("- just\n- a list\n", "mapping"),
        ("post: BAMAKO\nsubjekt: X\n", "unknown field 'subjekt'"),
        ("post: BAMAKO\ndate: 2026-13-45\n", "not a valid value"),
        ("post: BAMAKO\nto: [{route: RUEHC}]\n", "to[0]: an addressee needs a name"),
        ("eo: 13526\ndeclassify: {on: 2030}\n", "declassify: expected text"),
        ("tags: {a: 1}\n", "tags: expected a list"),
    ],
)
def test_unreadable_structured_drafts_say_why(tmp_path, text, message):
    with pytest.raises(StructuredError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load(tmp_path, text)
