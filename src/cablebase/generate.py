"""Synthetic cables: the project's own invented text in the real format.

`generate(n, seed)` yields deterministic `Cable` records whose field distributions
follow those measured on the dev corpus (`data/generator_distributions.json`, written by
`tools/measure_distributions.py`): creation months like Cablegate's 1966-2010 spread,
posts with their reference-id frequency, classification, handling captions, precedence,
INFO addressees, TAGS, REF counts and kinds, paragraph counts and lengths, sections and
headings, and the shares of `Summary:`/`Comment:` conventions per paragraph count.
The words are the project's own: a template grammar (data/generator_text.json) that
writes meeting reports, summaries, comments and demarches about the country of the
cable's post (data/generator_places.json) on topics tied to its TAGS, with one or two
invented officials per cable.

Every record is in canonical form: exactly what the grammar reads back from its
rendering (`cablebase.render`), following docs/record.md.  `write(n, form, out)` writes
them as files, one csv file, or an archive, for tests, demos and scale benchmarks.
"""

from __future__ import annotations

import bisect
import io
import json
import random
import re
import tarfile
import zipfile
from collections.abc import Iterator
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

from cablebase import render
from cablebase.grammar.dtg import MONTH_NAMES
from cablebase.grammar.tags import _codes_of
from cablebase.ids import KNOWN_IDS, parse_reference_id, year_of_reference
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

# -- the project's own vocabulary ---------------------------------------------------------
#
# The phrase grammar lives in data/generator_text.json (written for cablebase, no corpus
# text) and the post -> country table in data/generator_places.json.  Templates carry two
# kinds of slots: `<slot>` is filled once, when the sentence pools are built (from the
# cable theme's list, else the common list, or a number maker); `{slot}` is filled per
# cable with str.format_map (officials' names, country, dates), so a paragraph costs one
# `choices` + `join` + `format_map` however many sentences it has.

TEXT = DATA.with_name("generator_text.json")
PLACES = DATA.with_name("generator_places.json")
_POOL_SEED = 20101128  # pools are the same for every seed: a seed picks from them
_POOL_SIZE = {"talk": 900, "summary": 300, "comment": 300, "background": 300, "quote": 300}
_SLOT = re.compile(r"<([A-Za-z_0-9]+)>")
# cable slots that have a capitalised twin, used when the slot opens a sentence
_CAPS = {"{Af}": "{Afc}", "{At}": "{Atc}", "{Bf}": "{Bfc}", "{Bt}": "{Btc}", "{U}": "{Uc}"}
_CAPS |= {"{G}": "{Gc}", "{C}": "{Cc}", "{ah}": "{Ah}", "{bh}": "{Bh}"}
_FAMILIES = (
    "opener",
    "summary",
    "talk",
    "quote",
    "intro_b",
    "talk_b",
    "background",
    "comment",
    "close",
    "state_open",
    "state_talk",
    "state_item",
)
# slots whose value is what a sentence says: a cable says each of them once
_CONTENT = frozenset(
    [
        "claim",
        "fact",
        "quote",
        "worry",
        "analysis",
        "usline",
        "ask",
        "descr",
        "note",
        "doubt",
        "action",
    ]
)
_PRONOUN_LEAD = ("{Ah}", "{Bh}", "{ah}", "{bh}", "In {as}", "The discussion")


@lru_cache(maxsize=1)
def _vocab() -> dict:
    return json.loads(TEXT.read_text())


@lru_cache(maxsize=1)
def _places() -> dict:
    return json.loads(PLACES.read_text())


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _thousands(n: int) -> str:
    return f"{n:,}"


def _tenths(rng: random.Random, lo: int, hi: int) -> str:
    # never a decimal ending in 8: the page-join rule reads `6.8` at a line end as `6.` plus
    # a corrupted closing quote (grammar/pages.py ends_sentence), i.e. a sentence end
    n = rng.randrange(lo, hi)
    return f"{(n + 1 if n % 10 == 8 else n) / 10:.1f}"


