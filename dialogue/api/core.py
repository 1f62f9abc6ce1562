"""The one decorator every API endpoint uses: it declares who may call it, parses and validates the input
with marshmallow (errors in the JSON format of API.md), applies the Idempotency-Key to creates, serialises the
answer, and records all of it for the OpenAPI document."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import current_app, jsonify, request, session
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields
from werkzeug.exceptions import Unauthorized as HTTPUnauthorized
from wtforms.validators import ValidationError as WTFValidationError

from ..accounts.services import token_holder
from ..core.access import Access, has_any_role, holds_any_role
from ..core.errors import Forbidden, Invalid
from ..core.idempotency import run_once
from ..core.inputs import text_problem
from ..core.pagination import page_of
from . import bp
from .schemas import PageQuerySchema, harden, vietnamese_messages


@dataclass
class Endpoint:
    rule: str
    methods: tuple[str, ...]
    view: Callable
    summary: str
    access: Access
    body: type[Schema] | None = None
    query: type[Schema] | None = None
    response: type[Schema] | None = None
    paginated: bool = False
    status: int = 200
    idempotent: bool = False
    tags: tuple[str, ...] = ()
    produces: str = "application/json"
    extra_responses: dict[int, str] = field(default_factory=dict)


REGISTRY: list[Endpoint] = []


class Unauthorized(Exception):
    pass


def api_route(
    rule: str,
    *,
    methods: tuple[str, ...] = ("GET",),
    roles: tuple[str, ...] | str = "signed_in",
    summary: str = "",
    body: type[Schema] | None = None,
    query: type[Schema] | None = None,
    response: type[Schema] | None = None,
    paginated: bool = False,
    status: int = 200,
    idempotent: bool = False,
    tags: tuple[str, ...] = (),
    produces: str = "application/json",
    errors: dict[int, str] | None = None,
) -> Callable[[Callable], Callable]:
    """Registers an endpoint under /api/v1.

    ``roles`` is a tuple of roles, or ``"signed_in"`` when the service decides per object (invited, own).
    The view receives ``body=`` and/or ``query=`` (validated dicts) besides the URL arguments and returns data
    (serialised with ``response``), a ``(data, status)`` pair, or a ready Flask response.
    """
    access = Access("signed_in") if roles == "signed_in" else Access("roles", tuple(roles))

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(**kwargs):
            user = _authenticate(access)
            if body is not None:
                kwargs["body"] = _load(body, _json_body(), unknown=RAISE)
            if query is not None:
                kwargs["query"] = _load(query, request.args.to_dict(), unknown=EXCLUDE)

            def work() -> tuple[int, Any]:
                result = view(**kwargs)
                return _serialise(result, response, paginated, status)

            if idempotent and request.method == "POST":
                key = _idempotency_key()
                code, payload = run_once(user.id, key, f"{request.method} {request.path}", work)
                return jsonify(payload), code
            outcome = work()
            if isinstance(outcome, tuple) and len(outcome) == 2 and isinstance(outcome[0], int):
                code, payload = outcome
                if code == 204:
                    return "", 204
                return jsonify(payload), code
            return outcome

        wrapper.access = access  # type: ignore[attr-defined]
        bp.add_url_rule(rule, endpoint=view.__name__, view_func=wrapper, methods=list(methods))
        REGISTRY.append(
            Endpoint(
                rule,
                tuple(methods),
                wrapper,
                summary or (view.__doc__ or "").strip().split("\n")[0],
                access,
                body,
                query,
                response,
                paginated,
                status,
                idempotent,
                tags,
                produces,
                errors or {},
            )
        )
        return wrapper

    return decorator


def _signed_by_bearer() -> bool:
    """Whether the caller is who a valid Bearer token says. Only then is a write exempt from the CSRF check: any
    ``Authorization: Bearer x`` beside a session cookie would otherwise let a cross-site request through."""
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        return False
    if "_user_id" not in session:
        return True  # no cookie sign-in: Flask-Login's request loader found the token's owner, or nobody
    holder = token_holder(header[7:].strip())
    return holder is not None and holder[0] == current_user.id


def _authenticate(access: Access):
    """Bearer tokens are loaded by Flask-Login's request loader; a cookie session must also carry the CSRF token
    on anything that changes state."""
    if not current_user.is_authenticated:
        raise HTTPUnauthorized()
    if request.method not in ("GET", "HEAD", "OPTIONS") and not _signed_by_bearer():
        try:
            validate_csrf(request.headers.get("X-CSRFToken") or request.headers.get("X-CSRF-Token"))
        except WTFValidationError as exc:
            if current_app.config.get("WTF_CSRF_ENABLED", True):
                raise Forbidden(_("Thiếu hoặc sai mã CSRF (X-CSRFToken)."), code="csrf") from exc
    if access.kind == "roles" and not has_any_role(current_user, access.roles):
        if holds_any_role(current_user, access.roles):
            raise Forbidden(
                _("Đăng nhập bằng đường dẫn riêng chỉ dùng được các trang của khách mời. Xin đăng nhập bằng mật khẩu."),
                code="password_required",
            )
        raise Forbidden(_("Bạn không có quyền thực hiện thao tác này."))
    return current_user._get_current_object()


def _json_body() -> dict:
    if not request.data:
        return {}
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser goes: no body of this API is
        data = None
    if not isinstance(data, dict):
        raise Invalid(_("Nội dung yêu cầu phải là một đối tượng JSON."), code="bad_json")
    return data


def _idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    problem = text_problem(key)
    if problem:
        raise Invalid(_("Dữ liệu không hợp lệ."), fields={"Idempotency-Key": [problem]})
    return key


def _load(schema: type[Schema], data: dict, unknown: str) -> dict:
    try:
        return harden(schema(unknown=unknown)).load(data)
    except ValidationError as exc:
        raise Invalid(_("Dữ liệu không hợp lệ."), fields=vietnamese_messages(exc.messages)) from exc


def _serialise(result: Any, schema: type[Schema] | None, paginated: bool, status: int) -> Any:
    if hasattr(result, "status_code") and hasattr(result, "headers"):
        return result  # a ready response (a file download)
    code = status
    if isinstance(result, tuple):
        result, code = result
    if result is None:
        return 204, None
    if schema is not None:
        result = {**result, "items": schema(many=True).dump(result["items"])} if paginated else schema().dump(result)
    return code, result


def paginate(stmt, query: dict) -> dict:
    """One page of ``stmt`` and the total, as API.md's list format."""
    return page_of(stmt, query.get("page", 1), query.get("per_page", 50))


def page_schema(item_schema: type[Schema]) -> type[Schema]:
    """The schema of a paginated list of ``item_schema``, for the OpenAPI document."""
    name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
    return type(
        name,
        (Schema,),
        {
            "items": fields.List(fields.Nested(item_schema)),
            "page": fields.Integer(),
            "per_page": fields.Integer(),
            "total": fields.Integer(),
        },
    )


PATH_ARG = re.compile(r"<(?:(\w+):)?(\w+)>")

__all__ = ["REGISTRY", "PageQuerySchema", "api_route", "page_schema", "paginate"]
