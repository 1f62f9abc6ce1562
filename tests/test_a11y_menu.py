"""The header in Chromium. On a 360-px phone it is one line and the menu folds behind one button (a <details>):
it opens and closes by keyboard, closes on Escape, a tap outside it or the focus moving on, and works without
JavaScript too. On a 1366-px laptop the menu is a row of links, the longest one (the admin's) on one line."""

from __future__ import annotations

import pytest

from dialogue.extensions import db
from dialogue.notifications.services import notify

pytestmark = pytest.mark.browser

PASSWORD = "mat-khau-dai-1"


def _sign_in(browser, base: str, email: str, viewport: dict, **options):
    context = browser.new_context(viewport=viewport, locale="vi-VN", **options)
    page = context.new_page()
    page.goto(base + "/login")
    page.get_by_label("Email hoặc số điện thoại").fill(email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(base + "/")
    return context, page


def _height(page, selector: str) -> float:
    return page.locator(selector).bounding_box()["height"]


def _focused(page) -> str:
    return page.evaluate(
        "() => { const el = document.activeElement; return el.closest('#menu summary') ? 'menu' "
        ": (el.textContent || '').trim(); }"
    )


def test_on_a_phone_the_menu_folds_behind_one_button_and_works_by_keyboard(browser, live_server, make_user):
    user = make_user("organizer", name="Phan Thị Thu Hà", email="vp@test.vn", password=PASSWORD)
    notify(user, "Có 2 ý kiến mới chờ duyệt.")
    db.session.commit()
    context, page = _sign_in(browser, live_server.url, "vp@test.vn", {"width": 360, "height": 740})
    try:
        header = page.locator("header.topbar")
        menu = page.locator("#menu")
        sessions_link = page.get_by_role("link", name="Các buổi đối thoại")
        assert _height(page, "header.topbar") <= 56  # one line: it was 140–210 px with the menu wrapping
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert header.get_by_role("link", name="EN").is_visible()
        assert header.get_by_role("button", name="Đăng xuất").is_visible()
        assert not sessions_link.is_visible()
        summary = menu.locator("summary")
        assert summary.is_visible()
        assert " ".join(summary.text_content().split()) == "Menu thông báo chưa đọc: 1"  # the count, said in words
        for target in (summary, header.get_by_role("link", name="EN"), header.get_by_role("button", name="Đăng xuất")):
            box = target.bounding_box()
            assert box["width"] >= 44 and box["height"] >= 44

        # By keyboard only: Tab to the button, Enter opens, Tab walks the links, Escape closes and gives the focus
        # back to the button.
        for _ in range(8):
            page.keyboard.press("Tab")
            if _focused(page) == "menu":
                break
        assert _focused(page) == "menu"
        page.keyboard.press("Enter")
        assert menu.get_attribute("open") is not None
        assert sessions_link.is_visible()
        page.keyboard.press("Tab")
        assert _focused(page) == "Trang chủ"
        for link in page.locator("#menu a").all():
            assert link.bounding_box()["height"] >= 44
        page.keyboard.press("Escape")
        assert menu.get_attribute("open") is None
        assert _focused(page) == "menu"
        assert not sessions_link.is_visible()

        # Space opens it too; tabbing on past its last link closes it, so it never stays over the page.
        page.keyboard.press(" ")
        assert menu.get_attribute("open") is not None
        for _ in range(page.locator("#menu a").count()):
            page.keyboard.press("Tab")
        assert _focused(page) == "Phan Thị Thu Hà"
        page.keyboard.press("Tab")
        assert menu.get_attribute("open") is None

        # A tap outside closes it; a tap on a link goes there.
        summary.click()
        assert sessions_link.is_visible()
        panel = page.locator(".menu-panel").bounding_box()
        page.mouse.click(180, panel["y"] + panel["height"] + 40)  # on the page, below the open menu
        assert menu.get_attribute("open") is None
        summary.click()
        sessions_link.click()
        page.wait_for_url(live_server.url + "/sessions/")
        assert page.locator("h1").inner_text() == "Buổi đối thoại"
        summary.click()
        current = page.locator('#menu a[aria-current="page"]')
        assert current.count() == 1 and current.inner_text() == "Các buổi đối thoại"
    finally:
        context.close()


def test_without_javascript_the_phone_menu_still_opens_and_leads_somewhere(browser, live_server, make_user):
    make_user("unit", name="Văn phòng Đảng ủy xã Bình An", email="binhan@test.vn", password=PASSWORD)
    context, page = _sign_in(
        browser, live_server.url, "binhan@test.vn", {"width": 360, "height": 740}, java_script_enabled=False
    )
    try:
        link = page.locator("#menu").get_by_role("link", name="Nhiệm vụ của đơn vị")
        assert not link.is_visible()
        page.locator("#menu summary").click()
        assert link.is_visible()
        link.click()
        page.wait_for_url(live_server.url + "/followups/mine")
        page.locator("#menu summary").click()
        page.locator("#menu summary").click()
        assert not link.is_visible()
    finally:
        context.close()


def test_on_a_laptop_the_menu_is_one_row_of_links_without_the_button(browser, live_server, make_user):
    make_user("admin", name="Trịnh Quốc Bảo", email="admin@test.vn", password=PASSWORD)
    context, page = _sign_in(browser, live_server.url, "admin@test.vn", {"width": 1366, "height": 768})
    try:
        nav = page.get_by_role("navigation", name="Điều hướng chính")
        names = [a.inner_text() for a in nav.get_by_role("link").all()]
        # The admin's menu is the longest: its tools are one entry, the administration page.
        assert len(names) >= 7 and "Quản trị" in names and "Người dùng" not in names
        assert not page.locator("#menu summary").is_visible()
        assert page.locator("header.topbar").get_by_role("link", name="Thông báo").is_visible()
        assert page.locator("header.topbar").get_by_role("link", name="Trịnh Quốc Bảo").is_visible()
        assert _height(page, "header.topbar") <= 56  # one line
        tops = {round(a.bounding_box()["y"]) for a in nav.get_by_role("link").all()}
        assert len(tops) == 1
        for link in nav.get_by_role("link").all():
            assert link.bounding_box()["height"] >= 44
        page.get_by_role("link", name="Quản trị").first.click()
        tools = page.locator("#home-admin").inner_text()
        assert all(t in tools for t in ("Cây tổ chức", "Người dùng", "Nhật ký thay đổi", "Lịch làm việc"))
    finally:
        context.close()
