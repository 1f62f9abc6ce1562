"""GET /api/v1/me."""

from flask_login import current_user

from .core import api_route
from .schemas import MeSchema


@api_route("/me", summary="Người đang gọi API", response=MeSchema, tags=("accounts",))
def me():
    user = current_user
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "phone": user.phone,
        "roles": sorted(user.role_names),
        "unit_id": user.unit_id,
    }
