"""/api/v1/sessions/{id}/questions and /api/v1/questions/{id}: intake and moderation over the same services as
the pages."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import Schema, fields, validate

from ..core.errors import Forbidden, Invalid
from ..core.timeutil import isoformat
from ..questions import services
from ..questions.models import QUESTION_KINDS, QUESTION_STATUSES
from ..sessions import services as sessions
from .core import api_route
from .schemas import MultiLine, PageQuerySchema


class QuestionSchema(Schema):
    id = fields.Integer()
    session_id = fields.Integer()
    author_id = fields.Integer()
    author_name = fields.String()
    unit_id = fields.Integer(allow_none=True)
    kind = fields.String(validate=validate.OneOf(QUESTION_KINDS))
    topic = fields.String(allow_none=True)
    body = fields.String()
    status = fields.String(validate=validate.OneOf(QUESTION_STATUSES))
    reason = fields.String(allow_none=True)
    duplicate_of = fields.Integer(allow_none=True)
    assignee_id = fields.Integer(allow_none=True)
    position = fields.Integer(allow_none=True)
    supporters = fields.Integer()
    co_author_ids = fields.List(fields.Integer(), metadata={"description": "Tác giả các ý kiến đã gộp vào ý kiến này"})
    has_attachment = fields.Boolean()
    created_at = fields.String(metadata={"format": "date-time"})
    updated_at = fields.String(allow_none=True, metadata={"format": "date-time"})


class QuestionCreateSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(QUESTION_KINDS))
    topic = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))
    body = MultiLine(required=True, validate=validate.Length(min=1, max=services.MAX_BODY))


class QuestionPatchSchema(Schema):
    status = fields.String(validate=validate.OneOf(QUESTION_STATUSES))
    reason = MultiLine(allow_none=True, validate=validate.Length(max=2000))
    duplicate_of = fields.Integer(allow_none=True)
    assignee_id = fields.Integer(allow_none=True)
    position = fields.Integer(validate=validate.Range(min=1))
    kind = fields.String(validate=validate.OneOf(QUESTION_KINDS))
    topic = fields.String(validate=validate.Length(max=300))
    body = MultiLine(validate=validate.Length(min=1, max=services.MAX_BODY))


class QuestionQuerySchema(PageQuerySchema):
    status = fields.String(validate=validate.OneOf(QUESTION_STATUSES))
    kind = fields.String(validate=validate.OneOf(QUESTION_KINDS))
    unit_id = fields.Integer()
    topic = fields.String()
    q = fields.String(metadata={"description": "Tìm không phân biệt dấu, hoa thường"})
    order = fields.String(validate=validate.OneOf(("id", "agenda", "newest")), load_default="id")


def _data(q, supporters: dict[int, int], co_authors: dict[int, list]) -> dict:
    data = services.question_dict(q, supporters)
    data["co_author_ids"] = [author_id for author_id, _name in co_authors.get(q.id, [])]
    data["created_at"] = isoformat(q.created_at)
    data["updated_at"] = isoformat(q.updated_at)
    return data


def _one(q) -> dict:
    return _data(q, services.supporter_counts([q.id]), _co_author_ids(services.merged_authors([q.id])))


@api_route(
    "/sessions/<int:session_id>/questions",
    summary="Ý kiến của buổi: tổ chức, chủ trì thấy tất cả; bí thư chi bộ thấy ý kiến của mình và ý kiến đã tiếp nhận",
    query=QuestionQuerySchema,
    response=QuestionSchema,
    paginated=True,
    tags=("questions",),
)
def list_questions(session_id: int, query: dict):
    session = sessions.get_session(session_id)
    stmt = services.visible_stmt(current_user, session, query)
    page = services.page_of(stmt, query["page"], query["per_page"])
    authors = _co_author_ids(page["co_authors"])
    items = [_data(q, page["supporters"], authors) for q in page["items"]]
    return {"items": items, "page": page["page"], "per_page": page["per_page"], "total": page["total"]}


def _co_author_ids(co_authors: dict[int, list]) -> dict[int, list]:
    """``merged_authors`` gives (merged question id, name); the API names the authors by id."""
    from sqlalchemy import select

    from ..extensions import db
    from ..questions.models import Question

    merged_ids = [mid for rows in co_authors.values() for mid, _name in rows]
    if not merged_ids:
        return {}
    author_of = dict(
        db.session.execute(select(Question.id, Question.author_id).where(Question.id.in_(merged_ids))).all()
    )
    return {kept: [(author_of[mid], name) for mid, name in rows] for kept, rows in co_authors.items()}


@api_route(
    "/sessions/<int:session_id>/questions",
    methods=("POST",),
    summary="Gửi câu hỏi, ý kiến, kiến nghị, đề xuất (khách mời, trước hạn; sau hạn: 409)",
    body=QuestionCreateSchema,
    response=QuestionSchema,
    status=201,
    idempotent=True,
    tags=("questions",),
    errors={404: "Không tìm thấy", 409: "Đã hết hạn hoặc chưa mở nhận câu hỏi"},
)
def submit_question(session_id: int, body: dict):
    session = sessions.get_session(session_id)
    question, created = services.submit_question(
        current_user, session, kind=body["kind"], topic=body.get("topic"), body=body["body"]
    )
    return _one(question), (201 if created else 200)


@api_route(
    "/questions/<int:question_id>",
    summary="Một ý kiến",
    response=QuestionSchema,
    tags=("questions",),
    errors={404: "Không tìm thấy"},
)
def get_question(question_id: int):
    question = services.get_question(question_id)
    services.require_see(current_user, question)
    return _one(question)


@api_route(
    "/questions/<int:question_id>",
    methods=("PATCH",),
    summary="Kiểm duyệt (tổ chức: status, reason, duplicate_of, assignee_id, position) hoặc sửa, rút (người gửi)",
    body=QuestionPatchSchema,
    response=QuestionSchema,
    tags=("questions",),
    errors={404: "Không tìm thấy", 409: "Không phù hợp với trạng thái hiện tại"},
)
def patch_question(question_id: int, body: dict):
    question = services.get_question(question_id)
    services.require_see(current_user, question)
    moderator = services.can_moderate(current_user)
    is_author = question.author_id == current_user.id
    edits = {k: body[k] for k in ("kind", "topic", "body") if k in body}
    moderation = {k: body[k] for k in ("reason", "duplicate_of", "assignee_id", "position") if k in body}
    status = body.get("status")
    if edits:
        if not is_author:
            raise Forbidden(_("Chỉ người gửi mới được sửa nội dung ý kiến."))
        services.edit_question(current_user, question, **edits)
    if status == "withdrawn":
        if not is_author:
            raise Forbidden(_("Chỉ người gửi mới được rút ý kiến."))
        services.withdraw_question(current_user, question)
    elif status is not None or moderation:
        if not moderator:
            raise Forbidden(_("Chỉ bộ phận tổ chức mới được xử lý ý kiến."))
        _moderate(question, status, moderation)
    return _one(services.get_question(question_id))


def _moderate(question, status: str | None, changes: dict) -> None:
    if status is not None and status != question.status:
        if status == "accepted":
            services.accept_question(current_user, question)
        elif status == "returned":
            services.return_question(current_user, question, changes.get("reason"))
        elif status == "merged":
            if not changes.get("duplicate_of"):
                raise Invalid(
                    _("Gộp ý kiến cần “duplicate_of”: số của ý kiến được giữ lại."),
                    fields={"duplicate_of": [_("Bắt buộc.")]},
                )
            services.merge_question(current_user, question, services.get_question(changes["duplicate_of"]))
        else:
            from ..core.errors import Conflict

            raise Conflict(
                _("Không thể chuyển ý kiến sang trạng thái này bằng thao tác kiểm duyệt."), code="bad_transition"
            )
    elif status is None and changes.get("duplicate_of"):
        services.merge_question(current_user, question, services.get_question(changes["duplicate_of"]))
    if "assignee_id" in changes:
        services.assign_question(current_user, services.get_question(question.id), changes["assignee_id"])
    if changes.get("position") is not None:
        services.set_position(current_user, services.get_question(question.id), changes["position"])
