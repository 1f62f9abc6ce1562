"""In real browsers, one context per person: the clerk's console calls the next speaker; the projector (another
tab, no sign-in) shows them and a running clock without a reload; the speaker's phone says "Bạn đang phát
biểu"; and a screen ignores a state older than the one it shows."""

from __future__ import annotations

import contextlib
import re

import pytest

from dialogue.accounts.services import update_user
from dialogue.extensions import db
from dialogue.live import services
from dialogue.sessions.models import DialogueSession
from dialogue.sessions.services import session_link
from tests.conftest import sign_in_page
from tests.factories import act
from tests.live_fixtures import make_session

pytestmark = pytest.mark.browser


def _local(link: str, live_server) -> str:
    return live_server.url + link.split("localhost", 1)[1]


def test_console_next_updates_projector_and_phone(browser, live_server, tree):
    session = make_session(tree, turn_seconds=120)
    speaker = tree.secretaries[0]
    act(services.request_to_speak, speaker, session.id)
    act(services.request_to_speak, tree.secretaries[1], session.id)
    secret = act(services.ensure_projector_secret, db.session.get(DialogueSession, session.id))
    act(update_user, None, tree.organizer, password="mat-khau-thu-ky")
    phone_link = session_link(speaker, session)

    contexts = []
    try:
        clerk_ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        projector_ctx = browser.new_context(viewport={"width": 1280, "height": 720}, locale="vi-VN")
        phone_ctx = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
        contexts = [clerk_ctx, projector_ctx, phone_ctx]
        errors: list[str] = []
        projector = projector_ctx.new_page()
        projector.on("pageerror", lambda exc: errors.append(str(exc)))
        projector.goto(f"{live_server.url}/projector/{secret}")
        projector.wait_for_selector('[data-live="connection"].online')
        assert "Chưa có ai phát biểu" in projector.inner_text("body")
        assert speaker.name in projector.inner_text('[data-live="next"]')

        phone = phone_ctx.new_page()
        phone.on("pageerror", lambda exc: errors.append(str(exc)))
        phone.goto(_local(phone_link, live_server))  # the personal link: signs in and offers the check-in
        phone.wait_for_url(re.compile(rf"/sessions/{session.id}/here$"))
        phone.click("text=Tôi có mặt: điểm danh")  # a POST, never a GET from a link
        phone.wait_for_url(re.compile(rf"/sessions/{session.id}/phone$"))
        phone.wait_for_selector('[data-live="connection"].online')
        assert phone.locator('[data-live="me-speaking"]').is_hidden()
        assert "vị trí số 1" in phone.inner_text('p[data-live="me-waiting"]')
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360

        clerk = clerk_ctx.new_page()
        clerk.on("pageerror", lambda exc: errors.append(str(exc)))
        sign_in_page(clerk, live_server.url, tree.organizer.email, "mat-khau-thu-ky", f"/sessions/{session.id}/console")
        clerk.wait_for_selector('[data-live="connection"].online')
        version_before = int(projector.evaluate("document.body.dataset.liveVersion"))
        projector.evaluate("window.__sameDocument = true")  # gone if the page reloads
        clerk.click("#btn-next")

        projector.wait_for_function(
            "name => document.querySelector('[data-live=\"current-name\"]').textContent === name", arg=speaker.name
        )
        assert projector.evaluate("window.__sameDocument") is True
        assert int(projector.evaluate("document.body.dataset.liveVersion")) == version_before + 1
        assert tree.cells[0].name in projector.inner_text('[data-live="current-unit"]')
        clock = projector.locator("[data-live-clock]")
        first = int(clock.get_attribute("data-seconds-left"))
        assert 115 <= first <= 120
        projector.wait_for_function(
            "start => Number(document.querySelector('[data-live-clock]').dataset.secondsLeft) <= start - 2",
            arg=first,
            timeout=8000,
        )  # the clock runs by itself: no message per second
        assert re.fullmatch(r"1:5\d|1:[0-4]\d", clock.inner_text())

        phone.wait_for_selector('[data-live="me-speaking"]:not([hidden])')
        assert phone.inner_text('[data-live="me-speaking"]') == "Bạn đang phát biểu"
        assert tree.secretaries[1].name in clerk.inner_text('[data-live="queue"]')
        # Reorder by dragging: the last waiting person is dragged onto the first place.
        act(services.request_to_speak, tree.secretaries[2], session.id)
        act(services.request_to_speak, tree.secretaries[3], session.id)
        clerk.wait_for_function("() => document.querySelectorAll('[data-live=\"queue\"] li').length === 3")
        queue = clerk.locator('[data-live="queue"] li')
        queue.nth(2).drag_to(queue.nth(0))
        clerk.wait_for_function(
            "name => document.querySelector('[data-live=\"queue\"] li .who').textContent.startsWith(name)",
            arg=tree.secretaries[3].name,
        )
        assert tree.secretaries[3].name in projector.inner_text('[data-live="next"] li:first-child')
        # Pause from the console: every screen's clock stops; the turn's note is kept for the minutes.
        clerk.click('button[data-act="pause"]')
        projector.wait_for_selector("[data-live-clock].paused")
        stopped = projector.locator("[data-live-clock]").inner_text()
        projector.wait_for_timeout(1500)
        assert projector.locator("[data-live-clock]").inner_text() == stopped
        clerk.fill("#turn-summary", "Đề nghị hướng dẫn quy trình kiểm tra đảng viên.")
        clerk.click('#summary-form button[type="submit"]')
        projector.wait_for_function(
            "text => (window.DialogueLive.state().current || {}).summary === text",
            arg="Đề nghị hướng dẫn quy trình kiểm tra đảng viên.",
            timeout=8000,
        )
        db.session.expire_all()
        assert services._current(session.id).summary == "Đề nghị hướng dẫn quy trình kiểm tra đảng viên."
        assert errors == []
    finally:
        for ctx in contexts:
            ctx.close()


