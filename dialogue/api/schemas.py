"""Marshmallow schemas shared across endpoints, and Vietnamese messages for marshmallow's own errors."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from ..core.inputs import DB_INT_MAX, DB_INT_MIN, day_problem, int_problem, text_problem
from ..units.models import UNIT_KINDS

# marshmallow's built-in messages, as the API's users read them.
VI_MESSAGES = {
    "Missing data for required field.": "Bắt buộc.",
    "Not a valid integer.": "Phải là số nguyên.",
    "Not a valid string.": "Phải là chuỗi ký tự.",
    "Not a valid boolean.": "Phải là đúng/sai (true/false).",
    "Not a valid datetime.": "Ngày giờ không hợp lệ (ISO 8601).",
    "Not a valid date.": "Ngày không hợp lệ (YYYY-MM-DD).",
    "Not a valid list.": "Phải là danh sách.",
    "Unknown field.": "Trường không được hỗ trợ.",
    "Field may not be null.": "Không được để trống.",
    "Invalid input type.": "Kiểu dữ liệu không hợp lệ.",
    "Not a valid email address.": "Email không hợp lệ.",
    "Invalid value.": "Giá trị không hợp lệ.",
    "Number too large.": "Số quá lớn.",
    "Not a valid number.": "Phải là số.",
}


def vietnamese_messages(messages: object) -> dict[str, list[str]]:
    """Flattens marshmallow's error dict to ``{"field": ["message", ...]}`` in Vietnamese."""
    out: dict[str, list[str]] = {}

    def add(prefix: str, value: object) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                add(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list | tuple):
            for item in value:
                if isinstance(item, dict):
                    add(prefix, item)
                else:
                    text = str(item)
                    if text.startswith("Must be one of"):
                        text = "Giá trị phải là một trong: " + text.split(":", 1)[1].strip()
                    elif text.startswith("Must be greater than or equal to") or text.startswith("Must be less than"):
                        text = "Giá trị nằm ngoài khoảng cho phép."
                    elif (
                        text.startswith("Length must be")
                        or text.startswith("Shorter than")
                        or text.startswith("Longer than")
                    ):
                        text = "Độ dài không hợp lệ."
                    out.setdefault(prefix or "_", []).append(VI_MESSAGES.get(text, text))
        else:
            out.setdefault(prefix or "_", []).append(VI_MESSAGES.get(str(value), str(value)))

    add("", messages)
    return out


# What the API takes, checked on every field of every body and query schema (``harden``, called by
# ``api.core._load``): nobody has to remember it on each field, and a schema added later is covered too.


class MultiLine(fields.String):
    """Text of several lines (a submission, an answer, a reason): tabs and line breaks are taken, no other control
    character. Every other ``fields.String`` of a body or a query is one line."""


def _check(problem_of, **options):
    def check(value: Any) -> None:
        problem = problem_of(value, **options)
        if problem:
            raise ValidationError(problem)

    return check


def _checks_for(field: fields.Field) -> list:
    if isinstance(field, fields.String):
        return [_check(text_problem, multiline=isinstance(field, MultiLine))]
    if isinstance(field, fields.Integer):
        bounded = any(isinstance(v, validate.Range) and v.max is not None for v in field.validators)
        return [] if bounded else [_check(int_problem)]
    if isinstance(field, fields.Date | fields.DateTime):
        return [_check(day_problem)]
    return []


def harden(schema: Schema) -> Schema:
    """Adds the checks of ``core.inputs`` to the fields of a schema instance (nested ones and list items too)."""
    seen: set[int] = set()

    def visit(field: fields.Field | None) -> None:
        if field is None or id(field) in seen:
            return
        seen.add(id(field))
        field.validators = [*field.validators, *_checks_for(field)]
        if isinstance(field, fields.List):
            visit(field.inner)
        elif isinstance(field, fields.Dict):
            visit(field.key_field)
            visit(field.value_field)
        elif isinstance(field, fields.Nested):
            for inner in field.schema.load_fields.values():
                visit(inner)

    for field in schema.load_fields.values():
        visit(field)
    return schema


def openapi_bounds(self, field: fields.Field, **kwargs) -> dict:
    """apispec attribute function: the OpenAPI document gives every integer the database's range."""
    if isinstance(field, fields.Integer) and not any(isinstance(v, validate.Range) for v in field.validators):
        return {"minimum": DB_INT_MIN, "maximum": DB_INT_MAX}
    return {}


class ErrorBodySchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    fields = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)


class PageQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=DB_INT_MAX))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class MeSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    roles = fields.List(fields.String())
    unit_id = fields.Integer(allow_none=True)


class UnitSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String(validate=validate.OneOf(UNIT_KINDS))
    parent_id = fields.Integer(allow_none=True)
    active = fields.Boolean()


class UnitQuerySchema(PageQuerySchema):
    per_page = fields.Integer(load_default=200, validate=validate.Range(min=1, max=1000))
    kind = fields.String(validate=validate.OneOf(UNIT_KINDS))
    parent_id = fields.Integer()
    q = fields.String()
