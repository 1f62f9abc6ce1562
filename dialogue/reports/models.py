"""Drafts of the free-text parts of the documents, and published versions frozen as snapshots."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db_types import UTCDateTime
from ..core.models import CreatedAt, enum_check
from ..extensions import db

DOCUMENT_KINDS: tuple[str, ...] = ("minutes", "conclusion")


class DocumentDraft(db.Model):
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


class PublishedDocument(CreatedAt, db.Model):
    """A published version: the whole content frozen, so later edits of the record do not change it."""

    __tablename__ = "published_documents"
    __table_args__ = (
        enum_check("kind", DOCUMENT_KINDS),
        UniqueConstraint("session_id", "kind", "version", name="uq_published_documents_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("dialogue_sessions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    version: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict] = mapped_column(JSON)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
