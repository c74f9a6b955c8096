"""E.O. line (FORMAT.md §4.3): order number, declassification date or rule."""

from __future__ import annotations

import datetime as _dt
import re

from cablebase.grammar.state import State

__all__ = ["parse_eo", "parse_decl_date"]

_NUMBER = re.compile(r"^\s*[:;,.]?\s*(\d{3,6})?\s*[:;,.]?\s*")
# The keyword before the value: DECL:, decl:, DECLl:, DECL.:, Declassify on:, DNG:.
_KEYWORD = re.compile(
    r"^(?:DECLASSIFY\s+ON\s*:?|DE?CL(?!ASS)[lL]?\s*\.?\s*:?)\s*",
    re.IGNORECASE,
)
_DNG = re.compile(r"^(DNG\s*:?\s*(?:TO\s+)?[A-Z]{1,3})\b[\s:;,.]*(.*)$", re.IGNORECASE)
_DATE_MDY = re.compile(r"^(\d{1,2})\s*[/.]\s*(\d{1,2})\s*[/.]\s*(\d{4}|\d{2})(?!\d)")
_DATE_YMD = re.compile(r"^(\d{4})\s*[/-]\s*(\d{1,2})\s*[/-]\s*(\d{1,2})(?!\d)")
_NA = re.compile(r"^N\s*/?\s*A\b\.?$", re.IGNORECASE)
_TRAILER = re.compile(r"^[\s.,;:)]*$")


_MONTHS = {
    m: i
    for i, names in enumerate(
        (
            ("JAN", "JANUARY"), ("FEB", "FEBRUARY"), ("MAR", "MARCH"), ("APR", "APRIL"),
            ("MAY",), ("JUN", "JUNE"), ("JUL", "JULY"), ("AUG", "AUGUST"),
            ("SEP", "SEPT", "SEPTEMBER"), ("OCT", "OCTOBER"), ("NOV", "NOVEMBER"),
            ("DEC", "DECEMBER"),
        ),
        start=1,
    )
    for m in names
}  # fmt: skip
# Rarer shapes, tried when the usual ones fail: dashes or a doubled slash between the numbers
# (`12-29-13`, `06//12/11`), a month written out (`08 OCTOBER 2019`, `OCTOBER 20, 2005`).
_DATE_MDY_LOOSE = re.compile(
    r"^(\d{1,2})\s*(?:-|[/.]{1,2})\s*(\d{1,2})\s*(?:-|[/.]{1,2})\s*(\d{4}|\d{2})(?!\d)"
)
_DATE_DAY_MONTH = re.compile(r"^(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})(?!\d)")
_DATE_MONTH_DAY = re.compile(r"^([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})(?!\d)")
# Letters typed for digits inside a date (`07/25/2O13`, `I2/20/09`, `7/L6/2OO7`).
_OCR_DATE = re.compile(r"^[\dOIL]{1,2}/[\dOIL]{1,2}/[\dOIL]{2,4}(?![\dA-Za-z])")


def _loose_date(value: str) -> tuple[int, int, int, int] | None:
    """(year, month, day, length) of a date in a rarer shape, or None."""
    m = _DATE_MDY_LOOSE.match(value)
    if m is not None:
        ys = m.group(3)
        return (
            (int(ys) if len(ys) == 4 else 2000 + int(ys)),
            int(m.group(1)),
            int(m.group(2)),
            m.end(),
        )
    m = _DATE_DAY_MONTH.match(value)
    if m is not None and m.group(2).upper() in _MONTHS:
        return int(m.group(3)), _MONTHS[m.group(2).upper()], int(m.group(1)), m.end()
    m = _DATE_MONTH_DAY.match(value)
    if m is not None and m.group(1).upper() in _MONTHS:
        return int(m.group(3)), _MONTHS[m.group(1).upper()], int(m.group(2)), m.end()
    m = _OCR_DATE.match(value.upper())
    if m is not None:
        fixed = m.group(0).replace("O", "0").replace("I", "1").replace("L", "1")
        mo, d, ys = fixed.split("/")
        return (int(ys) if len(ys) == 4 else 2000 + int(ys)), int(mo), int(d), m.end()
    return None


