"""Import of members: preview, row errors with line numbers, all or nothing, re-import updates."""

from __future__ import annotations

import io

from openpyxl import Workbook
from sqlalchemy import func, select

from dialogue.accounts.models import User
from dialogue.extensions import db
from dialogue.units import importer
from dialogue.units.models import Unit

HEADER = "Họ tên,Chức vụ,Chi bộ,Đảng ủy cơ sở,Điện thoại,Email\n"
GOOD = (
    HEADER
    + "Nguyễn Văn Một,Bí thư chi bộ,Chi bộ ấp Hòa An,Đảng ủy xã Bình An,0911000001,mot@test.vn\n"
    + "Trần Thị Hai,Phó Bí thư chi bộ,Chi bộ ấp Hòa An,Bình An,0911000002,\n"
    + "Lê Văn Ba,Bí thư chi bộ,Chi bộ ấp Mới Lập,Đảng ủy xã Giục Tượng,,ba@test.vn\n"
)


def _people() -> int:
    return db.session.scalar(select(func.count(User.id)))


def test_preview_shows_each_row_and_writes_nothing(tree):
    before = _people()
    result = importer.preview("members.csv", GOOD.encode())
    assert result.valid
    assert [r.line for r in result.rows] == [2, 3, 4]
    assert [r.action for r in result.rows] == ["create", "create", "create"]
    assert result.rows[2].new_cell is True
    assert _people() == before


def test_apply_creates_people_roles_and_missing_cells_then_reimport_updates(tree):
    before = _people()
    counts = importer.apply(tree.admin, "members.csv", GOOD.encode())
    assert counts == {"created": 3, "updated": 0, "unchanged": 0, "cells_created": 1}
    assert _people() == before + 3
    one = db.session.scalar(select(User).where(User.phone == "0911000001"))
    two = db.session.scalar(select(User).where(User.phone == "0911000002"))
    assert one.role_names == {"secretary"} and two.role_names == set()
    assert one.unit_id == tree.cells[0].id
    assert db.session.scalar(select(Unit).where(Unit.name == "Chi bộ ấp Mới Lập")).parent_id == tree.communes[1].id

    again = importer.apply(tree.admin, "members.csv", GOOD.encode())
    assert again == {"created": 0, "updated": 0, "unchanged": 3, "cells_created": 0}
    changed = GOOD.replace("Nguyễn Văn Một", "Nguyễn Văn Một Mới")
    counts = importer.apply(tree.admin, "members.csv", changed.encode())
    assert counts["updated"] == 1 and counts["created"] == 0
    assert _people() == before + 3
    assert db.session.get(User, one.id).name == "Nguyễn Văn Một Mới"


def test_one_bad_row_rejects_the_whole_file_and_says_which_and_why(tree, client, login_as):
    bad = GOOD + "Phạm Văn Bốn,Bí thư chi bộ,Chi bộ ấp X,Đảng ủy xã Không Có,0911000004,\n" + ",,,,,\n"
    bad += "Võ Thị Năm,Bí thư chi bộ,Chi bộ ấp Y,Bình An,12ab,\n"
    result = importer.preview("members.csv", bad.encode())
    assert not result.valid
    errors = {r.line: r.errors for r in result.error_rows}
    assert set(errors) == {5, 7}
    assert "Không tìm thấy đảng ủy cơ sở" in errors[5][0]
    assert "không hợp lệ" in errors[7][0]
    before = _people()
    login_as(tree.admin)
    response = client.post(
        "/admin/units/import",
        data={"file": (io.BytesIO(bad.encode()), "members.csv")},
        content_type="multipart/form-data",
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Xác nhận nhập" not in body and "Không tìm thấy đảng ủy cơ sở" in body
    assert _people() == before


def test_duplicate_phone_inside_the_file_is_an_error(tree):
    dup = HEADER + "A,,Chi bộ ấp Hòa An,Bình An,0911000001,\nB,,Chi bộ ấp Hòa An,Bình An,0911000001,\n"
    result = importer.preview("m.csv", dup.encode())
    assert result.error_rows[0].line == 3 and "trùng với dòng 2" in result.error_rows[0].errors[0]


def test_xlsx_through_the_pages_preview_then_confirm(tree, client, login_as):
    workbook = Workbook()
    sheet = workbook.active
    for line in GOOD.strip().split("\n"):
        sheet.append(line.split(","))
    buffer = io.BytesIO()
    workbook.save(buffer)
    login_as(tree.admin)
    response = client.post(
        "/admin/units/import",
        data={"file": (io.BytesIO(buffer.getvalue()), "ds.xlsx")},
        content_type="multipart/form-data",
    )
    body = response.get_data(as_text=True)
    assert "Xác nhận nhập 3 dòng" in body and "Nguyễn Văn Một" in body
    import_id = body.split('name="import_id" type="hidden" value="')[1].split('"')[0]
    before = _people()
    response = client.post("/admin/units/import/confirm", data={"import_id": import_id})
    assert response.status_code == 302
    assert _people() == before + 3


def test_missing_columns_and_wrong_type_are_explained(tree):
    result = importer.preview("m.csv", "Tên,Tuổi\nA,3\n".encode())
    assert not result.valid and "Thiếu cột" in result.file_errors[0]


def test_cli_import_members(app, tree, tmp_path):
    path = tmp_path / "members.csv"
    path.write_text(GOOD, encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import-members", str(path)])
    assert result.exit_code == 0, result.output
    assert "3 mới" in result.output
    path.write_text(GOOD + "X,,Chi bộ,Không Có,0911999999,\n", encoding="utf-8")
    result = runner.invoke(args=["import-members", str(path)])
    assert result.exit_code != 0
    assert "dòng 5" in result.output