def _money(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.55:
        return f"USD {rng.randrange(2, 950)} million"
    if r < 0.8:
        return f"USD {_tenths(rng, 11, 95)} billion"
    return f"USD {_thousands(rng.randrange(50, 999) * 1000)}"


def _surname(rng: random.Random, syl_a: list[str], syl_b: list[str]) -> str:
    middle = rng.choice(syl_a) if rng.random() < 0.55 else ""
    return _cap(rng.choice(syl_a) + middle + rng.choice(syl_b))


# number and name makers for `<slot>`s that no list fills
_MAKERS = {
    "pct": lambda r: str(r.randrange(4, 91)),
    "pct_small": lambda r: _tenths(r, 5, 140),
    "pct_maj": lambda r: str(r.randrange(51, 71)),
    "money": _money,
    "money_small": lambda r: f"USD {_thousands(r.randrange(5, 500) * 10000)}",
    "count": lambda r: _thousands(r.randrange(12, 950) * r.choice((10, 100, 1000))),
    "count_small": lambda r: str(r.randrange(12, 400)),
    "small_n": lambda r: str(r.randrange(2, 10)),
    "small_n2": lambda r: str(r.randrange(1, 5)),
    "num": lambda r: str(r.randrange(20, 300)),
    "days": lambda r: str(r.randrange(10, 181)),
    "tons": lambda r: _tenths(r, 12, 400),
    "hectares": lambda r: _thousands(r.randrange(2, 90) * 1000),
    "bcm": lambda r: str(r.randrange(5, 31)),
    "mw": lambda r: _thousands(r.randrange(8, 120) * 100),
    "km": lambda r: _thousands(r.randrange(30, 160) * 10),
    "pnum": lambda r: str(r.randrange(3, 9)),
}


class _Grammar:
    """Fills `<slot>`s of templates for one theme (the build-time half of the grammar)."""

    def __init__(self, rng: random.Random) -> None:
        v = _vocab()
        self.rng = rng
        self.common = v["common"]
        self.themes = v["themes"]
        self.syl = (v["syl_a"], v["syl_b"])
        self.key: str | None = None  # the first content slot value of the last fill

    def fill(self, template: str, theme: str) -> str:
        """A sentence: slots filled, first letter capitalised (a cable slot by its twin)."""
        self.key = None
        out = _cap(self.expand(template, theme))
        if self.key is None:
            self.key = template
        for low, up in _CAPS.items():
            if out.startswith(low):
                return up + out[len(low) :]
        return out

    def expand(self, template: str, theme: str) -> str:
        lists = self.themes[theme]
        used: dict[str, set[str]] = {}

        def one(m: re.Match) -> str:
            name = m.group(1)
            if name == "NAME":
                return _surname(self.rng, *self.syl).upper()
            maker = _MAKERS.get(name)
            if maker is not None:
                return maker(self.rng)
            key = name[:-2] if name.endswith("_c") else name
            options = lists.get(key) or self.common[key]
            seen = used.setdefault(key, set())
            pick = self.rng.choice(options)
            for _ in range(4):  # no slot value twice in one sentence
                if pick not in seen:
                    break
                pick = self.rng.choice(options)
            seen.add(pick)
            # the key is the innermost content value (`<agent> would <action>`: the action)
            text = self.expand(pick, theme) if "<" in pick else pick
            if self.key is None and key in _CONTENT:
                self.key = pick
            return _cap(text) if key != name else text

        return _SLOT.sub(one, template)


@lru_cache(maxsize=1)
def _pools() -> dict:
    """Sentence pools per (theme, family), subjects per (theme, kind), with mean lengths.

    Built once per process from a fixed seed, so every generator seed shares them."""
    v = _vocab()
    g = _Grammar(random.Random(_POOL_SEED))
    pools: dict = {}
    for theme in v["themes"]:
        for fam in _FAMILIES:
            templates = [x.lstrip("~") for x in v["families"][fam]]
            # `~` marks a stock phrase: a quarter of the weight of the others
            weights = [0.25 if x.startswith("~") else 1.0 for x in v["families"][fam]]
            size = _POOL_SIZE.get(fam, 150)
            filled: dict[str, str] = {}
            for x in g.rng.choices(templates, weights, k=size):
                text = g.fill(x, theme)
                filled.setdefault(text, g.key)
            items = list(filled)
            keys = list(filled.values())
            words = sum(x.count(" ") + 1 for x in items) / len(items)
            # a paragraph opens with a sentence that names its speaker
            firsts = [i for i, x in enumerate(items) if not x.startswith(_PRONOUN_LEAD)]
            pools[theme, fam] = (items, words, firsts or list(range(len(items))), keys)
        for kind in ("post", "state"):
            templates = v["subjects"][kind]
            pools[theme, "subject_" + kind] = [
                g.fill(templates[i % len(templates)], theme) for i in range(120)
            ]
        pools[theme, "heading"] = list(v["themes"][theme]["heading"])
        pools[theme, "item"] = list(v["themes"][theme]["item"])
    return pools


_HEADINGS = tuple(_vocab()["headings"])
# words after which a SUBJECT line reads as wrapped and still open (grammar/preamble.py)
_OPEN_WORDS = frozenset(
    [
        "WITH",
        "OF",
        "AND",
        "THE",
        "TO",
        "IN",
        "ON",
        "FOR",
        "AT",
        "BY",
        "A",
        "AN",
        "FROM",
        "OVER",
        "ABOUT",
        "AS",
        "OR",
    ]
)
_SUBJECT_WORDS = tuple(
    sorted(
        {
            w
            for t in _vocab()["themes"].values()
            for phrase in t["subj"] + t["headline"]
            for w in phrase.split()
            if w.isalpha() and w not in _OPEN_WORDS
        }
    )
)


def _person(rng: random.Random, offices: list[str]) -> tuple[str, str, str, bool]:
    """An invented official: (office, given name, surname, is_female)."""
    v = _vocab()
    female = rng.random() < 0.3
    given = rng.choice(v["given_female"] if female else v["given_male"])
    return rng.choice(offices), given, _surname(rng, v["syl_a"], v["syl_b"]), female


def _the(office: str) -> str:
    return "the " + office


def _country(code: str) -> tuple[str, str]:
    return tuple(_places()["countries"].get(code, ("the host country", "host government")))


def _context(
    rng: random.Random,
    theme: str,
    code: str,
    post: str,
    sender: str,
    month: int,
    day: int,
    year: int,
    actors: list[str],
    refs: list,
) -> dict[str, str]:
    """The per-cable slot values: two officials, the U.S. side, country, dates."""
    v = _vocab()
    offices = v["themes"][theme]["office"]
    if rng.random() < 0.25:
        offices = v["common"]["office"]
    a = _person(rng, offices)
    b = _person(rng, v["themes"][theme]["office"] + v["common"]["office"])
    while b[0] == a[0] or b[2] == a[2]:
        b = _person(rng, v["themes"][theme]["office"] + v["common"]["office"])
    name, adj = _country(code)
    bare = name[4:] if name.startswith("the ") else name
    if code == "KWBG":
        gov = rng.choice(("the Palestinian Authority", "the PA"))
    else:
        gov = rng.choice(("the government", f"the {adj} government", f"the GO{bare[0]}"))
    us = rng.choice(actors)
    short = us[4:] if us.startswith("the ") else us
    us_upper = short.upper() if us.startswith("the ") else "EMBASSY"
    met = max(1, day - rng.randrange(0, 4))
    later_m = month % 12 + 1
    if refs:
        ref = " (reftel)" if len(refs) == 1 else f" (ref {refs[0].letter or 'A'})"
        ref = ref if rng.random() < 0.7 else ""
    else:
        ref = ""
    ctx = {
        "C": name,
        "Cc": _cap(name),
        "CU": bare.upper(),
        "J": adj,
        "JU": adj.upper(),
        "G": gov,
        "Gc": _cap(gov),
        "U": us,
        "Uc": _cap(us),
        "UU": us_upper,
        "P": " ".join(w.capitalize() for w in post.split()),
        "S": "Department" if sender.startswith("SECSTATE") else sender.split()[0][2:].title(),
        "D": f"{MONTH_NAMES[month - 1]} {met}",
        "aD": ("an " if month in (4, 8, 10) else "a ") + f"{MONTH_NAMES[month - 1]} {met}",
        "D2": f"{MONTH_NAMES[later_m - 1]} {rng.randrange(1, 29)}",
        "M": MONTH_NAMES[month - 1],
        "Y": str(year),
        "Yp": str(year - 1),
        "Yn": str(year + 1),
        "R": ref,
    }
    for key, (office, given, sur, female) in (("A", a), ("B", b)):
        low = key.lower()
        ctx[key] = sur
        ctx[key + "f"] = f"{office} {given} {sur}"
        ctx[key + "fc"] = _cap(ctx[key + "f"])
        ctx[key + "t"] = _the(office)
        ctx[key + "tc"] = _cap(_the(office))
        ctx[key + "h"] = "She" if female else "He"
        ctx[low + "h"] = "she" if female else "he"
        ctx[low + "s"] = "her" if female else "his"
        ctx[key + "U"] = sur.upper()
        ctx["TU" if key == "A" else "TBU"] = office.upper()
    return ctx


def _theme(rng: random.Random, tags: list[str]) -> tuple[str, str]:
    """Main and second theme from the cable's TAGS (specific themes win over politics)."""
    table = _vocab()["tag_themes"]
    found = list(dict.fromkeys(table[t] for t in tags if t in table))
    specific = [x for x in found if x != "politics"]
    if specific and rng.random() < 0.8:
        main = rng.choice(specific)
    else:
        main = found[0] if found else "politics"
    others = [x for x in found if x != main] or ["politics"]
    return main, rng.choice(others)


def _sentence(rng: random.Random) -> str:
    """One finished sentence of the grammar, any theme (for tests and samples)."""
    v = _vocab()
    theme = rng.choice(sorted(v["themes"]))
    fam = rng.choice(("opener", "summary", "talk", "talk", "quote", "background", "comment"))
    template = rng.choice(v["families"][fam])
    code = rng.choice(sorted(_places()["countries"]))
    ctx = _context(
        rng,
        theme,
        code,
        "ANKARA",
        "AMEMBASSY ANKARA",
        rng.randrange(1, 13),
        15,
        2008,
        v["us_actors"]["embassy"],
        [],
    )
    return _Grammar(rng).fill(template, theme).format_map(ctx)


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
    v = _vocab()
    given = rng.choice(v["given_male"] if rng.random() < 0.7 else v["given_female"])
    return given, _surname(rng, v["syl_a"], v["syl_b"])


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
        "conventions": {
            bucket: {k: v / counts["cables"] for k, v in counts.items()}
            for bucket, counts in d["conventions"].items()
        },
        "country_codes": frozenset(c for c in _places()["countries"] if len(c) == 2),
    }


