"""Submissions (câu hỏi, ý kiến, kiến nghị, đề xuất): intake by invitees, moderation by the organizer, support.

Statuses: ``submitted`` (waiting for moderation) → ``accepted`` (on the agenda, visible to every invitee) or
``returned`` (with a reason the author sees; the author may edit and send again while the window is open) or
``merged`` (points to the one kept; both authors stay credited). The author may ``withdraw`` until the deadline.
``answered`` is set by the responses area.
"""

from __future__ import annotations

import io
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.orm import aliased

from ..accounts.models import User
from ..audit.services import record, snapshot
from ..core.after_commit import after_commit, after_rollback
from ..core.errors import Conflict, Forbidden, Invalid, NotFound
from ..core.inputs import file_name
from ..core.labels import label
from ..core.pagination import page_of as core_page_of
from ..core.text import fold, like_pattern, nfc, search_blob
from ..core.timeutil import format_datetime, now
from ..extensions import db
from ..notifications.services import notify, send_mail_after_commit
from ..sessions import services as sessions
from ..sessions.livestate import state_changed
from ..sessions.models import DialogueSession
from ..units.services import descendant_ids
from .models import QUESTION_KINDS, QUESTION_STATUSES, Question, QuestionSupport

QUESTION_FIELDS = ("kind", "topic", "body", "status", "reason", "duplicate_of_id", "assignee_id", "position")
PUBLIC_STATUSES = ("accepted", "answered")  # what other invitees may see
OPEN_STATUSES = ("submitted", "accepted")  # candidates for duplicates and merging
MAX_BODY = 5000
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
# Accepted types, recognised by their first bytes (never by the name or the browser's word for it).
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)


def _path(endpoint: str, **values) -> str:
    return sessions._path(endpoint, **values)


# Reading and permissions -------------------------------------------------------------------------------------


def get_question(question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None:
        raise NotFound(_l("Không tìm thấy ý kiến."))
    return question


def can_moderate(user) -> bool:
    return sessions.can_manage(user)


def can_see(user, question: Question, session: DialogueSession | None = None) -> bool:
    """Staff and the author always; other invitees once it is accepted; an author whose submission was merged
    into it, too."""
    if not getattr(user, "is_authenticated", False):
        return False
    if question.author_id == user.id or sessions.is_staff(user):
        return True
    session = session or sessions.get_session(question.session_id)
    if not sessions.can_view(user, session):
        return False
    if question.status in PUBLIC_STATUSES:
        return True
    return bool(
        db.session.scalar(
            select(Question.id).where(Question.duplicate_of_id == question.id, Question.author_id == user.id).limit(1)
        )
    )


def require_see(user, question: Question) -> None:
    if not can_see(user, question):
        raise Forbidden(_l("Bạn không được xem ý kiến này."))


def _require_moderator(user) -> None:
    if not can_moderate(user):
        raise Forbidden(_l("Chỉ bộ phận tổ chức mới được xử lý ý kiến."))


def _require_window(session: DialogueSession) -> None:
    status = sessions.effective_status(session)
    if status == "open":
        return
    if status == "draft":
        raise Conflict(_l("Buổi đối thoại chưa mở nhận câu hỏi."), code="not_open")
    raise Conflict(
        _l(
            "Đã hết hạn gửi câu hỏi (hạn chót %(deadline)s). Ý kiến không được ghi nhận.",
            deadline=format_datetime(session.questions_close_at),
        ),
        code="deadline_passed",
    )


def _snapshot(question: Question) -> dict:
    return snapshot(question, QUESTION_FIELDS)


def _index(question: Question, author: User) -> None:
    question.search_text = search_blob(question.topic, question.body, author.name)


def _clean(kind: str | None, topic: str | None, body: str | None, session: DialogueSession) -> tuple[str, str, str]:
    errors: dict[str, list[str]] = {}
    if kind not in QUESTION_KINDS:
        errors["kind"] = [str(_l("Xin chọn loại ý kiến."))]
    topic = nfc(topic or "") or session.topic
    if len(topic) > 300:
        errors["topic"] = [str(_l("Tối đa %(n)s ký tự.", n=300))]
    body = nfc(body or "") or ""
    if not body:
        errors["body"] = [str(_l("Xin nhập nội dung."))]
    elif len(body) > MAX_BODY:
        errors["body"] = [str(_l("Tối đa %(n)s ký tự.", n=MAX_BODY))]
    if errors:
        raise Invalid(_l("Xin kiểm tra lại các ô được đánh dấu."), fields=errors)
    return kind, topic, body


# Attachments --------------------------------------------------------------------------------------------------


@dataclass
class Upload:
    """A file as received: its bytes and the name the sender gave it."""

    data: bytes
    filename: str


def _check_upload(upload: Upload) -> tuple[str, str]:
    if len(upload.data) == 0:
        raise Invalid(_l("Tệp đính kèm rỗng."), fields={"attachment": [str(_l("Tệp rỗng."))]})
    if len(upload.data) > MAX_ATTACHMENT_BYTES:
        raise Invalid(_l("Tệp đính kèm quá lớn (tối đa 5 MB)."), fields={"attachment": [str(_l("Tối đa 5 MB."))]})
    for magic, mime, ext in SIGNATURES:
        if upload.data.startswith(magic):
            return mime, ext
    raise Invalid(
        _l("Chỉ nhận tệp PDF hoặc ảnh JPEG, PNG."), fields={"attachment": [str(_l("Loại tệp không được nhận."))]}
    )


def _store(question: Question, upload: Upload) -> None:
    mime, ext = _check_upload(upload)
    folder = Path(current_app.config["UPLOAD_DIR"]) / "questions"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}.{ext}"
    written = folder / name
    written.write_bytes(upload.data)
    after_rollback(lambda: written.unlink(missing_ok=True))  # no question keeps it if the transaction fails
    old = question.attachment_path
    question.attachment_path = f"questions/{name}"
    question.attachment_name = (nfc(os.path.basename(file_name(upload.filename))) or f"tep-dinh-kem.{ext}")[:300]
    question.attachment_type = mime
    question.attachment_size = len(upload.data)
    if old:
        _unlink_after_commit(old)


