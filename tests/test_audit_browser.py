"""The audit log on a 360-pixel phone: each entry a card, nothing wider than the screen, the filter by keyboard."""

from __future__ import annotations

from dialogue.accounts.models import User
from dialogue.extensions import db
from dialogue.units import services as units
from tests.conftest import sign_in_page
from tests.factories import act, schedule


def test_the_log_reads_on_a_phone_and_filters_by_keyboard(live_server, browser, tree, make_user):
    admin = make_user("admin", name="Quản trị huyện", unit=tree.district, password="mat-khau-quan-tri")
    act(units.rename_unit, admin, tree.cells[0], "Chi bộ ấp Hòa An với một cái tên rất dài để thử màn hình hẹp")
    schedule(tree, status="open")
    db.session.commit()
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    page = context.new_page()
    try:
        sign_in_page(page, live_server.url, db.session.get(User, admin.id).email, "mat-khau-quan-tri")
        page.goto(live_server.url + "/admin/audit/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        widest = page.evaluate(
            "Math.max(...[...document.querySelectorAll('table.audit td')].map(td => td.getBoundingClientRect().right))"
        )
        assert widest <= 360
        assert page.locator("table.audit").get_by_text("Sửa đơn vị", exact=True).first.is_visible()
        assert page.locator("table.audit").get_by_text("Tạo buổi đối thoại", exact=True).first.is_visible()
        # the filter, by keyboard only: focus the action list, choose, then submit with Enter
        page.get_by_label("Thao tác").focus()
        page.keyboard.press("ArrowDown")  # the list is sorted by its words
        chosen = page.get_by_label("Thao tác").evaluate("s => s.value")
        page.get_by_label("Người thực hiện").focus()
        page.keyboard.press("Enter")
        page.wait_for_url(f"**action={chosen}**")
        rows = page.locator("table.audit tbody tr")
        assert rows.count() >= 1
    finally:
        context.close()
