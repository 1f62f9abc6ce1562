"""The session's documents (Word), publishing them (a version, a number of the register, a signing block) and
the figures: GET .../documents/minutes.docx, .../conclusion.docx, POST .../documents/{kind}/publish, GET .../stats."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..core.access import STAFF
from ..reports import permissions, services, stats
from ..reports.exports import DOCX_MIMETYPE
from ..reports.register import MAX_NUMBER
from ..reports.views import document_docx
from .core import api_route


class PublishSchema(Schema):
    signer_id = fields.Integer(required=True, metadata={"description": "Người ký (biên bản: người chủ trì)"})
    signing = fields.String(
        load_default="tm",
        validate=validate.OneOf(("tm", "kt", "tl")),
        metadata={"description": "T/M, K/T hoặc T/L (không áp dụng cho biên bản)"},
    )
    recipients = fields.List(
        fields.String(validate=validate.Length(max=300)),
        load_default=None,
        metadata={"description": "Nơi nhận; dòng cuối “Lưu Văn phòng …” được thêm nếu thiếu"},
    )
    number = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1, max=MAX_NUMBER),
        metadata={"description": "Số muốn dùng; bỏ trống: số tiếp theo của sổ đăng ký (409 nếu đã dùng)"},
    )
    collective = fields.String(load_default=None, validate=validate.Length(max=100))
    title = fields.String(load_default=None, validate=validate.Length(max=100))
    revision = fields.Integer(load_default=None, allow_none=True)


class PublishedSchema(Schema):
    version = fields.Integer()
    number = fields.Integer()
    symbol = fields.String()
    published_at = fields.String()


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
    roles=permissions.READERS,
    summary="Biên bản (DOCX): bản ban hành mới nhất, nếu chưa có thì bản thảo",
    produces=DOCX_MIMETYPE,
    tags=("reports",),
    errors={404: "Không có buổi đối thoại này"},
)
def reports_minutes_docx(session_id: int):
    return document_docx(services.get_session(session_id), "minutes")


@api_route(
    "/sessions/<int:session_id>/documents/conclusion.docx",
    roles=permissions.READERS,
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


@api_route(
    "/sessions/<int:session_id>/documents/<kind>/publish",
    methods=("POST",),
    roles=permissions.PUBLISHERS,
    summary="Ban hành biên bản hoặc thông báo kết luận: phiên bản mới, số trong sổ đăng ký, thể thức ký",
    body=PublishSchema,
    response=PublishedSchema,
    status=201,
    idempotent=True,
    tags=("reports",),
    errors={404: "Không có buổi đối thoại hoặc loại văn bản này", 409: "Chưa kết thúc, hoặc số đã được dùng"},
)
def reports_publish(session_id: int, kind: str, body: dict):
    session = services.get_session(session_id)
    services.check_kind(kind)
    doc = services.publish(
        _user(),
        session,
        kind,
        signer_id=body["signer_id"],
        signing=body["signing"],
        recipients=body["recipients"],
        number=body["number"],
        collective=body["collective"],
        title=body["title"],
        revision=body["revision"],
    )
    return {
        "version": doc.version,
        "number": doc.content["number"]["number"],
        "symbol": doc.content["number"]["symbol"],
        "published_at": doc.content["published_at"],
    }


def _user():
    from flask_login import current_user

    return current_user._get_current_object()