def _unlink_after_commit(relative: str) -> None:
    path = attachment_path(relative)
    after_commit(lambda: path.unlink(missing_ok=True))


def attachment_path(relative: str) -> Path:
    root = Path(current_app.config["UPLOAD_DIR"]).resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise NotFound(_l("Không tìm thấy tệp."))
    return path


def attachment_for(user, question: Question) -> tuple[Path, str, str]:
    """The stored file of a question, only for people allowed to see the question."""
    require_see(user, question)
    if not question.attachment_path:
        raise NotFound(_l("Ý kiến này không có tệp đính kèm."))
    path = attachment_path(question.attachment_path)
    if not path.exists():
        raise NotFound(_l("Không tìm thấy tệp."))
    return path, question.attachment_name or path.name, question.attachment_type or "application/octet-stream"


# Intake ---------------------------------------------------------------------------------------------------------


def submit_question(
    actor: User,
    session: DialogueSession,
    *,
    kind: str,
    topic: str | None,
    body: str,
    attachment: Upload | None = None,
) -> tuple[Question, bool]:
    """An invitee sends a submission. Returns ``(question, created)``: the same text sent again by the same author
    to the same session returns the one that exists (``created`` is False)."""
    invitation = sessions.invitation_for(session.id, actor.id)
    if invitation is None or session.status == "draft":
        raise Forbidden(_l("Bạn không được mời tham dự buổi đối thoại này nên không thể gửi ý kiến."))
    _require_window(session)
    kind, topic, body = _clean(kind, topic, body, session)
    folded = fold(body)
    for existing in db.session.scalars(
        select(Question).where(
            Question.session_id == session.id, Question.author_id == actor.id, Question.status != "withdrawn"
        )
    ):
        if fold(existing.body) == folded:
            return existing, False
    question = Question(
        session_id=session.id,
        author_id=actor.id,
        unit_id=invitation.unit_id or actor.unit_id,
        kind=kind,
        topic=topic,
        body=body,
        status="submitted",
    )
    _index(question, actor)
    if attachment is not None:
        _store(question, attachment)
    db.session.add(question)
    db.session.flush()
    record(actor, "question.submit", question, after=_snapshot(question))
    return question, True


