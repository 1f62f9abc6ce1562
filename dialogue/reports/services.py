"""The documents of a session: the clerk's draft (guarded by a revision), its content over the record, and
published versions frozen as snapshots (version n+1; old versions kept)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..audit.services import record as audit
from ..core.errors import Conflict, Forbidden, Invalid, NotFound
from ..core.text import nfc
from ..core.timeutil import isoformat, now
from ..extensions import db
from ..sessions.models import DialogueSession
from .models import DOCUMENT_KINDS, DocumentDraft, PublishedDocument
from .record import sanitize_number, session_record, vietnamese_date_line

READERS: tuple[str, ...] = ("organizer", "host", "secretariat")
EDITORS: tuple[str, ...] = ("organizer", "host")
# Statuses in which a session has a record worth writing up.
DRAFTABLE = ("live", "ended")

FIELD_LIMIT = 20000
# The free-text parts of each document the clerk can edit.
TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "minutes": ("place", "number", "opening", "closing", "clerk"),
    "conclusion": ("place", "number", "conclusions", "recipients", "signer"),
}

DEFAULT_RECIPIENTS = "- Như thành phần mời;\n- Các đơn vị được giao nhiệm vụ;\n- Lưu Văn phòng."


def get_session(session_id: int) -> DialogueSession:
    session = db.session.get(DialogueSession, session_id)
    if session is None:
        raise NotFound(_l("Không tìm thấy buổi đối thoại."))
    return session


def check_kind(kind: str) -> None:
    if kind not in DOCUMENT_KINDS:
        raise NotFound(_l("Không có loại văn bản này."))


def check_reader(user: User) -> None:
    if not user.has_role(*READERS):
        raise Forbidden(_l("Chỉ Văn phòng, người chủ trì và bộ phận theo dõi được xem văn bản của buổi đối thoại."))


def check_editor(user: User) -> None:
    if not user.has_role(*EDITORS):
        raise Forbidden(_l("Chỉ Văn phòng (thư ký) và người chủ trì được soạn văn bản."))


def get_draft(session: DialogueSession, kind: str) -> DocumentDraft | None:
    check_kind(kind)
    return db.session.scalar(
        select(DocumentDraft).where(DocumentDraft.session_id == session.id, DocumentDraft.kind == kind)
    )


def draft_fields(session: DialogueSession, kind: str) -> tuple[dict, int]:
    """The draft's fields (empty when none is saved yet) and its revision (0 when none)."""
    draft = get_draft(session, kind)
    if draft is None:
        return {}, 0
    return dict(draft.fields or {}), draft.revision


def _clean_fields(kind: str, fields: dict, turn_ids: set[int]) -> dict:
    clean: dict = {}
    errors: dict[str, list[str]] = {}
    for name in TEXT_FIELDS[kind]:
        value = nfc(fields.get(name) or "") or ""
        if len(value) > FIELD_LIMIT:
            errors[name] = [str(_l("Quá dài (tối đa %(n)s ký tự).", n=FIELD_LIMIT))]
        clean[name] = value
    if "number" in clean:
        clean["number"] = sanitize_number(clean["number"])[:60]
    if kind == "minutes":
        summaries = {}
        for key, value in (fields.get("summaries") or {}).items():
            try:
                speaker_id = int(key)
            except (TypeError, ValueError):
                continue
            if speaker_id not in turn_ids:
                continue
            text = nfc(value or "") or ""
            if len(text) > FIELD_LIMIT:
                errors[f"summary_{speaker_id}"] = [str(_l("Quá dài (tối đa %(n)s ký tự).", n=FIELD_LIMIT))]
            summaries[str(speaker_id)] = text
        clean["summaries"] = summaries
    if errors:
        raise Invalid(_l("Có phần quá dài, xin rút gọn."), fields=errors)
    return clean


