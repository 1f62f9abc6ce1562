"""In a real browser on a 360-pixel phone: the Vietnamese sign-in page, signing in, the language switch."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_sign_in_on_a_small_phone(browser, live_server, make_user):
    make_user("organizer", name="Phan Thị Thu Hà", email="vp@test.vn", password="mat-khau-dai")
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    page = context.new_page()
    try:
        page.goto(live_server.url + "/")
        assert page.locator("h1").inner_text() == "Đăng nhập"
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.get_by_label("Email hoặc số điện thoại").fill("vp@test.vn")
        page.get_by_label("Mật khẩu").fill("mat-khau-dai")
        page.keyboard.press("Enter")
        page.wait_for_url(live_server.url + "/")
        assert "Xin chào, Phan Thị Thu Hà" in page.locator("h1").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.get_by_role("link", name="EN").click()
        page.wait_for_load_state()
        assert page.get_by_role("button", name="Sign out").is_visible()
    finally:
        context.close()