def edit_question(
    actor: User,
    question: Question,
    *,
    kind: str | None = None,
    topic: str | None = None,
    body: str | None = None,
    attachment: Upload | None = None,
    remove_attachment: bool = False,
) -> Question:
    """The author corrects their submission while the window is open; a returned one goes back to moderation."""
    if question.author_id != actor.id:
        raise Forbidden(_l("Chỉ người gửi mới được sửa ý kiến này."))
    if question.status not in ("submitted", "returned"):
        raise Conflict(
            _l(
                "Ý kiến đang ở trạng thái “%(s)s” nên không sửa được nữa.",
                s=label("question_status", question.status),
            )
        )
    session = sessions.get_session(question.session_id)
    _require_window(session)
    kind, topic, body = _clean(
        kind or question.kind,
        topic if topic is not None else question.topic,
        body if body is not None else question.body,
        session,
    )
    before = _snapshot(question)
    question.kind, question.topic, question.body = kind, topic, body
    if question.status == "returned":
        question.status = "submitted"
        question.reason = None
    if attachment is not None:
        _store(question, attachment)
    elif remove_attachment and question.attachment_path:
        _unlink_after_commit(question.attachment_path)
        question.attachment_path = question.attachment_name = question.attachment_type = None
        question.attachment_size = None
    question.updated_at = now()
    _index(question, actor)
    record(actor, "question.edit", question, before=before, after=_snapshot(question))
    return question


def withdraw_question(actor: User, question: Question) -> Question:
    if question.author_id != actor.id:
        raise Forbidden(_l("Chỉ người gửi mới được rút ý kiến này."))
    if question.status not in ("submitted", "returned", "accepted"):
        raise Conflict(
            _l("Ý kiến đang ở trạng thái “%(s)s” nên không rút được.", s=label("question_status", question.status))
        )
    _require_window(sessions.get_session(question.session_id))
    before = _snapshot(question)
    question.status = "withdrawn"
    question.position = None
    question.updated_at = now()
    record(actor, "question.withdraw", question, before=before, after=_snapshot(question))
    if before["status"] == "accepted":
        state_changed(question.session_id)  # it leaves the agenda the live screens show
    return question


# Moderation ------------------------------------------------------------------------------------------------------


def _moderation_session(question: Question) -> DialogueSession:
    session = sessions.get_session(question.session_id)
    if session.status == "ended":
        raise Conflict(_l("Buổi đối thoại đã kết thúc; không thể xử lý thêm ý kiến."))
    return session


def _tell_author(question: Question, text: str, mail_subject: str | None = None) -> None:
    link = _path("questions.detail", question_id=question.id)
    notify(question.author_id, text, link)
    if mail_subject and question.author.email:
        base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
        send_mail_after_commit(question.author.email, mail_subject, f"{text}\n\n{base}{link}")


def _next_position(session_id: int) -> int:
    top = db.session.scalar(
        select(func.max(Question.position)).where(Question.session_id == session_id, Question.status == "accepted")
    )
    return (top or 0) + 1


def accept_question(actor: User, question: Question) -> Question:
    _require_moderator(actor)
    _moderation_session(question)
    if question.status not in ("submitted", "returned"):
        raise Conflict(
            _l("Không thể tiếp nhận ý kiến ở trạng thái “%(s)s”.", s=label("question_status", question.status))
        )
    before = _snapshot(question)
    question.status = "accepted"
    question.reason = None
    question.position = _next_position(question.session_id)
    record(actor, "question.accept", question, before=before, after=_snapshot(question))
    state_changed(question.session_id)  # it joins the agenda the live screens show
    _tell_author(question, _("Ý kiến #%(id)s của đồng chí đã được tiếp nhận vào chương trình.", id=question.id))
    return question


