"""The staff's search page."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l

from ..core.access import STAFF, roles_required
from ..core.errors import DomainError
from ..core.nav import add_nav_item
from . import services

bp = Blueprint("search", __name__, url_prefix="/search")

add_nav_item("search.index", _l("Tìm kiếm"), STAFF)

GROUP_TITLES = {
    "sessions": _l("Buổi đối thoại"),
    "questions": _l("Câu hỏi, ý kiến, kiến nghị, đề xuất"),
    "responses": _l("Ý kiến trả lời"),
    "commitments": _l("Nhiệm vụ"),
}


@bp.get("/")
@roles_required(*STAFF)
def index():
    query = (request.args.get("q") or "").strip()
    results, error = None, None
    if query:
        try:
            results = services.search(query)
        except DomainError as exc:
            error = exc.message
    return render_template(
        "search/index.html", query=query, results=results, error=error, titles=GROUP_TITLES, limit=services.PER_KIND
    ), (422 if error else 200)
