"""Reference ids and post names (cablebase.ids)."""

from __future__ import annotations

from pathlib import Path

import pytest

import cablebase.ids as ids_module
from cablebase.ids import (
    KNOWN_IDS,
    REFID_RE,
    KnownIds,
    _one_edit,
    _one_edit_post,
    alternate_ids,
    canonical_id,
    canonicalize_id,
    fuzzy_post,
    parse_reference_id,
    post_for_route,
    post_names,
    resolve_post,
    same_post,
    year_from_yy,
)

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"
REFIDS = SHARED / "corpus" / "cablegate-refids.csv.gz"


def test_parse_reference_id():
    assert parse_reference_id("09BAMAKO776") == (2009, "BAMAKO", 776)
    assert parse_reference_id("66BUENOSAIRES2481") == (1966, "BUENOSAIRES", 2481)
    assert parse_reference_id("99STATE12") == (1999, "STATE", 12)
    assert parse_reference_id("00HARARE5461") == (2000, "HARARE", 5461)
    assert parse_reference_id("10USUNNEWYORK3") == (2010, "USUNNEWYORK", 3)
    assert parse_reference_id("BAMAKO776") is None
    assert parse_reference_id("") is None
    assert REFID_RE.match("08RPODUBAI49")


def test_year_pivot():
    assert year_from_yy(66) == 1966
    assert year_from_yy(99) == 1999
    assert year_from_yy(0) == 2000
    assert year_from_yy(49) == 2049


def test_post_table_is_loaded():
    names = post_names()
    for post in ("BAMAKO", "STATE", "RIODEJANEIRO", "BUENOSAIRES", "USUNNEWYORK", "RPODUBAI"):
        assert post in names
    assert names["STATE"] > 1000


@pytest.mark.parametrize(
    ("written", "post"),
    [
        ("BAMAKO", "BAMAKO"),
        ("Bamako", "BAMAKO"),
        ("BUENOS AIRES", "BUENOSAIRES"),
        ("TEL AVIV", "TELAVIV"),
        ("ABU DHABI", "ABUDHABI"),
        ("RIO", "RIODEJANEIRO"),
        ("CASA", "CASABLANCA"),
        ("SECSTATE", "STATE"),
        ("STATE", "STATE"),
        ("USUN", "USUNNEWYORK"),
        ("USUN NEW YORK", "USUNNEWYORK"),
        ("USNATO", "USNATO"),
        ("UNVIE", "UNVIEVIENNA"),
        ("UNVIE VIEN", "UNVIEVIENNA"),  # page marker cut to 10 characters
        ("BUENOS AIR", "BUENOSAIRES"),
        ("PORT AU PR", "PORTAUPRINCE"),
        ("PORT-AU-PRINCE", "PORTAUPRINCE"),
        ("HCMC", "HOCHIMINHCITY"),
        ("AMEMBASSY BAMAKO", "BAMAKO"),
        ("AMCONSUL CASABLANCA", "CASABLANCA"),
        ("DUBAI", "DUBAI"),  # a consulate of its own: not RPO DUBAI
        ("RPO DUBAI", "RPODUBAI"),
        ("THE HAGUE", "THEHAGUE"),
    ],
)
def test_resolve_post(written, post):
    assert resolve_post(written) == post


@pytest.mark.parametrize("written", ["", "PORT", "SAN", "XYZZY", "MEMO", "123"])
def test_resolve_post_unknown_or_ambiguous(written):
    assert resolve_post(written) is None


def test_fuzzy_post():
    assert fuzzy_post("BEIJINJG") == "BEIJING"
    assert fuzzy_post("TRIPOLII") == "TRIPOLI"
    assert fuzzy_post("BAMAKO") == "BAMAKO"
    assert fuzzy_post("ABC") is None


def test_same_post():
    assert same_post("DUBAI", "RPO DUBAI")
    assert same_post("BUENOS AIR", "BUENOS AIRES")
    assert same_post("Kiev", "KIEV")
    assert not same_post("PARIS", "BAMAKO")


def test_post_for_route():
    assert post_for_route("RUEHBP") == "BAMAKO"
    assert post_for_route("RUEHBU") == "BUENOSAIRES"
    assert post_for_route("RUEHZZZ") is None


@pytest.mark.parametrize(
    ("args", "refid"),
    [
        (("BAMAKO", "0754", 2009), "09BAMAKO754"),
        (("BAMAKO", "754", "09"), "09BAMAKO754"),
        (("BAMAKO", 754, 9), "09BAMAKO754"),
        (("BUENOS AIRES", "01090", 2008), "08BUENOSAIRES1090"),
        (("SECSTATE", "126276", "2003"), "03STATE126276"),
        (("RIO", "346", 2006), "06RIODEJANEIRO346"),
        (("CASA", "169", 1999), "99CASABLANCA169"),
        (("STATE", "00218123", 2009), "09STATE218123"),
    ],
)
def test_canonical_id(args, refid):
    assert canonical_id(*args) == refid


