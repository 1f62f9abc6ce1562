"""/api/v1/sessions/{id}/questions/similar and /api/v1/questions/{id}/support: what the question form (and a
phone's client) uses while the author types, to find that the request is already on the agenda and back it."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields, validate

from ..questions import services, suggestions
from ..questions.models import QUESTION_KINDS
from ..sessions import services as sessions
from .core import api_route


class SimilarQuerySchema(Schema):
    text = fields.String(
        required=True,
        validate=validate.Length(min=1, max=suggestions.MAX_TEXT),
        metadata={"description": "Nội dung đang soạn (tối đa 2.000 ký tự đầu)"},
    )
    per_page = fields.Integer(load_default=suggestions.LIMIT, validate=validate.Range(min=1, max=10))


class SimilarQuestionSchema(Schema):
    id = fields.Integer()
    kind = fields.String(validate=validate.OneOf(QUESTION_KINDS))
    kind_label = fields.String()
    topic = fields.String()
    body = fields.String()
    score = fields.Integer(metadata={"description": "Mức giống nhau, 0–100"})
    supporters = fields.Integer()
    supported = fields.Boolean(metadata={"description": "Người gọi đã ủng hộ ý kiến này"})
    mine = fields.Boolean(metadata={"description": "Ý kiến của chính người gọi"})
    can_support = fields.Boolean()


class SupportBodySchema(Schema):
    supported = fields.Boolean(load_default=True)


class SupportSchema(Schema):
    question_id = fields.Integer()
    supporters = fields.Integer()
    supported = fields.Boolean()


@api_route(
    "/sessions/<int:session_id>/questions/similar",
    summary="Ý kiến đã tiếp nhận giống nội dung đang soạn (khách mời, khi buổi còn nhận câu hỏi; sau hạn: 409)",
    query=SimilarQuerySchema,
    response=SimilarQuestionSchema,
    paginated=True,
    tags=("questions",),
    errors={403: "Không được mời", 404: "Không tìm thấy", 409: "Buổi không còn nhận câu hỏi"},
)
def similar_questions(session_id: int, query: dict):
    session = sessions.get_session(session_id)
    items = suggestions.similar_accepted(current_user, session, query["text"], limit=query["per_page"])
    return {"items": items, "page": 1, "per_page": query["per_page"], "total": len(items)}


@api_route(
    "/questions/<int:question_id>/support",
    methods=("POST",),
    summary="Ủng hộ (hoặc bỏ ủng hộ: supported=false) một ý kiến đã tiếp nhận (khách mời)",
    body=SupportBodySchema,
    response=SupportSchema,
    tags=("questions",),
    errors={403: "Không được mời", 404: "Không tìm thấy", 409: "Ý kiến chưa được tiếp nhận, của chính mình…"},
)
def question_support(question_id: int, body: dict):
    question = services.get_question(question_id)
    services.require_see(current_user, question)
    count = services.support_question(current_user, question, body["supported"])
    return {"question_id": question.id, "supporters": count, "supported": body["supported"]}
