"""How src/cablebase/data/texts-zstd-1.bin and records-zstd-1.bin were made: the trained
zstandard dictionaries of the stored text and records (archive/texts.py).

Trained on cables of cablebase's own generator (seed 13, not the benchmarks' 2026), written
as a cables.csv and as Cablegate pages and parsed back as ingest parses them: no real cable's
text is in them.  Each of the two kinds of value gets its own: the packed text (header, body,
paragraphs) and the record's JSON without them.  A frame names its dictionary by id
(RFC 8878), so a dictionary is never changed once values use it: a better one is trained
under a new id and file, and archive/texts.py keeps reading the old ones.

Measured on real cables, where these dictionaries saw none of the text (docs/benchmarks.md):
the generated cables they were trained on compress far better than real ones do, so size
figures on generated archives overstate what a real collection gains.

    python tools/build_texts_zstd.py OUTDIR
"""

import os
import sys
import tempfile
from pathlib import Path

import orjson
import zstandard

from cablebase.forms.sources import iter_items
from cablebase.generate import write
from cablebase.grammar import parse_unwrapped

SEED = 13
PER_FORM = 1500
SIZE = 65536
# Ids 32768 and up (below are reserved by the format); one more for each dictionary made.
IDS = {"texts": 0x43420001, "records": 0x43420002}


def samples() -> tuple[list[bytes], list[bytes]]:
    """(packed-text inputs, record JSON inputs) of the generated cables, as sqlite.Prepared
    makes them before compressing."""
    texts, records = [], []
    home = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        # Read by a relative name: the records keep where they were read, and the
        # dictionary must not learn (or vary with) the temporary directory's name.
        os.chdir(tmp)
        for form, name in (("csv", "cables.csv"), ("html", "pages.tar.gz")):
            write(PER_FORM, form, name, seed=SEED)
            for item in iter_items(name):
                cable = parse_unwrapped(item)
                src = cable.source
                texts.append(
                    orjson.dumps(
                        [src.header, src.body, [p.text for p in cable.paragraphs]]
                        if src
                        else [None, None, [p.text for p in cable.paragraphs]]
                    )
                )
                cable.paragraphs = []
                if src:
                    src.header = src.body = None
                records.append(orjson.dumps(cable))
        os.chdir(home)
    return texts, records


def main() -> None:
    out = Path(sys.argv[1]).resolve()
    texts, records = samples()
    for kind, data in (("texts", texts), ("records", records)):
        d = zstandard.train_dictionary(
            SIZE, data, k=1024, d=8, dict_id=IDS[kind], level=6, threads=1
        )
        path = out / f"{kind}-zstd-1.bin"
        path.write_bytes(d.as_bytes())
        print(f"{path}: {len(d.as_bytes()):,} bytes from {len(data):,} cables, id {d.dict_id()}")


if __name__ == "__main__":
    main()
