"""Dispatch: deliver released cables to every addressee, FLASH first, none lost, none twice.

- addressees.py: the table of posts, offices and collectives, and a cable's expansion into one
  addressee each with its role and precedence (XMT exclusions, duplicates merged);
- outbox.py: `enqueue(conn, cable)`, called inside the release's transaction (the outbox);
- queue.py: the deliveries table as a priority queue (claim, complete, retry, dead letters,
  acknowledgement, escalation, inboxes, status);
- adapters.py: delivery to outside systems (a directory drop of the telegram form);
- worker.py: the dispatcher loop (`cablebase dispatch run`).

docs/dispatch.md describes the design and why it can move to PostgreSQL.
"""
