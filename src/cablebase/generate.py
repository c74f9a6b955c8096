"""Synthetic cables: the project's own invented text in the real format.

`generate(n, seed)` yields deterministic `Cable` records whose field distributions
follow those measured on the dev corpus (`data/generator_distributions.json`, written by
`tools/measure_distributions.py`): creation months like Cablegate's 1966-2010 spread,
posts with their reference-id frequency, classification, handling captions, precedence,
INFO addressees, TAGS, REF counts and kinds, paragraph counts and lengths, sections and
headings.  The words are the project's own: a small phrase grammar about meetings,
officials and programmes, with generated names.

Every record is in canonical form: exactly what the grammar reads back from its
rendering (`cablebase.render`), following docs/record.md.  `write(n, form, out)` writes
them as files, one csv file, or an archive, for tests, demos and scale benchmarks.
"""

from __future__ import annotations

import bisect
import io
import json
import random
import tarfile
import zipfile
from collections.abc import Iterator
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

from cablebase import render
from cablebase.record import (
    Cable,
    ClassifiedBy,
    Paragraph,
    Recipient,
    Redaction,
    Reference,
    Sections,
    Station,
)

DATA = Path(__file__).with_name("data") / "generator_distributions.json"
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_CUM_DAYS = (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)
WORDS_PER_SENTENCE = 17  # the phrase grammar's mean sentence length

# -- the project's own vocabulary -------------------------------------------------------

