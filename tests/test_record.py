"""The record: JSON names, round trip through JSON, and the JSON Schema."""

from __future__ import annotations

import json
from dataclasses import fields
from importlib import resources

import jsonschema
import pytest

from cablebase.record import (
    Cable,
    ClassifiedBy,
    Paragraph,
    Recipient,
    Redaction,
    Reference,
    Sections,
    Source,
    Station,
)

SCHEMA = json.loads(resources.files("cablebase").joinpath("schema/cable.schema.json").read_text())


def sample() -> Cable:
    c = Cable(
        reference_id="09TESTPOST12",
        created="2009-12-01T16:39:00Z",
        created_from="dtg",
        origin="Embassy Testpost",
        classification="SECRET",
        handling=["SIPDIS", "NOFORN"],
        station=Station(route="RUEHXX", serial="0012", part="01", julian="3351639"),
        recipients=[
            Recipient(
                role="to",
                route="RUEHC",
                name="SECSTATE WASHDC",
                precedence="IMMEDIATE",
                serial="0930",
            ),
            Recipient(role="info", route="RUEHZK", name="ECOWAS COLLECTIVE", collective=True),
        ],
        classified_by=ClassifiedBy(
            text="Ambassador A. B. Name, for reasons 1.4 (b)", name="A. B. Name", title="Ambassador"
        ),
        classification_reasons=["1.4(b)"],
        references=[Reference(letter="A", text="TESTPOST 11", kind="cable", id="09TESTPOST11")],
        paragraphs=[Paragraph(number=1, portion="S/NF", heading="SUMMARY", text="Text.")],
        redactions=[Redaction(where="paragraph:1", length=12)],
        sections=Sections(number=1, total=2),
        source=Source(form="telegram", path="-", header="VZCZC", body="S E C R E T"),
    )
    c.warn("check.example", "an example warning")
    return c


def test_schema_names_every_field() -> None:
    assert set(SCHEMA["properties"]) == {f.name for f in fields(Cable)}


def test_json_round_trip() -> None:
    c = sample()
    assert Cable.from_json(c.to_json()) == c


def test_output_validates_against_schema() -> None:
    jsonschema.validate(json.loads(sample().to_json()), SCHEMA)
    jsonschema.validate(json.loads(Cable().to_json()), SCHEMA)


def test_schema_reasons_with_and_without_a_section() -> None:
    # a statement naming no section gives the letters alone (docs/record.md)
    rec = json.loads(sample().to_json())
    rec["classification_reasons"] = ["1.5(c)", "(b)", "(d)"]
    jsonschema.validate(rec, SCHEMA)
    for bad in (["1.4b"], ["(x)"], ["b"], ["1.2(b)"]):
        rec["classification_reasons"] = bad
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(rec, SCHEMA)


def test_schema_rejects_bad_values() -> None:
    bad = json.loads(sample().to_json())
    bad["classification"] = "SEKRIT"
    try:
        jsonschema.validate(bad, SCHEMA)
    except jsonschema.ValidationError:
        return
    raise AssertionError("schema accepted an unknown classification")
