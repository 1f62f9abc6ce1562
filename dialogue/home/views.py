from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from ..accounts.models import User
from ..core.access import ADMINS, public, roles_required
from ..core.nav import admin_tools_for
from ..extensions import db
from ..units import scope
from ..units.models import Unit
from .services import register_section, sections_for

bp = Blueprint("home", __name__)


def _admin_context(user) -> dict:
    """The counts of the admin's part of the tree, and their tools."""
    return {
        "unit_count": db.session.scalar(select(func.count(Unit.id)).where(scope.within(user, Unit.id))),
        "user_count": db.session.scalar(select(func.count(User.id)).where(scope.within(user, User.unit_id))),
        "tools": admin_tools_for(user),
    }


register_section("admin", "home/_admin.html", _admin_context, order=10)


@bp.get("/admin/")
@roles_required(*ADMINS)
def admin():
    """The administration page: every admin tool of the areas (``core.nav``, group ``admin``)."""
    return render_template("home/admin.html", c=_admin_context(current_user))


@bp.get("/")
@public
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    return render_template("home/index.html", sections=sections_for(current_user))