def return_question(actor: User, question: Question, reason: str | None) -> Question:
    _require_moderator(actor)
    _moderation_session(question)
    reason = nfc(reason or "") or ""
    if not reason:
        raise Invalid(_l("Xin ghi lý do trả lại để người gửi biết."), fields={"reason": [str(_l("Bắt buộc."))]})
    if question.status not in ("submitted", "accepted"):
        raise Conflict(
            _l("Không thể trả lại ý kiến ở trạng thái “%(s)s”.", s=label("question_status", question.status))
        )
    before = _snapshot(question)
    question.status = "returned"
    question.reason = reason[:2000]
    question.position = None
    record(actor, "question.return", question, before=before, after=_snapshot(question))
    if before["status"] == "accepted":
        state_changed(question.session_id)
    _tell_author(
        question,
        _("Ý kiến #%(id)s của đồng chí được trả lại. Lý do: %(reason)s", id=question.id, reason=question.reason),
        mail_subject=_("Ý kiến của đồng chí được trả lại"),
    )
    return question


def merge_question(actor: User, question: Question, into: Question) -> Question:
    """Merges ``question`` into ``into`` (the one kept): it points there, its author stays credited on the kept
    one, its supporters carry over, and its author is told."""
    _require_moderator(actor)
    _moderation_session(question)
    if into.id == question.id:
        raise Conflict(_l("Không thể gộp một ý kiến vào chính nó."), fields={"duplicate_of": [str(_l("Trùng."))]})
    if into.session_id != question.session_id:
        raise Conflict(
            _l("Chỉ gộp các ý kiến trong cùng một buổi đối thoại."), fields={"duplicate_of": [str(_l("Khác buổi."))]}
        )
    if question.status not in (*OPEN_STATUSES, "returned"):
        raise Conflict(_l("Không thể gộp ý kiến ở trạng thái “%(s)s”.", s=label("question_status", question.status)))
    if into.status not in (*OPEN_STATUSES, "answered"):
        raise Conflict(
            _l(
                "Ý kiến được giữ lại (#%(id)s) đang ở trạng thái “%(s)s”; hãy chọn một ý kiến khác.",
                id=into.id,
                s=label("question_status", into.status),
            ),
            fields={"duplicate_of": [str(_l("Không hợp lệ."))]},
        )
    before = _snapshot(question)
    question.status = "merged"
    question.duplicate_of_id = into.id
    question.position = None
    # Anything merged earlier into this one now points to the one kept: no chains.
    for earlier in db.session.scalars(select(Question).where(Question.duplicate_of_id == question.id)):
        earlier.duplicate_of_id = into.id
    supporters = set(
        db.session.scalars(select(QuestionSupport.user_id).where(QuestionSupport.question_id == question.id))
    )
    already = set(db.session.scalars(select(QuestionSupport.user_id).where(QuestionSupport.question_id == into.id)))
    for user_id in supporters - already - {into.author_id}:
        db.session.add(QuestionSupport(question_id=into.id, user_id=user_id))
    db.session.execute(delete(QuestionSupport).where(QuestionSupport.question_id == question.id))
    record(actor, "question.merge", question, before=before, after=_snapshot(question))
    if before["status"] == "accepted":
        state_changed(question.session_id)
    _tell_author(
        question,
        _(
            "Ý kiến #%(id)s của đồng chí trùng nội dung nên đã được gộp vào ý kiến #%(into)s; đồng chí vẫn được ghi"
            " nhận là người nêu ý kiến.",
            id=question.id,
            into=into.id,
        ),
        mail_subject=_("Ý kiến của đồng chí đã được gộp"),
    )
    return question


ASSIGNEE_ROLES = ("host", "organizer", "secretariat", "unit", "admin")


