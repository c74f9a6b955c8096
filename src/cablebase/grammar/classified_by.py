"""Classified By (FORMAT.md §4.7): who classified the cable, and the reason letters."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from cablebase.grammar import titles
from cablebase.record import ClassifiedBy

__all__ = ["parse_classified_by", "reasons_from_text", "text_after_reasons", "LABEL_RE"]

LABEL_RE = re.compile(
    r"^\s*(?:\(U\)\s*)?Class[a-z]{2,4}d\s*By(?-i:(?![a-z]))\s*:?\s*", re.IGNORECASE
)

# Words cut by the fixed-width wrap (`reaso ns`, `a nd`, `an d`, `1. 4`) and zeros typed for
# the letter O (`REAS0N`, `AMBASSAD0R`).
_ZERO_WORD = re.compile(r"\b(?=[A-Za-z0]*[A-Za-z])[A-Za-z]*0[A-Za-z0]*\b")
_REPAIR = re.compile(
    r"""(?=[rafp1])(?:(?P<w>\br\s?e\s?a\s?s\s?o\s?n(?:\s?s)?\b
      | \ba\snd\b
      | \bfo?\s?o?r\b(?=\s*rea)
      | \bpe\sr\b(?=\s*\d)
      | \ban\sd\b(?=\s*\(?[a-h]\b))
    | (?<![\d.])1\s?[.,/:]\s?(?P<s1>[456])(?!\d)
    | (?<![\d.])1(?P<s2>[456])\.?(?=\s*\(?[a-h]\b)
    | (?<![\d.])1\s?\(\s?(?P<s3>[456])\s?\)(?=\s*\(?[a-h]\b))""",
    re.IGNORECASE | re.VERBOSE,
)


def _fix(m: re.Match[str]) -> str:
    if m.group("w"):
        return "".join(m.group(0).split())  # the word without the wrap's spaces
    return "1." + (m.group("s1") or m.group("s2") or m.group("s3"))  # `1(5)(B)` too


_SECTION = re.compile(r"1(?<![\d.]1)\.([456])(?!\d)")  # (the 1 first: a fast scan)
_EO_ABBR = re.compile(r"E\.\s?O\.?", re.IGNORECASE)
_REASON_TOKEN = re.compile(r"[A-Za-z]+|\d+|[^\sA-Za-z\d]")
_SEPARATORS = frozenset({"(", ")", ",", "&", "/", ".", ":", ";", "-", "and", "or", "+"})
_RAW_SECTION = re.compile(r"1(?<![\d.]1)\s?[.,:]\s?[456](?!\d)")  # (the 1 first)
_RAW_SEPARATORS = _SEPARATORS | {"an", "nd", "n"}


def _zeros(text: str) -> str:
    """Zeros typed for O inside words (same length, so positions still hold)."""
    if "0" not in text:
        return text
    return _ZERO_WORD.sub(lambda m: m.group(0).replace("0", "O"), text)


# Typing slips inside the letters: `9(b)` for `(b)` (the 9 under the parenthesis) and a
# letter glued to `and` (`1.5 (band d)`), both right after a section number's last digit.
_SLIP = re.compile(
    r"(?<=[456])(\s?)9(?=\([a-h]\))|(?:(?<=[456]\()|(?<=[456]\s\())([a-h])(?=and\s)",
    re.IGNORECASE,
)


def _slip(m: re.Match[str]) -> str:
    return m.group(1) if m.group(2) is None else m.group(2) + " "


def _repair(text: str, zeros: bool = True) -> str:
    if zeros:
        text = _zeros(text)
    text = _REPAIR.sub(_fix, text)
    if "9(" in text or "and" in text or "AND" in text:
        text = _SLIP.sub(_slip, text)
    return text


def _is_portion_mark(tokens: list[tuple[str, int, int]], k: int, letters: bool) -> bool:
    """Whether `(X)` at tokens[k] (the `(`) is the portion mark of a glued paragraph rather
    than a reason letter: an upper-case mark right after a letter or a closed letter group,
    followed by a capitalised word (`1.4 (B, D) (C) MEA Joint …`, `(b) and (d). (C) On June
    7`, `1.4 b, d (C) Embassy London …`)."""
    if not letters or k + 3 >= len(tokens):
        return False
    if tokens[k + 2][0] != ")" or not tokens[k + 1][0].isupper():
        return False
    prev = tokens[k - 1][0] if k else ""
    if prev not in (")", ".") and not (len(prev) == 1 and "a" <= prev.lower() <= "h"):
        return False
    nxt = tokens[k + 3][0]
    return len(nxt) >= 2 and nxt[0].isupper() and nxt.lower() not in ("and", "or")


def _letters(text: str, start: int, separators: frozenset[str]):
    """Walk the reason letters after a section number at `start`: yields (letter, end) for
    each letter a-h, stopping at the first other word (or a glued paragraph's portion mark)."""
    window = text[start : start + 40]
    tokens = [(m.group(0), m.start(), m.end()) for m in _REASON_TOKEN.finditer(window)]
    seen = False
    for k, (tok, _a, b) in enumerate(tokens):
        low = tok.lower()
        if len(low) == 1 and "a" <= low <= "h":
            seen = True
            yield low, start + b
        elif low in separators:
            if tok == "(" and _is_portion_mark(tokens, k, seen):
                return
            continue
        else:
            return


def reasons_from_text(text: str) -> list[str]:
    """`… for reasons 1.4 (b) and (d).` -> ["1.4(b)", "1.4(d)"].  Letters a–h within 40
    characters after each `1.4`/`1.5`/`1.6`, separated by parentheses, commas, `and`,
    `&` or `/`."""
    if "1" not in text:
        return []
    return _reasons(_repair(text))


def _reasons(fixed: str) -> list[str]:
    """reasons_from_text on an already repaired text.  Declassification exemption codes given
    with the reasons (`1.5(B,C,D)X1, X5`, `REASON 1.6 (X6)`, `25X1`) are no reasons: they say
    how long, not why (docs/record.md)."""
    if "1." not in fixed:
        return []
    if "." in fixed and ("E" in fixed or "e" in fixed):
        fixed = _EO_ABBR.sub(lambda m: " " * len(m.group(0)), fixed)
    out: list[str] = []
    for m in _SECTION.finditer(fixed):
        section = f"1.{m.group(1)}"
        for low, _end in _letters(fixed, m.end(), _SEPARATORS):
            item = f"{section}({low})"
            if item not in out:
                out.append(item)
    return out


# A reason word, then what may stand between it and letters given without a readable section
# (`Reasons b, d`, `REASON: (B) AND (D)`, `REASONS E.O. 12958 (B), (D)`, `reasons 4 (b)`,
# `reasons 1 (B)`, `reasons 104 (b)`, `reasons 1.b and d`): the E.O. number (its `E.O.`
# is blanked by _reasons' caller) or a cut or mistyped section number.  A derivative
# classification names its source guide instead of a reason word, the letters after it
# (`Derived from DSCG 05-01, b and d`, `DERIVED FROM: DSCG 05-1 B, D`).
_LETTERS_ONLY = re.compile(
    r"\breasons?\b[\s:,]*(?:(?:EO\s?)?(?:12958|13526)\b[\s:,]*)?(?:\d{1,3}(?:\.\d?)?(?![\d.]\d))?"
    r"|\bderived\s+from\b[\s:]*(?-i:[A-Z]{2,8})\s?\d{1,2}\s?-\s?\d{1,2}\b",
    re.IGNORECASE,
)


def _letters_only(fixed: str) -> list[str]:
    """Reason letters after the reason word when the statement names no section:
    `(b)`, `(d)` (the letter alone; docs/record.md)."""
    if "." in fixed and ("E" in fixed or "e" in fixed):
        fixed = _EO_ABBR.sub(lambda m: " " * len(m.group(0)), fixed)
    out: list[str] = []
    for m in _LETTERS_ONLY.finditer(fixed):
        for low, _end in _letters(fixed, m.end(), _SEPARATORS):
            if f"({low})" not in out:
                out.append(f"({low})")
        if out:
            break
    return out


# What may follow the reason letters on the same line as text glued to the statement: a
# paragraph number, a portion mark, a SUMMARY label, or a long sentence.
_GLUED_TEXT = re.compile(
    r"""(?:\d{1,3}\s?\.(?!\d)\s*\S
      | \(\s*(?:U|C|S|TS|SBU|CUI|LOU)(?:\s*//?\s*[A-Z][A-Z ]{0,20})?\s*\)\s*[A-Za-z"'-]
      | (?:SUMMARY|Summary|INTRODUCTION|Introduction)\b
      | [A-Z][A-Za-z'’-]*\s+\S.{24,})""",
    re.VERBOSE,
)
_REASON_TAIL = re.compile(r"[\s).,;:]*")


@lru_cache(maxsize=8192)  # Classified By lines repeat from cable to cable
def text_after_reasons(line: str) -> int | None:
    """Where text glued after a complete reason list starts in `line`, or None
    (`… reasons 1.4 (b) and (d). 1. (C) Summary: …` -> the index of `1.`)."""
    matches = list(_RAW_SECTION.finditer(line))
    if not matches:
        return None
    m = matches[-1]
    end = None
    for _low, b in _letters(line, m.end(), _RAW_SEPARATORS):
        end = b
    if end is None:
        return None
    end = _REASON_TAIL.match(line, end).end()
    rest = line[end:]
    if not rest.strip() or _GLUED_TEXT.match(rest) is None:
        return None
    return end


# Where the "who" part ends: the reason phrase (the separators before it are backed over by
# parse_classified_by: a leading `[\s,;.:]*` would make every position a candidate start).
_WHO_END = re.compile(
    # (a lookahead for the first letters first: most positions fail there, before the `\b`)
    r"(?=[frpeudb1])(?:\bfor\s+r\s?e\s?a|\brea(?:sons?|ons|sosn)\b|\bper\b|\bE\.\s?O\."
    r"|\bE\.?\s?O\.?\s*\d{5}|\bunder\s+section\b|\bdue\s+to\b|\bbased\s+(?:on|upon)\b"
    r"|(?<![\d.])1\s?\.\s?[456](?!\d))",
    re.IGNORECASE,
)
_SEPARATOR_CHARS = frozenset(" \t,;.:")
# Words a "who" part cannot end with: the start of a reason phrase (`FR`, `DUE TO`, `BASED
# ON`, `E.O 12958`, `Resons`, a misspelt reason word is tested in _reason_word).
_TRAIL_WORDS = titles.words(
    "for fr f0r fo nor per under as by due to based on upon section para e.o e.o. eo 12958 12356 "
    "13526 reason reasons reas rea"
)
# A statement cut short by the page (`Donald Lu for re...`): the cut reason words.
_CUT_WORDS = frozenset(("f", "fo", "for", "p", "pe", "per", "r", "re", "rea"))
_WHO_LEAD = re.compile(
    r"^(?:\d{1,2}\.\s*)?(?:\(\s*[A-Z]{1,3}\s*\)\s*)?"
    r"(?:(?:this\s+(?:message|cable|telegram)\s+(?:is\s+|was\s+|has\s+been\s+)?)?"
    r"Classifi?ed\s+(?:(?:CONFIDENTIAL|SECRET)\s+)?)?(?:by\s+)?",
    re.IGNORECASE,
)
# A label inside the statement: what stands before it is not the classifier (a REF list,
# `This message classified by …`, `DOS CLASSIFICATION GUIDE BY …`).
_INNER_LABEL = re.compile(r"(?=[cg])(?:\bclass[a-z]{2,4}d\s+by\b|\bguide\s+by\b)", re.IGNORECASE)
# `Charge d’Affaires`, `Charge d,Affaires`, `Charge d' Affaires`, `Charge de'Affairs`,
# `Charge d\'Affaires` -> `Charge d'Affaires`.
_AFFAIRES = re.compile(r"(?=[dD])\b([dD])[eE]?\s?\\?[’‘`´',]\s?(?=[Aa][Ff])")
# `Daniel O,Grady` -> `Daniel O'Grady`: a comma typed for the apostrophe of an Irish name.
_O_COMMA = re.compile(r"(?<![\w.'])O,(?=[A-Z][A-Za-z])")
# `a. i.` -> `a.i.`, `A. I` -> `A.I.`
_AI = re.compile(r"(?<![\w.])[aA]\.\s?[iI]\b\.?")
_COLON = re.compile(r"\s*[:;]\s*")

# Title words that may follow a comma inside the title (`CDA, a.i., Hugo Llorens`).
_AFTER_COMMA = frozenset({"a.i.", "a.i", "ai", "(a.i.)", "acting"})
_SUFFIX = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
_NAME_WORD = re.compile(r"^[A-Z][A-Za-z.'’-]*$")
# Lower-case words that stand on their own in a statement: never the tail of a word cut by
# the wrap (`Hoyt Y` ⏎ `ee` is `Yee`, `Blah` ⏎ `a,` is `Blaha,`; `Roe` ⏎ `for` is not).
_SMALL_WORDS = titles.words(
    "an and or nor of the for fo fr per under to by on at in as is was has been from with "
    "this that message cable based due acting a.i. a.i ai ai. reason reasons de van von der "
    "del della da di du la le al el bin y st"
)
# `DCM/Ted Osius`: an office code glued to a mixed-case first name.
_CODE_GLUED = re.compile(r"^([A-Z]{2,5})/([A-Z][a-z]+)$")


def _tokens(who: str, mixed: bool) -> list[str]:
    """The words and commas of the "who" part, with words cut by the wrap joined again."""
    out: list[str] = []
    for t in re.findall(r",|[^\s,]+", who):
        m = _CODE_GLUED.match(t)
        if m is not None and not titles.is_word(m.group(2), mixed):
            out += [m.group(1), m.group(2)]
            continue
        if out and _glued(out, t, mixed):
            out[-1] += t
            continue
        out.append(t)
    return out


def _glued(out: list[str], t: str, mixed: bool) -> bool:
    """Whether `t` is the rest of the word `out[-1]` cut by the fixed-width wrap."""
    a = out[-1]
    if not a.isalpha() or not t[:1].isalpha():
        return False
    core = t.rstrip(",.;:")
    if not core.isalpha():
        return False
    joined = (a + core).lower()
    if titles.is_exact(joined) and not titles.is_exact(core) and len(a) > 1:
        return True  # `Polit ical`, `Affair s`, `AFFAIR S`
    if titles.split_given_name(a, core, mixed):
        return True  # `WI LLIAM`: a first name cut by a stray space
    if mixed:
        # a lower-case piece that is no word of its own, after a word in capitals
        return (
            core.islower()
            and len(core) <= 5
            and core not in _SMALL_WORDS
            and a[0].isupper()
            and not titles.is_word(core, mixed)
        )
    # capitals: a lone letter without its period and a piece of one or two letters after a
    # first name (`HOYT Y` ⏎ `EE`)
    return (
        len(a) == 1
        and len(core) <= 2
        and core.lower() not in _SMALL_WORDS
        and len(out) >= 2
        and out[-2].isalpha()
        and len(out[-2]) > 1
    )


def _title_prefix(tokens: list[str], mixed: bool) -> tuple[int, int]:
    """The leading job phrase: (end of the title, index where the scan stopped)."""
    k = 0
    title_end = 0
    after_connector = False
    while k < len(tokens):
        t = tokens[k]
        nxt = tokens[k + 1] if k + 1 < len(tokens) else None
        if t == ",":
            if title_end == k and title_end > 0 and nxt is not None:
                nn = tokens[k + 2] if k + 2 < len(tokens) else None
                if nxt.lower() in _AFTER_COMMA or titles.is_title(nxt, False, mixed, nn):
                    k += 1  # `CDA, a.i., …`, `Acting Charge d'Affaires, Ambassador …`
                    continue
            break
        if titles.is_title(t, k == 0, mixed, nxt):
            k += 1
            title_end = k
            after_connector = False
        elif titles.is_connector(t) and title_end > 0:
            k += 1
            after_connector = t.lower() in ("for", "of", "to", "on", "at") or after_connector
        elif titles.is_object(t):
            k += 1
            if after_connector:
                title_end = k  # the object of the title's preposition: `… for Central Asia`
        else:
            break
    return title_end, k


def _head_split(rest: list[str], mixed: bool) -> int:
    """A job phrase the prefix did not read, ended by a head noun with the name after it
    (`Glbal Affairs Unit Chief Don L. Brown`, `PRT Salah Ad Din Leader Rick Bell`): the
    number of leading words of `rest` that belong to the title, or 0."""
    for h in range(len(rest) - 2, -1, -1):
        if not titles.is_head(rest[h]):
            continue
        after = rest[h + 1 :]
        if not 1 <= len(after) <= 4 or any(
            not titles.name_like(w, mixed) or titles.is_word(w, mixed) for w in after
        ):
            continue
        before = rest[:h]
        if any(
            titles.is_initial(w) or not (w[:1].isupper() or titles.is_connector(w)) for w in before
        ):
            continue
        return h + 1
    return 0


def _title_after_name(words: list[str], mixed: bool) -> int:
    """`DONALD CAMP DEPUTY ASSISTANT SECRETARY FOR SOUTH ASIAN AFFAIRS`: where a job phrase
    after the name starts (at least two name words before it), or 0."""
    for j in range(2, len(words)):
        if titles.is_initial(words[j - 1]):
            continue
        tail = words[j:]
        if not titles.is_word(tail[0], mixed):
            continue
        if all(
            titles.is_word(w, mixed) or titles.is_connector(w) or titles.is_object(w) for w in tail
        ) and (len(tail) >= 2 or titles.is_head(tail[0])):
            return j
    return 0


def _name_words(words: list[str], mixed: bool) -> list[str]:
    """The person's words: leading junk dropped, cut at the first word no name has (a
    lower-case word of the reason, a parenthesis) and, when long, at the first name before
    a middle initial (`Pakistan Richard C. Holbrooke` -> `Richard C. Holbrooke`)."""
    while words and not any(c.isalnum() for c in words[0]):
        words = words[1:]
    out: list[str] = []
    for w in words:
        if w in (".", "-", "?"):
            continue  # a stray mark inside the name (`Kevin . Johnson`)
        if (out and w.startswith("(")) or not titles.name_like(w, mixed):
            break
        out.append(w)
    if not out and 2 <= len(words) <= 3 and all(w.isalpha() and w.islower() for w in words):
        out = words  # a name typed in lower case (`kathy roe, OMS, State`)
    if len(out) > 3:
        for i in range(2, len(out)):
            if titles.is_initial(out[i]):
                out = out[i - 1 :]
                break
    return out


def _segment_title(seg: str, mixed: bool) -> bool:
    words = seg.split()
    return bool(words) and titles.is_title(
        words[0], False, mixed, words[1] if len(words) > 1 else None
    )


def _parse_who(who: str) -> tuple[str | None, str | None, str | None]:
    """Split the "who" part into (name, title, office)."""
    # Case tells names from words only when both cases are used (not in a lower-cased body).
    mixed = any(c.islower() for c in who) and any(c.isupper() for c in who)
    tokens = _tokens(who, mixed)
    title_end, _stop = _title_prefix(tokens, mixed)
    first_end = tokens.index(",", title_end) if "," in tokens[title_end:] else len(tokens)
    if title_end == first_end and first_end == len(tokens) and title_end >= 2:
        # the title took every word: a misspelt-looking name or a place is the name
        # (`Ambassador Chien`), unless it is a job word as written
        while title_end >= 2 and not titles.is_head(tokens[title_end - 1]):
            title_end -= 1
            if titles.name_like(tokens[title_end], mixed):
                break
    rest = tokens[title_end:first_end]
    extra = _head_split(rest, mixed)
    if extra:
        title_end += extra
        rest = rest[extra:]
    title = " ".join(tokens[:title_end]).replace(" ,", ",").strip(" ,") or None
    late_title = None
    j = _title_after_name(rest, mixed)
    if j:
        late_title = " ".join(rest[j:])
        rest = rest[:j]
    segments = [" ".join(rest)] + [
        s.strip() for s in " ".join(tokens[first_end:]).replace(" ,", ",").split(",")
    ][1:]
    name = " ".join(_name_words(rest, mixed)) if rest else ""
    if not name:
        segments = segments[1:]
        if not segments:
            return None, title or late_title, None
        name = " ".join(_name_words(segments[0].split(), mixed))
    if late_title is not None and title is None:
        title, late_title = late_title, None
    elif late_title is not None:
        title = f"{title} {late_title}"
    i = 1
    if (
        i < len(segments)
        and segments[i].lower().rstrip(".") + "." in ("jr.", "sr.")
        or (i < len(segments) and segments[i].lower() in _SUFFIX)
    ):
        name = f"{name}, {segments[i]}"
        i += 1
    if title is None and i < len(segments):
        if _segment_title(segments[i], mixed):
            title = segments[i]
            i += 1
        elif (
            i + 1 < len(segments)
            and _segment_title(segments[i + 1], mixed)
            and (len(name.split()) == 1 or len(segments[i].split()) == 1)
            and len(segments[i].split()) <= 3
            and all(
                _NAME_WORD.match(w) and not (mixed and w.isupper() and len(w.rstrip(".")) > 1)
                for w in segments[i].split()
            )
        ):
            # `Weitzenkorn, Laurie, A/DCM, State`: surname first
            name = f"{name}, {segments[i]}"
            title = segments[i + 1]
            i += 2
    office = ", ".join(s for s in segments[i:] if s) or None
    return name or None, title, office


def _strip_label(text: str) -> str:
    # The label may be doubled: `Classified By: Classified by CDA …`.
    for _ in range(2):
        m = LABEL_RE.match(text)
        if m is None:
            break
        text = text[m.end() :]
    return text.strip()


def _trim_who(who: str) -> str:
    """Drop what ends the "who" part: separators, a dangling `for`/`per`/…, and the words of
    a statement cut short by the page (`Donald Lu for re...`)."""
    if who.endswith("..."):
        who = who[:-3].rstrip()
        while True:
            head, _, last = who.rpartition(" ")
            if not head or last.lower() not in _CUT_WORDS and not last.lower().startswith("reas"):
                break
            who = head.rstrip()
    while True:
        t = who.rstrip(" \t\n,;:.-")
        head, sep, last = t.rpartition(" ")
        if _reason_word(last.rstrip(",;:.-")):
            t = head.rstrip(" \t\n,;:.-")
        if t == who:
            return who
        who = t


def _reason_word(word: str) -> bool:
    """A word that starts or names the reason (`for`, `DUE`, `12958`, `RASONS`, `Resons`)."""
    w = word.lower()
    if w in _TRAIL_WORDS:
        return True
    return (
        len(w) >= 5
        and w[0] == "r"
        and w.isalpha()
        and (titles.within(w, "reasons", 2) or titles.within(w, "reason", 1))
    )


def parse_classified_by(text: str) -> tuple[ClassifiedBy, list[str]]:
    """Parse the statement (label removed or not, lines joined by any white space).
    Returns (ClassifiedBy(text, name, title, office), classification reasons)."""
    # A post's statements repeat word for word from cable to cable: parse each text once
    # (a pure function of the text), and hand every caller its own copies.
    cb, reasons = _parse_cached(text)
    return replace(cb, names=list(cb.names)), list(reasons)


@lru_cache(maxsize=8192)
def _parse_cached(text: str) -> tuple[ClassifiedBy, list[str]]:
    text = _strip_label(" ".join(text.split())).rstrip(' "')  # `…(d) ""`: a csv quote
    statement = text
    inner = _INNER_LABEL.search(text, 1)
    if inner is not None and not reasons_from_text(text[: inner.start()]):
        text = text[inner.end() :].strip()
    fixed = _repair(text, zeros=False)  # names keep their zeros as written
    zfixed = _zeros(fixed)  # same length as `fixed`
    reasons = _reasons(zfixed if "1" in text else "")
    if not reasons and ("r" in zfixed or "R" in zfixed):
        reasons = _letters_only(zfixed)
    m = _WHO_END.search(zfixed)
    if m is None:
        who = fixed
    else:
        end = m.start()
        while end > 0 and fixed[end - 1] in _SEPARATOR_CHARS:
            end -= 1
        who = fixed[:end]
    if who[:1] in "(bBcC":
        who = _WHO_LEAD.sub("", who, count=1)
    if "'" in who or "," in who or "’" in who or "`" in who or "´" in who:
        who = _AFFAIRES.sub(r"\1'", who)
        if "O," in who:
            who = _O_COMMA.sub("O'", who)
    if "." in who:
        who = _AI.sub(lambda m: "".join(m.group(0).split()).rstrip(".") + ".", who)
    if ":" in who or ";" in who:
        who = _COLON.sub(", ", who)
    who = _trim_who(who.strip())
    if _DERIVED.match(who):
        who = ""  # `Derived from Multiple Sources`: a source, not a person
    elif _REF_WORD.match(who) or _CITE.match(who):
        who = ""  # `REF A. ZENDA 498`, `ADANA 222 ADANA 216`, `REFTEL`: cables, not a person
    elif statement.endswith(("...", "\u2026")) and " " not in who and _cut_word(who):
        # `Classified By: AMBASS...`, `Classified By: Classifi...`: a copy cut off inside the
        # title or a repeated label, no name
        who = ""
    pair = _two_classifiers(who)
    if pair is not None:
        (name, title, office), (name2, _t2, _o2) = pair
        names = [_clean_name(name, fixed), _clean_name(name2, fixed)]
    else:
        name, title, office = _parse_who(who)
        name = _clean_name(name, fixed)
        names = [name] if name else []
    if office:
        office = office.strip(" ,;:.") or None
    return (
        ClassifiedBy(
            text=statement,
            name=names[0] if names else None,
            title=title or None,
            office=office,
            names=names,
        ),
        reasons,
    )


def _cut_word(word: str) -> bool:
    """A job word or the label (`Classifi`) cut short."""
    w = word.strip(".\u2026").lower()
    return titles.is_cut_title(w) or (len(w) >= 3 and "classified".startswith(w))


def _clean_name(name: str | None, fixed: str) -> str:
    if not name:
        return ""
    name = name.strip(" ,;:")
    if name.endswith(".") and not re.search(r"\b(?:[A-Z]|Jr|Sr|JR|SR)\.$", name):
        name = name[:-1]
    elif re.search(r"\b(?:Jr|Sr|JR|SR)$", name) and name + "." in fixed:
        name += "."  # the reason phrase's separator took the suffix's period
    return name


_DERIVED = re.compile(r"derived\s+from\b", re.IGNORECASE)
_REF_WORD = re.compile(r"ref(?:tel|s)?\b", re.IGNORECASE)
# a post and a serial, first (`ADANA 222`, `A. ZENDA 498`): a cable
_CITE = re.compile(r"(?:[A-Z][.)]\s*)?[A-Z]{3,}(?:\s[A-Z]+)?\s+\d{2,6}\b")
_AND = re.compile(r"\s\s*(?:and|AND|&)\s+")  # (a class first: a fast scan)
_Who = tuple[str | None, str | None, str | None]


def _two_classifiers(who: str) -> tuple[_Who, _Who] | None:
    """`DTRA Fred Carter and Poloff Jo Roe`, `AF KARL WYCOFF, ACTING AND S/CT DAS JO ROE`:
    two people, each a name of two words or more; the second led by a job title (or both
    bare names).  Job phrases joined by `and` (`Economic and Political Affairs`) leave the
    left part without a name and are not split."""
    if " and " not in who and " AND " not in who and "&" not in who:
        return None
    for m in _AND.finditer(who):
        left, right = who[: m.start()], who[m.end() :]
        a, b = _parse_who(left), _parse_who(right)
        if not a[0] or not b[0] or len(a[0].split()) < 2 or len(b[0].split()) < 2:
            continue
        if b[1] is None and (a[1] is not None or "," in right or "," in left):
            continue
        return a, b
    return None
