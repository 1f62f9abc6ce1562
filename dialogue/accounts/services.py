"""Accounts: creating people, passwords, personal sign-in links and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, or_, select

from ..audit.services import record, snapshot
from ..core.access import ROLES
from ..core.after_commit import after_commit
from ..core.errors import Conflict, Invalid, NotFound
from ..core.inputs import local_path, text_problem
from ..core.permissions import can, require
from ..core.text import fold, like_pattern, nfc, search_blob
from ..core.timeutil import now
from ..extensions import db
from ..units import scope
from ..units.models import Unit
from . import permissions as _permissions  # noqa: F401  (registers the area's rules)
from .models import ApiToken, User, UserRole
from .signals import sign_ins_ended

_hasher = PasswordHasher()
LOGIN_LINK_SALT = "personal-sign-in-link"
USER_FIELDS = ("name", "email", "phone", "position", "unit_id", "active", "roles")


def normalize_email(email: str | None) -> str | None:
    email = nfc(email or "")
    return email.lower() if email else None


def normalize_phone(phone: str | None) -> str | None:
    """Digits only, with the Vietnamese +84 written as a leading 0, so one person is found either way."""
    if not phone:
        return None
    digits = "".join(ch for ch in str(phone) if ch.isdigit())
    if str(phone).strip().startswith("+84") or (digits.startswith("84") and len(digits) == 11):
        digits = "0" + digits[2:]
    return digits or None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    return True


def _user_snapshot(user: User) -> dict:
    data = snapshot(user, ("name", "email", "phone", "position", "unit_id", "active"))
    data["roles"] = sorted(user.role_names)
    return data


def _index(user: User) -> None:
    user.search_text = search_blob(user.name, user.email, user.phone, user.position)


_PHONE_CHARACTERS = set("0123456789 +-.()")


def _login_condition(login: str | None):
    """What a typed sign-in names: an e-mail when it has an "@", else a phone number written only with digits,
    spaces, "+", "-", "." and brackets. Anything else names nobody (so "0901000020@x" is not that phone)."""
    login = (login or "").strip()
    if not login or text_problem(login):  # a control character names nobody (and PostgreSQL refuses NUL)
        return None
    if "@" in login:
        return func.lower(User.email) == normalize_email(login)
    if set(login) <= _PHONE_CHARACTERS:
        phone = normalize_phone(login)
        if phone:
            return User.phone == phone
    return None


def find_by_login(login: str) -> User | None:
    """A person by e-mail or phone, as typed on the sign-in page."""
    condition = _login_condition(login)
    return db.session.scalar(select(User).where(condition)) if condition is not None else None


def login_key(login: str | None) -> str:
    """The sign-in limit's key: the account the typed login names (one count however it is typed, whatever is
    added around it), or the typed text itself, folded, when it names nobody."""
    condition = _login_condition(login)
    user_id = db.session.scalar(select(User.id).where(condition)) if condition is not None else None
    if user_id is not None:
        return f"user:{user_id}"
    return "unknown:" + " ".join((login or "").lower().split())


# A hash of a password nobody has: checked when the login names nobody, so an unknown account takes as long to
# refuse as a known one with a wrong password (the time would tell which accounts exist).
_ABSENT_HASH = _hasher.hash(secrets.token_urlsafe(16))


def authenticate(login: str, password: str) -> User | None:
    user = find_by_login(login)
    if user is None or not user.password_hash:
        try:
            _hasher.verify(_ABSENT_HASH, password or "")
        except (VerificationError, InvalidHashError):
            pass
        return None
    if not check_password(user, password) or not user.active:
        return None
    return user


def end_sign_ins(user: User) -> None:
    """Every sign-in of this person ends now (cookies, remember cookies, tokens made from a link, live
    connections): the session version moves, and the live area is told after the commit."""
    user.session_version = (user.session_version or 0) + 1
    user_id = user.id
    after_commit(lambda: sign_ins_ended.send(None, user_id=user_id))


def sign_out(user: User) -> None:
    """The person signs out: on every device, since a copied cookie must not outlive it."""
    before = {"session_version": user.session_version}
    end_sign_ins(user)
    record(user, "user.sign_out", user, before=before, after={"session_version": user.session_version})


def create_user(
    actor: User | None,
    *,
    name: str,
    email: str | None = None,
    phone: str | None = None,
    roles: Iterable[str] = (),
    unit_id: int | None = None,
    position: str | None = None,
    password: str | None = None,
) -> User:
    name = nfc(name) or ""
    if not name:
        raise Invalid(_l("Họ tên không được để trống."), fields={"name": [str(_l("Bắt buộc."))]})
    roles = set(roles)
    bad = roles - set(ROLES)
    if bad:
        raise Invalid(_l("Vai trò không hợp lệ: %(roles)s", roles=", ".join(sorted(bad))), fields={"roles": ["?"]})
    email, phone = normalize_email(email), normalize_phone(phone)
    if email and db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise Conflict(_l("Đã có người dùng với email %(email)s.", email=email), fields={"email": ["trùng"]})
    if phone and db.session.scalar(select(User.id).where(User.phone == phone)):
        raise Conflict(_l("Đã có người dùng với số điện thoại %(phone)s.", phone=phone), fields={"phone": ["trùng"]})
    if unit_id is not None and db.session.get(Unit, unit_id) is None:
        raise NotFound(_l("Không tìm thấy đơn vị %(id)s.", id=unit_id), fields={"unit_id": ["?"]})
    require(actor, "users.place", unit_id)
    user = User(
        name=name,
        email=email,
        phone=phone,
        unit_id=unit_id,
        position=nfc(position),
        password_hash=hash_password(password) if password else None,
        active=True,
        link_version=0,
    )
    user.roles = [UserRole(role=r) for r in sorted(roles)]
    _index(user)
    db.session.add(user)
    db.session.flush()
    record(actor, "user.create", user, after=_user_snapshot(user))
    return user


def update_user(actor: User | None, user: User, **changes) -> User:
    """Changes a person's details; ``roles`` replaces the set of roles; ``password`` sets a new password. A new
    password or a deactivation ends every sign-in of the person. One's own password and details are one's own;
    anyone else's are an admin's of their part of the tree."""
    if actor is not None and actor.id != user.id:
        require(actor, "users.manage", user)
    before = _user_snapshot(user)
    for field in ("name", "position"):
        if field in changes and changes[field] is not None:
            setattr(user, field, nfc(changes[field]))
    if "email" in changes:
        email = normalize_email(changes["email"])
        if email and db.session.scalar(select(User.id).where(func.lower(User.email) == email, User.id != user.id)):
            raise Conflict(_l("Đã có người dùng với email %(email)s.", email=email), fields={"email": ["trùng"]})
        user.email = email
    if "phone" in changes:
        phone = normalize_phone(changes["phone"])
        if phone and db.session.scalar(select(User.id).where(User.phone == phone, User.id != user.id)):
            raise Conflict(
                _l("Đã có người dùng với số điện thoại %(phone)s.", phone=phone), fields={"phone": ["trùng"]}
            )
        user.phone = phone
    if "unit_id" in changes and changes["unit_id"] != user.unit_id:
        require(actor, "users.place", changes["unit_id"])
        user.unit_id = changes["unit_id"]
    ends_sign_ins = bool(changes.get("password"))
    if "active" in changes:
        ends_sign_ins = ends_sign_ins or (user.active and not changes["active"])
        user.active = bool(changes["active"])
    if "roles" in changes and changes["roles"] is not None:
        wanted = set(changes["roles"])
        if wanted - set(ROLES):
            raise Invalid(_l("Vai trò không hợp lệ."), fields={"roles": ["?"]})
        user.roles = [r for r in user.roles if r.role in wanted] + [
            UserRole(role=r) for r in sorted(wanted - user.role_names)
        ]
    if changes.get("password"):
        user.password_hash = hash_password(changes["password"])
    if ends_sign_ins:
        end_sign_ins(user)
    _index(user)
    after = _user_snapshot(user)
    if after != before or changes.get("password"):
        record(actor, "user.update", user, before=before, after=after)
    return user


def set_locale(user: User, locale: str) -> None:
    """The language a person chose in the header; a preference, not audited."""
    user.locale = locale


# Personal sign-in links ---------------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=LOGIN_LINK_SALT)


def make_login_token(user: User, next_path: str | None = None) -> str:
    """A signed, expiring token that signs ``user`` in and nothing else (its own salt)."""
    return _serializer().dumps({"u": user.id, "v": user.link_version, "n": next_path or ""})


def login_link(user: User, next_path: str | None = None) -> str:
    """The absolute personal link, for an invitation or a QR code."""
    token = make_login_token(user, next_path)
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return base + url_for("accounts.link_login", token=token)


def user_from_login_token(token: str) -> tuple[User, str]:
    max_age = current_app.config["LOGIN_LINK_MAX_AGE_DAYS"] * 86400
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise Invalid(_l("Đường dẫn đăng nhập đã hết hạn. Xin liên hệ Văn phòng để nhận đường dẫn mới.")) from exc
    except BadSignature as exc:
        raise Invalid(_l("Đường dẫn đăng nhập không hợp lệ.")) from exc
    user = db.session.get(User, data.get("u"))
    if user is None or not user.active or user.link_version != data.get("v"):
        raise Invalid(_l("Đường dẫn đăng nhập không còn hiệu lực."))
    return user, local_path(data.get("n")) or ""


def revoke_login_links(actor: User | None, user: User) -> None:
    """Every personal link sent so far stops working, and so does every sign-in made with one (and any other)."""
    if actor is not None and actor.id != user.id:
        require(actor, "users.manage", user)
    before = {"link_version": user.link_version, "session_version": user.session_version}
    user.link_version += 1
    end_sign_ins(user)
    after = {"link_version": user.link_version, "session_version": user.session_version}
    record(actor, "user.revoke_links", user, before=before, after=after)


# API tokens ---------------------------------------------------------------------------------------------


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(actor: User | None, user: User, name: str = "cli") -> tuple[ApiToken, str]:
    """Returns the stored token and the secret, which is shown once and never stored in clear.

    A token made from a personal-link sign-in is bound to it: it acts only as an invitee and ends with the
    person's sign-ins."""
    secret = "dt_" + secrets.token_urlsafe(32)
    link_only = bool(getattr(actor, "link_session", False))
    token = ApiToken(
        user_id=user.id,
        name=nfc(name) or "token",
        token_hash=_hash_token(secret),
        prefix=secret[:10],
        link_only=link_only,
        session_version=user.session_version if link_only else None,
    )
    db.session.add(token)
    db.session.flush()
    record(
        actor,
        "token.create",
        token,
        after={"user_id": user.id, "name": token.name, "prefix": token.prefix, "link_only": link_only},
    )
    return token, secret


