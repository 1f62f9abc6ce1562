"""People and how they sign in."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.access import LINK_SESSION_ROLES, ROLES
from ..core.db_types import UTCDateTime
from ..core.models import CreatedAt, enum_check
from ..extensions import Model

if TYPE_CHECKING:
    from ..units.models import Unit


class User(UserMixin, CreatedAt, Model):
    """A person: a member of a cell, a leader, staff of the office, or the account of a responsible unit."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    position: Mapped[str | None] = mapped_column(String(200))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(5))
    # Bumped to invalidate every personal sign-in link issued so far.
    link_version: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped to end every sign-in of this person at once (sign-out, a new password, deactivation, links revoked):
    # it is part of the id in the session and remember cookies, and of the tokens made from a link sign-in.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    search_text: Mapped[str] = mapped_column(Text, default="")

    unit: Mapped[Unit | None] = relationship(lazy="joined")
    roles: Mapped[list[UserRole]] = relationship(back_populates="user", cascade="all, delete-orphan", lazy="selectin")

    # Not stored: set when this request's sign-in came through a personal link (or a token made from one). Such a
    # sign-in acts only as an invitee, whatever roles the account holds (API.md, Scope).
    link_session: bool = False

    @property
    def held_role_names(self) -> set[str]:
        """The roles the account holds, whatever the sign-in."""
        return {r.role for r in self.roles}

    @property
    def role_names(self) -> set[str]:
        """The roles this sign-in may act in: those held, or only the invitee's for a personal-link sign-in."""
        if self.link_session:
            return set(LINK_SESSION_ROLES)
        return self.held_role_names

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_names & set(roles))

    def get_id(self) -> str:
        """Flask-Login's id in the session and remember cookies: the session version in it ends every cookie
        issued before it moved; the sign-in's own random part makes each sign-in's remember cookie new."""
        nonce = getattr(self, "sign_in_nonce", None)
        return f"{self.id}:{self.session_version or 0}" + (f":{nonce}" if nonce else "")

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    @property
    def scope_unit_id(self) -> int | None:
        """The part of the tree this account's audit entries belong to (``audit.services.record``): its unit."""
        return self.unit_id

    def __repr__(self) -> str:
        return f"<User {self.id} {self.name}>"


class UserRole(Model):
    __tablename__ = "user_roles"
    __table_args__ = (enum_check("role", ROLES),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)

    user: Mapped[User] = relationship(back_populates="roles")


class ApiToken(CreatedAt, Model):
    """A personal access token. Only its SHA-256 is stored; ``prefix`` lets the owner recognise it."""

    __tablename__ = "api_tokens"
    __table_args__ = (CheckConstraint("NOT link_only OR session_version IS NOT NULL", name="link_token_has_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Made from a personal-link sign-in: acts only as an invitee, and only while the owner's session version is
    # the one it was made under (the token ends with the sign-ins).
    link_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    session_version: Mapped[int | None] = mapped_column(Integer)

    user: Mapped[User] = relationship()

    @property
    def scope_unit_id(self) -> int | None:
        """A token's audit entries belong where its owner does."""
        return self.user.unit_id if self.user is not None else None