def save_draft(actor: User, session: DialogueSession, kind: str, fields: dict, revision: int) -> DocumentDraft:
    """Saves the clerk's text. ``revision`` is the one the editor started from: if someone saved in between,
    the save is refused (409) and nothing is overwritten; the page keeps what was typed."""
    check_kind(kind)
    check_editor(actor)
    if session.status not in DRAFTABLE:
        raise Conflict(_l("Chỉ soạn văn bản khi buổi đối thoại đang diễn ra hoặc đã kết thúc."))
    record = session_record(session)
    turn_ids = {t["speaker_id"] for t in record["turns"]}
    clean = _clean_fields(kind, fields, turn_ids)
    stale = Conflict(
        _l(
            "Văn bản vừa được người khác lưu trong lúc bạn soạn nên chưa lưu phần của bạn. Nội dung bạn nhập "
            "vẫn còn nguyên; bản người kia đã lưu hiện dưới từng ô. Xin đối chiếu rồi bấm Lưu lần nữa."
        ),
        code="stale_revision",
    )
    draft = get_draft(session, kind)
    stamp = now()
    if draft is None:
        if revision != 0:
            raise stale
        draft = DocumentDraft(
            session_id=session.id, kind=kind, fields=clean, revision=1, updated_at=stamp, updated_by_id=actor.id
        )
        db.session.add(draft)
        try:
            db.session.flush()
        except IntegrityError as exc:
            raise stale from exc
        before = None
    else:
        before = {"fields": draft.fields, "revision": draft.revision}
        result = db.session.execute(
            update(DocumentDraft)
            .where(DocumentDraft.id == draft.id, DocumentDraft.revision == revision)
            .values(fields=clean, revision=DocumentDraft.revision + 1, updated_at=stamp, updated_by_id=actor.id)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise stale
        db.session.refresh(draft)
    audit(actor, f"document.{kind}.save", draft, before=before, after={"fields": clean, "revision": draft.revision})
    return draft


def document_content(session: DialogueSession, kind: str, record: dict | None = None) -> dict:
    """The document as it would be published now: the record with the clerk's draft laid over it."""
    check_kind(kind)
    record = record if record is not None else session_record(session)
    fields, revision = draft_fields(session, kind)
    place = fields.get("place") or record["session"]["default_place"]
    day = date.fromisoformat(record["session"]["local_date"])
    content = {
        "kind": kind,
        "record": record,
        "place": place,
        "number": fields.get("number", ""),
        "date_line": vietnamese_date_line(place, day),
        "draft_revision": revision,
    }
    chair_names = ", ".join(c["name"] for c in record["chairs"])
    if kind == "minutes":
        summaries = fields.get("summaries") or {}
        for turn in record["turns"]:
            edited = summaries.get(str(turn["speaker_id"]))
            if edited:
                turn["summary"] = edited
        content.update(
            opening=fields.get("opening", ""),
            closing=fields.get("closing", ""),
            clerk=fields.get("clerk", ""),
            chair=chair_names,
        )
    else:
        content.update(
            conclusions=fields.get("conclusions", ""),
            recipients=fields.get("recipients") or DEFAULT_RECIPIENTS,
            signer=fields.get("signer") or (record["chairs"][0]["name"] if record["chairs"] else ""),
        )
    return content


def published_versions(session: DialogueSession, kind: str) -> list[PublishedDocument]:
    check_kind(kind)
    return list(
        db.session.scalars(
            select(PublishedDocument)
            .where(PublishedDocument.session_id == session.id, PublishedDocument.kind == kind)
            .order_by(PublishedDocument.version.desc())
        )
    )


def get_version(session: DialogueSession, kind: str, version: int) -> PublishedDocument:
    check_kind(kind)
    doc = db.session.scalar(
        select(PublishedDocument).where(
            PublishedDocument.session_id == session.id,
            PublishedDocument.kind == kind,
            PublishedDocument.version == version,
        )
    )
    if doc is None:
        raise NotFound(_l("Không có phiên bản này."))
    return doc


def latest_published(session: DialogueSession, kind: str) -> PublishedDocument | None:
    check_kind(kind)
    return db.session.scalar(
        select(PublishedDocument)
        .where(PublishedDocument.session_id == session.id, PublishedDocument.kind == kind)
        .order_by(PublishedDocument.version.desc())
        .limit(1)
    )


def current_document(session: DialogueSession, kind: str) -> tuple[dict, PublishedDocument | None]:
    """What the download gives: the latest published version, else the current draft over the record."""
    doc = latest_published(session, kind)
    if doc is not None:
        return doc.content, doc
    return document_content(session, kind), None


def publish(actor: User, session: DialogueSession, kind: str, revision: int | None = None) -> PublishedDocument:
    """Freezes the document as it is now as version n+1. ``revision``: the draft the publisher saw."""
    check_kind(kind)
    check_editor(actor)
    if session.status != "ended":
        raise Conflict(_l("Chỉ ban hành văn bản sau khi buổi đối thoại đã kết thúc."))
    _fields, current_revision = draft_fields(session, kind)
    if revision is not None and revision != current_revision:
        raise Conflict(
            _l("Văn bản vừa được sửa sau khi bạn mở trang. Xin xem lại bản mới nhất rồi ban hành."),
            code="stale_revision",
        )
    content = document_content(session, kind)
    version = (
        db.session.scalar(
            select(func.max(PublishedDocument.version)).where(
                PublishedDocument.session_id == session.id, PublishedDocument.kind == kind
            )
        )
        or 0
    ) + 1
    content["version"] = version
    content["published_at"] = isoformat(now())
    content["published_by"] = actor.name
    doc = PublishedDocument(
        session_id=session.id, kind=kind, version=version, content=content, published_by_id=actor.id
    )
    db.session.add(doc)
    try:
        db.session.flush()
    except IntegrityError as exc:
        raise Conflict(_l("Một phiên bản khác vừa được ban hành cùng lúc. Xin thử lại.")) from exc
    audit(actor, f"document.{kind}.publish", doc, after={"version": version, "draft_revision": current_revision})
    return doc


def documents_home(user: User) -> dict:
    """The home page's list for the clerk and the hosts: the latest ended sessions and whether their minutes
    and conclusion notice are published (two queries, whatever the number of sessions)."""
    sessions = list(
        db.session.scalars(
            select(DialogueSession)
            .where(DialogueSession.status == "ended")
            .order_by(DialogueSession.starts_at.desc(), DialogueSession.id.desc())
            .limit(5)
        ).unique()
    )
    published: dict[tuple[int, str], int] = {}
    if sessions:
        for session_id, kind, version in db.session.execute(
            select(PublishedDocument.session_id, PublishedDocument.kind, func.max(PublishedDocument.version))
            .where(PublishedDocument.session_id.in_([s.id for s in sessions]))
            .group_by(PublishedDocument.session_id, PublishedDocument.kind)
        ):
            published[(session_id, kind)] = version
    return {
        "rows": [
            {
                "session": s,
                "minutes": published.get((s.id, "minutes")),
                "conclusion": published.get((s.id, "conclusion")),
            }
            for s in sessions
        ]
    }
