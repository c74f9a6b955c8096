"""The drafting desk in a real browser (issue 14's acceptance): compose a draft and see the
rules' error at its line, fix it there, submit; clear as an officer of the office; release as
the post's releaser; find the cable by search and read it as a telegram.  At 1280 and 390 px.
Playwright driving Debian's Chromium, as tests/web/test_browser.py (whose watched page and
browser fixtures this module uses: no script error, no failed asset, nothing off this origin),
over its own archive (tests/web/test_drafting_web.py's accounts and desks) and server."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web import test_browser as tb
from tests.web.conftest import PASSWORD
from tests.web.test_browser import expect
from tests.web.test_drafting_web import BROKEN, SUBJECT_LINE, build

chromium, page, shots = tb.chromium, tb.page, tb.shots


@pytest.fixture(scope="module")
def server(module_archive: str) -> Iterator[str]:
    """The reading room over a desk archive, on each store (tests/store_fixtures.py)."""
    from cablebase.web.app import create_app
    from tests.web.conftest import cheap_hasher

    app = create_app(build(module_archive), hasher=cheap_hasher())
    with tb.served(app) as url:
        yield url
    app.state.audit.close()


def log_in(page, name: str, next_url: str) -> None:
    page.context.clear_cookies()
    page.goto(f"/login?next={next_url}")
    page.fill("#login-name", name)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(re.compile(re.escape(next_url) + "$"))


def no_sideways_scroll(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


# One released cable per width: the post's serials 1 and 2, in this order.
@pytest.mark.parametrize("serial, width", [(1, 1280), (2, 390)])
def test_compose_fix_submit_clear_release_search_read(page, shots: Path, serial, width) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    # -- the drafter composes; the live check puts the error at its line ---------------------
    log_in(page, "ann", "/drafts/new")
    expect(page.locator("#drafts-link")).to_be_visible()
    # Every link of the header lies on the screen (a strip scrolled sideways hid Drafts).
    for box in page.locator("nav.nav a").evaluate_all(
        "links => links.map(a => a.getBoundingClientRect().right)"
    ):
        assert box <= width, (box, width)
    page.fill("#draft-body", BROKEN)
    error = page.locator('#findings li.finding.error[data-rule="subject.unmarked"]')
    expect(error).to_have_count(1)
    expect(error).to_have_attribute("data-line", str(SUBJECT_LINE))
    expect(error.locator(".where")).to_have_text(f"line {SUBJECT_LINE}")
    expect(error.locator(".fix")).to_contain_text("mark it")
    expect(page.locator(f'#draft-gutter span[data-line="{SUBJECT_LINE}"]')).to_have_class(
        "mark-error"
    )
    expect(page.locator("#draft-gutter span.mark-error")).to_have_count(1)
    expect(page.locator("#check-count")).to_have_text("1 errors, 0 warnings")
    no_sideways_scroll(page, width)
    tb.shoot_at(page, shots, "draft-compose-error", width)

    # the finding takes the drafter to its line: typed over, the line is fixed
    error.click()
    selected = page.evaluate(
        "(() => { const b = document.getElementById('draft-body');"
        " return b.value.slice(b.selectionStart, b.selectionEnd); })()"
    )
    assert selected == "SUBJECT: MINISTER PREVIEWS THE SUMMIT"
    page.keyboard.type("SUBJECT: (C) MINISTER PREVIEWS THE SUMMIT")
    expect(page.locator("#findings li.finding.none")).to_have_count(1)
    expect(page.locator("#draft-gutter span.mark-error")).to_have_count(0)
    expect(page.locator("#check-count")).to_have_text("0 errors, 0 warnings")
    tb.shoot_at(page, shots, "draft-compose-fixed", width)
    page.click("#draft-save")
    page.wait_for_url(re.compile(r"/drafts/\d+$"))
    draft_url = page.url
    expect(page.locator("#draft-state")).to_have_text("draft")
    expect(page.locator("#findings li.finding.none")).to_have_count(1)
    page.fill("#submit-offices", "AF/W")
    page.click("#draft-submit")
    expect(page.locator("#draft-state")).to_have_text("submitted")
    expect(page.locator('#offices li[data-office="AF/W"]')).to_contain_text("waiting")
    expect(page.locator("#draft-release")).to_have_count(0)  # not the drafter's to release

    # -- the officer of AF/W clears it from the queue ------------------------------------------
    log_in(page, "carl", "/drafts/queue")
    row = page.locator("#queue-list tr.queue-row")
    expect(row).to_have_count(1)
    no_sideways_scroll(page, width)
    tb.shoot_at(page, shots, "draft-queue", width)
    row.locator("button.clear-button").click()
    page.wait_for_url(re.compile(r"/drafts/queue$"))
    expect(page.locator("#queue-list tr.queue-row")).to_have_count(0)

    # -- the releaser of Bamako releases it: the serial, the DTG, the stored cable -------------
    log_in(page, "rita", "/drafts/queue")
    page.locator("#queue-list tr.queue-row a.button").click()
    page.wait_for_url(draft_url)
    expect(page.locator('#offices li[data-office="AF/W"]')).to_contain_text("cleared by carl")
    page.click("#draft-release")
    rid = f"{dt.datetime.now(dt.UTC).year % 100:02d}BAMAKO{serial}"
    expect(page.locator("#released-id")).to_have_text(rid)
    expect(page.locator("#released-serial")).to_have_text(str(serial))
    expect(page.locator("#released-dtg")).to_have_text(re.compile(r"^\d{6}Z [A-Z]{3} \d\d$"))
    dtg = page.locator("#released-dtg").inner_text()
    expect(page.locator("#released-telegram")).to_contain_text("C O N F I D E N T I A L")
    expect(page.locator("#released-telegram")).to_contain_text(dtg)
    no_sideways_scroll(page, width)
    tb.shoot_at(page, shots, "draft-released", width)

    # -- found by search, read as a telegram ------------------------------------------------------
    page.goto("/")
    page.fill("#q", f"id:{rid} minister previews")
    page.keyboard.press("Enter")
    hit = page.locator(f'a[href="/cable/{rid}"]').first
    expect(hit).to_be_visible()
    hit.click()
    page.wait_for_url(re.compile(f"/cable/{rid}$"))
    page.goto(f"/cable/{rid}/telegram")
    telegram = page.locator("#telegram")
    expect(telegram).to_contain_text("SUBJECT: (C) MINISTER PREVIEWS THE SUMMIT")
    expect(telegram).to_contain_text(dtg)
    expect(telegram).to_contain_text("C O N F I D E N T I A L")
    tb.shoot_at(page, shots, "draft-cable-telegram", width)


def test_a_draft_composed_from_its_fields(page, shots: Path) -> None:
    """The fields of a structured draft (YAML), checked live like the text: a finding names
    the field and its line."""
    log_in(page, "ann", "/drafts/new")
    page.click("#draft-fields")
    expect(page.locator("#draft-kind")).to_have_value("yaml")
    expect(page.locator("#draft-body")).to_have_value(re.compile(r"^post: BAMAKO\n"))
    expect(page.locator("#check-count")).to_have_text("0 errors, 0 warnings")
    body = page.locator("#draft-body").input_value()
    page.fill("#draft-body", body.replace("tags: [PREL, ML]", "tags: [PREL, ML, ZZZZ]"))
    line = body.splitlines().index("tags: [PREL, ML]") + 1
    finding = page.locator('#findings li.finding.warning[data-rule="tags.known"]')
    expect(finding).to_have_attribute("data-line", str(line))
    expect(finding.locator(".field")).to_have_text("[tags]")
    expect(page.locator(f'#draft-gutter span[data-line="{line}"]')).to_have_class("mark-warning")
    tb.shoot_at(page, shots, "draft-compose-fields", 1280)
    page.click("#draft-save")
    page.wait_for_url(re.compile(r"/drafts/\d+$"))
    expect(page.locator("#draft-kind")).to_have_value("yaml")
    expect(page.locator('#findings li.finding[data-rule="tags.known"]')).to_have_count(1)
