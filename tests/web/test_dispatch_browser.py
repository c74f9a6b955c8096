"""Dispatch in a real browser (issue 15): a post's inbox is open, a FLASH is released, the
dispatcher delivers it, the page's live update puts it at the top without a reload, and the
duty officer acknowledges it.  Playwright driving Debian's Chromium, as tests/web/test_browser.py
(whose watched page and browser fixtures this module uses, over its own archive and server)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from tests.web import test_browser as tb
from tests.web.test_browser import expect, served

chromium, page = tb.chromium, tb.page
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def dispatch_archive(module_archive: str) -> str:
    """On each store (tests/store_fixtures.py)."""
    import argon2

    from cablebase.access.accounts import Accounts
    from cablebase.archive.store import open_store
    from cablebase.dispatch.outbox import release_and_enqueue
    from cablebase.dispatch.worker import Worker
    from tests.dispatch_helpers import cable

    path = module_archive
    with open_store(path) as store:
        for i in range(3):  # the inbox holds ROUTINE cables before the FLASH comes
            release_and_enqueue(store, cable(i, info=("AMEMBASSY DAKAR",)))
        Worker(store).run(until_empty=True)
        hasher = argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
        Accounts(store.conn, hasher=hasher).add_user("duty", PASSWORD, "reader", 3, ())
    return path


@pytest.fixture(scope="module")
def server(dispatch_archive: str) -> Iterator[str]:
    """The reading room and a dispatcher (a worker thread, its own connection) on the archive."""
    import argon2

    from cablebase.dispatch.worker import Worker, connect
    from cablebase.web.app import create_app

    hasher = argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    stop = threading.Event()

    def dispatch() -> None:
        store = connect(dispatch_archive)
        try:
            Worker(store, idle=0.05).run(stop=stop.is_set)
        finally:
            store.close()

    app = create_app(dispatch_archive, hasher=hasher)
    with served(app) as url:
        worker = threading.Thread(target=dispatch, daemon=True)
        worker.start()
        try:
            yield url
        finally:
            stop.set()
            worker.join(10)
            app.state.audit.close()


def test_release_a_flash_see_it_on_top_and_acknowledge_it(
    page, server: str, dispatch_archive: str
) -> None:
    from cablebase.dispatch.outbox import release_and_enqueue
    from cablebase.dispatch.worker import connect
    from tests.dispatch_helpers import cable

    page.goto(server + "/login?next=/inbox/SECSTATE")
    page.fill("#login-name", "duty")
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.goto(server + "/inbox/SECSTATE")
    rows = page.locator("#inbox-rows tr.entry")
    expect(rows).to_have_count(3)
    expect(page.locator("#inbox-unacked")).to_have_text("0")
    assert rows.first.get_attribute("data-precedence") == "ROUTINE"

    # The release: the cable and its deliveries in one transaction; the page is not reloaded.
    flash = cable(99, precedence="FLASH", subject="EVACUATION ORDER FOR NONESSENTIAL STAFF")
    with connect(dispatch_archive) as store:  # waits for the write lock on SQLite
        release_and_enqueue(store, flash)
    expect(rows).to_have_count(4)  # the live update (a same-origin poll) brought it
    top = rows.first
    expect(top).to_have_attribute("data-precedence", "FLASH")
    expect(top).to_have_attribute("data-id", "26BAMAKO99")
    expect(top).to_contain_text("EVACUATION ORDER")
    expect(page.locator("#inbox-unacked")).to_have_text("1")

    top.locator("button.ack").click()
    page.wait_for_url(f"{server}/inbox/SECSTATE")
    top = page.locator("#inbox-rows tr.entry").first
    expect(top).to_have_attribute("data-id", "26BAMAKO99")
    expect(top.locator(".acked")).to_have_text("acknowledged by duty")
    expect(page.locator("#inbox-unacked")).to_have_text("0")
    expect(page.locator("#inbox-unread")).to_have_text("3")  # acknowledged is read

    # a ROUTINE cable marked read
    page.locator("#inbox-rows tr.entry").nth(1).locator("button.mark-read").click()
    page.wait_for_url(f"{server}/inbox/SECSTATE")
    expect(page.locator("#inbox-unread")).to_have_text("2")
    expect(page.locator("#inbox-rows tr.entry.unread")).to_have_count(2)

    # the status page: nothing late (delivered within the FLASH objective), no dead letters
    page.goto(server + "/dispatch")
    expect(page.locator("#dispatch-late")).to_contain_text("None late.")