def revoke_api_token(actor: User, token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or not can(actor, "tokens.revoke", token):
        raise NotFound(_l("Không tìm thấy mã truy cập."))
    if token.revoked_at is None:
        token.revoked_at = now()
        record(actor, "token.revoke", token, before={"revoked": False}, after={"revoked": True})
    return token


def _owner_of_token(*what, secret: str):
    """``what`` (the person, or columns of theirs) for a token that is not revoked, whose owner is active, and,
    for a token made from a link sign-in, whose owner's sign-ins have not been ended since."""
    return (
        select(*what, ApiToken.link_only)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(
            ApiToken.token_hash == _hash_token(secret),
            ApiToken.revoked_at.is_(None),
            User.active.is_(True),
            or_(ApiToken.session_version.is_(None), ApiToken.session_version == User.session_version),
        )
    )


def user_for_api_token(secret: str) -> User | None:
    """The active owner of a token, acting as the token allows. One query (and the roles): it runs for every API
    call."""
    row = db.session.execute(_owner_of_token(User, secret=secret)).first()
    if row is None:
        return None
    user, link_only = row
    user.link_session = bool(link_only)
    return user


def token_holder(secret: str) -> tuple[int, int, bool] | None:
    """Only who it is (id, session version, link-only), for a phone connecting to the live room: two thousand of
    them connect at once."""
    row = db.session.execute(_owner_of_token(User.id, User.session_version, secret=secret)).first()
    return (row[0], row[1] or 0, bool(row[2])) if row is not None else None


def tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))


def search_users(
    query: str | None = None, role: str | None = None, limit: int = 50, viewer: User | None = None
) -> list[User]:
    """People by name, e-mail or phone; for a ``viewer``, those of their part of the tree."""
    stmt = select(User).order_by(User.name).limit(limit)
    if viewer is not None:
        stmt = stmt.where(scope.within(viewer, User.unit_id))
    if query:
        stmt = stmt.where(User.search_text.like(like_pattern(query), escape="\\"))
    if role:
        stmt = stmt.where(User.roles.any(UserRole.role == role))
    return list(db.session.scalars(stmt))


def folded_name(user: User) -> str:
    return fold(user.name)
