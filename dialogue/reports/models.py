"""The documents the office signs: drafts of their free text, published versions frozen as snapshots (and as the
very Word file that was signed), the register of numbers, the office's format profile, and the periodic reports."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column

from ..core.db_types import UTCDateTime
from ..core.models import CreatedAt, enum_check
from ..extensions import Model

# Documents of a session; a periodic report is a document of an issuing unit and a period.
DOCUMENT_KINDS: tuple[str, ...] = ("minutes", "conclusion")
PUBLISHED_KINDS: tuple[str, ...] = ("minutes", "conclusion", "report")
# The Party's document types and their letters in a number ("05-TB/HU").
DOCUMENT_TYPES: dict[str, str] = {"minutes": "BB", "conclusion": "TB", "report": "BC"}
TYPE_CODES: tuple[str, ...] = ("BB", "TB", "BC", "KL")
PERIOD_REPORT_KINDS: tuple[str, ...] = ("month", "quarter", "half", "nine_months", "year", "range")


class DocumentDraft(Model):
    """The clerk's free text (opening, summaries, closing, conclusions); ``revision`` guards co-editing."""

    __tablename__ = "document_drafts"
    __table_args__ = (
        enum_check("kind", DOCUMENT_KINDS),
        UniqueConstraint("session_id", "kind", name="uq_document_drafts_session_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("dialogue_sessions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class PeriodReport(CreatedAt, Model):
    """A periodic report (báo cáo định kỳ) of an issuing unit: the assessment sections the secretariat writes, as a
    draft guarded by ``revision``; its figures are computed as of the end of the period."""

    __tablename__ = "period_reports"
    __table_args__ = (
        enum_check("period_kind", PERIOD_REPORT_KINDS),
        CheckConstraint("end_date >= start_date", name="period_in_order"),
        UniqueConstraint(
            "issuing_unit_id", "period_kind", "start_date", "end_date", name="uq_period_reports_unit_period"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issuing_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    period_kind: Mapped[str] = mapped_column(String(12))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(100))  # "Quý II năm 2025"
    params: Mapped[dict] = mapped_column(JSON, default=dict)  # the period as the statistics page names it
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class DocumentNumber(CreatedAt, Model):
    """One number of the register: numbers run from 01 per issuing unit, document type and term, and a number is
    taken once (the unique constraint settles two publishes at once)."""

    __tablename__ = "document_numbers"
    __table_args__ = (
        enum_check("doc_type", TYPE_CODES),
        CheckConstraint("number > 0", name="number_positive"),
        UniqueConstraint("issuing_unit_id", "doc_type", "term", "number", name="uq_document_numbers_register"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issuing_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    doc_type: Mapped[str] = mapped_column(String(4))
    term: Mapped[str] = mapped_column(String(20))
    number: Mapped[int] = mapped_column(Integer)
    symbol: Mapped[str] = mapped_column(String(40))  # "05-TB/HU", as printed
    # What the number was taken for: a session's document, or a periodic report.
    session_id: Mapped[int | None] = mapped_column(ForeignKey("dialogue_sessions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    period_report_id: Mapped[int | None] = mapped_column(ForeignKey("period_reports.id"), index=True)
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class PublishedDocument(CreatedAt, Model):
    """A published version: the whole content frozen, and the Word file as it was signed, so later edits of the
    record, of the draft or of the format profile do not change it."""

    __tablename__ = "published_documents"
    __table_args__ = (
        enum_check("kind", PUBLISHED_KINDS),
        CheckConstraint("(session_id IS NULL) <> (period_report_id IS NULL)", name="one_owner"),
        CheckConstraint("(kind = 'report') = (period_report_id IS NOT NULL)", name="report_owner"),
        UniqueConstraint("session_id", "kind", "version", name="uq_published_documents_version"),
        UniqueConstraint("period_report_id", "version", name="uq_published_documents_report_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("dialogue_sessions.id", ondelete="CASCADE"), index=True, nullable=True
    )
    period_report_id: Mapped[int | None] = mapped_column(
        ForeignKey("period_reports.id", ondelete="CASCADE"), index=True, nullable=True
    )
    kind: Mapped[str] = mapped_column(String(12))
    version: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict] = mapped_column(JSON)
    number_id: Mapped[int | None] = mapped_column(ForeignKey("document_numbers.id"))
    docx: Mapped[bytes | None] = deferred(mapped_column(LargeBinary, nullable=True))
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class DocumentProfile(Model):
    """The office's format profile: every figure of the format rules (one row; missing values take the defaults
    of ``profile.DEFAULTS``, DOMAIN.md's)."""

    __tablename__ = "document_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    values: Mapped[dict] = mapped_column(JSON, default=dict)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class IssuerSetting(Model):
    """How a unit signs its documents, when the name alone does not say it: the abbreviation of its symbol (HU,
    ĐU, TU…) and, rarely, the superior body printed above it."""

    __tablename__ = "issuer_settings"

    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)
    symbol: Mapped[str | None] = mapped_column(String(20))
    superior_body: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
