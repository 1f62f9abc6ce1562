"""The register of numbers (sổ đăng ký văn bản): numbers run from 01 per issuing unit, document type and term, and
are taken when a document is published.

Two publishes at once must never print the same number. The unique constraint on (unit, type, term, number)
decides: each attempt inserts its number inside a savepoint; the loser of a race (on PostgreSQL it waits on the
index until the winner commits) sees the constraint fail, reads the new highest number and tries the next one.
A number typed by the publisher is taken only if it is free, or already belongs to the same document (a new
version of a document may keep its number)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..core.errors import Conflict, Invalid
from ..extensions import db
from .models import DOCUMENT_TYPES, DocumentNumber

MAX_NUMBER = 99999
ATTEMPTS = 20


def symbol_of(number: int, doc_type: str, unit_symbol: str) -> str:
    """ "05-TB/HU": two digits at least, the type, and the issuer's abbreviation."""
    text = f"{number:02d}-{doc_type}"
    return f"{text}/{unit_symbol}" if unit_symbol else text


def blank_symbol(doc_type: str, unit_symbol: str) -> str:
    """What a draft shows where the number will be: "     -BB/HU"."""
    text = "\u00a0" * 6 + f"-{doc_type}"
    return f"{text}/{unit_symbol}" if unit_symbol else text


def parse_wanted(value) -> int | None:
    """A number typed by the publisher: empty means "the next one"."""
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise Invalid(_l("Số văn bản phải là số nguyên dương."), fields={"number": [str(_l("Phải là số."))]}) from None
    if not 1 <= number <= MAX_NUMBER:
        raise Invalid(
            _l("Số văn bản phải từ 1 đến %(n)s.", n=MAX_NUMBER), fields={"number": [str(_l("Ngoài khoảng."))]}
        )
    return number


def _owner_matches(row: DocumentNumber, kind: str, session_id: int | None, period_report_id: int | None) -> bool:
    return row.kind == kind and row.session_id == session_id and row.period_report_id == period_report_id


def _find(unit_id: int, doc_type: str, term: str, number: int) -> DocumentNumber | None:
    return db.session.scalar(
        select(DocumentNumber).where(
            DocumentNumber.issuing_unit_id == unit_id,
            DocumentNumber.doc_type == doc_type,
            DocumentNumber.term == term,
            DocumentNumber.number == number,
        )
    )


def _insert(row: DocumentNumber) -> bool:
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        return False
    return True


def take_number(
    actor: User,
    *,
    issuer: dict,
    kind: str,
    term: str,
    session_id: int | None = None,
    period_report_id: int | None = None,
    wanted: int | None = None,
) -> DocumentNumber:
    """The number of a document being published (see the module's doc). 409 when a typed number is taken."""
    doc_type = DOCUMENT_TYPES[kind]
    unit_id = issuer["unit_id"]
    if unit_id is None:
        raise Conflict(_l("Văn bản chưa có cơ quan ban hành nên chưa lấy số được."))

    def new_row(number: int) -> DocumentNumber:
        return DocumentNumber(
            issuing_unit_id=unit_id,
            doc_type=doc_type,
            term=term,
            number=number,
            symbol=symbol_of(number, doc_type, issuer["symbol"]),
            session_id=session_id,
            kind=kind,
            period_report_id=period_report_id,
            taken_by_id=actor.id,
        )

    def taken_message(row: DocumentNumber):
        return Conflict(
            _l(
                "Số %(symbol)s (nhiệm kỳ %(term)s) đã được dùng cho văn bản khác. Xin để trống để lấy số tiếp "
                "theo, hoặc nhập số khác.",
                symbol=row.symbol,
                term=term,
            ),
            fields={"number": [str(_l("Số đã được dùng."))]},
            code="number_taken",
        )

    if wanted is not None:
        existing = _find(unit_id, doc_type, term, wanted)
        if existing is not None:
            if _owner_matches(existing, kind, session_id, period_report_id):
                return existing
            raise taken_message(existing)
        row = new_row(wanted)
        if _insert(row):
            return row
        existing = _find(unit_id, doc_type, term, wanted)
        if existing is not None and _owner_matches(existing, kind, session_id, period_report_id):
            return existing
        raise taken_message(existing or row)

    for _attempt in range(ATTEMPTS):
        highest = db.session.scalar(
            select(func.max(DocumentNumber.number)).where(
                DocumentNumber.issuing_unit_id == unit_id,
                DocumentNumber.doc_type == doc_type,
                DocumentNumber.term == term,
            )
        )
        row = new_row((highest or 0) + 1)
        if _insert(row):
            return row
    raise Conflict(_l("Nhiều văn bản đang được ban hành cùng lúc. Xin thử lại."), code="number_busy")


def numbers_of(unit_id: int, term: str | None = None, limit: int = 50) -> list[DocumentNumber]:
    """The latest numbers of a unit's register (the register page)."""
    stmt = select(DocumentNumber).where(DocumentNumber.issuing_unit_id == unit_id)
    if term:
        stmt = stmt.where(DocumentNumber.term == term)
    return list(db.session.scalars(stmt.order_by(DocumentNumber.id.desc()).limit(limit)))
