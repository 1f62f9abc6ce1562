"""The session's documents (Word) and figures: GET .../documents/minutes.docx, .../conclusion.docx and .../stats."""

from __future__ import annotations

from marshmallow import Schema, fields

from ..core.access import STAFF
from ..reports import services, stats
from ..reports.exports import DOCX_MIMETYPE
from ..reports.views import document_docx
from .core import api_route


class SessionStatsSchema(Schema):
    session_id = fields.Integer()
    invited = fields.Integer()
    present = fields.Integer()
    submissions_by_kind = fields.Dict(keys=fields.String(), values=fields.Integer())
    submissions_by_topic = fields.Dict(keys=fields.String(), values=fields.Integer())
    submissions_by_unit = fields.Dict(keys=fields.String(), values=fields.Integer())
    turns_done = fields.Integer()
    turns_seconds = fields.Integer()
    responses_by_kind = fields.Dict(keys=fields.String(), values=fields.Integer())
    commitments_by_status = fields.Dict(keys=fields.String(), values=fields.Integer())
    overdue = fields.Integer()
    on_time_rate = fields.Float(allow_none=True)


@api_route(
    "/sessions/<int:session_id>/documents/minutes.docx",
    roles=services.READERS,
    summary="Biên bản (DOCX): bản ban hành mới nhất, nếu chưa có thì bản thảo",
    produces=DOCX_MIMETYPE,
    tags=("reports",),
    errors={404: "Không có buổi đối thoại này"},
)
def reports_minutes_docx(session_id: int):
    return document_docx(services.get_session(session_id), "minutes")


@api_route(
    "/sessions/<int:session_id>/documents/conclusion.docx",
    roles=services.READERS,
    summary="Thông báo kết luận (DOCX): bản ban hành mới nhất, nếu chưa có thì bản thảo",
    produces=DOCX_MIMETYPE,
    tags=("reports",),
    errors={404: "Không có buổi đối thoại này"},
)
def reports_conclusion_docx(session_id: int):
    return document_docx(services.get_session(session_id), "conclusion")


@api_route(
    "/sessions/<int:session_id>/stats",
    roles=STAFF,
    summary="Số liệu của buổi đối thoại",
    response=SessionStatsSchema,
    tags=("reports",),
    errors={404: "Không có buổi đối thoại này"},
)
def reports_session_stats(session_id: int):
    figures = stats.session_stats(services.get_session(session_id))
    return {
        "session_id": session_id,
        **{
            k: figures[k]
            for k in (
                "invited",
                "present",
                "submissions_by_kind",
                "turns_done",
                "turns_seconds",
                "responses_by_kind",
                "commitments_by_status",
                "overdue",
                "on_time_rate",
            )
        },
        "submissions_by_topic": dict(figures["submissions_by_topic"]),
        "submissions_by_unit": dict(figures["submissions_by_unit"]),
    }
