"""The live session over the API: check-ins, the speakers' queue, the live snapshot (API.md). Same services as
the pages (dialogue/live/services.py)."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from ..core.access import Access, public
from ..core.errors import Forbidden
from ..core.timeutil import isoformat, now
from ..extensions import db
from ..live import services
from ..live.models import SPEAKER_STATUSES, Speaker
from ..live.snapshot import seconds_left
from ..sessions.models import Invitation
from . import bp
from .core import REGISTRY, Endpoint, api_route, paginate
from .schemas import MultiLine, PageQuerySchema


class CheckinSchema(Schema):
    id = fields.Integer()
    session_id = fields.Integer()
    user_id = fields.Integer()
    name = fields.String()
    unit_id = fields.Integer(allow_none=True)
    unit = fields.String(allow_none=True)
    rsvp = fields.String()
    present = fields.Boolean()
    checked_in_at = fields.String(allow_none=True)


class CheckinBodySchema(Schema):
    user_id = fields.Integer(required=True)


class CheckinQuerySchema(PageQuerySchema):
    per_page = fields.Integer(load_default=200, validate=validate.Range(min=1, max=1000))
    q = fields.String()
    present = fields.Boolean()


class SpeakerSchema(Schema):
    id = fields.Integer()
    session_id = fields.Integer()
    user_id = fields.Integer()
    name = fields.String()
    unit = fields.String(allow_none=True)
    question_id = fields.Integer(allow_none=True)
    status = fields.String(validate=validate.OneOf(SPEAKER_STATUSES))
    position = fields.Integer(allow_none=True, metadata={"description": "1 = next; only while waiting"})
    seconds_allowed = fields.Integer()
    seconds_left = fields.Integer(allow_none=True, metadata={"description": "negative once the time is up"})
    paused = fields.Boolean()
    begin_time = fields.String(allow_none=True)
    end_time = fields.String(allow_none=True)
    pause_time = fields.String(allow_none=True)
    total_pause_seconds = fields.Integer()
    summary = fields.String(allow_none=True)
    version = fields.Integer(metadata={"description": "the session's live version after this call"})


class SpeakerQuerySchema(PageQuerySchema):
    per_page = fields.Integer(load_default=200, validate=validate.Range(min=1, max=1000))
    status = fields.String(validate=validate.OneOf(SPEAKER_STATUSES))


class SpeakerCreateSchema(Schema):
    user_id = fields.Integer(allow_none=True)
    question_id = fields.Integer(allow_none=True)


class NextSchema(Schema):
    version = fields.Integer(allow_none=True, metadata={"description": "the live version the caller saw"})


class SpeakerPatchSchema(Schema):
    status = fields.String(validate=validate.OneOf(SPEAKER_STATUSES))
    position = fields.Integer(validate=validate.Range(min=1))
    paused = fields.Boolean()
    seconds_allowed = fields.Integer(
        validate=validate.Range(min=services.MIN_TURN_SECONDS, max=services.MAX_TURN_SECONDS)
    )
    summary = MultiLine(allow_none=True, validate=validate.Length(max=2000))
    question_id = fields.Integer(allow_none=True)


class LiveOptionsSchema(Schema):
    queue_open = fields.Boolean()
    new_speakers_first = fields.Boolean()


class LiveCurrentSchema(Schema):
    speaker_id = fields.Integer()
    user_id = fields.Integer()
    name = fields.String()
    unit = fields.String(allow_none=True)
    unit_id = fields.Integer(allow_none=True)
    question_id = fields.Integer(allow_none=True)
    question_topic = fields.String(allow_none=True)
    started_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    seconds_allowed = fields.Integer()
    seconds_left = fields.Integer(metadata={"description": "negative once the time is up"})
    seconds_used = fields.Integer()
    overrun_seconds = fields.Integer()
    warning = fields.Boolean(metadata={"description": "the last warning_seconds of the turn"})
    paused = fields.Boolean()
    paused_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    running = fields.Boolean()
    times_spoken = fields.Integer()
    summary = fields.String(allow_none=True)


class LiveQueueItemSchema(Schema):
    speaker_id = fields.Integer()
    user_id = fields.Integer()
    name = fields.String()
    unit = fields.String(allow_none=True)
    position = fields.Integer(metadata={"description": "1 = next"})
    question_id = fields.Integer(allow_none=True)
    question_topic = fields.String(allow_none=True)
    times_spoken = fields.Integer()


class LiveQuestionSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    kind_label = fields.String()
    topic = fields.String(allow_none=True)
    body = fields.String()
    status = fields.String()


class LiveAgendaItemSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    kind_label = fields.String()
    topic = fields.String(allow_none=True)
    status = fields.String()
    position = fields.Integer(allow_none=True)


class LiveAttendanceUnitSchema(Schema):
    unit_id = fields.Integer(allow_none=True, metadata={"description": "the unit above the invitees' cells"})
    name = fields.String()
    invited = fields.Integer()
    present = fields.Integer()


class LiveAttendanceSchema(Schema):
    invited = fields.Integer()
    present = fields.Integer()
    by_unit = fields.List(fields.Nested(LiveAttendanceUnitSchema))


class LiveSnapshotSchema(Schema):
    session_id = fields.Integer()
    title = fields.String()
    status = fields.String()
    status_label = fields.String()
    version = fields.Integer()
    server_time = fields.String(metadata={"format": "date-time"})
    turn_seconds = fields.Integer()
    warning_seconds = fields.Integer()
    queue_open = fields.Boolean()
    new_speakers_first = fields.Boolean()
    current = fields.Nested(LiveCurrentSchema, allow_none=True)
    current_question = fields.Nested(LiveQuestionSchema, allow_none=True)
    queue = fields.List(fields.Nested(LiveQueueItemSchema), metadata={"description": "waiting speakers in order"})
    next = fields.List(fields.Nested(LiveQueueItemSchema), metadata={"description": "the next three waiting"})
    turns_done = fields.Integer()
    time_used_seconds = fields.Integer()
    attendance = fields.Nested(LiveAttendanceSchema)
    agenda = fields.List(fields.Nested(LiveAgendaItemSchema))


def _checkin_dict(inv: Invitation) -> dict:
    return {
        "id": inv.id,
        "session_id": inv.session_id,
        "user_id": inv.user_id,
        "name": inv.user.name if inv.user else "",
        "unit_id": inv.unit_id,
        "unit": inv.unit.name if inv.unit else None,
        "rsvp": inv.rsvp,
        "present": inv.checked_in_at is not None,
        "checked_in_at": isoformat(inv.checked_in_at),
    }


def _positions(session_id: int) -> dict[int, int]:
    ids = db.session.scalars(
        select(Speaker.id)
        .where(Speaker.session_id == session_id, Speaker.status == "waiting")
        .order_by(Speaker.weight, Speaker.id)
    )
    return {sid: i for i, sid in enumerate(ids, start=1)}


def _speaker_dict(s: Speaker, positions: dict[int, int] | None = None, version: int | None = None) -> dict:
    if positions is None:
        positions = _positions(s.session_id)
    at = now()
    return {
        "id": s.id,
        "session_id": s.session_id,
        "user_id": s.user_id,
        "name": s.user.name if s.user else "",
        "unit": s.user.unit.name if s.user and s.user.unit else None,
        "question_id": s.question_id,
        "status": s.status,
        "position": positions.get(s.id),
        "seconds_allowed": s.seconds_allowed,
        "seconds_left": seconds_left(s, at) if s.begin_time else None,
        "paused": s.pause_time is not None,
        "begin_time": isoformat(s.begin_time),
        "end_time": isoformat(s.end_time),
        "pause_time": isoformat(s.pause_time),
        "total_pause_seconds": s.total_pause_seconds or 0,
        "summary": s.summary,
        "version": version if version is not None else services.live_version(s.session_id),
    }


# Check-ins ------------------------------------------------------------------------------------------------------


@api_route(
    "/sessions/<int:session_id>/checkins",
    summary="Danh sách điểm danh",
    roles=services.ORGANIZER_ROLES,
    query=CheckinQuerySchema,
    response=CheckinSchema,
    paginated=True,
    tags=("live",),
)
def list_checkins(session_id: int, query: dict):
    session = services.get_session(session_id)
    stmt = services.search_invitations_stmt(session, query.get("q"))
    if "present" in query:
        cond = Invitation.checked_in_at.is_not(None) if query["present"] else Invitation.checked_in_at.is_(None)
        stmt = stmt.where(cond)
    page = paginate(stmt, query)
    page["items"] = [_checkin_dict(i) for i in page["items"]]
    return page


@api_route(
    "/sessions/<int:session_id>/checkins",
    methods=("POST",),
    summary="Điểm danh một người (lặp lại không sao)",
    body=CheckinBodySchema,
    response=CheckinSchema,
    tags=("live",),
    errors={404: "Không có trong danh sách mời", 409: "Buổi đối thoại không ở trạng thái điểm danh"},
)
def create_checkin(session_id: int, body: dict):
    invitation = services.check_in(current_user, session_id, body["user_id"])
    return _checkin_dict(invitation)


@api_route(
    "/sessions/<int:session_id>/checkins/<int:user_id>",
    methods=("DELETE",),
    summary="Hủy điểm danh nhầm",
    roles=services.ORGANIZER_ROLES,
    response=CheckinSchema,
    tags=("live",),
)
def delete_checkin(session_id: int, user_id: int):
    return _checkin_dict(services.cancel_check_in(current_user, session_id, user_id))


# The speakers' queue --------------------------------------------------------------------------------------------


@api_route(
    "/sessions/<int:session_id>/speakers",
    summary="Danh sách phát biểu",
    query=SpeakerQuerySchema,
    response=SpeakerSchema,
    paginated=True,
    tags=("live",),
)
def list_speakers(session_id: int, query: dict):
    session = services.get_session(session_id)
    services.require_view(current_user, session)
    stmt = services.list_speakers(session, (query["status"],) if query.get("status") else None)
    page = paginate(stmt, query)
    positions = _positions(session_id)
    page["items"] = [_speaker_dict(s, positions, session.live_version) for s in page["items"]]
    return page


@api_route(
    "/sessions/<int:session_id>/speakers",
    methods=("POST",),
    summary="Đăng ký phát biểu (cho mình; người tổ chức: cho bất kỳ ai)",
    body=SpeakerCreateSchema,
    response=SpeakerSchema,
    status=201,
    idempotent=True,
    tags=("live",),
    errors={409: "Danh sách đã đóng hoặc buổi chưa diễn ra"},
)
def create_speaker(session_id: int, body: dict):
    speaker = services.request_to_speak(
        current_user, session_id, user_id=body.get("user_id"), question_id=body.get("question_id")
    )
    return _speaker_dict(speaker)


@api_route(
    "/sessions/<int:session_id>/speakers/next",
    methods=("POST",),
    summary="Mời người tiếp theo phát biểu",
    roles=services.ORGANIZER_ROLES,
    body=NextSchema,
    response=SpeakerSchema,
    tags=("live",),
    errors={409: "Không còn ai chờ, hoặc phiên bản đã cũ (version)"},
)
def next_speaker(session_id: int, body: dict):
    speaker = services.next_speaker(current_user, session_id, body.get("version"))
    return _speaker_dict(speaker)


@api_route(
    "/sessions/<int:session_id>/speakers/readd-last",
    methods=("POST",),
    summary="Đưa người vừa phát biểu trở lại đầu danh sách",
    roles=services.ORGANIZER_ROLES,
    response=SpeakerSchema,
    status=201,
    tags=("live",),
)
def readd_last_speaker(session_id: int):
    return _speaker_dict(services.readd_last(current_user, session_id))


@api_route(
    "/speakers/<int:speaker_id>",
    methods=("PATCH",),
    summary="Đổi trạng thái, thứ tự, thời gian của một lượt phát biểu",
    body=SpeakerPatchSchema,
    response=SpeakerSchema,
    tags=("live",),
    errors={409: "Không phù hợp với trạng thái của lượt"},
)
def patch_speaker(speaker_id: int, body: dict):
    return _speaker_dict(services.change_turn(current_user, speaker_id, body))


# The live snapshot --------------------------------------------------------------------------------------------


@api_route(
    "/sessions/<int:session_id>/live/options",
    methods=("PATCH",),
    summary="Đóng/mở đăng ký phát biểu; ưu tiên người chưa phát biểu",
    roles=services.ORGANIZER_ROLES,
    body=LiveOptionsSchema,
    response=LiveSnapshotSchema,
    tags=("live",),
)
def patch_live_options(session_id: int, body: dict):
    session = services.set_queue_options(
        current_user, session_id, queue_open=body.get("queue_open"), new_speakers_first=body.get("new_speakers_first")
    )
    return jsonify(services.snapshot(session))


@public
def live_snapshot(session_id: int):
    """GET /api/v1/sessions/{id}/live: invited people and staff (cookie or Bearer), or the projector
    (``?projector=<secret>`` or the ``X-Projector-Secret`` header)."""
    secret = request.args.get("projector") or request.headers.get("X-Projector-Secret")
    if secret:
        session = services.projector_session(secret)
        if session.id != session_id:
            raise Forbidden(_l("Đường dẫn màn chiếu không dành cho buổi này."))
    else:
        if not current_user.is_authenticated:
            from werkzeug.exceptions import Unauthorized

            raise Unauthorized()
        session = services.get_session(session_id)
        services.require_view(current_user, session)
    response = jsonify(services.snapshot(session))
    response.headers["Cache-Control"] = "no-store"
    return response


bp.add_url_rule("/sessions/<int:session_id>/live", endpoint="live_snapshot", view_func=live_snapshot)
REGISTRY.append(
    Endpoint(
        "/sessions/<int:session_id>/live",
        ("GET",),
        live_snapshot,
        "Ảnh chụp trạng thái trực tiếp (người được mời, cán bộ, màn chiếu)",
        Access("public"),
        response=LiveSnapshotSchema,
        tags=("live",),
    )
)
