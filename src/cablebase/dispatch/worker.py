"""The dispatcher: claim, deliver, complete, in precedence order, until stopped.

Each worker is one process with its own connection to the archive (a SQLite file or a
PostgreSQL database: the queue claims on either, dispatch/queue.py).  A worker started with
`max_rank=1` is reserved for FLASH and NIACT IMMEDIATE: it never holds a ROUTINE delivery, so
the highest precedences have a free worker even behind a long run of ROUTINE; any worker
claims by precedence first, in small batches, so lower precedences yield between batches.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cablebase.archive.db import Db
from cablebase.archive.store import Store, open_store
from cablebase.dispatch.adapters import Adapter, DeliveryError
from cablebase.dispatch.addressees import table
from cablebase.dispatch.queue import Item, Queue
from cablebase.record import Cable

__all__ = ["Stats", "Worker", "connect"]

ESCALATE_EVERY = 5.0  # seconds between two sweeps for unacknowledged FLASH/NIACT


def connect(path: str | Path) -> Store:
    """The archive opened for dispatch work (schema brought up to date)."""
    store = open_store(path, create=False)
    if not Db.of(store.conn).postgres:  # SQLite: wait for the write lock, not fail at once
        store.conn.execute("PRAGMA busy_timeout = 30000")
    return store


@dataclass
class Stats:
    delivered: int = 0
    repeated: int = 0  # hand-overs an adapter had already made (after a crash)
    failed: int = 0
    dead: int = 0
    escalated: int = 0
    batches: int = 0
    by_rank: dict[int, int] = field(default_factory=dict)


class Worker:
    def __init__(
        self,
        store: Store,
        adapters: Sequence[Adapter] = (),
        *,
        batch: int = 16,
        max_rank: int = 4,
        idle: float = 0.02,
        queue: Queue | None = None,
    ) -> None:
        self.store = store
        self.conn = store.conn
        self.queue = queue or Queue(self.conn)
        self.adapters = list(adapters)
        self.batch = batch
        self.max_rank = max_rank
        self.idle = idle
        self.stats = Stats()
        self._texts: OrderedDict[str, tuple[Cable, str] | None] = OrderedDict()
        self._addressees = table().addressees

    def _cable(self, rid: str) -> tuple[Cable, str] | None:
        """The cable and its telegram form (kept for the next addressees of the same cable)."""
        if rid in self._texts:
            self._texts.move_to_end(rid)
            return self._texts[rid]
        from cablebase.render import to_telegram

        cable = self.store.get(rid)
        got = None if cable is None else (cable, to_telegram(cable))
        self._texts[rid] = got
        if len(self._texts) > 256:
            self._texts.popitem(last=False)
        return got

    def deliver(self, item: Item) -> None:
        if item.addressee not in self._addressees:
            raise DeliveryError(f"unknown addressee: {item.addressee}", permanent=True)
        if not self.adapters:
            return
        got = self._cable(item.reference_id)
        if got is None:
            raise DeliveryError(f"no cable {item.reference_id} in the archive", permanent=True)
        for adapter in self.adapters:
            if not adapter.deliver(item, *got):
                self.stats.repeated += 1

    def step(self) -> int:
        """One batch: returns how many deliveries were claimed."""
        items = self.queue.claim(self.batch, self.max_rank)
        if not items:
            return 0
        self.stats.batches += 1
        done = []
        for item in items:
            try:
                self.deliver(item)
            except Exception as e:  # an adapter's failure is the delivery's, not the worker's
                permanent = isinstance(e, DeliveryError) and e.permanent
                state = self.queue.fail(item, str(e) or type(e).__name__, permanent=permanent)
                self.stats.failed += 1
                self.stats.dead += state == "dead"
                continue
            done.append(item)
        self.queue.complete(done)
        self.stats.delivered += len(done)
        for i in done:
            self.stats.by_rank[i.rank] = self.stats.by_rank.get(i.rank, 0) + 1
        return len(items)

    def run(
        self,
        *,
        until_empty: bool = False,
        stop: Callable[[], bool] = lambda: False,
        escalate_every: float = ESCALATE_EVERY,
    ) -> Stats:
        """Deliver until `stop()` (or, `until_empty`, until nothing is due)."""
        self.queue.recover()
        last_sweep = 0.0
        while not stop():
            n = self.step()
            now = time.monotonic()
            if now - last_sweep >= escalate_every:
                self.stats.escalated += self.queue.escalate()
                last_sweep = now
            if n == 0:
                if until_empty:
                    break
                time.sleep(self.idle)
        return self.stats