def assign_question(actor: User, question: Question, assignee_id: int | None) -> Question:
    """Names who should answer (a host, or a responsible unit's account); ``None`` clears it."""
    _require_moderator(actor)
    _moderation_session(question)
    if question.status in ("merged", "withdrawn"):
        raise Conflict(
            _l("Không thể phân công ý kiến ở trạng thái “%(s)s”.", s=label("question_status", question.status))
        )
    if assignee_id is not None:
        assignee = db.session.get(User, assignee_id)
        if assignee is None or not assignee.active or not assignee.has_role(*ASSIGNEE_ROLES):
            raise Invalid(
                _l("Người được phân công phải là lãnh đạo chủ trì hoặc đơn vị, cán bộ có trách nhiệm."),
                fields={"assignee_id": [str(_l("Không hợp lệ."))]},
            )
    before = _snapshot(question)
    question.assignee_id = assignee_id
    record(actor, "question.assign", question, before=before, after=_snapshot(question))
    return question


def assignee_choices() -> list[User]:
    from ..accounts.models import UserRole

    stmt = (
        select(User)
        .where(User.active.is_(True), User.roles.any(UserRole.role.in_(("host", "unit", "secretariat"))))
        .order_by(User.name)
    )
    return list(db.session.scalars(stmt))


def agenda(session: DialogueSession) -> list[Question]:
    stmt = (
        select(Question)
        .where(Question.session_id == session.id, Question.status.in_(PUBLIC_STATUSES))
        .order_by(Question.position.is_(None), Question.position, Question.id)
    )
    return list(db.session.scalars(stmt).unique())


def reorder_questions(actor: User, session: DialogueSession, ordered_ids: list[int]) -> list[Question]:
    """Puts the accepted submissions in this agenda order (1, 2, 3...); ids not named keep their relative order
    after the named ones."""
    _require_moderator(actor)
    if session.status == "ended":
        raise Conflict(_l("Buổi đối thoại đã kết thúc; không thể xử lý thêm ý kiến."))
    current = [q for q in agenda(session) if q.status == "accepted"]
    by_id = {q.id: q for q in current}
    unknown = [i for i in ordered_ids if i not in by_id]
    if unknown:
        raise Conflict(_l("Chỉ sắp xếp các ý kiến đã tiếp nhận của buổi này."), fields={"position": [str(unknown[0])]})
    seen = set()
    order = []
    for i in ordered_ids + [q.id for q in current]:
        if i not in seen:
            seen.add(i)
            order.append(by_id[i])
    before = {q.id: q.position for q in current}
    for index, q in enumerate(order, start=1):
        q.position = index
    after = {q.id: q.position for q in order}
    if after != before:
        record(actor, "question.reorder", session, before={"positions": before}, after={"positions": after})
        state_changed(session.id)
    return order


def set_position(actor: User, question: Question, position: int) -> Question:
    """Moves an accepted submission to ``position`` (1 = first) in the agenda."""
    if question.status != "accepted":
        raise Conflict(_l("Chỉ ý kiến đã tiếp nhận mới có thứ tự trong chương trình."))
    session = sessions.get_session(question.session_id)
    ids = [q.id for q in agenda(session) if q.status == "accepted" and q.id != question.id]
    position = max(1, min(int(position), len(ids) + 1))
    ids.insert(position - 1, question.id)
    reorder_questions(actor, session, ids)
    return question


def move_question(actor: User, question: Question, delta: int) -> Question:
    if question.status != "accepted":
        raise Conflict(_l("Chỉ ý kiến đã tiếp nhận mới có thứ tự trong chương trình."))
    session = sessions.get_session(question.session_id)
    ids = [q.id for q in agenda(session) if q.status == "accepted"]
    index = ids.index(question.id)
    return set_position(actor, question, max(1, index + 1 + delta))


# Support -----------------------------------------------------------------------------------------------------------


