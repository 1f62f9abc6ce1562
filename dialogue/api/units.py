"""GET /api/v1/units: the organisation tree."""

from sqlalchemy import select

from ..core.text import like_pattern
from ..units.models import Unit
from .core import api_route, paginate
from .schemas import UnitQuerySchema, UnitSchema


@api_route("/units", summary="Cây tổ chức", query=UnitQuerySchema, response=UnitSchema, paginated=True, tags=("units",))
def list_units(query: dict):
    stmt = select(Unit).order_by(Unit.id)
    if "kind" in query:
        stmt = stmt.where(Unit.kind == query["kind"])
    if "parent_id" in query:
        stmt = stmt.where(Unit.parent_id == query["parent_id"])
    if query.get("q"):
        stmt = stmt.where(Unit.search_text.like(like_pattern(query["q"]), escape="\\"))
    return paginate(stmt, query)