def parse_decl_date(value: str) -> tuple[str | None, int]:
    """Parse a leading date: MM/DD/YYYY, M/D/YYYY, MM/DD/YY (20YY), YYYY/MM/DD, YYYY-MM-DD,
    and rarer shapes (`12-29-13`, `06//12/11`, `08 OCTOBER 2019`, `OCTOBER 20, 2005`, letters
    typed for digits: `07/25/2O13`).  Returns (ISO date or None when the numbers are not a
    real date, length consumed); length 0 when the value does not start with a date."""
    m = _DATE_YMD.match(value)
    if m is not None:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = _DATE_MDY.match(value)
        if m is None:
            loose = _loose_date(value) if value[:1].isalnum() else None
            if loose is None:
                return None, 0
            y, mo, d, used = loose
            try:
                return _dt.date(y, mo, d).isoformat(), used
            except ValueError:
                return None, used
        mo, d, ys = int(m.group(1)), int(m.group(2)), m.group(3)
        y = int(ys) if len(ys) == 4 else 2000 + int(ys)
    try:
        return _dt.date(y, mo, d).isoformat(), m.end()
    except ValueError:
        return None, m.end()


def parse_eo(text: str, st: State) -> None:
    """Parse the E.O. value (label removed): `12958: DECL: 11/30/2019`, `12958 DECL: 09/21/10`,
    `12958: N/A`, `12356: DECL: OADR`, `12958: DNG: CO 01/26/2021`, free text."""
    cable = st.cable
    text = " ".join(text.split())
    m = _NUMBER.match(text)
    if m.group(1):
        cable.eo = m.group(1)
    value = text[m.end() :].strip()
    value = _KEYWORD.sub("", value, count=1).strip()
    if value[:1] in "Dd":
        value = _KEYWORD.sub("", value, count=1).strip()  # the keyword twice (`DECL: DECL: …`)
    if value[:1] == "(" and value[-1:] == ")" and value[1:2].isalnum():
        value = value[1:-1].strip()  # `(12/3/2006)`, `(OCTOBER 20, 2007)`, `(X1)`
    if not value:
        return
    dng = _DNG.match(value)
    if dng is not None:
        rule = " ".join(dng.group(1).upper().replace(":", ": ").split()).replace(" :", ":")
        iso, used = parse_decl_date(dng.group(2))
        if iso:
            cable.declassify_on = iso
        elif used:
            st.warn("eo.bad_date", f"not a date: {dng.group(2)!r}", "eo")
            rule = value
        cable.declassify_rule = rule
        return
    if _NA.match(value):
        cable.declassify_rule = "N/A"
        return
    iso, used = parse_decl_date(value)
    if used and _TRAILER.match(value[used:]):
        if iso:
            cable.declassify_on = iso
        else:
            st.warn("eo.bad_date", f"not a date: {value!r}", "eo")
            cable.declassify_rule = value
        return
    if used and iso:
        # A date followed by more text: keep the date, the rest is noise (warn).
        cable.declassify_on = iso
        st.warn("eo.trailing_text", f"text after the date: {value[used:].strip()[:60]!r}", "eo")
        return
    word = value.rstrip(".").strip()
    if re.fullmatch(r"(?i)OADR|MR|25X\d(?:-HUMAN)?", word):
        cable.declassify_rule = word.upper()
        return
    codes = _exemption_codes(word) if "X" in word or "x" in word else None
    cable.declassify_rule = codes or value


# Exemption codes alone (`1.6X1`, `(1.6X1)`, `1.6.X.1`, `X1, X5, X6`, `EXEMPT 1.6 X1 AND X8`, `25X1`):
# E.O. 12958 §1.6 codes are written with or without their section; §3.3 codes as 25X.
_CODES_ONLY = re.compile(
    r"(?i)(?:EXEMPT\s*)?(?:1\.6\s*(?=\())?[(\s]*"
    r"(?:(?:25|1\.6\.?)?\s?X\.?\s?[1-9][)\s]*(?:,|\bAND\b|&|$)[(\s]*)+"
)
_CODE = re.compile(r"(?i)(25|1\.6)?\.?\s?X\.?\s?([1-9])")


def _exemption_codes(word: str) -> str | None:
    """The codes of a DECL value made of exemption codes only, canonical and comma-separated
    (`X1, X5` -> `1.6X1, 1.6X5`); None for any other value."""
    if _CODES_ONLY.fullmatch(word) is None:
        return None
    codes = []
    for m in _CODE.finditer(word):
        code = f"25X{m.group(2)}" if m.group(1) == "25" else f"1.6X{m.group(2)}"
        if code not in codes:
            codes.append(code)
    return ", ".join(codes)
