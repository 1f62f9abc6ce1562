from flask import Blueprint, render_template, request

from ..core.access import roles_required
from . import services

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


@bp.get("/")
@roles_required("admin")
def index():
    page = max(request.args.get("page", 1, type=int), 1)
    filters = {
        "action": request.args.get("action") or None,
        "object_type": request.args.get("object_type") or None,
        "object_id": request.args.get("object_id", type=int),
        "actor_query": request.args.get("actor") or None,
    }
    entries, total = services.search(**filters, page=page, per_page=50)
    return render_template(
        "audit/index.html",
        entries=entries,
        total=total,
        page=page,
        per_page=50,
        filters=filters,
        actions=services.actions(),
    )
