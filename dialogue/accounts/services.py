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
from ..core.errors import Conflict, Invalid, NotFound
from ..core.text import fold, nfc, search_blob
from ..core.timeutil import now
from ..extensions import db
from .models import ApiToken, User, UserRole

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


def find_by_login(login: str) -> User | None:
    """A person by e-mail or phone, as typed on the sign-in page."""
    login = (login or "").strip()
    if not login:
        return None
    email = normalize_email(login)
    phone = normalize_phone(login)
    conditions = [func.lower(User.email) == email]
    if phone:
        conditions.append(User.phone == phone)
    return db.session.scalar(select(User).where(or_(*conditions)))


def login_key(login: str | None) -> str:
    """One account however its sign-in is typed (case, spaces, +84), so attempts against it are counted together."""
    login = (login or "").strip()
    if "@" in login:
        return normalize_email(login) or ""
    return normalize_phone(login) or login.lower()


def authenticate(login: str, password: str) -> User | None:
    user = find_by_login(login)
    if user is None or not user.active or not check_password(user, password):
        return None
    return user


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
    commit: bool = True,
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
    if unit_id is not None:
        from ..units.models import Unit

        if db.session.get(Unit, unit_id) is None:
            raise NotFound(_l("Không tìm thấy đơn vị %(id)s.", id=unit_id), fields={"unit_id": ["?"]})
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
    if commit:
        db.session.commit()
    return user


def update_user(actor: User | None, user: User, *, commit: bool = True, **changes) -> User:
    """Changes a person's details; ``roles`` replaces the set of roles; ``password`` sets a new password."""
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
    if "unit_id" in changes:
        user.unit_id = changes["unit_id"]
    if "active" in changes:
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
    _index(user)
    after = _user_snapshot(user)
    if after != before or changes.get("password"):
        record(actor, "user.update", user, before=before, after=after)
    if commit:
        db.session.commit()
    return user


def set_locale(user: User, locale: str) -> None:
    """The language a person chose in the header; a preference, not audited."""
    user.locale = locale
    db.session.commit()


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
    next_path = data.get("n") or ""
    if not next_path.startswith("/") or next_path.startswith("//"):
        next_path = ""
    return user, next_path


def revoke_login_links(actor: User | None, user: User) -> None:
    before = {"link_version": user.link_version}
    user.link_version += 1
    record(actor, "user.revoke_links", user, before=before, after={"link_version": user.link_version})
    db.session.commit()


# API tokens ---------------------------------------------------------------------------------------------


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(actor: User | None, user: User, name: str = "cli") -> tuple[ApiToken, str]:
    """Returns the stored token and the secret, which is shown once and never stored in clear."""
    secret = "dt_" + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=nfc(name) or "token", token_hash=_hash_token(secret), prefix=secret[:10])
    db.session.add(token)
    db.session.flush()
    record(actor, "token.create", token, after={"user_id": user.id, "name": token.name, "prefix": token.prefix})
    db.session.commit()
    return token, secret


def revoke_api_token(actor: User, token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or (token.user_id != actor.id and not actor.has_role("admin")):
        raise NotFound(_l("Không tìm thấy mã truy cập."))
    if token.revoked_at is None:
        token.revoked_at = now()
        record(actor, "token.revoke", token, before={"revoked": False}, after={"revoked": True})
        db.session.commit()
    return token


def _owner_of_token(what, secret: str):
    """``what`` (the person, or a column of theirs) for a token that is not revoked and whose owner is active."""
    return (
        select(what)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == _hash_token(secret), ApiToken.revoked_at.is_(None), User.active.is_(True))
    )


def user_for_api_token(secret: str) -> User | None:
    """The active owner of a token. One query (and the roles): it runs for every API call."""
    return db.session.scalar(_owner_of_token(User, secret))


def user_id_for_api_token(secret: str) -> int | None:
    """Only who it is, for a phone connecting to the live room: two thousand of them connect at once."""
    return db.session.scalar(_owner_of_token(User.id, secret))


def tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))


def search_users(query: str | None = None, role: str | None = None, limit: int = 50) -> list[User]:
    stmt = select(User).order_by(User.name).limit(limit)
    if query:
        from ..core.text import like_pattern

        stmt = stmt.where(User.search_text.like(like_pattern(query), escape="\\"))
    if role:
        stmt = stmt.where(User.roles.any(UserRole.role == role))
    return list(db.session.scalars(stmt))


def folded_name(user: User) -> str:
    return fold(user.name)