_SYL_A = [
    "ka",
    "lo",
    "me",
    "ri",
    "sa",
    "to",
    "vi",
    "na",
    "de",
    "mo",
    "lu",
    "ze",
    "ba",
    "ri",
    "ta",
    "go",
    "ne",
    "fa",
    "si",
    "pe",
    "ro",
    "du",
    "ma",
    "li",
    "ve",
    "ko",
]
_SYL_B = [
    "ran",
    "tel",
    "mor",
    "vin",
    "sak",
    "dor",
    "lem",
    "bar",
    "tus",
    "nik",
    "hal",
    "gor",
    "pen",
    "zar",
    "dun",
    "mil",
    "ros",
    "ket",
    "van",
]
_GIVEN = [
    "Adel",
    "Bora",
    "Caro",
    "Dario",
    "Elin",
    "Farid",
    "Gita",
    "Hanno",
    "Ines",
    "Jorund",
    "Kemal",
    "Lior",
    "Mara",
    "Nilo",
    "Oren",
    "Pavla",
    "Quito",
    "Rasa",
    "Selim",
    "Tova",
    "Umar",
    "Vesna",
    "Wendel",
    "Yara",
    "Zoran",
]
_TITLES = (
    "Minister of Finance",
    "Minister of Defense",
    "Foreign Minister",
    "Deputy Foreign Minister",
    "Interior Minister",
    "opposition leader",
    "party chairman",
    "central bank governor",
    "presidential adviser",
    "parliamentary speaker",
    "chief prosecutor",
    "provincial governor",
    "army chief of staff",
    "trade union leader",
)
_US_ACTORS = (
    "the Ambassador",
    "the DCM",
    "PolOff",
    "EconOff",
    "the visiting delegation",
    "Embassy officers",
    "the Charge",
    "the Defense Attache",
)
_VERBS = (
    "told",
    "assured",
    "briefed",
    "reminded",
    "informed",
    "cautioned",
    "emphasized to",
    "confided to",
)
_TOPICS = (
    "the border security programme",
    "the draft electoral law",
    "the fiscal consolidation plan",
    "the water sharing accord",
    "the port modernisation project",
    "the regional trade framework",
    "the counter-narcotics strategy",
    "the judicial reform package",
    "the refugee resettlement effort",
    "the energy subsidy review",
    "the telecommunications tender",
    "the anti-corruption commission",
    "the teacher training initiative",
    "the coastal fisheries agreement",
    "the pipeline concession",
    "the civil aviation dialogue",
    "the vaccine distribution campaign",
    "the disarmament timetable",
)
_CLAUSES = (
    "the government would present its proposal to parliament before the recess",
    "the ministry lacked the staff to carry out the plan on schedule",
    "several donors had asked for a clearer accounting of past spending",
    "the coalition partners remained divided over the question",
    "local officials were waiting for guidance from the capital",
    "public support for the measure had grown over the past month",
    "a technical team would travel to the provinces next week",
    "the cabinet expected a decision within the coming weeks",
    "negotiations with the neighbouring states had slowed",
    "the security forces needed better equipment and training",
    "the budget shortfall would delay the second phase",
    "the press had exaggerated the scale of the disagreement",
    "his party would not block the agreement",
    "the president had personally endorsed the approach",
    "outside observers should be invited to monitor the process",
    "the earlier pilot phase had produced mixed results",
)
_COMMENTS = (
    "This assessment is consistent with what we have heard from other contacts.",
    "We will continue to follow the issue closely.",
    "Post recommends that the Department raise the matter at the next bilateral review.",
    "The remarks suggest a shift in the government's position.",
    "Embassy will report further developments septel.",
    "Follow-up meetings are planned with working-level officials.",
    "Several interlocutors expressed similar concerns in private.",
    "The outcome will depend largely on the cabinet's internal debate.",
)
_SUBJECT_WORDS = (
    "MINISTER",
    "DISCUSSES",
    "REFORM",
    "PROGRAMME",
    "BORDER",
    "SECURITY",
    "ELECTIONS",
    "TRADE",
    "ENERGY",
    "TALKS",
    "PARLIAMENT",
    "BUDGET",
    "COALITION",
    "OUTLOOK",
    "VISIT",
    "COOPERATION",
    "CONCERNS",
    "PLANS",
    "DELEGATION",
    "AGREEMENT",
    "REVIEW",
    "UPDATE",
    "PRESSURE",
    "DIALOGUE",
)
_HEADINGS = (
    "BACKGROUND",
    "COMMENT",
    "DISCUSSION",
    "NEXT STEPS",
    "GOVERNMENT VIEWS",
    "ECONOMIC OUTLOOK",
    "REGIONAL CONTEXT",
    "POLITICAL DYNAMICS",
    "DONOR COORDINATION",
    "SECURITY CONCERNS",
)
_CAPTIONS = (
    "DEPT FOR {office}",
    "DEPT FOR {office} AND {office2}",
    "NSC FOR {name}",
    "DEPT PLEASE PASS TO USTR",
    "PASS TO USAID {office}",
    "TREASURY FOR {office}",
)
_OFFICES = ("AF/W", "EUR/CE", "NEA/ELA", "WHA/AND", "EAP/MLS", "SCA/INS", "INR/B", "EEB/IFD")
_CLASSIFIER_TITLES = ("Ambassador", "Charge d'Affaires", "DCM", "Political Counselor", "PolOff")
_REASONS = (("b", "d"), ("b", "d"), ("b", "d"), ("b", "d"), ("d",), ("b", "c", "d"), ("c",))


def _name(rng: random.Random) -> tuple[str, str]:
    """A generated person: (given name, surname)."""
    sur = rng.choice(_SYL_A).capitalize() + rng.choice(_SYL_A) + rng.choice(_SYL_B)
    return rng.choice(_GIVEN), sur


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _sentence(rng: random.Random) -> str:
    """One sentence from the phrase grammar."""
    given, sur = _name(rng)
    form = rng.randrange(6)
    if form == 0:
        return (
            f"{_cap(rng.choice(_TITLES))} {given} {sur} {rng.choice(_VERBS)} "
            f"{rng.choice(_US_ACTORS)} that {rng.choice(_CLAUSES)}."
        )
    if form == 1:
        return f"Discussing {rng.choice(_TOPICS)}, {sur} said that {rng.choice(_CLAUSES)}."
    if form == 2:
        return (
            f"{_cap(rng.choice(_US_ACTORS))} met with {rng.choice(_TITLES)} {given} "
            f"{sur} to review {rng.choice(_TOPICS)}."
        )
    if form == 3:
        first, second = rng.sample(_CLAUSES, 2)
        return f"According to {sur}, {first}, and {second}."
    if form == 4:
        return rng.choice(_COMMENTS)
    return f"{sur} noted that {rng.choice(_TOPICS)} had stalled because {rng.choice(_CLAUSES)}."