def support_question(actor: User, question: Question, supported: bool = True) -> int:
    """An invitee backs (or stops backing) an accepted submission: one support per person. Returns the count."""
    session = sessions.get_session(question.session_id)
    if not session.allow_support:
        raise Conflict(_l("Buổi đối thoại này không dùng chức năng ủng hộ ý kiến."))
    if sessions.invitation_for(session.id, actor.id) is None or session.status == "draft":
        raise Forbidden(_l("Chỉ người được mời mới ủng hộ được ý kiến."))
    if question.status != "accepted":
        raise Conflict(_l("Chỉ ủng hộ được ý kiến đã được tiếp nhận."))
    if question.author_id == actor.id:
        raise Conflict(_l("Không thể tự ủng hộ ý kiến của mình."))
    if session.status == "ended":
        raise Conflict(_l("Buổi đối thoại đã kết thúc."))
    existing = db.session.scalar(
        select(QuestionSupport).where(QuestionSupport.question_id == question.id, QuestionSupport.user_id == actor.id)
    )
    if supported and existing is None:
        db.session.add(QuestionSupport(question_id=question.id, user_id=actor.id))
        record(actor, "question.support", question, after={"supported": True})
    elif not supported and existing is not None:
        db.session.delete(existing)
        record(actor, "question.unsupport", question, after={"supported": False})
    return supporter_counts([question.id]).get(question.id, 0)


def supporter_counts(question_ids: list[int]) -> dict[int, int]:
    if not question_ids:
        return {}
    return dict(
        db.session.execute(
            select(QuestionSupport.question_id, func.count(QuestionSupport.id))
            .where(QuestionSupport.question_id.in_(question_ids))
            .group_by(QuestionSupport.question_id)
        ).all()
    )


def supported_by(user: User, question_ids: list[int]) -> set[int]:
    if not question_ids:
        return set()
    return set(
        db.session.scalars(
            select(QuestionSupport.question_id).where(
                QuestionSupport.question_id.in_(question_ids), QuestionSupport.user_id == user.id
            )
        )
    )


