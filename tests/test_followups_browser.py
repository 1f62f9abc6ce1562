"""On a 360-pixel phone: the unit's account reports progress and done from its list; the secretariat's dashboard
fits the screen and shows the chart."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dialogue.core.timeutil import today_local
from dialogue.extensions import db
from dialogue.followups import creation
from dialogue.followups.models import Commitment
from tests.conftest import sign_in_page
from tests.factories import act

pytestmark = pytest.mark.browser


def _sign_in(browser, live_server, email: str, password: str):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    page = context.new_page()
    sign_in_page(page, live_server.url, email, password)
    return context, page


def test_a_unit_reports_progress_and_the_secretariat_verifies_on_a_phone(browser, live_server, make_user, make_unit):
    district = make_unit("Huyện ủy Châu Thành", "district")
    commune = make_unit("Đảng ủy xã Bình An", "grassroots", district)
    host = make_user("host", name="Bí thư Huyện ủy", unit=district)
    make_user("unit", name="Văn phòng Đảng ủy xã Bình An", unit=commune, email="binhan@test.vn", password="mk-don-vi-1")
    make_user("secretariat", name="Ủy ban Kiểm tra", unit=district, email="ubkt@test.vn", password="mk-ubkt-12")
    commitment = act(
        creation.create_commitment,
        host,
        description="Rà soát quy trình kiểm tra đảng viên ở 20 chi bộ",
        unit_id=commune.id,
        due_date=today_local() + timedelta(days=30),
    )
    context, page = _sign_in(browser, live_server, "binhan@test.vn", "mk-don-vi-1")
    try:
        page.get_by_role("link", name="Nhiệm vụ của đơn vị").first.click()
        page.get_by_role("link", name="Rà soát quy trình kiểm tra đảng viên ở 20 chi bộ").click()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.locator("#act-update summary").click()
        page.get_by_label("Nội dung cập nhật").fill("Đã rà soát 10 chi bộ.")
        page.get_by_label("Tiến độ (%)").fill("50")
        page.get_by_role("button", name="Gửi cập nhật").click()
        page.wait_for_selector("text=Đã ghi cập nhật tiến độ.")
        assert "Đã rà soát 10 chi bộ." in page.locator("#timeline").inner_text()
        page.locator("#act-done summary").click()
        page.get_by_label("Báo cáo kết quả thực hiện").fill("Đã rà soát đủ 20 chi bộ.")
        page.get_by_role("button", name="Báo cáo đã hoàn thành").click()
        page.wait_for_selector("text=chờ bộ phận theo dõi xác nhận")
        assert page.locator("#act-verify").count() == 0  # the unit is not offered verification
    finally:
        context.close()
    context, page = _sign_in(browser, live_server, "ubkt@test.vn", "mk-ubkt-12")
    try:
        page.goto(live_server.url + "/followups/")
        assert page.locator(".fu-chart svg rect").count() >= 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.goto(live_server.url + f"/followups/{commitment.id}")
        page.get_by_role("button", name="Xác nhận đã hoàn thành").click()
        page.wait_for_selector("text=Đã xác nhận kết quả.")
    finally:
        context.close()
    db.session.expire_all()
    assert db.session.get(Commitment, commitment.id).status == "verified"
