"""What may come in, checked in one place: text, numbers and days as people type them, and the URL and query
arguments of every request.

API.md promises that no input gives a 500. The database and the file formats set the limits: PostgreSQL's
``integer`` stops at 2³¹−1 and its text cannot hold NUL; XML (every .docx and .xlsx) cannot hold the other C0
control characters, and Word's Shift+Enter pastes one of them (``\\v``); Python's dates stop at year 9999, and
converting year 1 to UTC or adding days to 31/12/9999 overflows. So:

- text: no C0 control character, except tab and line breaks in fields of several lines; a one-line field takes
  no line break either (a CR/LF in a title ends up in an e-mail's Subject, and the mail is dropped). Unpaired
  surrogates (JSON's ``"\\ud800"``) and U+FFFE/U+FFFF are refused as well: they can be stored nowhere;
- integers: within PostgreSQL's ``integer``; ``<int:...>`` in a URL matches only those (anything larger is 404);
- days: from ``EARLIEST_DAY`` to ``LATEST_DAY``.

The same checks serve the WTForms fields (``install_form_checks``: every form of the app, bound once), the API's
marshmallow schemas (``api.schemas.harden``) and the query string of every page (``check_request``).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from flask import Flask, abort, request
from flask import Request as FlaskRequest
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

DB_INT_MIN = -(2**31)
DB_INT_MAX = 2**31 - 1
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2100, 12, 31)

# Never text, anywhere: C0 controls other than tab, LF and CR; unpaired surrogates; the two non-characters XML
# refuses. A one-line field also refuses tab and every line break (str.splitlines' as well as CR/LF).
_NEVER = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
_BREAKS = "\t\n\r\x1c-\x1e\x85\u2028\u2029"
NOT_MULTI_LINE = re.compile(f"[{_NEVER}]")
NOT_ONE_LINE = re.compile(f"[{_NEVER}{_BREAKS}]")
LINE_BREAKS = re.compile(f"[{_BREAKS}]")


def text_problem(value: Any, *, multiline: bool = False) -> str | None:
    """Why ``value`` can't be taken as typed text, in Vietnamese, or None if it can."""
    if not isinstance(value, str):
        return None
    found = (NOT_MULTI_LINE if multiline else NOT_ONE_LINE).search(value)
    if found is None:
        return None
    char = found.group()
    if LINE_BREAKS.match(char):
        return str(_l("Ô này chỉ nhận một dòng: xin bỏ dấu xuống dòng hoặc dấu tab."))
    return str(
        _l(
            "Có một ký tự điều khiển không in được (mã U+%(code)s, ở vị trí thứ %(n)s), thường do dán từ Word: "
            "xin xóa ký tự đó rồi lưu lại.",
            code=f"{ord(char):04X}",
            n=found.start() + 1,
        )
    )


def file_name(value: str | None) -> str:
    """The name an uploaded file is kept and served under: its own, without what no name may hold (a NUL would
    fail the insert; a line break, the ``Content-Disposition`` of every later download)."""
    return NOT_ONE_LINE.sub("", value or "")


def int_problem(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool) and not DB_INT_MIN <= value <= DB_INT_MAX:
        return str(_l("Số quá lớn."))
    return None


def day_problem(value: Any) -> str | None:
    day = value.date() if isinstance(value, datetime) else value
    if isinstance(day, date) and not EARLIEST_DAY <= day <= LATEST_DAY:
        return str(
            _l(
                "Ngày phải trong khoảng từ %(first)s đến %(last)s.",
                first=EARLIEST_DAY.strftime("%d/%m/%Y"),
                last=LATEST_DAY.strftime("%d/%m/%Y"),
            )
        )
    return None


def parse_day(value: str | None) -> date | None:
    """A YYYY-MM-DD query argument, or None when it is missing, malformed or out of range."""
    try:
        day = date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None
    return None if day_problem(day) else day


# URLs and query strings -----------------------------------------------------------------------------------------


def _up_to(limit: str) -> str:
    """A regular expression for the decimal numbers from 0 to ``limit`` (leading zeros allowed)."""
    options = [f"[0-9]{{1,{len(limit) - 1}}}"]
    for i, digit in enumerate(limit):
        if digit != "0":
            rest = len(limit) - i - 1
            options.append(
                limit[:i] + (f"[0-{int(digit) - 1}]" if digit != "1" else "0") + (f"[0-9]{{{rest}}}" if rest else "")
            )
    options.append(limit)
    return "0*(?:" + "|".join(options) + ")"


class IdConverter(IntegerConverter):
    """``<int:...>``, bounded to the database's ``integer``: /sessions/2147483648 is a 404, not a failed query. The
    bound is in the pattern, so such a URL matches no route whatever its method (a converter that refused it
    after matching would make the other methods' rules answer 405)."""

    regex = _up_to(str(DB_INT_MAX))

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = DB_INT_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class BoundedArgs(ImmutableMultiDict):
    """``request.args`` and ``request.form``: ``get(name, type=int)`` treats a number the database can't hold like
    any other value that is not a number (the default), so ``?page=99999999999999999999`` is page 1."""

    def get(self, key, default=None, type=None):
        value = super().get(key, default=default, type=type)
        if type is int and value is not default and int_problem(value):
            return default
        return value

    def getlist(self, key, type=None):
        values = super().getlist(key, type=type)
        if type is int:
            return [v for v in values if not int_problem(v)]
        return values


class Request(FlaskRequest):
    parameter_storage_class = BoundedArgs


class BadQuery(Exception):
    """A query argument that no page or endpoint can take: answered 400 on a page, 422 with the field in the API."""

    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name = name
        self.message = message


def check_request() -> None:
    """Before every request: a URL part with a control character names nothing (404); a query argument with one is
    refused, by name (``q``, ``projector``...)."""
    for value in (request.view_args or {}).values():
        if isinstance(value, str) and NOT_ONE_LINE.search(value):
            abort(404)
    for name, value in request.args.items(multi=True):
        problem = text_problem(name) or text_problem(value)
        if problem:
            raise BadQuery(name if not text_problem(name) else "_", problem)


def install(app: Flask) -> None:
    """Called by ``create_app`` before any route is added (the converter is read when a rule is compiled)."""
    app.url_map.converters["int"] = IdConverter
    app.request_class = Request
    app.before_request(check_request)
    from .forms import install_form_checks

    install_form_checks()


def local_path(target: str | None) -> str | None:
    """``target`` if it is a path of this site, else None: not "//host" nor "/\\host" (browsers read both as
    another host), nor a scheme, nor a control character. For every "next" and redirect a person can write."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if "\\" in target or text_problem(target):
        return None
    return target
