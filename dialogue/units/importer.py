"""Import of members from CSV or XLSX.

Two steps: ``preview`` reads and checks every row without writing; ``apply`` re-reads the same file and writes
everything in one transaction, only when no row has an error. People are matched by phone or e-mail, so
importing the same file again updates them instead of creating duplicates.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from sqlalchemy import func, select

from ..accounts.models import User, UserRole
from ..accounts.services import create_user, normalize_email, normalize_phone, update_user
from ..audit.services import record
from ..core.errors import Invalid
from ..core.inputs import text_problem
from ..core.text import fold, nfc
from ..extensions import db
from .models import Unit
from .services import create_unit

# Folded header text → field. Vietnamese first; English accepted for scripts.
HEADERS = {
    "ho ten": "name",
    "ho va ten": "name",
    "name": "name",
    "chuc vu": "position",
    "position": "position",
    "chi bo": "cell",
    "cell": "cell",
    "dang uy co so": "grassroots",
    "dang bo co so": "grassroots",
    "grassroots": "grassroots",
    "dien thoai": "phone",
    "so dien thoai": "phone",
    "phone": "phone",
    "email": "email",
    "thu dien tu": "email",
}
REQUIRED = ("name", "cell", "grassroots")
PHONE_RE = re.compile(r"^0\d{8,10}$")


@dataclass
class ImportRow:
    line: int
    name: str = ""
    position: str = ""
    cell: str = ""
    grassroots: str = ""
    phone: str | None = None
    email: str | None = None
    action: str = ""  # create | update | unchanged
    new_cell: bool = False
    errors: list[str] = field(default_factory=list)
    user_id: int | None = None


@dataclass
class ImportPreview:
    rows: list[ImportRow]
    file_errors: list[str]

    @property
    def valid(self) -> bool:
        return not self.file_errors and all(not r.errors for r in self.rows) and bool(self.rows)

    @property
    def error_rows(self) -> list[ImportRow]:
        return [r for r in self.rows if r.errors]


def is_secretary_position(position: str) -> bool:
    """“Bí thư chi bộ” makes a cell secretary; “Phó Bí thư” does not."""
    folded = fold(position)
    return "bi thu" in folded and "pho bi thu" not in folded


def read_table(filename: str, data: bytes) -> list[list[str]]:
    """Rows of cell text from a CSV (UTF-8, with or without BOM; comma or semicolon) or XLSX file."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx":
        try:
            # data_only=False: a formula cell gives the formula as it was typed ("=HYPERLINK(...)"), kept as the
            # text it is, never a value some spreadsheet program worked out from it.
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        except Exception as exc:
            raise Invalid(_l("Không đọc được tệp Excel: %(err)s", err=str(exc))) from exc
        sheet = workbook.worksheets[0]
        return [["" if v is None else str(v).strip() for v in row] for row in sheet.iter_rows(values_only=True)]
    if suffix == ".csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise Invalid(_l("Tệp CSV phải được lưu với mã UTF-8.")) from exc
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
        return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), dialect)]
    raise Invalid(_l("Chỉ nhận tệp .csv hoặc .xlsx."))


def _column_map(header: list[str]) -> tuple[dict[str, int], list[str]]:
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        key = HEADERS.get(fold(title))
        if key and key not in columns:
            columns[key] = index
    missing = [k for k in REQUIRED if k not in columns]
    errors = []
    if missing:
        errors.append(str(_l("Thiếu cột: %(cols)s.", cols=", ".join(missing))))
    if "phone" not in columns and "email" not in columns:
        errors.append(str(_l("Cần ít nhất một cột điện thoại hoặc email để nhận ra từng người.")))
    return columns, errors


def _grassroots_index() -> dict[str, Unit]:
    units = db.session.scalars(select(Unit).where(Unit.kind.in_(("grassroots", "district", "province"))))
    return {fold(u.name): u for u in units}


def _cells_index() -> dict[tuple[int, str], Unit]:
    cells = db.session.scalars(select(Unit).where(Unit.kind.in_(("cell", "group"))))
    return {(c.parent_id, fold(c.name)): c for c in cells}


def _grassroots_lookup(index: dict[str, Unit], typed: str) -> Unit | None:
    """Finds “Bình An” as well as “Đảng ủy xã Bình An”."""
    key = fold(typed)
    if key in index:
        return index[key]
    matches = [u for k, u in index.items() if k.endswith(" " + key) or key.endswith(" " + k)]
    return matches[0] if len(matches) == 1 else None


