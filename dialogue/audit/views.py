"""The admin's audit log: the list of their part of the tree, and one entry whole."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from ..core.access import ADMINS, roles_required
from . import services
from .display import present

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

PAGE_SIZES: tuple[int, ...] = (20, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50


@bp.get("/")
@roles_required(*ADMINS)
def index():
    page = max(request.args.get("page", 1, type=int), 1)
    per_page = request.args.get("per_page", DEFAULT_PAGE_SIZE, type=int)
    if per_page not in PAGE_SIZES:
        per_page = DEFAULT_PAGE_SIZE
    filters = {
        "action": request.args.get("action") or None,
        "object_type": request.args.get("object_type") or None,
        "object_id": request.args.get("object_id", type=int),
        "actor_query": request.args.get("actor") or None,
    }
    entries, total = services.search(current_user, **filters, page=page, per_page=per_page)
    return render_template(
        "audit/index.html",
        rows=present(entries),
        total=total,
        page=page,
        per_page=per_page,
        page_sizes=PAGE_SIZES,
        filters=filters,
        actions=services.actions(current_user),
        object_types=services.object_types(),
    )


@bp.get("/<int:entry_id>")
@roles_required(*ADMINS)
def entry(entry_id: int):
    found = services.get_entry(current_user, entry_id)
    return render_template("audit/entry.html", row=present([found], text_limit=None)[0])
