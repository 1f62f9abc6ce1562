"""The office's document profile: every figure of the Party's format rules in one place, adjustable by an admin
(Hướng dẫn 36-HD/VPTW is reported replaced in 2026; an office follows the new figures without a code change).

The defaults are DOMAIN.md's: A4, margins 20/20/30/15 mm, Times New Roman, "ĐẢNG CỘNG SẢN VIỆT NAM" 15 pt,
place and date 14 pt, type 16 pt, subject 14 pt, body 14 pt, page numbers from page 2. A published document keeps
the profile it was made with (its content carries a copy).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import User
from ..audit.services import record as audit
from ..core.errors import Conflict, Invalid
from ..core.text import nfc
from ..core.timeutil import now
from ..extensions import db
from .models import DocumentProfile
from .permissions import check_profile_admin

PROFILE_ID = 1


@dataclass(frozen=True)
class Figure:
    """One figure of the profile: its label, default, and bounds (numbers) or allowed values (choices)."""

    label: object
    default: object
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    max_length: int = 100


SIZE = (8, 30)
FIGURES: dict[str, Figure] = {
    "margin_top_mm": Figure(_l("Lề trên (mm)"), 20, 5, 60),
    "margin_bottom_mm": Figure(_l("Lề dưới (mm)"), 20, 5, 60),
    "margin_left_mm": Figure(_l("Lề trái (mm)"), 30, 5, 60),
    "margin_right_mm": Figure(_l("Lề phải (mm)"), 15, 5, 60),
    "font": Figure(_l("Phông chữ"), "Times New Roman", max_length=60),
    "size_party": Figure(_l("Cỡ chữ “ĐẢNG CỘNG SẢN VIỆT NAM”"), 15, *SIZE),
    "size_place_date": Figure(_l("Cỡ chữ địa danh, ngày tháng"), 14, *SIZE),
    "size_superior": Figure(_l("Cỡ chữ tên cơ quan cấp trên"), 14, *SIZE),
    "size_issuer": Figure(_l("Cỡ chữ tên cơ quan ban hành"), 14, *SIZE),
    "size_number": Figure(_l("Cỡ chữ số, ký hiệu"), 14, *SIZE),
    "size_type": Figure(_l("Cỡ chữ tên loại văn bản"), 16, *SIZE),
    "size_subject": Figure(_l("Cỡ chữ trích yếu"), 14, *SIZE),
    "size_body": Figure(_l("Cỡ chữ nội dung"), 14, *SIZE),
    "size_table": Figure(_l("Cỡ chữ trong bảng"), 13, *SIZE),
    "size_wide_table": Figure(_l("Cỡ chữ trong bảng nhiều cột (trang ngang)"), 11, *SIZE),
    "size_signing": Figure(_l("Cỡ chữ thể thức ký, chức vụ, họ tên người ký"), 14, *SIZE),
    "size_recipients_label": Figure(_l("Cỡ chữ “Nơi nhận:”"), 14, *SIZE),
    "size_recipients": Figure(_l("Cỡ chữ danh sách nơi nhận"), 12, *SIZE),
    "size_page_number": Figure(_l("Cỡ chữ số trang"), 14, *SIZE),
    "line_spacing": Figure(_l("Giãn dòng (lần)"), 1.15, 1.0, 2.0),
    "space_after_pt": Figure(_l("Khoảng cách sau đoạn (pt)"), 6, 0, 24),
    "first_line_indent_mm": Figure(_l("Thụt đầu dòng (mm)"), 10, 0, 30),
    "page_number_position": Figure(_l("Vị trí số trang"), "header", choices=("header", "footer")),
    "root_superior_body": Figure(
        _l("Cơ quan cấp trên của đơn vị ở gốc cây tổ chức (để trống nếu không ghi)"), "", max_length=200
    ),
    "current_term": Figure(
        _l("Nhiệm kỳ hiện tại (đánh số văn bản khi buổi đối thoại không ghi nhiệm kỳ)"), "2025–2030"
    ),
    "default_collective": Figure(_l("Tập thể ký thay mặt (T/M) mặc định"), "BAN THƯỜNG VỤ", max_length=100),
}
PAGE_NUMBER_POSITIONS = {"header": _l("Giữa lề trên"), "footer": _l("Giữa lề dưới")}
DEFAULTS: dict[str, object] = {name: figure.default for name, figure in FIGURES.items()}


def current_profile() -> dict:
    """The figures in force: the stored ones over the defaults."""
    row = db.session.get(DocumentProfile, PROFILE_ID)
    values = dict(DEFAULTS)
    if row is not None:
        values.update({k: v for k, v in (row.values or {}).items() if k in FIGURES})
    return values


def profile_revision() -> int:
    row = db.session.get(DocumentProfile, PROFILE_ID)
    return row.revision if row is not None else 0


def normalize_term(term: str | None) -> str:
    """ "2020-2025", "2020 – 2025" and "2020–2025" are one term (one register)."""
    text = " ".join((nfc(term) or "").split())
    for dash in ("-", "—", "‒", "−"):
        text = text.replace(dash, "–")
    return text.replace(" – ", "–").replace(" –", "–").replace("– ", "–")


def clean_profile(values: dict) -> dict:
    """Checks every figure against its bounds; the refusal names each wrong field."""
    clean: dict = {}
    errors: dict[str, list[str]] = {}
    for name, figure in FIGURES.items():
        raw = values.get(name, figure.default)
        if isinstance(figure.default, (int, float)) and not isinstance(figure.default, bool):
            try:
                number = float(str(raw).replace(",", "."))
            except (TypeError, ValueError):
                errors[name] = [str(_l("Phải là số."))]
                continue
            if not figure.low <= number <= figure.high:
                errors[name] = [str(_l("Từ %(low)s đến %(high)s.", low=figure.low, high=figure.high))]
                continue
            clean[name] = int(number) if isinstance(figure.default, int) and number.is_integer() else number
        elif figure.choices:
            if raw not in figure.choices:
                errors[name] = [str(_l("Không hợp lệ."))]
                continue
            clean[name] = raw
        else:
            text = nfc(str(raw or "")) or ""
            if len(text) > figure.max_length:
                errors[name] = [str(_l("Quá dài (tối đa %(n)s ký tự).", n=figure.max_length))]
                continue
            clean[name] = text
    if not errors and not clean.get("font"):
        errors["font"] = [str(_l("Bắt buộc."))]
    if not errors:
        clean["current_term"] = normalize_term(clean["current_term"])
        clean["root_superior_body"] = clean["root_superior_body"].upper()
        clean["default_collective"] = clean["default_collective"].upper()
        if not clean["default_collective"]:
            errors["default_collective"] = [str(_l("Bắt buộc."))]
    if errors:
        raise Invalid(_l("Có thông số không hợp lệ, xin xem lại các ô được đánh dấu."), fields=errors)
    return clean


def update_profile(actor: User, values: dict, revision: int) -> DocumentProfile:
    """Saves the profile. ``revision`` is the one the admin started from: a save in between is refused (409)."""
    check_profile_admin(actor)
    clean = clean_profile(values)
    row = db.session.scalar(select(DocumentProfile).where(DocumentProfile.id == PROFILE_ID).with_for_update())
    current = row.revision if row is not None else 0
    if revision != current:
        raise Conflict(_l("Thông số vừa được người khác lưu. Xin tải lại trang rồi sửa lại."), code="stale_revision")
    before = current_profile()
    if row is None:
        row = DocumentProfile(id=PROFILE_ID, values={}, revision=0)
        db.session.add(row)
    row.values = clean
    row.revision = current + 1
    row.updated_at = now()
    row.updated_by_id = actor.id
    db.session.flush()
    changed_before = {k: v for k, v in before.items() if clean.get(k) != v}
    changed_after = {k: clean[k] for k in changed_before}
    audit(actor, "document_profile.update", row, before={"values": changed_before}, after={"values": changed_after})
    return row