def preview(filename: str, data: bytes) -> ImportPreview:
    table = [row for row in read_table(filename, data)]
    # Keep line numbers as the person sees them in the file (1-based, header is line 1).
    numbered = [(i + 1, row) for i, row in enumerate(table) if any(cell.strip() for cell in row)]
    if not numbered:
        return ImportPreview([], [str(_l("Tệp không có dòng nào."))])
    _header_line, header = numbered[0]
    columns, file_errors = _column_map(header)
    if file_errors:
        return ImportPreview([], file_errors)
    grassroots = _grassroots_index()
    cells = _cells_index()
    users = list(db.session.scalars(select(User).where((User.phone.is_not(None)) | (User.email.is_not(None)))))
    by_phone = {u.phone: u for u in users if u.phone}
    by_email = {u.email.lower(): u for u in users if u.email}
    seen_phone: dict[str, int] = {}
    seen_email: dict[str, int] = {}
    rows: list[ImportRow] = []

    def cell_of(values: list[str], key: str) -> str:
        index = columns.get(key)
        return nfc(values[index]) or "" if index is not None and index < len(values) else ""

    for line, values in numbered[1:]:
        row = ImportRow(line=line)
        for key in ("name", "position", "cell", "grassroots", "phone", "email"):
            index = columns.get(key)
            problem = text_problem(values[index]) if index is not None and index < len(values) else None
            if problem:
                row.errors.append(f"{header[index]}: {problem}")
        row.name = cell_of(values, "name")
        row.position = cell_of(values, "position")
        row.cell = cell_of(values, "cell")
        row.grassroots = cell_of(values, "grassroots")
        raw_phone = cell_of(values, "phone")
        raw_email = cell_of(values, "email")
        if not row.name:
            row.errors.append(str(_l("Thiếu họ tên.")))
        if not row.cell:
            row.errors.append(str(_l("Thiếu tên chi bộ.")))
        if not row.grassroots:
            row.errors.append(str(_l("Thiếu tên đảng ủy cơ sở.")))
        if raw_phone:
            row.phone = normalize_phone(raw_phone)
            if not row.phone or not PHONE_RE.match(row.phone):
                row.errors.append(str(_l("Số điện thoại “%(p)s” không hợp lệ.", p=raw_phone)))
        if raw_email:
            try:
                row.email = normalize_email(validate_email(raw_email, check_deliverability=False).normalized)
            except EmailNotValidError:
                row.errors.append(str(_l("Email “%(e)s” không hợp lệ.", e=raw_email)))
        if not raw_phone and not raw_email:
            row.errors.append(str(_l("Cần số điện thoại hoặc email.")))
        if row.phone:
            if row.phone in seen_phone:
                row.errors.append(str(_l("Số điện thoại trùng với dòng %(n)s.", n=seen_phone[row.phone])))
            seen_phone.setdefault(row.phone, line)
        if row.email:
            if row.email in seen_email:
                row.errors.append(str(_l("Email trùng với dòng %(n)s.", n=seen_email[row.email])))
            seen_email.setdefault(row.email, line)
        parent = _grassroots_lookup(grassroots, row.grassroots) if row.grassroots else None
        if row.grassroots and parent is None:
            row.errors.append(str(_l("Không tìm thấy đảng ủy cơ sở “%(g)s”.", g=row.grassroots)))
        cell = cells.get((parent.id, fold(row.cell))) if parent is not None and row.cell else None
        row.new_cell = parent is not None and bool(row.cell) and cell is None
        match_phone = by_phone.get(row.phone) if row.phone else None
        match_email = by_email.get(row.email) if row.email else None
        if match_phone and match_email and match_phone.id != match_email.id:
            row.errors.append(str(_l("Số điện thoại và email thuộc về hai người khác nhau trong hệ thống.")))
        existing = match_phone or match_email
        if existing is None:
            row.action = "create"
        else:
            row.user_id = existing.id
            same = (
                existing.name == row.name
                and (existing.position or "") == row.position
                and cell is not None
                and existing.unit_id == cell.id
                and (not row.phone or existing.phone == row.phone)
                and (not row.email or existing.email == row.email)
                and (not is_secretary_position(row.position) or "secretary" in existing.role_names)
            )
            row.action = "unchanged" if same else "update"
        rows.append(row)
    if not rows:
        file_errors.append(str(_l("Tệp chỉ có dòng tiêu đề, không có người nào.")))
    return ImportPreview(rows, file_errors)


def apply(actor: User | None, filename: str, data: bytes) -> dict[str, int]:
    """Writes the whole file in one transaction, or nothing at all."""
    result = preview(filename, data)
    if not result.valid:
        problems = result.file_errors + [f"dòng {r.line}: {'; '.join(r.errors)}" for r in result.error_rows]
        raise Invalid(_l("Tệp có lỗi, chưa nhập gì: %(p)s", p=" | ".join(problems[:20])))
    counts = {"created": 0, "updated": 0, "unchanged": 0, "cells_created": 0}
    grassroots = _grassroots_index()
    cells = _cells_index()
    for row in result.rows:
        parent = _grassroots_lookup(grassroots, row.grassroots)
        assert parent is not None
        key = (parent.id, fold(row.cell))
        cell = cells.get(key)
        if cell is None:
            cell = create_unit(actor, name=row.cell, kind="cell", parent_id=parent.id)
            cells[key] = cell
            counts["cells_created"] += 1
        roles = {"secretary"} if is_secretary_position(row.position) else set()
        if row.user_id is None:
            create_user(
                actor,
                name=row.name,
                email=row.email,
                phone=row.phone,
                roles=roles,
                unit_id=cell.id,
                position=row.position,
            )
            counts["created"] += 1
        elif row.action == "update":
            user = db.session.get(User, row.user_id)
            changes: dict = {"name": row.name, "position": row.position, "unit_id": cell.id}
            if row.phone:
                changes["phone"] = row.phone
            if row.email:
                changes["email"] = row.email
            changes["roles"] = user.role_names | roles
            update_user(actor, user, **changes)
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    record(actor, "members.import", None, object_type="import", after={"file": filename, **counts})
    return counts


def secretary_count() -> int:
    return db.session.scalar(select(func.count()).select_from(UserRole).where(UserRole.role == "secretary")) or 0
