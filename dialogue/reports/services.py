"""The documents of a session: the clerk's draft (guarded by a revision), its content over the record, and
published versions frozen as snapshots (version n+1; old versions kept), each with its number from the register,
its signing block and recipients, and the very Word file that was signed.

Services never commit: the request (or the job, or the CLI command) that calls them does.
"""

from __future__ import annotations

from datetime import date

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..audit.services import record as audit
from ..core.errors import Conflict, Invalid, NotFound
from ..core.text import nfc
from ..core.timeutil import isoformat, now, today_local
from ..extensions import db
from ..sessions.models import DialogueSession
from .issuer import issuer_of
from .models import DOCUMENT_KINDS, DOCUMENT_TYPES, DocumentDraft, PublishedDocument
from .permissions import check_editor, check_publisher
from .profile import current_profile, normalize_term
from .record import session_record, vietnamese_date_line
from .register import parse_wanted, take_number
from .signing import default_recipients, default_signing, signing_for

# Statuses in which a session has a record worth writing up.
DRAFTABLE = ("live", "ended")
FIELD_LIMIT = 20000
# The free-text parts of each document the clerk can edit (besides the per-turn, per-absentee, per-task ones).
TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "minutes": ("place", "clerk", "officials", "opening", "closing", "chair_conclusions", "approval"),
    "conclusion": ("place", "subject", "conclusions"),
}
SHORT_FIELDS = {"place": 100, "clerk": 200, "subject": 500}
# Texts keyed by a record's row: turn summaries, reasons of absence, co-operating units of a task.
KEYED_FIELDS: dict[str, tuple[str, ...]] = {"minutes": ("summaries", "absence_reasons"), "conclusion": ("cooperating",)}


def get_session(session_id: int) -> DialogueSession:
    session = db.session.get(DialogueSession, session_id)
    if session is None:
        raise NotFound(_l("Không tìm thấy buổi đối thoại."))
    return session


def check_kind(kind: str) -> None:
    if kind not in DOCUMENT_KINDS:
        raise NotFound(_l("Không có loại văn bản này."))


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


def _too_long(limit: int) -> list[str]:
    return [str(_l("Quá dài (tối đa %(n)s ký tự).", n=limit))]


def _clean_keyed(values: dict | None, allowed: set[int], prefix: str, errors: dict) -> dict:
    clean = {}
    for key, value in (values or {}).items():
        try:
            row_id = int(key)
        except (TypeError, ValueError):
            continue
        if row_id not in allowed:
            continue
        text = nfc(value or "") or ""
        if len(text) > FIELD_LIMIT:
            errors[f"{prefix}_{row_id}"] = _too_long(FIELD_LIMIT)
        if text:
            clean[str(row_id)] = text
    return clean


def _clean_fields(kind: str, fields: dict, record: dict) -> dict:
    clean: dict = {}
    errors: dict[str, list[str]] = {}
    for name in TEXT_FIELDS[kind]:
        value = nfc(fields.get(name) or "") or ""
        limit = SHORT_FIELDS.get(name, FIELD_LIMIT)
        if len(value) > limit:
            errors[name] = _too_long(limit)
        clean[name] = value
    if kind == "minutes":
        turn_ids = {t["speaker_id"] for t in record["turns"]}
        absent_ids = {a["invitation_id"] for g in record["attendance"]["by_unit"] for a in g["absentees"]}
        clean["summaries"] = _clean_keyed(fields.get("summaries"), turn_ids, "summary", errors)
        clean["absence_reasons"] = _clean_keyed(fields.get("absence_reasons"), absent_ids, "absence", errors)
    else:
        task_ids = {c["id"] for c in record["commitments"]}
        clean["cooperating"] = _clean_keyed(fields.get("cooperating"), task_ids, "cooperating", errors)
    if errors:
        raise Invalid(_l("Có phần quá dài, xin rút gọn."), fields=errors)
    return clean


def _stale() -> Conflict:
    return Conflict(
        _l(
            "Văn bản vừa được người khác lưu trong lúc bạn soạn nên chưa lưu phần của bạn. Nội dung bạn nhập "
            "vẫn còn nguyên; bản người kia đã lưu hiện dưới từng ô. Xin đối chiếu rồi bấm Lưu lần nữa."
        ),
        code="stale_revision",
    )


def save_draft(actor: User, session: DialogueSession, kind: str, fields: dict, revision: int) -> DocumentDraft:
    """Saves the clerk's text. ``revision`` is the one the editor started from: if someone saved in between,
    the save is refused (409) and nothing is overwritten; the page keeps what was typed."""
    check_kind(kind)
    check_editor(actor)
    if session.status not in DRAFTABLE:
        raise Conflict(_l("Chỉ soạn văn bản khi buổi đối thoại đang diễn ra hoặc đã kết thúc."))
    clean = _clean_fields(kind, fields, session_record(session))
    draft = get_draft(session, kind)
    stamp = now()
    if draft is None:
        if revision != 0:
            raise _stale()
        draft = DocumentDraft(
            session_id=session.id, kind=kind, fields=clean, revision=1, updated_at=stamp, updated_by_id=actor.id
        )
        try:
            with db.session.begin_nested():
                db.session.add(draft)
                db.session.flush()
        except IntegrityError as exc:  # someone saved the first draft meanwhile
            raise _stale() from exc
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
            raise _stale()
        db.session.refresh(draft)
    audit(actor, f"document.{kind}.save", draft, before=before, after={"fields": clean, "revision": draft.revision})
    return draft


