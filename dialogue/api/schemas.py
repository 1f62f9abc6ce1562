"""Marshmallow schemas shared across endpoints, and Vietnamese messages for marshmallow's own errors."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

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


class ErrorBodySchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    fields = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)


class PageQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
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
