"""Page markers (FORMAT.md §4.12): removed, recorded in st.page_markers, sentences rejoined.

Two kinds of page break are handled:

* telegram page markers `POST NNNNNNNN PPP[.N] OF TTT`, on their own line or inline in
  unwrapped text, optionally followed by a running `SUBJECT:` header;
* old printout page headers `PAGE 02  HARARE 06677 01 OF 03 291400Z`, with the lone
  classification lines around them; a `PAGE 01` header opens a new section and carries a
  distribution block, the addressees and a repeated banner/preamble, all removed.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate, repeat
from operator import add

from cablebase.grammar.state import PageMarker, State

__all__ = ["strip_page_markers", "ends_sentence", "is_cut_marker"]

# The part of a marker every form shares: 8-digit serial, page, total.  (Regexes searched
# for start with one character class, not a repeat: the engine then scans ahead fast.)
_CORE = re.compile(
    r"(\d\d{7})[ \t\u2028]+(\d{3}(?:\.\d)?)[ \t\u2028]+of[ \t\u2028]+(\d{3})\b", re.I
)
# Own-line marker: a short post name (cut to 10 characters, allow slack) before the core.
_OWN = re.compile(
    r"^\s*([A-Za-z][A-Za-z .'()/-]{0,24}?)\s+(\d{8})\s+(\d{3}(?:\.\d)?)\s+of\s+(\d{3})\s*$", re.I
)
# Fallback post before an inline core: up to three capitalised words.
_POST_BEFORE = re.compile(r"([A-Z][A-Za-z.'-]*(?:[ \t]+[A-Z][A-Za-z.'-]*){0,2})[ \t\u2028]*$")
_SUBJECT = re.compile(r"^\s*SUBJ(?:ECT)?\s*:\s*(.*)$", re.I)
_LABEL = re.compile(r"^\s*(?:REF\w*|CLASSIFIED\s+BY|E\.?\s?O\.?|TAGS?|\d{1,3}\.(?!\d))\b", re.I)
# Old printout page header; group 1 = page, 7 = text glued after it.
_PAGE = re.compile(
    r"^\s*PAGE\s+(\d{2,3})\s+(\S.*?)\s+(\d{4,6})\s+(?:(\d{2})\s+OF\s+(\d{2})\s+)?(\d{6}Z)\b[ \t]*(.*)$"
)
# Pre-test over the whole body.  It starts with a literal `0` (the zero-padded serial, or
# the page number) so the regex engine skips ahead with a fast scan; a `\d`-led pattern is
# many times slower on bodies without markers.  Lines it finds are checked with _CORE.
_QUICK = re.compile(
    r"0(?:\d{7}[ \t\u2028]+\d{3}(?:\.\d)?[ \t\u2028]+(?:OF|of|Of)[ \t\u2028]+\d{3}\b"
    r"|\d\d(?:\.\d)?[ \t\u2028]+(?:OF|of|Of)[ \t\u2028]+\d{3}\b)"
)
_PAGE_WORD = re.compile(r"PAGE[ \t]+\d")
_PAGE_RI = re.compile(r"^\s*PAGE\s+(\d{2,3})\s+R[A-Z]{3,6}\d{4}\s+[A-Z](?: [A-Z]){3,}.*$")
_CLASS_LINE = re.compile(
    r"^\s*(?:UNCLASSIFIED|CONFIDENTIAL|SECRET|LIMITED OFFICIAL USE|UNCLAS|TOP SECRET)"
    r"(?:\s+PTQ\d+)?\s*$"
)
_CLASS_TAIL = re.compile(r"\s\s+(?:UNCLASSIFIED|CONFIDENTIAL|SECRET|LIMITED OFFICIAL USE)\s*$")
_SECTION_BANNER = re.compile(r"\bSECTION\s+\d{1,2}\s+OF\s+\d{1,2}\b", re.I)
_PREAMBLE_LINE = re.compile(
    r"^\s*(?:E\.?\s?O\.?\s*1\d{4}|TAGS?\b|SUBJ(?:ECT)?\s*:|SIPDIS|NOFORN|NNNN)", re.I
)


def ends_sentence(line: str) -> bool:
    """True when a text line ends with sentence punctuation (a closing quote may follow)."""
    # plain string work: a regex search from the left is slow on long unwrapped lines
    t = line.rstrip().rstrip("'\"\u2019\u201d)]")
    # `it.8` is a closing quote corrupted to 8 (FORMAT.md §4.14); `6.8` is a number.
    if t.endswith("8") and len(t) >= 3 and t[-2] in ".!?" and not t[-3].isdigit():
        t = t[:-1].rstrip("'\"\u2019\u201d)]")
    return bool(t) and t[-1] in ".!?:;"


# `l.` typed for `1.` before a portion mark or the summary label: paragraph 1 (a lettered
# item `l.` inside the text has neither after it), no lower-case continuation.
ELL_ONE = re.compile(r"l\.\s*(?:\([A-Za-z/ ]{1,12}\)|SUMMARY\b|Summary\b)")


def _starts_lower(line: str) -> bool:
    s = line.lstrip()
    return bool(s) and s[0].islower() and not (s[0] == "l" and ELL_ONE.match(s))


def _norm(s: str) -> str:
    return " ".join(s.split())


# A marker cut off by the page's preview of the cable (`ROME 00001144  001.2 OF 00...`).
_CUT_MARKER = re.compile(
    r"^\s*[A-Za-z][A-Za-z .'()/-]{0,24}?\s+\d{8}\s+\d{3}(?:\.\d)?\s+(?:of\s+\d{0,3})?(?:\.\.\.|\u2026)\s*$",
    re.I,
)


def is_cut_marker(line: str) -> bool:
    """Whether the line is a page marker cut short by `...` (no text of the cable)."""
    end = line.rstrip()
    return (
        end.endswith(("...", "\u2026"))
        and end.rstrip(".\u2026")[-1:].isdigit()
        and _CUT_MARKER.match(line) is not None
    )


def strip_page_markers(lines: list[str], start: int, st: State) -> list[str]:
    """Return the lines with page markers (own-line and inline) and their running
    SUBJECT headers removed, text around them rejoined.  Lines before `start` are kept
    as they are.  Indices before `start` must not move."""
    n = len(lines)
    start = max(0, min(start, n))
    # Cheap test first: most cables have no marker and no printout page header.
    blob = "\n".join(lines[start:])
    last = n - 1
    while last >= start and not lines[last].strip():
        last -= 1
    if last >= start and lines[last].rstrip()[-1:] in ".\u2026" and is_cut_marker(lines[last]):
        # a page holding only the cable's preview ends in its marker, cut short
        lines = lines[:last] + lines[last + 1 :]
        n = len(lines)
        blob = "\n".join(lines[start:])
    hits = [m.start() for m in _QUICK.finditer(blob)]
    pages = _page_headers(blob) if "PAGE" in blob else []
    if not hits and not pages:
        return list(lines)
    # map the hits in the joined text back to line indices
    offsets = list(accumulate(map(add, map(len, lines[start:]), repeat(1)), initial=0))
    candidates = {start + bisect_right(offsets, h) - 1 for h in hits}
    page_lines = {start + bisect_right(offsets, h) - 1 for h in pages}
    return _Stripper(lines, start, st, candidates, page_lines).run()


def _page_headers(blob: str) -> list[int]:
    """Offsets of the lines that start (after white space) with an old printout
    `PAGE NN` header."""
    found = []
    for m in _PAGE_WORD.finditer(blob):
        ls = blob.rfind("\n", 0, m.start()) + 1
        lead = blob[ls : m.start()]
        if not lead or lead.isspace():
            found.append(ls)
    return found


# A cancellation note put where the SUBJECT wraps (`/////ZFR CANCEL THIS MESSAGE …`).
_ZFR_NOTE = re.compile(r"\s*/*\s*ZFR\b")


def _is_page(line: str) -> bool:
    return bool(_PAGE.match(line) or _PAGE_RI.match(line))


class _Stripper:
    def __init__(
        self, lines: list[str], start: int, st: State, candidates: set[int], page_lines: set[int]
    ) -> None:
        self.lines = lines
        self.start = start
        self.st = st
        self.out: list[str] = list(lines[:start])
        self.pending = False  # a break was removed: the next content line may rejoin
        self.blank_before = False
        self.blank_after = False
        self._subject: str | None = None
        self._subject_at: int | None = None
        self._seen: set[str] | None = None  # the first preamble lines, normalised
        self.candidates = candidates
        self.page_lines = page_lines  # lines starting with `PAGE NN` (maybe a printout header)
        self._posts: list[str] = self._known_posts()

    # -- helpers ---------------------------------------------------------------

    def _known_posts(self) -> list[str]:
        posts: set[str] = set()
        post = self.st.cable.post
        if post:
            p = post.strip()
            posts.add(p[:10].strip())
            posts.add(p)
            words = p.split()
            for k in range(1, len(words)):
                posts.add(" ".join(words[k:]))
        for k in self.candidates:
            m = _OWN.match(self.lines[k])
            if m:
                posts.add(m.group(1).strip())
        return sorted((p for p in posts if p), key=len, reverse=True)

    def _real_subject(self, before: int) -> str | None:
        """The first SUBJECT text standing before line `before` (a running header repeats it)."""
        if self._subject_at is None:
            self._subject_at = -1
            for i in range(self.start, len(self.lines)):
                m = _SUBJECT.match(self.lines[i])
                if m:
                    parts = [m.group(1)]
                    for j in range(i + 1, min(i + 8, len(self.lines))):
                        nxt = self.lines[j]
                        if not nxt.strip() or _LABEL.match(nxt) or _CORE.search(nxt):
                            break
                        parts.append(nxt)
                    self._subject = _norm(" ".join(parts))
                    self._subject_at = i
                    break
        if self._subject_at is not None and 0 <= self._subject_at < before:
            return self._subject
        return None

    def _record(self, post: str, m: re.Match[str], index: int) -> None:
        self.st.page_markers.append(
            PageMarker(
                post=post.strip(),
                serial=m.group(1),
                page=m.group(2),
                total=int(m.group(3)),
                line=index,
            )
        )

    def _pop_blanks(self) -> bool:
        popped = False
        while len(self.out) > self.start and not self.out[-1].strip():
            self.out.pop()
            popped = True
        return popped

    def _break_here(self) -> None:
        """A page break was removed at this point of the output."""
        popped = self._pop_blanks()
        if not self.pending:
            self.blank_before = popped
            self.blank_after = False
        self.pending = True

    def _emit(self, line: str) -> None:
        if not line.strip():
            if self.pending:
                self.blank_after = True
            else:
                self.out.append(line)
            return
        if self.pending:
            self.pending = False
            if len(self.out) > self.start and self.out[-1].strip():
                prev = self.out[-1]
                if not ends_sentence(prev):
                    if _starts_lower(line):
                        self.out[-1] = prev.rstrip() + " " + line.lstrip()
                        return
                    # mid-sentence before a capital: keep the lines adjacent (one paragraph)
                elif self.blank_before and self.blank_after:
                    self.out.append("")
        self.out.append(line)

    # -- main loop -----------------------------------------------------------------

    def run(self) -> list[str]:
        lines = self.lines
        n = len(lines)
        out = self.out
        # only these lines can hold a break; the others are copied in runs
        special = sorted(self.candidates | self.page_lines)
        k = 0
        i = self.start
        while i < n:
            while k < len(special) and special[k] < i:
                k += 1
            stop = special[k] if k < len(special) else n
            if i < stop:
                if self.pending:  # the first content line after a break may rejoin
                    self._emit(lines[i])
                    i += 1
                else:
                    out.extend(lines[i:stop])
                    i = stop
                continue
            line = lines[i]
            if i in self.candidates and _CORE.search(line):
                m = _OWN.match(line)
                if m:
                    core = _CORE.search(line)
                    assert core is not None
                    self._record(m.group(1), core, i)
                    self._break_here()
                    first_page = core.group(2).startswith("001")
                    i = self._skip_running_header(i + 1, first_page=first_page)
                    # (a marker ending the text, blank lines after it, has no line after it)
                    if first_page and self.blank_after and i < n and not _ZFR_NOTE.match(lines[i]):
                        # the first page's marker set off by a blank line ends a block (a
                        # SUBJECT, a REF list): what follows never rejoins the line above.
                        # A cancellation note does: it carries the wrapped SUBJECT's end.
                        self.pending = False
                        self.out.append("")
                    continue
                line = self._strip_inline(line, i)
                if line is None:
                    i += 1
                    continue
            elif i in self.page_lines and _is_page(line):
                i = self._printout_page(i)
                continue
            self._emit(line)
            i += 1
        if self.pending:
            self.pending = False
        return out

    def _strip_inline(self, line: str, index: int) -> str | None:
        """Remove every inline marker from one line; returns the rest (None when empty)."""
        at_start = at_end = found = False
        pieces: list[str] = []
        pos = 0
        for core in _CORE.finditer(line):
            prefix = line[pos : core.start()]
            post, cut = self._post_in(prefix)
            if not post:
                # not a marker after all: no post name before the digits
                pieces.append(line[pos : core.end()])
                pos = core.end()
                continue
            self._record(post, core, index)
            found = True
            before = prefix[:cut]
            pieces.append(before)
            if not "".join(pieces).strip():
                at_start = True
            pos = core.end()
            if not line[pos:].strip():
                at_end = True
        if not found:
            return line
        pieces.append(line[pos:])
        text = " ".join(p.strip(" \t\u2028") for p in pieces if p.strip(" \t\u2028"))
        if line[:1].isspace() and not at_start:
            text = line[: len(line) - len(line.lstrip())] + text
        if at_start:
            self._break_here()
        if not text.strip():
            self._break_here()
            return None
        self._emit(text)
        if at_end:
            self._break_here()
        return None

    def _post_in(self, prefix: str) -> tuple[str | None, int]:
        """Find the post name at the end of `prefix`; returns (post, index where it starts)."""
        stripped = prefix.rstrip(" \t\u2028")
        upper = stripped.upper()
        for post in self._posts:
            pu = post.upper()
            if upper.endswith(pu):
                k = len(stripped) - len(pu)
                if k == 0 or not stripped[k - 1].isalnum():
                    return post, k
        m = _POST_BEFORE.search(stripped)
        if not m:
            return None, len(prefix)
        words = m.group(1).split()
        # the marker's post is at most 10 characters: keep the longest tail that fits
        for k in range(len(words)):
            cand = " ".join(words[k:])
            if len(cand) <= 10:
                return cand, stripped.rfind(words[k], m.start())
        return None, len(prefix)

    def _skip_running_header(self, i: int, *, first_page: bool = False) -> int:
        """Skip blank lines after a marker and a repeated SUBJECT header; returns the next index."""
        lines = self.lines
        n = len(lines)
        while i < n and not lines[i].strip():
            self.blank_after = True
            i += 1
        if i >= n:
            return i
        m = _SUBJECT.match(lines[i])
        if not m:
            return i
        subject = self._real_subject(i)
        if subject is None:
            if first_page:
                return i  # the first SUBJECT of the cable on page 1: the real one, keep it
            # a later page repeats a subject we did not see: drop the header line alone
            i += 1
            while i < n and not lines[i].strip():
                self.blank_after = True
                i += 1
            return i
        acc = _norm(m.group(1))
        rest = self._after_prefix(acc, subject)
        j = i + 1
        if rest is None:
            # the whole line repeats the subject: it may wrap onto more lines
            while j < n and lines[j].strip() and not _LABEL.match(lines[j]):
                cand = _norm(acc + " " + lines[j])
                r = self._after_prefix(cand, subject)
                if r is not None and len(r) >= len(_norm(lines[j])):
                    break  # this line does not continue the subject at all
                acc = cand
                j += 1
                if r is not None:
                    self._emit(r)
                    return j
            while j < n and not lines[j].strip():
                self.blank_after = True
                j += 1
            return j
        if rest:
            self._emit(rest)
        return j

    @staticmethod
    def _after_prefix(text: str, subject: str) -> str | None:
        """None when `text` is wholly a prefix of the subject; otherwise the part of
        `text` after the longest common prefix, from the next word boundary."""
        k = 0
        limit = min(len(text), len(subject))
        while k < limit and text[k] == subject[k]:
            k += 1
        if k == len(text):
            return None
        if k < 8:
            return text  # too little in common: not a running header
        return text[k:].strip()

    def _printout_page(self, i: int) -> int:
        """Remove an old printout page header at line i; returns the next index."""
        lines = self.lines
        m = _PAGE.match(lines[i])
        page = int(m.group(1)) if m else int(_PAGE_RI.match(lines[i]).group(1))  # type: ignore[union-attr]
        glued = m.group(7) if m else ""
        # the lone classification line (and a section-end NNNN) printed at the page break
        while len(self.out) > self.start and (
            not self.out[-1].strip()
            or _CLASS_LINE.match(self.out[-1])
            or self.out[-1].strip() == "NNNN"
        ):
            self.out.pop()
        if len(self.out) > self.start:
            self.out[-1] = _CLASS_TAIL.sub("", self.out[-1])
        self._break_here()
        self.blank_before = False
        j = i + 1
        if page == 1:
            j = self._skip_section_header(j)
            glued = ""
        if glued.strip():
            self._emit(glued)
        return j

    def _skip_section_header(self, j: int) -> int:
        """After `PAGE 01`: skip the distribution block, addressees, the repeated banner
        and the repeated preamble lines of the new section."""
        lines = self.lines
        n = len(lines)
        banner = None
        # the regex needs `SECTION` (any case): in ASCII text (where no other letter matches one
        # of its letters) the lines before the first that holds it are not searched
        window = "\n".join(lines[j : j + 60])
        first = j
        if window.isascii():
            at = window.lower().find("section")
            if at < 0:
                return j
            first += window.count("\n", 0, at)  # no line before this one can match
        for k in range(first, min(n, j + 60)):
            if _SECTION_BANNER.search(lines[k]):
                banner = k
                break
        if banner is None:
            return j
        if self._seen is None:
            self._seen = {
                _norm(x) for x in lines[self.start : min(n, self.start + 40)] if x.strip()
            }
        seen = self._seen
        k = banner + 1
        in_subject = False
        while k < n:
            s = lines[k]
            if not s.strip():
                in_subject = False
                k += 1
                continue
            if _SUBJECT.match(s):
                in_subject = True
                k += 1
                continue
            if in_subject or _PREAMBLE_LINE.match(s) or _norm(s) in seen:
                k += 1
                continue
            break
        return k


_PAGE_INLINE = re.compile(
    r"(?:\b(?:UNCLASSIFIED|CONFIDENTIAL|SECRET|LIMITED\s+OFFICIAL\s+USE|UNCLAS)\s+)?"
    r"\bPAGE\s+\d{2,3}\s+[A-Z][A-Z .'-]{0,20}?\s+\d{4,6}\s+(?:\d{2}\s+OF\s+\d{2}\s+)?\d{6}Z\b"
)


def remove_markers(value: str) -> str:
    """A field value (TAGS, SUBJECT, REF, a signature line …) without the page markers that
    a body's page break left in it: an old printout `PAGE 02 ROME 01196 …` header line and a
    telegram marker `TRIPOLI 00000402 001.2 OF 003` (own line or inline).  Lines are kept
    (a removed line leaves an empty one), so callers' line indices stay valid."""
    if "\n" in value:
        return "\n".join(remove_markers(line) for line in value.split("\n"))
    if "PAGE" in value:
        if _is_page(value):
            return ""
        # a printout page header run into the value (`PE  SECRET  PAGE 02  LIMA 02475 01 OF 03
        # 251228Z PINR`): the header and the classification line printed before it
        value = " ".join(_PAGE_INLINE.sub(" ", value).split())
    if " OF " not in value.upper() or not _CORE.search(value):
        return value
    pieces: list[str] = []
    pos = 0
    for core in _CORE.finditer(value):
        before = value[pos : core.start()]
        pieces.append(before[: _post_start(before)])
        pos = core.end()
    pieces.append(value[pos:])
    return " ".join(p.strip() for p in pieces if p.strip())


def _post_start(before: str) -> int:
    """Where the post name of a marker starts in the text before its serial: the longest
    tail of up to three words that is a known post (`TEL AVIV`), else the last word."""
    from cablebase.ids import post_alias, post_names  # the post table loads on first use

    words = list(re.finditer(r"[A-Za-z][A-Za-z.'-]*", before))
    if not words or before[words[-1].end() :].strip():
        return len(before)
    known = post_names()
    for k in range(min(3, len(words)), 1, -1):
        tail = words[-k:]
        key = "".join(w.group(0) for w in tail).upper()
        if key in known or post_alias(key) is not None:
            return tail[0].start()
    return words[-1].start()