# -- measured distributions ---------------------------------------------------------------


class _Table:
    """Weighted choice over measured counts (bisect on cumulative weights)."""

    __slots__ = ("keys", "cum", "total")

    def __init__(self, counts: dict) -> None:
        self.keys = list(counts)
        self.cum = list(accumulate(counts.values()))
        self.total = self.cum[-1]

    def pick(self, rng: random.Random):
        return self.keys[bisect.bisect(self.cum, rng.random() * self.total)]


@lru_cache(maxsize=1)
def distributions() -> dict:
    """The measured summary (counts), loaded once."""
    return json.loads(DATA.read_text())


@lru_cache(maxsize=1)
def _tables() -> dict:
    d = distributions()
    months = {k: v for k, v in d["months"].items() if 1966 <= int(k[:4]) <= 2010}
    posts = d["posts"]
    info = {k: v for k, v in d["info_addressees"].items() if "/" in k}
    return {
        "month": _Table(months),
        "post": _Table({i: p[3] for i, p in enumerate(posts)}),
        "posts": posts,
        "classification": _Table(d["classification"]),
        "precedence": _Table({k: v for k, v in d["precedence"].items() if k != "Z"}),
        "info_count": _Table({int(k): v for k, v in d["info_count"].items()}),
        "info": _Table(info),
        "captions": _Table({int(k): v for k, v in d["captions_count"].items()}),
        "tags_count": _Table({int(k): v for k, v in d["tags_count"].items()}),
        "tags": _Table(d["tags"]),
        "ref_count": _Table({int(k): v for k, v in d["ref_count"].items()}),
        "ref_kind": _Table(d["ref_kind"]),
        "paragraphs": _Table({int(k): v for k, v in d["paragraphs"].items() if int(k) > 0}),
        "words": _Table({int(k): v for k, v in d["paragraph_words"].items() if int(k) > 0}),
        "heading_share": d["headings"]["yes"] / (d["headings"]["yes"] + d["headings"]["no"]),
        "fouo_share": d["caveat"].get("FOR OFFICIAL USE ONLY", 0)
        / max(1, d["classification"].get("UNCLASSIFIED", 1)),
        "handling": d["handling_by_year"],
        "subject_words": _Table({int(k): v for k, v in d["subject_words"].items() if int(k) >= 4}),
    }


