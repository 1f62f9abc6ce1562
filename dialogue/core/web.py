"""Web plumbing shared by the pages: error pages, security headers, and turning a service's refusal into a
message beside the form (keeping everything typed)."""

from __future__ import annotations

from flask import Flask, flash, g, jsonify, render_template, request, session
from flask_login import user_logged_in
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from .errors import DomainError
from .inputs import BadQuery
from .uow import is_race, rollback_now


def wants_json() -> bool:
    return request.blueprint == "api" or request.path.startswith("/api/")


def register_error_handlers(app: Flask) -> None:
    from flask_babel import gettext as _

    messages = {
        400: lambda: _("Yêu cầu không hợp lệ."),
        401: lambda: _("Cần đăng nhập."),
        403: lambda: _("Bạn không có quyền thực hiện thao tác này."),
        404: lambda: _("Không tìm thấy trang hoặc dữ liệu yêu cầu."),
        405: lambda: _("Phương thức không được hỗ trợ."),
        409: lambda: _("Thao tác không phù hợp với trạng thái hiện tại."),
        413: lambda: _("Tệp gửi lên quá lớn."),
        422: lambda: _("Dữ liệu không hợp lệ."),
        429: lambda: _("Quá nhiều lần thử. Xin đợi một lát rồi thử lại."),
        500: lambda: _("Đã có lỗi trong hệ thống. Xin thử lại sau."),
    }
    codes = {
        400: "bad_request",
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        413: "too_large",
        422: "invalid",
        429: "rate_limited",
        500: "server_error",
    }

    def render(status: int, message: str | None = None, code: str | None = None, fields: dict | None = None):
        message = message or (messages[status]() if status in messages else str(status))
        if wants_json():
            body = {"error": {"code": code or codes.get(status, "error"), "message": message}}
            if fields:
                body["error"]["fields"] = fields
            return jsonify(body), status
        return render_template("errors/error.html", status=status, message=message), status

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return render(
            400, _("Phiên làm việc của biểu mẫu đã hết hạn hoặc thiếu mã bảo vệ. Xin tải lại trang."), code="csrf"
        )

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        return render(exc.status, exc.message, exc.code, exc.fields)

    @app.errorhandler(BadQuery)
    def bad_query(exc: BadQuery):
        if wants_json():
            return render(422, messages[422](), "invalid", {exc.name: [exc.message]})
        return render(400, exc.message)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        message = messages[status]() if status in messages else exc.description
        response = app.make_response(render(status, message))
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            response.headers["Allow"] = ", ".join(sorted(exc.valid_methods))  # RFC 9110: a 405 says what is allowed
        if status == 401 and wants_json():
            response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    def race():
        return render(
            409, _("Dữ liệu vừa được người khác thay đổi. Xin tải lại trang rồi thử lại."), code="concurrent_change"
        )

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        rollback_now()
        if is_race(exc):
            return race()
        app.logger.exception("unhandled error")
        return render(500)

    # Registered last among the app's hooks, so it runs first: the headers and cookies of the others apply to the
    # 409 it may answer instead.
    app.extensions["unit_of_work_race"] = lambda: app.make_response(race())


# The pages need none of these: no camera (check-in is by list or personal link), no microphone, no location.
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), midi=(), "
    "magnetometer=(), gyroscope=(), accelerometer=(), display-capture=(), browsing-topics=()"
)
# 'self' covers the app's own websocket (ws:/wss: on the same host and port, CSP Level 3): the live screens open
# no other connection, and no page may send what it shows anywhere else.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'self'; base-uri 'self'; form-action 'self'; object-src 'none'"
)
# Pages that show who someone is or what they may do with the API (sign-in, the account and its tokens, the
# admin's people), and every JSON answer of the API: a shared computer's cache or back button must not keep them.
NO_STORE_BLUEPRINTS = {"accounts", "api"}


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def headers(response):
        hsts_seconds = app.config.get("HSTS_SECONDS") or 0
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if hsts_seconds:
            response.headers.setdefault("Strict-Transport-Security", f"max-age={hsts_seconds}; includeSubDomains")
        if request.blueprint in NO_STORE_BLUEPRINTS or (wants_json() and response.mimetype == "application/json"):
            response.headers["Cache-Control"] = "no-store"
        return response


def renew_csrf_at_sign_in(app: Flask) -> None:
    """Every sign-in (password or personal link) starts with a new CSRF token: one read or planted before it, on a
    shared phone or by someone who set the cookie, is worth nothing after it."""

    def renew(sender, user, **extra) -> None:
        name = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        session.pop(name, None)
        g.pop(name, None)

    user_logged_in.connect(renew, app, weak=False)


def refuse(exc: DomainError, form: FlaskForm | None = None) -> None:
    """A page shows a service's refusal: nothing the refused work did is kept (the transaction ends now, so the
    page reads the rows as they are), the message is flashed, and field messages go onto the form's fields, which
    keep what was typed."""
    rollback_now()
    flash(exc.message, "error")
    if form is None:
        return
    for name, errors in exc.fields.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [str(e) for e in errors]
