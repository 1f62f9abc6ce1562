"""The organisation tree. Levels are data: any unit of any kind may have children and host a session."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import CreatedAt, enum_check
from ..extensions import Model

UNIT_KINDS: tuple[str, ...] = ("province", "district", "grassroots", "cell", "group")


class Unit(CreatedAt, Model):
    __tablename__ = "units"
    __table_args__ = (
        enum_check("kind", UNIT_KINDS),
        UniqueConstraint("parent_id", "name", name="uq_units_parent_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    search_text: Mapped[str] = mapped_column(Text, default="")

    parent: Mapped[Unit | None] = relationship(remote_side="Unit.id", lazy="select")

    @property
    def scope_unit_id(self) -> int | None:
        """The part of the tree its audit entries belong to (``audit.services.record``): the unit itself."""
        return self.id

    def __repr__(self) -> str:
        return f"<Unit {self.id} {self.kind} {self.name}>"