# -- one cable -----------------------------------------------------------------------------


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.t = _tables()
        self.counters: dict[tuple[int, str], int] = {}
        self.recent: list[str] = []  # recent ids, cited by later cables
        pool_rng = random.Random(seed ^ 0x5EED)
        self.pools = _pools()
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
        code = self._country_code(banner, recipients)
        ctx, theme, second = self._preamble(cable, year, yy, post_key, code)
        self._text(cable, ctx, theme, second)
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

    def _country_code(self, banner: str, recipients: list[Recipient]) -> str:
        """The country the cable is about: the post's, or for STATE its first addressee's."""
        table = _places()["posts"]
        if banner != "STATE":
            return table.get(banner, "XX")
        for r in recipients:
            if r.role == "to" and r.name.startswith(("AMEMBASSY ", "AMCONSUL ")):
                return table.get(r.name.split(" ", 1)[1], "XX")
        while True:  # a collective: any country, weighted like the posts
            banner = self.t["posts"][self.t["post"].pick(self.rng)][0]
            if banner in table:
                return table[banner]

    def _preamble(
        self, cable: Cable, year: int, yy: str, post: str, code: str
    ) -> tuple[dict[str, str], str, str]:
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
            # only single codes: the measured table also holds words of free tags and glued
            # codes (`TRADE`, `VTPREL`), which the TAGS reader groups or splits (tags.py)
            if tag not in tags and _codes_of(tag) == [tag]:
                tags.append(tag)
            if len(tags) >= n:
                break
        # the first country tag drawn names the cable's own country (as real TAGS do)
        if code in t["country_codes"] and code not in tags:
            for i, tag in enumerate(tags):
                if tag in t["country_codes"]:
                    tags[i] = code
                    break
        cable.tags = tags
        # REF (before the text, which may cite it)
        nref = t["ref_count"].pick(rng)
        letters = "ABCDEFGHIJKL"
        for i in range(nref):
            ref = self._reference(letters[i] if nref > 1 else None, year, yy, post)
            cable.references.append(_year_written_if_needed(ref, cable))
        cable.listed_references = list(dict.fromkeys(r.id for r in cable.references if r.id))
        # the text's cast and theme, then the SUBJECT
        theme, second = _theme(rng, tags)
        v = _vocab()
        if post == "STATE":
            actors = v["us_actors"]["state"]
        elif cable.sender.startswith("AMCONSUL"):
            actors = v["us_actors"]["consulate"]
        else:
            actors = v["us_actors"]["embassy"] + v["us_actors"].get(theme, [])
        post_name = cable.post if post != "STATE" else self._post_of(code)
        mon, day = int(cable.created[5:7]), int(cable.created[8:10])
        ctx = _context(
            rng, theme, code, post_name, cable.sender, mon, day, year, actors, cable.references
        )
        ctx["O"] = rng.choice(_OFFICES)
        cable.subject = self._subject(theme, post == "STATE", t["subject_words"].pick(rng), ctx)
        if klass != "UNCLASSIFIED" and rng.random() < 0.01:
            cable.subject_portion = klass[0]
        cable.title = render.wrap(
            "SUBJECT: " + render._portion(cable.subject_portion) + cable.subject
        )[0][9:]
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
                text=text,
                name=f"{given} {sur}",
                title=title,
                office=office,
                names=[f"{given} {sur}"],
            )
            cable.classification_reasons = [f"1.4({x})" for x in letters_]
        return ctx, theme, second

    @staticmethod
    @lru_cache(maxsize=256)
    def _post_of(code: str) -> str:
        for banner, c in _places()["posts"].items():
            if c == code:
                return banner
        return "WASHINGTON"

    def _subject(self, theme: str, state: bool, target: int, ctx: dict[str, str]) -> str:
        """A subject line near the measured length: the closest of three candidates."""
        rng = self.rng
        kind = "subject_state" if state and rng.random() < 0.7 else "subject_post"
        pool = self.pools[theme, kind]
        best, gap = "", 99
        for _ in range(3):
            cand = rng.choice(pool).format_map(ctx)
            d = abs(cand.count(" ") + 1 - target)
            if d < gap:
                best, gap = cand, d
        if target - (best.count(" ") + 1) >= 4:  # a long subject: two headlines
            extra = rng.choice(self.pools[theme, "subject_post"]).format_map(ctx)
            best += "; " + extra.split(": ", 1)[-1]
        return best

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

    def _sentences(self, key: tuple[str, str], words: int, lead: list[str]) -> list[str]:
        """`lead` plus enough sentences of one pool to fill about `words` words."""
        items, mean, firsts, keys = self.pools[key]
        have = sum(x.count(" ") + 1 for x in lead)
        k = min(len(items), max(0 if lead else 1, round((words - have) / mean)))
        said = self.said  # what this cable has said already: say something new if we can
        rnd = self.rng.random
        n = len(items)
        out = list(lead)
        if not lead and k:
            i = firsts[int(rnd() * len(firsts))]
            out.append(items[i])
            said.add(keys[i])
            k -= 1
        spare = []
        for _ in range(2 * k):
            i = int(rnd() * n)
            if keys[i] in said:
                spare.append(i)
                continue
            said.add(keys[i])
            out.append(items[i])
            k -= 1
            if not k:
                return out
        for i in spare:  # the pool ran dry for this cable: repeat, but not in one paragraph
            if items[i] not in out:
                out.append(items[i])
                k -= 1
                if not k:
                    break
        return out

    def _plan(self, n: int, state: bool) -> tuple[list[str], str | None, str | None]:
        """Paragraph kinds, the summary style and the comment style, at measured shares."""
        rng = self.rng
        conv = self.t["conventions"]["1-2" if n <= 2 else "3-5" if n <= 5 else "6+"]
        kinds = ["talk"] * n
        summary = comment = None
        if n >= 2:
            r = rng.random()
            if r < conv.get("summary_label", 0):
                summary = "label"
            elif r < conv.get("summary_label", 0) + conv.get("summary_heading", 0):
                summary = "heading"
            r = rng.random()
            if r < conv.get("comment_label", 0):
                comment = "label"
            elif r < conv.get("comment_label", 0) + conv.get("comment_heading", 0):
                comment = "heading"
        first = 1 if summary else 0
        if summary:
            kinds[0] = "summary"
        if comment:
            at = n - 2 if n >= 4 and rng.random() < 0.3 else n - 1
            if at >= first + 1 or (at >= first and not state):
                kinds[at] = "comment"
                if at < n - 1:
                    kinds[n - 1] = "close"
            else:
                comment = None
        elif n >= 3 and rng.random() < 0.3:
            kinds[n - 1] = "close"
        free = [i for i, k in enumerate(kinds) if k == "talk"]
        if state and len(free) >= 2:
            kinds[free[-1]] = "points"
            free.pop()
        if len(free) >= 3 and rng.random() < 0.3:
            kinds[free[0]] = "background"
        return kinds, summary, comment

    def _text(self, cable: Cable, ctx: dict[str, str], theme: str, second: str) -> None:
        rng, t, pools = self.rng, self.t, self.pools
        rnd = rng.random
        n = min(t["paragraphs"].pick(rng), 40)
        marks = _MARKS[cable.classification]
        noforn = "NOFORN" in cable.handling
        share = t["heading_share"]
        demarche = cable.post == "STATE" and rnd() < 0.5
        kinds, summary, comment = self._plan(n, demarche)
        self.said: set[str] = set()
        conv = t["conventions"]["1-2" if n <= 2 else "3-5" if n <= 5 else "6+"]
        talks = [i for i, k in enumerate(kinds) if k == "talk"]
        aside = {}  # one inline comment or note, in a meeting paragraph
        if talks and rnd() < conv.get("comment_inline", 0):
            aside[rng.choice(talks)] = "(Comment: {} End Comment.)".format(
                rng.choice(pools[theme, "comment"][0])
            )
        if talks and rnd() < conv.get("note_inline", 0):
            aside.setdefault(
                rng.choice(talks),
                "(Note: {} End Note.)".format(rng.choice(_vocab()["common"]["note"])),
            )
        b_at = talks[1] if len(talks) >= 2 and rnd() < 0.5 else None
        introduced = b_in = False
        generic = [h for h in _HEADINGS if h not in ("COMMENT", "BACKGROUND")]
        for i, kind in enumerate(kinds, 1):
            words = t["words"].pick(rng) + int(rnd() * 10)
            th = second if kind == "talk" and rnd() < 0.15 else theme
            heading = None
            items: list[str] = []
            if kind == "summary":
                if demarche:
                    body = self._sentences((theme, "state_open"), words, [])
                else:
                    lead = [rng.choice(pools[theme, "opener"][0])]
                    body = self._sentences((theme, "summary"), words, lead)
                    introduced = True
                text = " ".join(body)
            elif kind == "comment":
                body = " ".join(self._sentences((theme, "comment"), words, []))
                if comment == "label":
                    text = f"Comment: {body}" + (" End Comment." if rnd() < 0.6 else "")
                else:
                    heading = "COMMENT"
                    text = body + (" End Comment." if rnd() < 0.3 else "")
            elif kind == "close":
                text = " ".join(self._sentences((theme, "close"), min(words, 40), []))
            elif kind == "background":
                text = " ".join(self._sentences((theme, "background"), words, []))
            elif kind == "points":
                text = "Embassy may draw on the following points:"
                items = rng.sample(pools[theme, "state_item"][0], rng.randrange(2, 5))
            elif demarche:
                text = " ".join(self._sentences((th, "state_talk"), words, []))
            else:
                lead = []
                if not introduced:
                    lead.append(rng.choice(pools[theme, "opener"][0]))
                    introduced = True
                if i - 1 == b_at:
                    lead.append(rng.choice(pools[theme, "intro_b"][0]))
                    b_in = True
                body = self._sentences((th, "talk"), words, lead)
                if b_in and len(body) > 2 and rnd() < 0.5:
                    body[-1] = rng.choice(pools[theme, "talk_b"][0])
                if len(body) > 1 and rnd() < 0.3:
                    body[rng.randrange(1, len(body))] = rng.choice(pools[th, "quote"][0])
                if i - 1 in aside:
                    body.append(aside[i - 1])
                text = " ".join(body)
                if rnd() < 0.08:
                    picks = rng.sample(pools[th, "item"], min(3, len(pools[th, "item"])))
                    items = [_cap(x) + ";" for x in picks[:-1]] + [_cap(picks[-1]) + "."]
            if cable.classification != "UNCLASSIFIED" and rnd() < 0.01:
                text += " XXXXXXXXXXXX, a contact close to {A}, confirmed this account."
                cable.redactions.append(Redaction(where=f"paragraph:{i}", length=12))
            if items:
                text += "\n" + "\n".join(f"-- {x}" for x in items)
            text = text.format_map(ctx)
            if kind == "summary":
                if summary == "label":
                    cable.summary = text
                    text = f"Summary: {text} End Summary."
                else:
                    heading = "SUMMARY"
                    cable.summary = text
                    if rnd() < 0.5:
                        text += " End Summary."
            elif heading is None and i > 1:
                # a summary under a heading without `End Summary` runs to the next heading
                closes = i == 2 and cable.paragraphs[0].heading == "SUMMARY"
                closes = closes and not cable.paragraphs[0].text.endswith("End Summary.")
                if closes or rnd() < share:
                    if kind == "background" and rnd() < 0.6:
                        heading = "BACKGROUND"
                    elif kind == "close" and rnd() < 0.5:
                        heading = "NEXT STEPS"
                    elif rnd() < 0.65:
                        heading = rng.choice(pools[theme, "heading"])
                    else:
                        heading = rng.choice(generic)
            mark = marks[0] if i == 1 else marks[int(rnd() * len(marks))]
            if noforn and mark in ("S", "C") and rnd() < 0.6:
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


def _year_written_if_needed(ref: Reference, cable: Cable) -> Reference:
    """A cable REF written without its year that a reader would date to last year (a serial
    the citing post had not reached yet: ids.year_of_reference) gets its year, as an officer
    would write it."""
    cited = parse_reference_id(ref.id or "") if ref.kind == "cable" else None
    own = parse_reference_id(cable.reference_id or "")
    if cited is None or own is None or ref.text[:1].isdigit() or not cable.created:
        return ref
    month = int(cable.created[5:7])
    if (
        year_of_reference(cited[1], cited[2], cited[0], month, own[1], own[2], KNOWN_IDS)
        == cited[0]
    ):
        return ref
    return Reference(letter=ref.letter, text=f"{ref.id[:2]} {ref.text}", kind=ref.kind, id=ref.id)
