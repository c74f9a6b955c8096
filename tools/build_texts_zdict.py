"""How src/cablebase/data/texts-zdict-1.bin was made: the preset zlib dictionary of the stored
text and records (archive/texts.py).

Cable boilerplate written by hand from the shapes in FORMAT.md (no real cable's text), then the
record JSON's keys (docs/record.md), the most frequent last (zlib reaches the end of a
dictionary most cheaply).  Stored values name their dictionary by checksum, so this file's
output must never replace texts-zdict-1.bin: a new dictionary is written as texts-zdict-2.bin
and added to archive/texts.py beside the first.

    python tools/build_texts_zdict.py OUT.bin
"""

import sys

import orjson

text = """VZCZC
PP RUEHC RUEHWEB
DE RUEH #0001/01 0011200
ZNY CCCCC ZZH
ZNR UUUUU ZZH
O 011200Z JAN 09
R 011200Z JAN 09
P 011200Z JAN 09
FM AMEMBASSY
FM SECSTATE WASHDC
FM AMCONSUL
TO RUEHC/SECSTATE WASHDC IMMEDIATE 0001
TO RUEHC/SECSTATE WASHDC PRIORITY 0001
INFO RUEHBS/USEU BRUSSELS PRIORITY
RUEKJCS/SECDEF WASHDC
RHEHNSC/NSC WASHDC
RUEAIIA/CIA WASHDC
RUCPDOC/USDOC WASHDC
RUEATRS/DEPT OF TREASURY WASHDC
BT
UNCLAS SECTION 01 OF 02
C O N F I D E N T I A L SECTION 01 OF 02
S E C R E T SECTION 01 OF 02
SENSITIVE
SIPDIS
NOFORN
LIMITED OFFICIAL USE
FOR OFFICIAL USE ONLY
SENSITIVE BUT UNCLASSIFIED
DEPT FOR EUR/WE, NEA/ELA, AF/W, WHA/AND, EAP/MLS, SCA/INS
E.O. 12958: DECL: 01/01/2019
E.O. 12958: N/A
TAGS: PGOV PREL PHUM PINR ECON EFIN ETRD EAID ENRG PTER MARR MOPS KDEM KJUS SNAR
SUBJECT:
REF: A. STATE 000001 B. 09 000001
Classified By: Ambassador , for reasons 1.4 (b) and (d).
Classified By: Political Counselor , reasons 1.4 (b/d).
1. (C) Summary: End Summary.
2. (SBU)
3. (U)
4. (S/NF)
-- Comment: End Comment.
Minister of Foreign Affairs told the Ambassador that the government would
the President and the Prime Minister of the ruling party in the National Assembly
the United States and the Embassy's contacts said that the opposition
"""
keys = {
    "reference_id": None,
    "created": None,
    "created_from": "dtg",
    "released": None,
    "origin": "Embassy ",
    "post": None,
    "classification": "CONFIDENTIAL",
    "handling": ["SIPDIS", "NOFORN"],
    "title": None,
    "header_kind": "acp127",
    "transmission_id": "VZCZC",
    "routing": [],
    "station": {"route": "RUEH", "serial": None, "part": "01", "julian": None},
    "security": "ZNY CCCCC ZZH",
    "dtg": None,
    "precedence": "PRIORITY",
    "info_precedence": None,
    "sender": "AMEMBASSY ",
    "recipients": [
        {
            "role": "to",
            "route": "RUEHC",
            "name": "SECSTATE WASHDC",
            "office": None,
            "precedence": "PRIORITY",
            "serial": None,
            "collective": False,
        },
        {
            "role": "info",
            "route": "RUEH",
            "name": "AMEMBASSY ",
            "office": None,
            "precedence": None,
            "serial": None,
            "collective": False,
        },
    ],
    "captions": [],
    "eo": "12958",
    "declassify_on": None,
    "declassify_rule": "N/A",
    "classified_by": {
        "text": "Ambassador , for reasons 1.4 (b) and (d)",
        "name": None,
        "title": "Ambassador",
        "office": None,
        "reasons": ["1.4(b)", "1.4(d)"],
    },
    "classification_reasons": ["1.4(b)", "1.4(d)"],
    "tags": ["PGOV", "PREL"],
    "subject": None,
    "subject_portion": None,
    "references": [{"letter": "A", "text": "STATE 1", "kind": "cable", "id": None}],
    "listed_references": [],
    "summary": None,
    "paragraphs": [],
    "signers": [],
    "redactions": [],
    "sections": {"number": 1, "total": 2},
    "partial": False,
    "source": {"form": "csv", "path": None, "offset": None, "header": None, "body": None},
    "warnings": [{"code": "header.", "message": "", "where": None}],
}
d = text.encode() + orjson.dumps(keys)
with open(sys.argv[1], "wb") as f:
    f.write(d)
print(f"{len(d):,} bytes")
