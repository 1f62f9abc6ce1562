from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from ..core.access import signed_in
from . import services

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.get("/")
@signed_in
def index():
    return render_template("notifications/index.html", notices=services.recent(current_user))


@bp.post("/read")
@signed_in
def mark_read():
    services.mark_all_read(current_user)
    return redirect(url_for("notifications.index"))
