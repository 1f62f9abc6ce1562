"""Sign-in (password or personal link), language, the account page with API tokens, and the admin's people."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core.access import ADMINS, public, roles_required, signed_in
from ..core.errors import DomainError
from ..core.inputs import local_path
from ..core.permissions import can
from ..core.web import refuse
from ..extensions import db, limiter
from ..units.services import tree_rows
from . import services
from .forms import LoginForm, PasswordForm, TokenForm, UserForm
from .models import User
from .signin import is_link_sign_in, sign_in_with_link, sign_in_with_password, sign_out

bp = Blueprint("accounts", __name__)


def _account_tried() -> str:
    """The sign-in limit's key for wrong passwords: the account the typed login names, however it is typed and
    from wherever (a hall's phones share one address, so the address alone can't tell people apart)."""
    return services.login_key(request.form.get("login", ""))


def _failed(response) -> bool:
    """Only a refused attempt counts against the limits (a sign-in that succeeds redirects)."""
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], key_func=_account_tried, deduct_when=_failed
)
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_failed)
def login():
    if current_user.is_authenticated and not is_link_sign_in(current_user):
        return redirect(url_for("home.index"))
    form = LoginForm()
    if is_link_sign_in(current_user) and request.method == "GET":
        flash(_("Trang này cần đăng nhập bằng mật khẩu."), "info")
    if form.validate_on_submit():
        user = services.authenticate(form.login.data, form.password.data)
        if user is None:
            flash(_("Email/số điện thoại hoặc mật khẩu không đúng."), "error")
        else:
            sign_in_with_password(user, remember=form.remember.data)
            return redirect(local_path(request.args.get("next")) or url_for("home.index"))
    return render_template("accounts/login.html", form=form)


@bp.errorhandler(429)
def too_many_attempts(exc):
    """The sign-in page again, with what was typed (not the password) and why it must wait."""
    form = LoginForm(formdata=None, login=request.form.get("login", ""))
    flash(_("Quá nhiều lần thử. Xin đợi một lát rồi thử lại."), "error")
    return render_template("accounts/login.html", form=form), 429


@bp.post("/logout")
@signed_in
def logout():
    services.sign_out(current_user)
    sign_out()
    flash(_("Đã đăng xuất."), "info")
    return redirect(url_for("accounts.login"))


@bp.get("/l/<token>")
@public
def link_login(token: str):
    """The personal link in an invitation: signs the person in without a password and opens the page it names."""
    try:
        user, next_path = services.user_from_login_token(token)
    except DomainError as exc:
        return render_template("errors/error.html", status=400, message=exc.message), 400
    sign_in_with_link(user)
    return redirect(next_path or url_for("home.index"))


@bp.get("/lang/<code>")
@public
def set_language(code: str):
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["lang"] = code
    session.permanent = True
    if current_user.is_authenticated:
        services.set_locale(current_user, code)
    back = request.referrer or ""
    parsed = urlparse(back)
    if parsed.netloc and parsed.netloc != request.host:
        back = ""
    return redirect(
        (local_path(parsed.path + (f"?{parsed.query}" if parsed.query else "")) if back else None)
        or url_for("home.index")
    )


@bp.get("/account")
@signed_in
def account():
    return render_template(
        "accounts/account.html",
        password_form=PasswordForm(),
        token_form=TokenForm(),
        tokens=services.tokens_of(current_user),
        new_token=None,
    )


@bp.post("/account/password")
@signed_in
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        if current_user.password_hash and not services.check_password(current_user, form.current.data or ""):
            form.current.errors = [_("Mật khẩu hiện tại không đúng.")]
        else:
            services.update_user(current_user, current_user, password=form.new.data)
            # Every other sign-in of this person has ended with the new password; this one goes on, as it was.
            person = current_user._get_current_object()
            (sign_in_with_link if is_link_sign_in(person) else sign_in_with_password)(person)
            flash(_("Đã đổi mật khẩu."), "success")
            return redirect(url_for("accounts.account"))
    return render_template(
        "accounts/account.html",
        password_form=form,
        token_form=TokenForm(),
        tokens=services.tokens_of(current_user),
        new_token=None,
    ), 422


@bp.post("/account/tokens")
@signed_in
def create_token():
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        _token, new_token = services.create_api_token(current_user, current_user, form.name.data)
        flash(_("Đã tạo mã truy cập. Hãy chép lại ngay: mã chỉ hiện một lần."), "success")
    return render_template(
        "accounts/account.html",
        password_form=PasswordForm(),
        token_form=TokenForm(formdata=None),
        tokens=services.tokens_of(current_user),
        new_token=new_token,
    ), 200 if new_token else 422


@bp.post("/account/tokens/<int:token_id>/revoke")
@signed_in
def revoke_token(token_id: int):
    services.revoke_api_token(current_user, token_id)
    flash(_("Đã thu hồi mã truy cập."), "success")
    return redirect(url_for("accounts.account"))


# The admin's list of people --------------------------------------------------------------------------------


def _unit_choices() -> list[tuple[int, str]]:
    none = [(0, _("— Không thuộc đơn vị —"))] if can(current_user, "users.place", None) else []
    return none + [
        (unit.id, "\u00a0\u00a0" * depth + unit.name)
        for unit, depth in tree_rows(include_inactive=False, viewer=current_user)
    ]


def _person(user_id: int) -> User:
    """The account, if it is in the admin's part of the tree; else as if it did not exist."""
    person = db.session.get(User, user_id)
    if person is None or not can(current_user, "users.manage", person):
        abort(404)
    return person