def test_canonical_id_none():
    assert canonical_id("NOWHERESVILLE", "12", 2009) is None
    assert canonical_id("BAMAKO", "12", None) is None
    assert canonical_id("BAMAKO", "12A", 2009) is None
    assert canonical_id("BAMAKO", "12", 1850) is None


def test_alternate_ids():
    assert "04AITTAIPEI3152" in alternate_ids("04TAIPEI3152")
    assert alternate_ids("09BAMAKO776") == []
    assert alternate_ids("junk") == []


def test_known_ids_absent_is_unknown(tmp_path):
    known = KnownIds(tmp_path / "missing.csv.gz")
    assert known.available is False
    assert known.exists("09BAMAKO776") is None
    assert len(known) == 0


@pytest.mark.corpus
def test_known_ids_from_shared():
    if not REFIDS.exists():
        pytest.skip("../shared corpus not present")
    assert KNOWN_IDS.available
    assert len(KNOWN_IDS) > 250_000
    assert KNOWN_IDS.exists("09BAMAKO776") is True
    assert KNOWN_IDS.exists("09BAMAKO999999") is False


# -- canonical ids of misspelt and damaged post names -------------------------------------------


@pytest.fixture
def no_known_ids(monkeypatch, tmp_path):
    """Canonical ids from the shipped tables alone (no Cablegate id list)."""
    monkeypatch.setattr(ids_module, "KNOWN_IDS", KnownIds(tmp_path / "missing.csv.gz"))


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("05SOIA12", "05SOFIA12"),  # a letter dropped from a short name
        ("05ANOI7", "05HANOI7"),
        ("05BAU77", "05BAKU77"),  # three letters: a four-letter post less one
        ("05MINSI4", "05MINSK4"),  # a letter changed
        ("05LIAM4", "05LIMA4"),  # two letters swapped
        ("06NDJAENA55", "06NDJAMENA55"),  # a misspelling Cablegate itself holds twice
        ("08CHARLESTON77", "08FSCCHARLESTON77"),  # the one sender in Charleston
        ("05ZENDA3", "05ZENDA3"),  # no post near: its own name
    ],
)
def test_canonicalize_misspelt_posts(no_known_ids, written, expected):
    assert canonicalize_id(written) == expected


def test_one_edit_needs_one_well_attested_post(no_known_ids):
    assert _one_edit("SOIA", "SOFIA") and _one_edit("LIAM", "LIMA") and _one_edit("MINSI", "MINSK")
    assert not _one_edit("SOFIA", "SOFIA") and not _one_edit("QXICO", "MEXICO")
    assert _one_edit_post("BAU") == "BAKU"
    assert _one_edit_post("DAKA") is None  # DAKAR or DHAKA: no guess
    assert _one_edit_post("ANAMA") is None  # MANAMA or PANAMA
    assert _one_edit_post("XQ") is None


def test_damaged_name_repaired_by_the_known_ids(monkeypatch):
    known = KnownIds.of([("07MEXICO4410", 5), ("07ANKARA272", 2), ("07ASTANA272", 2)])
    monkeypatch.setattr(ids_module, "KNOWN_IDS", known)
    assert canonicalize_id("07QXICO4410") == "07MEXICO4410"
    assert canonicalize_id("07QXICO4411") == "07QXICO4411"  # no such id: the name stays
    # a garble (`Q` for lost letters) keeps A…NA: ASTANA fits, ANKARA does not
    assert canonicalize_id("07AQNA272") == "07ASTANA272"


@pytest.mark.parametrize(
    ("rows", "written", "expected"),
    [
        ([("05BAGHDAD12", 2)], "05BAQDAD12", "05BAGHDAD12"),  # one post fits the letters kept
        ([("05KINSHASA9", 2)], "05QINSHASA9", "05KINSHASA9"),
        ([("07ASTANA273", 2)], "07AQNA272", "07AQNA272"),  # no such id: the name stays
        ([("07ASTANA272", 2)], "07AQNA272", "07ASTANA272"),  # ADANA fits too: the id decides
        ([("09QUITO12", 2)], "09QUITO12", "09QUITO12"),  # QU is no garble
        ([], "05QQ12", "05QQ12"),  # too few letters kept
    ],
)
def test_garbled_post_name(monkeypatch, rows, written, expected):
    monkeypatch.setattr(ids_module, "KNOWN_IDS", KnownIds.of(rows))
    assert canonicalize_id(written) == expected


def test_garbled_post_name_without_the_known_ids(no_known_ids):
    assert canonicalize_id("05BAQDAD12") == "05BAGHDAD12"  # one post fits
    assert canonicalize_id("07AQNA272") == "07AQNA272"  # ADANA and ASTANA fit: no guess


def test_family_spelling_follows_the_known_ids(monkeypatch):
    monkeypatch.setattr(ids_module, "KNOWN_IDS", KnownIds.of([("07TAIPEI1501", 3)]))
    assert canonicalize_id("07AITTAIPIE1501") == "07TAIPEI1501"
    assert canonicalize_id("07AITTAIPEI1501") == "07TAIPEI1501"
    assert canonicalize_id("07TAIPEI1501") == "07TAIPEI1501"
