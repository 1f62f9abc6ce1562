"""What the follow-up's services accept as typed (text, dates, attachments) and what its audit entries keep: shared
by creating (``creation``) and moving (``operations``) a commitment."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from ..core import files
from ..core.errors import Invalid
from ..core.text import nfc, search_blob
from .models import Commitment

MAX_TEXT = 5000
AUDIT_FIELDS: tuple[str, ...] = (
    "status",
    "progress",
    "due_date",
    "original_due_date",
    "unit_id",
    "assignee_id",
    "priority",
    "cancel_reason",
    "result_report",
    "verified_at",
)
# Reports, minutes and photos of the work done: recognised by their first bytes, and the name must agree.
ATTACHMENT_KINDS: tuple[files.FileKind, ...] = (
    files.PDF,
    files.OFFICE,
    files.OFFICE_LEGACY,
    files.JPEG,
    files.PNG,
    files.TEXT,
)
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ATTACHMENT_FOLDER = "commitments"


def clean_text(value: str | None, field_name: str, message: Any, *, required: bool = True) -> str | None:
    """NFC, stripped, at most ``MAX_TEXT`` characters; ``message`` refuses an empty one when ``required``."""
    value = nfc(value or "") or None
    if required and not value:
        raise Invalid(message, fields={field_name: [str(_l("Bắt buộc."))]})
    if value and len(value) > MAX_TEXT:
        raise Invalid(
            _l("Nội dung quá dài (tối đa %(n)s ký tự).", n=MAX_TEXT), fields={field_name: [str(_l("Quá dài."))]}
        )
    return value


def required_text(value: str | None, field_name: str, message: Any) -> str:
    text = clean_text(value, field_name, message)
    assert text is not None  # clean_text refuses an empty required text
    return text


def as_date(value: date | str, field_name: str = "due_date") -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise Invalid(_l("Ngày không hợp lệ."), fields={field_name: [str(_l("Ngày không hợp lệ."))]}) from None


def as_progress(value: Any) -> int | None:
    if value is None:
        return None
    try:
        progress = int(value)
    except (TypeError, ValueError):
        raise Invalid(_l("Tiến độ phải là số từ 0 đến 100."), fields={"progress": ["0–100"]}) from None
    if not 0 <= progress <= 100:
        raise Invalid(_l("Tiến độ phải là số từ 0 đến 100."), fields={"progress": ["0–100"]})
    return progress


def store_attachment(upload: files.Upload | None) -> files.StoredFile | None:
    """Writes an accepted attachment (removed again if the change is not committed); None without one."""
    if upload is None:
        return None
    return files.store(
        upload,
        ATTACHMENT_FOLDER,
        ATTACHMENT_KINDS,
        max_bytes=MAX_ATTACHMENT_BYTES,
        refusal=_l("Chỉ nhận tệp PDF, Word, Excel, ảnh hoặc văn bản."),
        by_name=True,
    )


def index(commitment: Commitment) -> None:
    """The folded text the lists search."""
    commitment.search_text = search_blob(commitment.description, commitment.result_report)