def test_a_screen_ignores_an_older_state(browser, live_server, tree):
    session = make_session(tree)
    act(services.request_to_speak, tree.secretaries[0], session.id)
    act(services.next_speaker, tree.organizer, session.id)
    secret = act(services.ensure_projector_secret, db.session.get(DialogueSession, session.id))
    context = browser.new_context(locale="vi-VN")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/projector/{secret}")
        page.wait_for_selector('[data-live="connection"].online')
        shown = page.evaluate("window.DialogueLive.state()")
        assert shown["current"]["user_id"] == tree.secretaries[0].id
        older = {**shown, "version": shown["version"] - 1, "current": None}
        assert page.evaluate("s => window.DialogueLive.apply(s)", older) is False
        assert page.inner_text('[data-live="current-name"]') == tree.secretaries[0].name
        assert page.evaluate("document.body.dataset.liveVersion") == str(shown["version"])
        # The server's next real state (one version higher) is taken as usual, without a reload.
        speaking = act(services._current, session.id)
        act(services.finish_turn, tree.organizer, speaking.id)
        page.wait_for_function("v => Number(document.body.dataset.liveVersion) === v", arg=shown["version"] + 1)
        assert page.inner_text('[data-live="current-name"]') == "Chưa có ai phát biểu"
        assert "1 lượt ý kiến phát biểu" in page.inner_text('[data-live="turns-done"]')
        # The network drops; a change happens while the page is away; it reconnects and re-joins by itself and
        # is given the current state.
        page.evaluate(
            "() => { const m = window.DialogueLive.socket.io; m.reconnectionDelay(2500); m.reconnectionDelayMax(2500);"
            " m.randomizationFactor(0); m.engine.close(); }"
        )
        page.wait_for_selector('[data-live="connection"].offline')
        act(services.request_to_speak, tree.organizer, session.id, user_id=tree.secretaries[2].id)
        assert page.evaluate("document.body.dataset.liveVersion") == str(shown["version"] + 1)  # missed for now
        page.wait_for_function(
            "v => Number(document.body.dataset.liveVersion) === v", arg=shown["version"] + 2, timeout=15000
        )
        assert tree.secretaries[2].name in page.inner_text('[data-live="next"]')
        assert "online" in page.locator('[data-live="connection"]').get_attribute("class")
    finally:
        context.close()


