"""Commitments and their updates: GET/POST /commitments, GET/PATCH /commitments/{id}, POST /commitments/{id}/updates.

The same services as the pages; ``overdue`` is derived, never a status."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields, validate, validates_schema
from marshmallow import ValidationError as MarshmallowValidationError

from ..core.access import ASSIGNERS
from ..core.timeutil import isoformat
from ..followups import operations, queries
from ..followups.creation import create_commitment as create
from ..followups.models import COMMITMENT_STATUSES, PRIORITIES, Commitment, CommitmentUpdate
from .core import api_route, paginate
from .schemas import MultiLine, PageQuerySchema

TAGS = ("commitments",)
DATETIME = {"type": "string", "format": "date-time"}


class CommitmentSchema(Schema):
    id = fields.Integer()
    session_id = fields.Integer(allow_none=True)
    response_id = fields.Integer(allow_none=True)
    question_id = fields.Integer(allow_none=True)
    speaker_id = fields.Integer(allow_none=True)
    description = fields.String()
    unit_id = fields.Integer()
    unit_name = fields.Function(lambda c: c.unit.name if c.unit else None, allow_none=True)
    assignee_id = fields.Integer(allow_none=True)
    due_date = fields.Date()
    original_due_date = fields.Date()
    priority = fields.String(validate=validate.OneOf(PRIORITIES))
    status = fields.String(validate=validate.OneOf(COMMITMENT_STATUSES))
    overdue = fields.Function(lambda c: queries.is_overdue(c), metadata={"type": "boolean"})
    progress = fields.Integer()
    result_report = fields.String(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    created_at = fields.Function(lambda c: isoformat(c.created_at), metadata=DATETIME)
    done_at = fields.Function(lambda c: isoformat(c.done_at), allow_none=True, metadata=DATETIME)
    verified_at = fields.Function(lambda c: isoformat(c.verified_at), allow_none=True, metadata=DATETIME)
    created_by_id = fields.Integer(allow_none=True)
    verified_by_id = fields.Integer(allow_none=True)


class CommitmentUpdateSchema(Schema):
    id = fields.Integer()
    commitment_id = fields.Integer()
    author_id = fields.Integer(allow_none=True)
    author_name = fields.Function(lambda u: u.author.name if u.author else None, allow_none=True)
    kind = fields.String()
    note = fields.String(allow_none=True)
    progress = fields.Integer(allow_none=True)
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    old_due_date = fields.Date(allow_none=True)
    new_due_date = fields.Date(allow_none=True)
    attachment_name = fields.String(allow_none=True)
    created_at = fields.Function(lambda u: isoformat(u.created_at), metadata=DATETIME)


class CommitmentDetailSchema(CommitmentSchema):
    updates = fields.List(fields.Nested(CommitmentUpdateSchema))


class CommitmentQuerySchema(PageQuerySchema):
    status = fields.String(validate=validate.OneOf(COMMITMENT_STATUSES))
    unit_id = fields.Integer()
    session_id = fields.Integer()
    question_id = fields.Integer()
    overdue = fields.Boolean()
    due_before = fields.Date()
    q = fields.String()


class CommitmentCreateSchema(Schema):
    session_id = fields.Integer(allow_none=True)
    response_id = fields.Integer(allow_none=True)
    question_id = fields.Integer(allow_none=True)
    speaker_id = fields.Integer(allow_none=True)
    description = MultiLine(required=True, validate=validate.Length(min=1, max=5000))
    unit_id = fields.Integer(required=True)
    assignee_id = fields.Integer(allow_none=True)
    due_date = fields.Date(required=True)
    priority = fields.String(load_default="normal", validate=validate.OneOf(PRIORITIES))


class CommitmentPatchSchema(Schema):
    status = fields.String(validate=validate.OneOf(COMMITMENT_STATUSES))
    due_date = fields.Date()
    reason = MultiLine(validate=validate.Length(max=5000))
    report = MultiLine(validate=validate.Length(max=5000))
    note = MultiLine(validate=validate.Length(max=5000))
    expected_status = fields.String(
        validate=validate.OneOf(COMMITMENT_STATUSES),
        metadata={
            "description": "Trạng thái người gọi đã thấy: nếu nhiệm vụ đã chuyển sang trạng thái khác, trả 409 và "
            "không thay đổi gì (hai người thao tác cùng lúc: chỉ một người được)."
        },
    )

    @validates_schema
    def something_to_do(self, data, **kwargs):
        if "status" not in data and "due_date" not in data:
            raise MarshmallowValidationError("Cần `status` hoặc `due_date`.", "_")


class UpdateCreateSchema(Schema):
    note = MultiLine(required=True, validate=validate.Length(min=1, max=5000))
    progress = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=100))


def _filters(query: dict) -> queries.Filters:
    return queries.Filters(
        status=query.get("status"),
        unit_id=query.get("unit_id"),
        session_id=query.get("session_id"),
        question_id=query.get("question_id"),
        overdue=query.get("overdue"),
        due_before=query.get("due_before"),
        q=query.get("q"),
    )


@api_route(
    "/commitments",
    summary="Danh sách nhiệm vụ (nhân viên: tất cả; đơn vị: của mình)",
    query=CommitmentQuerySchema,
    response=CommitmentSchema,
    paginated=True,
    tags=TAGS,
)
def list_commitments(query: dict):
    return paginate(queries.list_statement(current_user, _filters(query), order="due"), query)


@api_route(
    "/commitments",
    methods=("POST",),
    roles=ASSIGNERS,
    summary="Giao nhiệm vụ",
    body=CommitmentCreateSchema,
    response=CommitmentSchema,
    status=201,
    idempotent=True,
    tags=TAGS,
)
def create_commitment(body: dict):
    return create(current_user, **body)


@api_route("/commitments/<int:commitment_id>", summary="Một nhiệm vụ", response=CommitmentDetailSchema, tags=TAGS)
def get_commitment(commitment_id: int):
    return queries.get_commitment(current_user, commitment_id, with_updates=True)


@api_route(
    "/commitments/<int:commitment_id>",
    methods=("PATCH",),
    summary="Chuyển trạng thái hoặc gia hạn nhiệm vụ",
    body=CommitmentPatchSchema,
    response=CommitmentSchema,
    tags=TAGS,
)
def patch_commitment(commitment_id: int, body: dict):
    commitment: Commitment = queries.get_commitment(current_user, commitment_id)
    return operations.change_commitment(
        current_user,
        commitment,
        status=body.get("status"),
        due_date=body.get("due_date"),
        reason=body.get("reason"),
        report=body.get("report"),
        note=body.get("note"),
        expected_status=body.get("expected_status"),
    )


@api_route(
    "/commitments/<int:commitment_id>/updates",
    methods=("POST",),
    summary="Cập nhật tiến độ nhiệm vụ",
    body=UpdateCreateSchema,
    response=CommitmentUpdateSchema,
    status=201,
    idempotent=True,
    tags=TAGS,
)
def post_commitment_update(commitment_id: int, body: dict):
    commitment = queries.get_commitment(current_user, commitment_id)
    update: CommitmentUpdate = operations.post_update(
        current_user, commitment, note=body["note"], progress=body.get("progress")
    )
    return update
