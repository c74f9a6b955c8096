"""One pass over the dev corpus, shared by the corpus tests (it is the slow part)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from cablebase.record import Cable
from cablebase.web.models import Cable as ApiCable

EXPECTED_DIR = Path(__file__).resolve().parents[1] / "data" / "expected"


def _classified(c: Cable) -> bool | None:
    """True for classified cables; None leaves the cable out of the share's denominator."""
    return True if c.classification in ("CONFIDENTIAL", "SECRET", "TOP SECRET") else None


# Field -> test of presence, for the coverage table (None: not counted in that row).
PRESENT = {
    "reference_id": lambda c: bool(c.reference_id),
    "created": lambda c: bool(c.created),
    "created from DTG": lambda c: c.created_from == "dtg",
    "classification": lambda c: bool(c.classification),
    "origin": lambda c: bool(c.origin),
    "handling": lambda c: bool(c.handling),
    "header_kind": lambda c: bool(c.header_kind) and c.header_kind != "none",
    "transmission_id": lambda c: bool(c.transmission_id),
    "station": lambda c: c.station is not None,
    "dtg": lambda c: bool(c.dtg),
    "precedence": lambda c: bool(c.precedence),
    "sender": lambda c: bool(c.sender),
    "recipients": lambda c: bool(c.recipients),
    "post (banner)": lambda c: bool(c.post),
    "eo": lambda c: bool(c.eo),
    "declassify_on or rule": lambda c: bool(c.declassify_on or c.declassify_rule),
    "classified_by": lambda c: c.classified_by is not None,
    "classified_by (classified cables)": lambda c: _classified(c) and c.classified_by is not None,
    "classification_reasons": lambda c: bool(c.classification_reasons),
    "classification_reasons (classified cables)": lambda c: (
        _classified(c) and bool(c.classification_reasons)
    ),
    "tags": lambda c: bool(c.tags),
    "subject": lambda c: bool(c.subject),
    "references": lambda c: bool(c.references),
    "references resolved to ids": lambda c: any(r.id for r in c.references),
    "summary": lambda c: bool(c.summary),
    "paragraphs": lambda c: bool(c.paragraphs),
    "numbered paragraphs": lambda c: any(p.number is not None for p in c.paragraphs),
    "portion marks": lambda c: any(p.portion for p in c.paragraphs),
    "signers": lambda c: bool(c.signers),
    "sections": lambda c: c.sections is not None,
    "redactions": lambda c: bool(c.redactions),
    "warnings": lambda c: bool(c.warnings),
}


@dataclass
class Harvest:
    cables: Counter = field(default_factory=Counter)  # form -> count
    failures: list = field(default_factory=list)
    present: dict = field(default_factory=dict)  # form -> Counter(field)
    population: dict = field(default_factory=dict)  # form -> Counter(field): cables counted
    warning_codes: Counter = field(default_factory=Counter)
    internal_errors: list = field(default_factory=list)
    model_errors: list = field(default_factory=list)  # (id, error): records the /api cannot send
    expected: dict = field(default_factory=dict)  # (form, reference_id) -> Cable, with files

    def share(self, form: str, name: str) -> float:
        return self.present[form][name] / max(self.population[form][name], 1)

    def add(self, form: str, cable: Cable, wanted: set[str]) -> None:
        self.cables[form] += 1
        counter = self.present.setdefault(form, Counter())
        population = self.population.setdefault(form, Counter())
        for name, test in PRESENT.items():
            result = test(cable)
            if result is not None:
                population[name] += 1
            if result:
                counter[name] += 1
        for w in cable.warnings:
            self.warning_codes[w.code] += 1
            if w.code == "parser.internal_error":
                self.internal_errors.append(
                    (cable.source.path if cable.source else None, w.message)
                )
        if cable.reference_id in wanted:
            self.expected[(form, cable.reference_id)] = cable
        try:  # the /api's Cable model mirrors cable.schema.json (tests/web/test_api.py)
            ApiCable.model_validate_json(cable.to_json())
        except ValueError as e:
            self.model_errors.append((cable.reference_id, str(e)[:300]))


def expected_files() -> dict[str, dict]:
    out = {}
    for path in sorted(EXPECTED_DIR.glob("*.json")):
        out[path.stem] = json.loads(path.read_text())
    return out


def harvest(html_tar: Path, cables_csv: Path) -> Harvest:
    from cablebase.parse import iter_cables

    wanted = set(expected_files())
    h = Harvest()
    for form, path in (("html", html_tar), ("csv", cables_csv)):
        for item in iter_cables(path):
            if isinstance(item, Cable):
                h.add(form, item, wanted)
            else:
                h.failures.append(item)
    return h


def kept_sections(previous: str) -> str:
    """The hand-kept part of docs/coverage.md (from `## Anomalies` on), which the table must not erase."""
    at = previous.find("\n## Anomalies")
    return previous[at:] if at >= 0 else ""


def coverage_table(h: Harvest, previous: str = "") -> str:
    forms = sorted(h.present)
    lines = [
        "# Field coverage on the dev corpus",
        "",
        "Share of cables in which each field is present, written by `tests/corpus/test_corpus.py`",
        "(runs where `../shared/corpus` exists). "
        + ", ".join(f"{form}: {h.cables[form]:,} cables" for form in forms)
        + ".",
        "",
        "| field | " + " | ".join(forms) + " |",
        "|---|" + "---:|" * len(forms),
    ]
    for name in PRESENT:
        cells = [f"{h.share(f, name):.1%}" for f in forms]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "## Most frequent warning codes", "", "| code | cables |", "|---|---:|"]
    for code, n in h.warning_codes.most_common(40):
        lines.append(f"| `{code}` | {n:,} |")
    return "\n".join(lines) + "\n" + kept_sections(previous)
