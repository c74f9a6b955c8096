"""Structured drafts (YAML or JSON; docs/drafting.md gives the schema).

A structured draft is written out as the telegram text an officer would type, one field to a
line, and that text is read by the same parser as a text draft: the rules see one kind of
record.  Each written line remembers the field it came from, and each field its line in the
YAML/JSON file, so a finding points at the field the drafter wrote.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from cablebase.drafting.draft import Draft, draft_from_text

__all__ = ["StructuredError", "read_structured", "draft_from_data", "FIELDS"]

FIELDS = (
    "post", "from", "precedence", "to", "info", "classification", "captions", "eo", "declassify",
    "tags", "subject", "references", "classified_by", "reasons", "summary", "paragraphs",
    "signer", "clearances", "date",
)  # fmt: skip
_PRECEDENCES = ("FLASH", "NIACT IMMEDIATE", "IMMEDIATE", "PRIORITY", "ROUTINE")


class StructuredError(ValueError):
    """A structured draft that cannot be read: the message names the line or the field."""


def read_structured(text: str, kind: str) -> tuple[Any, dict[str, int]]:
    """(data, {field path: line}) from YAML or JSON text."""
    lines: dict[str, int] = {}
    try:
        import yaml
    except ImportError:  # PyYAML is a dependency; a JSON draft still reads without it
        yaml = None
    if kind == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise StructuredError(f"line {e.lineno}: {e.msg}") from None
    elif yaml is None:
        raise StructuredError("reading a YAML draft needs PyYAML (pip install pyyaml)")
    else:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            where = f"line {mark.line + 1}: " if mark is not None else ""
            raise StructuredError(f"{where}{getattr(e, 'problem', None) or e}") from None
        except ValueError as e:  # a scalar YAML reads as a date but is none (2026-13-45)
            raise StructuredError(f"not a valid value: {e}") from None
    if yaml is not None:
        try:
            _walk(yaml.compose(text), "", lines)
        except Exception:  # JSON that YAML 1.1 does not read: no line numbers, still checked
            lines = {}
    if not isinstance(data, dict):
        raise StructuredError("a structured draft is a mapping of fields (post, to, subject …)")
    return data, lines


def _walk(node: Any, path: str, out: dict[str, int]) -> None:
    if node is None:
        return
    if path:
        out[path] = node.start_mark.line + 1
    if node.id == "mapping":
        for key, value in node.value:
            name = str(key.value)
            _walk(value, f"{path}.{name}" if path else name, out)
            out.setdefault(f"{path}.{name}" if path else name, key.start_mark.line + 1)
    elif node.id == "sequence":
        for i, item in enumerate(node.value):
            _walk(item, f"{path}[{i}]", out)


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.fields: dict[int, str] = {}

    def add(self, text: str, path: str | None = None) -> None:
        for part in text.split("\n"):
            self.lines.append(part)
            if path is not None:
                self.fields[len(self.lines)] = path

    def blank(self) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")


def _text(value: Any, path: str) -> str:
    if value is None:
        return ""
    if isinstance(value, (str, int, float, dt.date)):
        return str(value).strip()
    raise StructuredError(f"{path}: expected text, got {type(value).__name__}")


def _list(data: dict, key: str) -> list:
    value = data.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in re.split(r"[,;]", value) if v.strip()]
    if not isinstance(value, list):
        raise StructuredError(f"{key}: expected a list")
    return value


def _addressee(item: Any, path: str, default: str | None) -> tuple[str, str | None]:
    """(line text, precedence as written) of one addressee."""
    if isinstance(item, str):
        return item.strip(), None
    if not isinstance(item, dict):
        raise StructuredError(f"{path}: an addressee is text or {{route, name, precedence}}")
    name = _text(item.get("name"), f"{path}.name")
    if not name:
        raise StructuredError(f"{path}: an addressee needs a name")
    route = _text(item.get("route"), f"{path}.route")
    prec = _text(item.get("precedence"), f"{path}.precedence") or default
    head = f"{route}/{name}" if route else name
    ok = prec and prec.upper() in _PRECEDENCES
    return (f"{head} {prec.upper()}" if ok else head), prec


def _date(value: Any, path: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise StructuredError(f"{path}: not a date (YYYY-MM-DD): {value!r}") from None


def _declassify(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.strftime("%m/%d/%Y")
    text = _text(value, "declassify")
    m = re.match(r"^(\d{4})-(\d{2})-(\d{2})\b(.*)$", text)
    if m:
        return f"{m.group(2)}/{m.group(3)}/{m.group(1)}{m.group(4)}"
    return text


def draft_from_data(
    data: dict,
    *,
    field_lines: dict[str, int] | None = None,
    date: dt.date | None = None,
    form: str = "yaml",
) -> Draft:
    unknown = [k for k in data if k not in FIELDS]
    if unknown:
        raise StructuredError(f"unknown field {unknown[0]!r} (fields: {', '.join(FIELDS)})")
    w = _Writer()
    declared: list[tuple[str, str]] = []
    post = _text(data.get("post"), "post").upper()
    sender = _text(data.get("from"), "from") or (f"AMEMBASSY {post}" if post else "")
    default = _text(data.get("precedence"), "precedence") or None
    if default:
        declared.append(("precedence", default))
    if sender:
        w.add(f"FM {sender}", "from" if "from" in data else "post")
    for role in ("to", "info"):
        for i, item in enumerate(_list(data, role)):
            path = f"{role}[{i}]"
            line, prec = _addressee(item, path, default)
            if prec is not None and isinstance(item, dict) and item.get("precedence"):
                declared.append((f"{path}.precedence", prec))
            w.add(f"{role.upper()} {line}" if i == 0 else line, path)
    w.blank()
    level = _text(data.get("classification"), "classification").upper()
    if level:
        w.add(f"{level} {post}".strip(), "classification")
        w.blank()
    for i, cap in enumerate(_list(data, "captions")):
        w.add(_text(cap, f"captions[{i}]").upper(), f"captions[{i}]")
    w.blank()
    eo = _text(data.get("eo"), "eo")
    decl = data.get("declassify")
    if eo or decl:
        tail = f": DECL: {_declassify(decl)}" if decl not in (None, "") else ""
        w.add(f"E.O. {eo}{tail}", "eo" if eo else "declassify")
    tags = [_text(t, f"tags[{i}]").upper() for i, t in enumerate(_list(data, "tags"))]
    if tags:
        w.add("TAGS: " + ", ".join(tags), "tags")
    subject = _text(data.get("subject"), "subject")
    if subject:
        w.add(f"SUBJECT: {subject}", "subject")
    w.blank()
    refs = _list(data, "references")
    for i, ref in enumerate(refs):
        if isinstance(ref, dict):
            letter, text = _text(ref.get("letter"), "letter"), _text(ref.get("text"), "text")
        else:
            letter, text = (chr(65 + i) if len(refs) > 1 else ""), _text(ref, f"references[{i}]")
        item = f"{letter}. {text}" if letter else text
        w.add(f"REF: {item}" if i == 0 else f"     {item}", f"references[{i}]")
    w.blank()
    _classified_by(data, w)
    summary = data.get("summary")
    if summary:
        w.add(f"SUMMARY: {_text(summary, 'summary')} END SUMMARY.", "summary")
        w.blank()
    paragraphs = _list(data, "paragraphs")
    for i, para in enumerate(paragraphs):
        path = f"paragraphs[{i}]"
        number: Any = i + 1 if len(paragraphs) > 1 else None
        if isinstance(para, dict):
            if "number" in para:
                number = para["number"]
            mark = _text(para.get("mark"), f"{path}.mark")
            heading = _text(para.get("heading"), f"{path}.heading")
            text = _text(para.get("text"), f"{path}.text")
            if heading:
                w.add(heading.upper(), path)
                w.blank()
            body = f"({mark.upper()}) {text}" if mark else text
        else:
            body = _text(para, path)
        w.add(f"{number}. {body}" if number is not None else body, path)
        w.blank()
    signer = _text(data.get("signer"), "signer")
    if signer:
        w.add(signer.upper(), "signer")
    drafted = _date(data.get("date"), "date") or date
    draft = draft_from_text("\n".join(w.lines), date=drafted)
    draft.form = form
    draft.fields = w.fields
    draft.field_lines = field_lines or {}
    draft.declared_precedences = declared
    clearances = data.get("clearances")
    draft.clearances = (
        [_text(c, "clearances").upper() for c in _list(data, "clearances")]
        if clearances is not None
        else None
    )
    return draft


def _classified_by(data: dict, w: _Writer) -> None:
    cb = data.get("classified_by")
    reasons = data.get("reasons")
    if cb is None and reasons is None:
        return
    if isinstance(cb, dict):
        parts = [_text(cb.get(k), f"classified_by.{k}") for k in ("name", "position", "office")]
        text = ", ".join(p for p in parts if p)
    else:
        text = _text(cb, "classified_by")
    if isinstance(reasons, list):
        reasons = " ".join(str(r) for r in reasons)
    tail = f", for reasons {reasons}" if reasons else ""
    w.add(f"Classified By: {text}{tail}.".replace("..", "."), "classified_by")
    w.blank()
