from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from ..core.access import public
from .services import register_section, sections_for

bp = Blueprint("home", __name__)


def _admin_context(user):
    from sqlalchemy import func, select

    from ..accounts.models import User
    from ..extensions import db
    from ..units.models import Unit

    return {
        "unit_count": db.session.scalar(select(func.count(Unit.id))),
        "user_count": db.session.scalar(select(func.count(User.id))),
    }


register_section("admin", "home/_admin.html", _admin_context, order=10)


@bp.get("/")
@public
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    return render_template("home/index.html", sections=sections_for(current_user))
