"""/api/v1/sessions: schedule, read and move sessions; the invitation list. Same services as the pages."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields, validate

from ..core.timeutil import isoformat
from ..sessions import services
from ..sessions.models import RSVP_STATES, SESSION_STATUSES
from .core import api_route, paginate
from .schemas import PageQuerySchema


class AwareDateTime(fields.DateTime):
    """ISO 8601 in; a time without an offset is read as Vietnam's local time."""

    def _deserialize(self, value, attr, data, **kwargs):
        from marshmallow import ValidationError

        from ..core.inputs import day_problem
        from ..core.timeutil import local_to_utc

        typed = super()._deserialize(value, attr, data, **kwargs)
        problem = day_problem(typed)  # before the conversion: year 1 has no seven hours to spare
        if problem:
            raise ValidationError(problem)
        return local_to_utc(typed)


class DialogueSessionSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    topic = fields.String()
    term = fields.String(allow_none=True)
    venue = fields.String()
    starts_at = fields.String(metadata={"format": "date-time"})
    ends_at = fields.String(metadata={"format": "date-time"})
    questions_close_at = fields.String(metadata={"format": "date-time"})
    turn_seconds = fields.Integer()
    host_unit_id = fields.Integer()
    host_ids = fields.List(fields.Integer())
    invited_unit_ids = fields.List(fields.Integer())
    status = fields.String(
        validate=validate.OneOf(SESSION_STATUSES),
        metadata={"description": "Trạng thái hiệu lực: “open” đã quá hạn gửi câu hỏi đọc là “closed”."},
    )
    stored_status = fields.String(validate=validate.OneOf(SESSION_STATUSES))
    allow_support = fields.Boolean()
    questions_open = fields.Boolean()


class SessionCreateSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    topic = fields.String(required=True, validate=validate.Length(min=1, max=300))
    term = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=50))
    venue = fields.String(required=True, validate=validate.Length(min=1, max=300))
    starts_at = AwareDateTime(required=True)
    ends_at = AwareDateTime(required=True)
    questions_close_at = AwareDateTime(required=True)
    turn_seconds = fields.Integer(load_default=300, validate=validate.Range(min=30, max=3600))
    host_unit_id = fields.Integer(required=True)
    invited_unit_ids = fields.List(fields.Integer(), load_default=list)
    host_ids = fields.List(fields.Integer(), required=True)
    allow_support = fields.Boolean(load_default=True)


class SessionPatchSchema(Schema):
    status = fields.String(validate=validate.OneOf(SESSION_STATUSES))
    title = fields.String(validate=validate.Length(min=1, max=300))
    topic = fields.String(validate=validate.Length(min=1, max=300))
    term = fields.String(allow_none=True, validate=validate.Length(max=50))
    venue = fields.String(validate=validate.Length(min=1, max=300))
    starts_at = AwareDateTime()
    ends_at = AwareDateTime()
    questions_close_at = AwareDateTime()
    turn_seconds = fields.Integer(validate=validate.Range(min=30, max=3600))
    host_unit_id = fields.Integer()
    invited_unit_ids = fields.List(fields.Integer())
    host_ids = fields.List(fields.Integer())
    allow_support = fields.Boolean()


class SessionQuerySchema(PageQuerySchema):
    status = fields.String(validate=validate.OneOf(SESSION_STATUSES))
    q = fields.String()


class InvitationSchema(Schema):
    id = fields.Integer()
    user_id = fields.Integer()
    name = fields.String()
    unit_id = fields.Integer(allow_none=True)
    rsvp = fields.String(validate=validate.OneOf(RSVP_STATES))
    rsvp_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    checked_in_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    link_sent_at = fields.String(allow_none=True, metadata={"format": "date-time"})


def session_data(session) -> dict:
    return {
        "id": session.id,
        "title": session.title,
        "topic": session.topic,
        "term": session.term,
        "venue": session.venue,
        "starts_at": isoformat(session.starts_at),
        "ends_at": isoformat(session.ends_at),
        "questions_close_at": isoformat(session.questions_close_at),
        "turn_seconds": session.turn_seconds,
        "host_unit_id": session.host_unit_id,
        "host_ids": sorted(h.user_id for h in session.hosts),
        "invited_unit_ids": sorted(u.unit_id for u in session.invited_units),
        "status": services.effective_status(session),
        "stored_status": session.status,
        "allow_support": session.allow_support,
        "questions_open": services.questions_open(session),
    }


@api_route(
    "/sessions",
    summary="Danh sách buổi đối thoại (cán bộ: tất cả; khách mời: các buổi được mời)",
    query=SessionQuerySchema,
    response=DialogueSessionSchema,
    paginated=True,
    tags=("sessions",),
)
def list_sessions(query: dict):
    stmt = services.visible_sessions_stmt(current_user, status=query.get("status"), q=query.get("q"))
    page = paginate(stmt, query)
    page["items"] = [session_data(s) for s in page["items"]]
    return page


@api_route(
    "/sessions",
    methods=("POST",),
    roles=("organizer", "admin"),
    summary="Lên lịch buổi đối thoại (bản nháp); mời một đơn vị là mời bí thư mọi chi bộ trực thuộc",
    body=SessionCreateSchema,
    response=DialogueSessionSchema,
    status=201,
    idempotent=True,
    tags=("sessions",),
)
def create_session(body: dict):
    session = services.create_session(current_user, **body)
    return session_data(session)


@api_route(
    "/sessions/<int:session_id>",
    summary="Một buổi đối thoại",
    response=DialogueSessionSchema,
    tags=("sessions",),
    errors={404: "Không tìm thấy"},
)
def get_session(session_id: int):
    session = services.get_session(session_id)
    services.require_view(current_user, session)
    return session_data(session)


@api_route(
    "/sessions/<int:session_id>",
    methods=("PATCH",),
    roles=("organizer", "admin"),
    summary="Sửa hoặc chuyển trạng thái: draft → open → closed → live → ended (sai bước: 409)",
    body=SessionPatchSchema,
    response=DialogueSessionSchema,
    tags=("sessions",),
    errors={404: "Không tìm thấy", 409: "Không chuyển được trạng thái"},
)
def patch_session(session_id: int, body: dict):
    session = services.get_session(session_id)
    status = body.pop("status", None)
    if body:
        services.update_session(current_user, session, **body)
    if status is not None:
        services.change_status(current_user, session, status)
    return session_data(session)


@api_route(
    "/sessions/<int:session_id>/invitations",
    roles=("organizer", "admin"),  # as API.md says: the organizer's list (the host sees attendance on the console)
    summary="Khách mời của buổi đối thoại",
    query=PageQuerySchema,
    response=InvitationSchema,
    paginated=True,
    tags=("sessions",),
)
def list_invitations(session_id: int, query: dict):
    session = services.get_session(session_id)
    page = paginate(services.invitations_stmt(session), query)
    page["items"] = [
        {
            "id": inv.id,
            "user_id": inv.user_id,
            "name": inv.user.name,
            "unit_id": inv.unit_id,
            "rsvp": inv.rsvp,
            "rsvp_at": isoformat(inv.rsvp_at),
            "checked_in_at": isoformat(inv.checked_in_at),
            "link_sent_at": isoformat(inv.link_sent_at),
        }
        for inv in page["items"]
    ]
    return page
