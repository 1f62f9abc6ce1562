"""Web plumbing shared by the pages: error pages, security headers, and turning a service's refusal into a
message beside the form (keeping everything typed)."""

from __future__ import annotations

from flask import Flask, flash, jsonify, render_template, request
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .errors import DomainError
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

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        message = messages[status]() if status in messages else exc.description
        return render(status, message)

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


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
            "connect-src 'self' ws: wss:; frame-ancestors 'self'",
        )
        return response


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