@bp.get("/admin/users")
@roles_required(*ADMINS)
def users():
    query = request.args.get("q", "")
    role = request.args.get("role") or None
    people = services.search_users(query, role, limit=200, viewer=current_user)
    return render_template("accounts/users.html", people=people, q=query, role=role)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@roles_required(*ADMINS)
def user_new():
    form = UserForm()
    form.unit_id.choices = _unit_choices()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                current_user,
                name=form.name.data,
                email=form.email.data,
                phone=form.phone.data,
                roles=form.roles.data,
                unit_id=form.unit_id.data or None,
                position=form.position.data,
                password=form.password.data or None,
            )
        except DomainError as exc:
            refuse(exc, form)
        else:
            flash(_("Đã tạo tài khoản %(name)s.", name=user.name), "success")
            return redirect(url_for("accounts.user_edit", user_id=user.id))
    return render_template("accounts/user_form.html", form=form, person=None), 422 if form.errors else 200


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(*ADMINS)
def user_edit(user_id: int):
    person = _person(user_id)
    form = UserForm(obj=person) if request.method == "GET" else UserForm()
    form.unit_id.choices = _unit_choices()
    if request.method == "GET":
        form.roles.data = sorted(person.role_names)
        form.unit_id.data = person.unit_id or 0
    if form.validate_on_submit():
        try:
            services.update_user(
                current_user,
                person,
                name=form.name.data,
                email=form.email.data,
                phone=form.phone.data,
                position=form.position.data,
                unit_id=form.unit_id.data or None,
                roles=form.roles.data,
                active=form.active.data,
                password=form.password.data or None,
            )
        except DomainError as exc:
            refuse(exc, form)
        else:
            flash(_("Đã lưu."), "success")
            return redirect(url_for("accounts.user_edit", user_id=person.id))
    link = services.login_link(person)
    return render_template("accounts/user_form.html", form=form, person=person, link=link), 422 if form.errors else 200


@bp.post("/admin/users/<int:user_id>/revoke-links")
@roles_required(*ADMINS)
def user_revoke_links(user_id: int):
    person = _person(user_id)
    services.revoke_login_links(current_user, person)
    flash(_("Mọi đường dẫn đăng nhập cũ của %(name)s đã hết hiệu lực.", name=person.name), "success")
    return redirect(url_for("accounts.user_edit", user_id=person.id))
