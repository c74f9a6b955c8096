"""The archive: a store of cable records with ingest, search, references and export.

store.py    the Store interface every backend implements
sqlite.py   the embedded default: one SQLite file (WAL, FTS5)
schema.py   the SQLite schema and its migrations
"""