def test_check_in_with_one_tap_on_a_phone(browser, live_server, tree):
    session = make_session(tree)
    act(update_user, None, tree.organizer, password="mat-khau-thu-ky")
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    try:
        page = context.new_page()
        sign_in_page(page, live_server.url, tree.organizer.email, "mat-khau-thu-ky", f"/sessions/{session.id}/checkin")
        page.wait_for_selector('[data-live="connection"].online')
        page.fill("#q", "TAN DIEN")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"q=TAN"))
        page.wait_for_selector('[data-live="connection"].online')
        rows = page.locator("#checkin-list li")
        assert rows.count() == 2
        page.evaluate("window.__sameDocument = true")
        person = tree.secretaries[1]
        page.locator(f"#u{person.id} button").click()
        page.wait_for_selector(f"#u{person.id}.present")
        page.wait_for_function("() => document.querySelector('[data-live=\"present\"]').textContent.includes('1/4')")
        assert page.evaluate("window.__sameDocument") is True
        assert page.locator(f"#u{person.id} button").inner_text().startswith("✓")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()
    from dialogue.sessions.models import Invitation

    db.session.expire_all()
    inv = db.session.query(Invitation).filter_by(session_id=session.id, user_id=tree.secretaries[1].id).one()
    assert inv.checked_in_at is not None


def test_clock_warns_in_the_last_30_seconds_and_shows_the_overrun(browser, live_server, tree):
    from datetime import timedelta

    from dialogue.core import timeutil

    session = make_session(tree, turn_seconds=60)
    act(services.request_to_speak, tree.secretaries[0], session.id)
    timeutil.set_clock_offset(timedelta(seconds=-45))  # the turn began 45 s ago: 15 s left
    act(services.next_speaker, tree.organizer, session.id)
    timeutil.set_clock_offset(timedelta(0))
    secret = act(services.ensure_projector_secret, db.session.get(DialogueSession, session.id))
    context = browser.new_context(locale="vi-VN")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/projector/{secret}")
        clock = page.locator("[data-live-clock]")
        page.wait_for_selector("[data-live-clock].warning")
        assert 12 <= int(clock.get_attribute("data-seconds-left")) <= 15
        # Over time: the same screen turns to the overrun with no message from the server.
        page.evaluate(
            "() => { const s = window.DialogueLive.state();"
            " window.DialogueLive.apply({...s, version: s.version + 1, current: {...s.current, seconds_left: 1}}); }"
        )
        page.wait_for_selector("[data-live-clock].overrun", timeout=5000)
        page.wait_for_function("() => document.querySelector('[data-live-clock]').textContent.startsWith('+0:0')")
        assert page.inner_text('[data-live="clock-note"]') == "Quá giờ"
    finally:
        context.close()


@contextlib.contextmanager
def _online_projector(browser, live_server, session_id: int):
    """A projector screen open on the session's current link, connected."""
    secret = act(services.ensure_projector_secret, db.session.get(DialogueSession, session_id))
    context = browser.new_context(locale="vi-VN")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/projector/{secret}")
        page.wait_for_selector('[data-live="connection"].online')
        yield page
    finally:
        context.close()


REVOKED = "Đường dẫn màn chiếu này đã được đổi"


def test_an_open_projector_is_told_when_its_link_is_reset(browser, live_server, tree):
    session = make_session(tree)
    with _online_projector(browser, live_server, session.id) as page:
        version = int(page.evaluate("document.body.dataset.liveVersion"))
        act(services.reset_projector_secret, tree.organizer, session.id)
        page.wait_for_selector('[data-live="connection"].offline')
        assert REVOKED in page.inner_text('[data-live="connection"]')
        act(services.request_to_speak, tree.secretaries[0], session.id)  # a change the old link no longer sees
        page.wait_for_timeout(1500)
        assert int(page.evaluate("document.body.dataset.liveVersion")) == version
        assert page.evaluate("window.DialogueLive.socket.connected") is False  # and it does not reconnect
        assert REVOKED in page.inner_text('[data-live="connection"]')  # still saying why


def test_a_projector_reconnecting_on_a_reset_link_is_told_and_stops(browser, live_server, tree):
    """A screen that was offline while the organizer reset the link (the hall's Wi-Fi dropped) learns it when it
    connects again: the server refuses the old link and the screen says why instead of retrying for ever."""
    session = make_session(tree)
    with _online_projector(browser, live_server, session.id) as page:
        page.evaluate("window.DialogueLive.socket.disconnect()")
        page.wait_for_selector('[data-live="connection"].offline')
        act(services.reset_projector_secret, tree.organizer, session.id)
        page.evaluate("window.DialogueLive.socket.connect()")
        page.wait_for_function(
            "text => document.querySelector('[data-live=\"connection\"]').textContent.includes(text)", arg=REVOKED
        )
        page.wait_for_timeout(1500)
        assert page.evaluate("window.DialogueLive.socket.connected") is False
        assert REVOKED in page.inner_text('[data-live="connection"]')