def document_content(session: DialogueSession, kind: str, *, day: date | None = None) -> dict:
    """The document as it would be published now: the record with the clerk's draft laid over it, in the
    issuing unit's name, with the profile in force. Vietnamese whatever the reader's language."""
    check_kind(kind)
    with force_locale("vi"):
        return _document_content(session, kind, day)


def _document_content(session: DialogueSession, kind: str, day: date | None) -> dict:
    profile = current_profile()
    record = session_record(session)
    fields, revision = draft_fields(session, kind)
    issuer = issuer_of(session.host_unit, profile)
    place = fields.get("place") or issuer["place"]
    if day is None:
        # The minutes bear the day of the session; a notice, the day it is signed.
        day = date.fromisoformat(record["session"]["local_date"]) if kind == "minutes" else today_local()
    content = {
        "kind": kind,
        "doc_type": DOCUMENT_TYPES[kind],
        "record": record,
        "profile": profile,
        "issuer": issuer,
        "term": normalize_term(session.term) or profile["current_term"],
        "place": place,
        "date": day.isoformat(),
        "date_line": vietnamese_date_line(place, day),
        "number": None,
        "draft_revision": revision,
        "signing": default_signing(kind, record, profile),
        "recipients": default_recipients(kind, record, issuer),
    }
    if kind == "minutes":
        summaries = fields.get("summaries") or {}
        for turn in record["turns"]:
            edited = summaries.get(str(turn["speaker_id"]))
            if edited:
                turn["summary"] = edited
        chair_conclusions = fields.get("chair_conclusions") or ""
        if not chair_conclusions:
            conclusion_fields, _revision = draft_fields(session, "conclusion")
            chair_conclusions = conclusion_fields.get("conclusions", "")
        content.update(
            opening=fields.get("opening", ""),
            closing=fields.get("closing", ""),
            clerk=fields.get("clerk", ""),
            officials=fields.get("officials", ""),
            approval=fields.get("approval", ""),
            chair_conclusions=chair_conclusions,
            absence_reasons=fields.get("absence_reasons") or {},
            chair=content["signing"]["signer"],
        )
    else:
        content.update(
            subject=fields.get("subject", ""),
            conclusions=fields.get("conclusions", ""),
            cooperating=fields.get("cooperating") or {},
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


def publish(
    actor: User,
    session: DialogueSession,
    kind: str,
    *,
    signer_id: int | None = None,
    signing: str | None = None,
    recipients: list[str] | None = None,
    number=None,
    collective: str | None = None,
    title: str | None = None,
    revision: int | None = None,
) -> PublishedDocument:
    """Freezes the document as it is now as version n+1, with the next number of the register of (issuing unit,
    type, term) unless ``number`` is given (409 if it is taken), signed as chosen. ``revision``: the draft the
    publisher saw."""
    check_kind(kind)
    check_publisher(actor)
    if session.status != "ended":
        raise Conflict(_l("Chỉ ban hành văn bản sau khi buổi đối thoại đã kết thúc."))
    # One publish of a session's documents at a time: the versions are numbered under this lock.
    db.session.execute(select(DialogueSession.id).where(DialogueSession.id == session.id).with_for_update())
    _fields, current_revision = draft_fields(session, kind)
    if revision is not None and revision != current_revision:
        raise Conflict(
            _l("Văn bản vừa được sửa sau khi bạn mở trang. Xin xem lại bản mới nhất rồi ban hành."),
            code="stale_revision",
        )
    wanted = parse_wanted(number)
    content = document_content(session, kind)
    block = signing_for(
        kind,
        content,
        signer_id=signer_id,
        signing=signing,
        collective=collective,
        title=title,
        recipients=recipients,
    )
    content["signing"], content["recipients"] = block["signing"], block["recipients"]
    if kind == "minutes":
        content["chair"] = block["signing"]["signer"]
    entry = take_number(
        actor, issuer=content["issuer"], kind=kind, term=content["term"], session_id=session.id, wanted=wanted
    )
    version = (
        db.session.scalar(
            select(func.max(PublishedDocument.version)).where(
                PublishedDocument.session_id == session.id, PublishedDocument.kind == kind
            )
        )
        or 0
    ) + 1
    return _freeze(actor, content, entry, version, session_id=session.id, draft_revision=current_revision)


def _freeze(actor: User, content: dict, entry, version: int, *, draft_revision: int, **owner) -> PublishedDocument:
    """Stores the published version: content, number, and the Word file rendered once, as it is signed."""
    from .layout import render

    stamp = now()
    content["number"] = {"number": entry.number, "symbol": entry.symbol}
    content["version"] = version
    content["published_at"] = isoformat(stamp)
    content["published_by"] = actor.name
    with force_locale("vi"):
        docx = render(content)
    doc = PublishedDocument(
        kind=content["kind"],
        version=version,
        content=content,
        number_id=entry.id,
        docx=docx,
        published_by_id=actor.id,
        **owner,
    )
    try:
        with db.session.begin_nested():
            db.session.add(doc)
            db.session.flush()
    except IntegrityError as exc:
        raise Conflict(_l("Một phiên bản khác vừa được ban hành cùng lúc. Xin thử lại.")) from exc
    audit(
        actor,
        f"document.{content['kind']}.publish",
        doc,
        after={
            "version": version,
            "number": entry.symbol,
            "term": entry.term,
            "signing": content["signing"]["mode"],
            "signer": content["signing"]["signer"],
            "draft_revision": draft_revision,
        },
    )
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
