"""POST /api/v1/responses (and the list of a session's responses): same service as the response form."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from ..core.access import STAFF
from ..core.timeutil import isoformat
from ..live.services import get_session
from ..responses.models import RESPONSE_KINDS, Response
from ..responses.services import get_response, record_response
from .core import api_route, paginate
from .schemas import MultiLine, PageQuerySchema


class ResponseSchema(Schema):
    id = fields.Integer()
    session_id = fields.Integer()
    speaker_id = fields.Integer(allow_none=True)
    question_ids = fields.List(fields.Integer())
    kind = fields.String(validate=validate.OneOf(RESPONSE_KINDS))
    text = fields.String()
    responder_id = fields.Integer(allow_none=True)
    responder = fields.String(allow_none=True)
    referred_to = fields.String(allow_none=True)
    created_at = fields.String()


class ResponseCreateSchema(Schema):
    session_id = fields.Integer(required=True)
    question_id = fields.Integer(allow_none=True)
    question_ids = fields.List(fields.Integer(), load_default=list)
    speaker_id = fields.Integer(allow_none=True)
    kind = fields.String(required=True, validate=validate.OneOf(RESPONSE_KINDS))
    text = MultiLine(required=True, validate=validate.Length(min=1, max=20000))
    responder_id = fields.Integer(allow_none=True)
    referred_to = fields.String(allow_none=True, validate=validate.Length(max=300))


class ResponseQuerySchema(PageQuerySchema):
    speaker_id = fields.Integer()


def _dict(r: Response) -> dict:
    return {
        "id": r.id,
        "session_id": r.session_id,
        "speaker_id": r.speaker_id,
        "question_ids": sorted(q.id for q in r.questions),
        "kind": r.kind,
        "text": r.text,
        "responder_id": r.responder_id,
        "responder": r.responder.name if r.responder else None,
        "referred_to": r.referred_to,
        "created_at": isoformat(r.created_at),
    }


@api_route(
    "/responses",
    methods=("POST",),
    summary="Ghi ý kiến trả lời (một ý kiến có thể trả lời nhiều câu hỏi)",
    roles=("organizer", "host", "secretariat", "admin"),
    body=ResponseCreateSchema,
    response=ResponseSchema,
    status=201,
    idempotent=True,
    tags=("responses",),
    errors={409: "Buổi đối thoại không ở trạng thái phù hợp"},
)
def create_response(body: dict):
    ids = list(body.get("question_ids") or [])
    if body.get("question_id"):
        ids.append(body["question_id"])
    response = record_response(
        current_user,
        session_id=body["session_id"],
        kind=body["kind"],
        text=body["text"],
        responder_id=body.get("responder_id"),
        question_ids=ids,
        speaker_id=body.get("speaker_id"),
        referred_to=body.get("referred_to"),
    )
    return _dict(response)


@api_route(
    "/responses/<int:response_id>",
    summary="Một ý kiến trả lời",
    roles=STAFF,
    response=ResponseSchema,
    tags=("responses",),
)
def show_response(response_id: int):
    return _dict(get_response(response_id))


@api_route(
    "/sessions/<int:session_id>/responses",
    summary="Các ý kiến trả lời của buổi đối thoại",
    roles=STAFF,
    query=ResponseQuerySchema,
    response=ResponseSchema,
    paginated=True,
    tags=("responses",),
)
def list_responses(session_id: int, query: dict):
    session = get_session(session_id)
    stmt = select(Response).where(Response.session_id == session.id).order_by(Response.id)
    if query.get("speaker_id"):
        stmt = stmt.where(Response.speaker_id == query["speaker_id"])
    page = paginate(stmt, query)
    page["items"] = [_dict(r) for r in page["items"]]
    return page