# -- one cable -----------------------------------------------------------------------------


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.t = _tables()
        self.counters: dict[tuple[int, str], int] = {}
        self.recent: list[str] = []  # recent ids, cited by later cables
        pool_rng = random.Random(seed ^ 0x5EED)
        self.pool = [_sentence(pool_rng) for _ in range(4096)]
        self.names = [_name(pool_rng) for _ in range(2048)]

    def serial(self, year: int, post: str) -> int:
        key = (year, post)
        step = 40 if post == "STATE" else 3
        n = self.counters.get(key) or self.rng.randrange(1, 200 if post == "STATE" else 20)
        n += self.rng.randrange(1, step + 1)
        self.counters[key] = n
        return n

    def cable(self) -> Cable:
        rng, t = self.rng, self.t
        month = t["month"].pick(rng)
        year, mon = int(month[:4]), int(month[5:])
        day = rng.randrange(1, 29)
        hh, mm = rng.randrange(24), rng.randrange(60)
        yy = f"{year % 100:02d}"
        banner, sender, origin, _, route = t["posts"][t["post"].pick(rng)]
        post_key = banner.replace(" ", "")
        serial = self.serial(year, post_key)
        refid = f"{yy}{post_key}{serial}"
        created = f"{year}-{mon:02d}-{day:02d}T{hh:02d}:{mm:02d}:00Z"
        dtg = f"{day:02d}{hh:02d}{mm:02d}Z {MONTHS[mon - 1]} {yy}"
        doy = _CUM_DAYS[mon - 1] + day + (1 if mon > 2 and year % 4 == 0 else 0)
        route = route or "RUEH" + post_key[:2]

        klass = t["classification"].pick(rng)
        handling = self._handling(year, klass)
        prec = t["precedence"].pick(rng)
        action = {"O": "IMMEDIATE", "P": "PRIORITY", "R": "ROUTINE"}[prec[0]]
        info_prec = (
            {"O": "IMMEDIATE", "P": "PRIORITY", "R": "ROUTINE"}[prec[1]] if len(prec) > 1 else None
        )
        recipients = self._recipients(post_key, action, info_prec or action)
        xyz = rng.random() < 0.28
        routing = (
            ["RUEHWEB"]
            if xyz
            else sorted({r.route for r in recipients if r.route})[:4] or ["RUEHC"]
        )

        cable = Cable(
            reference_id=refid,
            created=created,
            created_from="dtg",
            released=f"2011-{rng.randrange(1, 9):02d}-{rng.randrange(1, 29):02d}T{rng.randrange(24):02d}:00:00Z",
            origin=origin,
            post=banner,
            classification=klass,
            handling=handling,
            header_kind="acp127",
            transmission_id=f"VZCZC{'XYZ' if xyz else 'XRO'}{rng.randrange(10000):04d}",
            routing=routing,
            station=Station(
                route=route,
                serial=f"{serial % 10000:04d}",
                part="01" if rng.random() < 0.8 else None,
                julian=f"{doy:03d}{hh:02d}{mm:02d}",
            ),
            security=render._ZNY[klass],
            dtg=dtg,
            precedence=action,
            info_precedence=info_prec,
            sender=sender,
            recipients=recipients,
        )
        self._preamble(cable, year, yy, post_key)
        self._text(cable)
        words = sum(len(p.text) for p in cable.paragraphs) // 6 + 60
        total = 1 + words // 430  # about 430 words fill one printed section
        if total > 1:
            cable.sections = Sections(number=1, total=total)
        self.recent.append(refid)
        if len(self.recent) > 512:
            del self.recent[:256]
        return cable

    def _handling(self, year: int, klass: str) -> list[str]:
        rng = self.rng
        shares = self.t["handling"].get(str(year), {})
        out = []
        if rng.random() < shares.get("SIPDIS", 0.0):
            out.append("SIPDIS")
        if klass != "UNCLASSIFIED" and rng.random() < 2 * shares.get("NOFORN", 0.0):
            out.append("NOFORN")
        if klass == "UNCLASSIFIED" and rng.random() < 2 * shares.get("SENSITIVE", 0.0):
            out.append("SENSITIVE")
        if klass == "UNCLASSIFIED" and rng.random() < self.t["fouo_share"]:
            out.append("FOR OFFICIAL USE ONLY")  # shown by the container only
        return out

    def _recipients(self, post: str, action: str, info: str) -> list[Recipient]:
        rng, t = self.rng, self.t
        word = None if action == "ROUTINE" else action
        info_word = None if info == "ROUTINE" else info
        out: list[Recipient] = []
        if post == "STATE":
            for _ in range(rng.choice((1, 1, 1, 2, 3))):
                b, s, _, _, r = t["posts"][t["post"].pick(rng)]
                if s.startswith(("AMEMBASSY", "AMCONSUL")) and r and all(x.name != s for x in out):
                    out.append(
                        Recipient(
                            role="to",
                            route=r,
                            name=s,
                            precedence=word,
                            serial=f"{rng.randrange(10000):04d}",
                        )
                    )
            if not out:
                out.append(
                    Recipient(
                        role="to",
                        name="ALL DIPLOMATIC AND CONSULAR POSTS COLLECTIVE",
                        collective=True,
                        precedence=word,
                    )
                )
        else:
            out.append(
                Recipient(
                    role="to",
                    route="RUEHC",
                    name="SECSTATE WASHDC",
                    precedence=word,
                    serial=f"{rng.randrange(10000):04d}",
                )
            )
        seen = {r.name for r in out}
        for _ in range(t["info_count"].pick(rng)):
            addr = t["info"].pick(rng)
            r, _, name = addr.partition("/")
            office = None
            if "//" in name:
                name, _, office = name.partition("//")
                office = office.strip("/") or None
            if name in seen or not name:
                continue
            seen.add(name)
            numbered = name.startswith(("AMEMBASSY", "AMCONSUL", "USMISSION"))
            out.append(
                Recipient(
                    role="info",
                    route=r,
                    name=name,
                    office=office,
                    precedence=info_word,
                    serial=f"{rng.randrange(10000):04d}"
                    if numbered and rng.random() < 0.7
                    else None,
                    collective="COLLECTIVE" in name,
                )
            )
        return out

    def _preamble(self, cable: Cable, year: int, yy: str, post: str) -> None:
        rng, t = self.rng, self.t
        klass = cable.classification
        # captions: office and passing lines
        for _ in range(min(t["captions"].pick(rng), 3)):
            template = rng.choice(_CAPTIONS)
            given, sur = rng.choice(self.names)
            line = template.format(
                office=rng.choice(_OFFICES),
                office2=rng.choice(_OFFICES),
                name=f"{given} {sur}".upper(),
            )
            if line not in cable.captions:
                cable.captions.append(line)
        # E.O. and declassification
        eo = "12958" if year >= 1995 else "12356"
        cable.eo = eo
        if klass == "UNCLASSIFIED":
            cable.declassify_rule = "N/A"
        elif eo == "12356":
            cable.declassify_rule = "OADR"
        else:
            later = 10 if rng.random() < 0.8 else 25
            cable.declassify_on = (
                f"{year + later}-{int(cable.created[5:7]):02d}-{int(cable.created[8:10]):02d}"
            )
        # TAGS
        n = t["tags_count"].pick(rng)
        tags: list[str] = []
        for _ in range(n * 2):
            tag = t["tags"].pick(rng)
            if tag not in tags:
                tags.append(tag)
            if len(tags) >= n:
                break
        cable.tags = tags
        # SUBJECT
        words = t["subject_words"].pick(rng)
        given, sur = rng.choice(self.names)
        subject = [*rng.choice(_TITLES).upper().split(), sur.upper()]
        subject += [rng.choice(_SUBJECT_WORDS) for _ in range(max(2, words - len(subject)))]
        cable.subject = " ".join(subject)
        if klass != "UNCLASSIFIED" and rng.random() < 0.01:
            cable.subject_portion = klass[0]
        cable.title = render.wrap(
            "SUBJECT: " + render._portion(cable.subject_portion) + cable.subject
        )[0][9:]
        # REF
        nref = t["ref_count"].pick(rng)
        letters = "ABCDEFGHIJKL"
        for i in range(nref):
            cable.references.append(
                self._reference(letters[i] if nref > 1 else None, year, yy, post)
            )
        cable.listed_references = list(dict.fromkeys(r.id for r in cable.references if r.id))
        # Classified By
        if klass != "UNCLASSIFIED" and rng.random() < 0.92:
            title = (
                "Consul General"
                if cable.sender.startswith("AMCONSUL")
                else rng.choice(_CLASSIFIER_TITLES)
            )
            given, sur = rng.choice(self.names)
            office = cable.origin if post != "STATE" else "Department of State"
            letters_ = rng.choice(_REASONS)
            marks = (
                " and ".join(f"({x})" for x in letters_)
                if len(letters_) < 3
                else "(b), (c) and (d)"
            )
            text = f"{title} {given} {sur}, {office}, for reasons 1.4 {marks}."
            cable.classified_by = ClassifiedBy(
                text=text, name=f"{given} {sur}", title=title, office=office
            )
            cable.classification_reasons = [f"1.4({x})" for x in letters_]

    def _reference(self, letter: str | None, year: int, yy: str, post: str) -> Reference:
        rng = self.rng
        kind = self.t["ref_kind"].pick(rng)
        date = f"{rng.randrange(1, 13):02d}/{rng.randrange(1, 29):02d}/{year}"
        if kind == "email":
            return Reference(
                letter=letter, text=f"{rng.choice(_OFFICES)} E-MAIL OF {date}", kind="email"
            )
        if kind == "telcon":
            return Reference(letter=letter, text=f"TELCON OF {date}", kind="telcon")
        if kind == "memo":
            return Reference(letter=letter, text=f"MEMO OF {date}", kind="memo")
        if kind in ("report", "dtg", "other"):
            return Reference(letter=letter, text="SEPTEL", kind="other")
        # a cable: an earlier generated one when there is one, written as posts write it
        style = rng.random()
        rid = rng.choice(self.recent) if self.recent else ""
        if rid[:2] == yy and rng.random() < 0.7:  # cite an earlier cable of the same year
            ryy, rest = yy, rid[2:]
            rpost = rest.rstrip("0123456789")
            number = rest[len(rpost) :]
        else:
            ryy, rpost, number = (
                yy,
                post if rng.random() < 0.6 else "STATE",
                str(rng.randrange(1, 9999)),
            )
        spelled = self._spelled(rpost)
        if ryy == yy and style < 0.75:
            text = f"{spelled} {number}"
        elif style < 0.9:
            text = f"{ryy} {spelled} {number}"
        else:
            century = "19" if int(ryy) >= 50 else "20"
            text = f"{century}{ryy} {spelled} {number}"
        return Reference(letter=letter, text=text, kind="cable", id=f"{ryy}{rpost}{number}")

    @staticmethod
    @lru_cache(maxsize=1024)
    def _spelled(post: str) -> str:
        for p in _tables()["posts"]:
            if p[0].replace(" ", "") == post:
                return p[0]
        return post

    def _text(self, cable: Cable) -> None:
        rng, t, pool = self.rng, self.t, self.pool
        n = min(t["paragraphs"].pick(rng), 40)
        marks = _MARKS[cable.classification]
        noforn = "NOFORN" in cable.handling
        summary_style = rng.random()
        share = t["heading_share"]
        given, sur = rng.choice(self.names)
        for i in range(1, n + 1):
            words = t["words"].pick(rng) + rng.randrange(10)
            sentences = [
                pool[rng.randrange(4096)] for _ in range(max(1, words // WORDS_PER_SENTENCE))
            ]
            text = " ".join(sentences)
            heading = None
            if i == 1 and summary_style < 0.55 and n > 2:
                cable.summary = text
                text = f"Summary: {text} End Summary."
            elif i == 1 and summary_style < 0.7 and n > 2:
                heading = "SUMMARY"  # the summary is the whole paragraph, set below
            elif i == 2 and cable.paragraphs[0].heading == "SUMMARY":
                # a summary under a heading runs to the next heading: close it here
                heading = rng.choice(_HEADINGS)
            elif i > 1 and rng.random() < share:
                heading = rng.choice(_HEADINGS)
            if rng.random() < 0.08:
                items = [pool[rng.randrange(4096)] for _ in range(rng.randrange(2, 4))]
                text += "\n" + "\n".join(f"-- {x}" for x in items)
            if cable.classification != "UNCLASSIFIED" and rng.random() < 0.01:
                text = f"{text} {sur} and XXXXXXXXXXXX attended."
                cable.redactions.append(Redaction(where=f"paragraph:{i}", length=12))
            if heading == "SUMMARY":
                cable.summary = text
            mark = marks[0] if i == 1 else marks[rng.randrange(len(marks))]
            if noforn and mark in ("S", "C") and rng.random() < 0.6:
                mark += "/NF"
            cable.paragraphs.append(Paragraph(number=i, portion=mark, heading=heading, text=text))
        cable.signers = [rng.choice(self.names)[1].upper()]


_MARKS = {
    "SECRET": ("S", "S", "S", "C", "U"),
    "CONFIDENTIAL": ("C", "C", "C", "C", "SBU", "U"),
    "UNCLASSIFIED": ("SBU", "SBU", "U", None),
    "TOP SECRET": ("TS", "S"),
}


# -- public API ---------------------------------------------------------------------------


def generate(n: int, seed: int = 0) -> Iterator[Cable]:
    """Yield n synthetic cables, the same ones for the same seed."""
    g = _Generator(seed)
    for _ in range(n):
        yield g.cable()


def cable_at(index: int, seed: int = 0) -> Cable:
    """The index-th cable of `generate(..., seed)` (walks the sequence; for small indexes)."""
    g = _Generator(seed)
    for _ in range(index):
        g.cable()
    return g.cable()


_EXT = {"html": ".html", "markdown": ".md", "text": ".txt", "telegram": ".tel"}


def member_name(cable: Cable, form: str) -> str:
    """File name of a cable inside a written folder or archive."""
    if form == "html":
        return render.html_path(cable)
    return f"{cable.reference_id}{_EXT[form]}"


def write(n: int, form: str, out: str | Path, seed: int = 0) -> int:
    """Write n generated cables in a form; returns the number written.

    html/markdown/text/telegram: one file per cable under the folder `out`
    (html under Cablegate's `cable/YYYY/MM/REFID.html`); csv: one cables.csv file.
    An `out` ending in .tar.gz, .tar.xz or .zip writes an archive instead."""
    if form not in render.FORMS:
        raise ValueError(f"unknown form {form!r}")
    out = Path(out)
    name = out.name
    archive = next((x for x in (".tar.gz", ".tar.xz", ".zip") if name.endswith(x)), None)
    cables = generate(n, seed)

    def items() -> Iterator[tuple[str, bytes]]:
        if form == "csv":
            buf = io.StringIO()
            for i, c in enumerate(cables):
                buf.write(render.to_csv_row(c, i + 1))
            yield "cables.csv", buf.getvalue().encode()
            return
        for c in cables:
            yield member_name(c, form), render.to_form(c, form).encode()

    count = 0
    if archive is None:
        if form == "csv" and out.suffix == ".csv":
            out.parent.mkdir(parents=True, exist_ok=True)
            with out.open("w", encoding="utf-8", newline="") as f:
                for i, c in enumerate(cables):
                    f.write(render.to_csv_row(c, i + 1))
                    count += 1
            return count
        out.mkdir(parents=True, exist_ok=True)
        for member, data in items():
            path = out / member
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            count += 1
        return n if form == "csv" else count
    out.parent.mkdir(parents=True, exist_ok=True)
    if archive == ".zip":
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for member, data in items():
                z.writestr(member, data)
                count += 1
    else:
        with tarfile.open(out, "w:gz" if archive == ".tar.gz" else "w:xz") as tar:
            for member, data in items():
                info = tarfile.TarInfo(member)
                info.size = len(data)
                info.mtime = 1291161600  # fixed: the same seed gives the same bytes
                tar.addfile(info, io.BytesIO(data))
                count += 1
    return n if form == "csv" else count
