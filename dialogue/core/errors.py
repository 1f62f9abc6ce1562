"""Errors a service raises. Pages turn them into a flashed message, the API into its JSON error format.

Messages are Vietnamese (translated lazily), written for the person who acted.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule refused the action. ``status`` is the HTTP status the API answers with."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None, code: str | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.fields = fields or {}
        if code:
            self.code = code


class Invalid(DomainError):
    status = 422
    code = "invalid"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    """The action does not fit the current state (a wrong transition, a stale version, a closed window)."""

    status = 409
    code = "conflict"