def merged_authors(question_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """For each kept submission, the authors of those merged into it: they stay credited."""
    if not question_ids:
        return {}
    merged = aliased(Question)
    rows = db.session.execute(
        select(merged.duplicate_of_id, merged.id, User.name)
        .join(User, merged.author_id == User.id)
        .where(merged.duplicate_of_id.in_(question_ids), merged.status == "merged")
        .order_by(merged.id)
    )
    out: dict[int, list[tuple[int, str]]] = {}
    for kept_id, merged_id, name in rows:
        out.setdefault(kept_id, []).append((merged_id, name))
    return out


# Lists -----------------------------------------------------------------------------------------------------------


def visible_stmt(user, session: DialogueSession, filters: dict[str, Any] | None = None):
    """Submissions of ``session`` this person may see, filtered: staff see all; an invitee their own and the
    accepted ones."""
    sessions.require_view(user, session)
    filters = filters or {}
    stmt = select(Question).where(Question.session_id == session.id)
    if not sessions.is_staff(user):
        stmt = stmt.where((Question.author_id == user.id) | Question.status.in_(PUBLIC_STATUSES))
    if filters.get("status") in QUESTION_STATUSES:
        stmt = stmt.where(Question.status == filters["status"])
    if filters.get("kind") in QUESTION_KINDS:
        stmt = stmt.where(Question.kind == filters["kind"])
    if filters.get("unit_id"):
        stmt = stmt.where(Question.unit_id.in_(descendant_ids([int(filters["unit_id"])])))
    if filters.get("topic"):
        from .topics import spellings_of  # the topic's group: "Bieu mau" finds "Biểu mẫu"

        stmt = stmt.where(Question.topic.in_(spellings_of(session.id, nfc(filters["topic"]))))
    if filters.get("author_id"):
        stmt = stmt.where(Question.author_id == int(filters["author_id"]))
    if filters.get("q"):
        stmt = stmt.where(Question.search_text.like(like_pattern(filters["q"]), escape="\\"))
    if filters.get("order") == "agenda":
        return stmt.order_by(Question.position.is_(None), Question.position, Question.id)
    if filters.get("order") == "newest":
        return stmt.order_by(Question.created_at.desc(), Question.id.desc())
    return stmt.order_by(Question.id)


def page_of(stmt, page: int = 1, per_page: int = 50) -> dict:
    """A page of submissions with their supporter counts and credited co-authors: four queries whatever the size."""
    result = core_page_of(stmt, page, per_page)
    page, total, items = result["page"], result["total"], result["items"]
    ids = [q.id for q in items]
    return {
        "items": items,
        "page": page,
        "per_page": per_page,
        "total": total,
        "supporters": supporter_counts(ids),
        "co_authors": merged_authors(ids),
    }


def topics_of(session: DialogueSession) -> list[str]:
    """The session's topics, one per group of spellings (``topics``), the largest first."""
    from .topics import groups_of

    return [group["name"] for group in groups_of(session.id)]


def duplicate_suggestions(session: DialogueSession, questions: list[Question], limit: int = 3) -> dict[int, list]:
    """Likely duplicates of each given submission among the session's open ones, as (id, score in %), best first:
    the same request in other words or without accents (``similarity``). One query for the candidates."""
    from . import similarity

    wanted = [q for q in questions if q.status in (*OPEN_STATUSES, "returned")]
    if not wanted:
        return {}
    rows = db.session.execute(
        select(Question.id, Question.body).where(Question.session_id == session.id, Question.status.in_(OPEN_STATUSES))
    ).all()
    return similarity.duplicates({q.id: q.body for q in wanted}, {row.id: row.body for row in rows}, limit=limit)


# Export ----------------------------------------------------------------------------------------------------------

EXPORT_HEADERS = (
    "STT",
    "Mã",
    "Loại",
    "Chủ đề",
    "Nội dung",
    "Người gửi",
    "Đơn vị",
    "Trạng thái",
    "Lý do trả lại",
    "Gộp vào",
    "Người trả lời",
    "Thứ tự",
    "Lượt ủng hộ",
    "Tệp đính kèm",
    "Thời gian gửi",
)


def export_xlsx(user, session: DialogueSession) -> bytes:
    """Every submission of the session as an Excel sheet with Vietnamese headers (staff only)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from ..core.spreadsheet import xlsx_row

    if not sessions.is_staff(user):
        raise Forbidden(_l("Bạn không có quyền xuất danh sách ý kiến."))
    items = list(
        db.session.scalars(select(Question).where(Question.session_id == session.id).order_by(Question.id)).unique()
    )
    counts = supporter_counts([q.id for q in items])
    wb = Workbook()
    ws = wb.active
    ws.title = "Ý kiến"
    ws.append(xlsx_row(ws, [session.title]))
    ws.append(xlsx_row(ws, [f"{session.topic} · {format_datetime(session.starts_at)} · {session.venue}"]))
    ws.append(xlsx_row(ws, EXPORT_HEADERS))
    for cell in ws[3]:
        cell.font = Font(bold=True)
    ws["A1"].font = Font(bold=True, size=13)
    for index, q in enumerate(items, start=1):
        ws.append(
            xlsx_row(
                ws,
                [
                    index,
                    q.id,
                    label("question_kind", q.kind),
                    q.topic,
                    q.body,
                    q.author.name,
                    q.unit.name if q.unit else "",
                    label("question_status", q.status),
                    q.reason or "",
                    q.duplicate_of_id or "",
                    q.assignee.name if q.assignee else "",
                    q.position or "",
                    counts.get(q.id, 0),
                    q.attachment_name or "",
                    format_datetime(q.created_at),
                ],
            )
        )
    widths = (6, 7, 12, 28, 70, 24, 28, 14, 30, 9, 22, 8, 10, 20, 17)
    for column, width in zip("ABCDEFGHIJKLMNO", widths, strict=True):
        ws.column_dimensions[column].width = width
    for row in ws.iter_rows(min_row=4, min_col=5, max_col=5):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A4"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def question_dict(q: Question, supporters: dict[int, int] | None = None) -> dict:
    return {
        "id": q.id,
        "session_id": q.session_id,
        "author_id": q.author_id,
        "author_name": q.author.name,
        "unit_id": q.unit_id,
        "kind": q.kind,
        "topic": q.topic,
        "body": q.body,
        "status": q.status,
        "reason": q.reason,
        "duplicate_of": q.duplicate_of_id,
        "assignee_id": q.assignee_id,
        "position": q.position,
        "supporters": (supporters or {}).get(q.id, 0),
        "has_attachment": bool(q.attachment_path),
        "created_at": q.created_at,
        "updated_at": q.updated_at,
    }
