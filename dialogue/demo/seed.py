"""``flask seed-demo``: builds the demo organisation and accounts. Every step looks before it creates, so running
it twice changes nothing. Later areas append their own steps to ``STEPS`` (a demo session, its record...)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from sqlalchemy import select

from ..accounts.models import User
from ..accounts.services import create_user, find_by_login
from ..extensions import db
from ..units.models import Unit
from ..units.services import create_unit

DEMO_PASSWORD = "doithoai2025"
DISTRICT = "Huyện ủy Châu Thành"
PROVINCE = "Tỉnh ủy Kiên Giang"
GRASSROOTS = [
    "Đảng ủy thị trấn Minh Lương",
    "Đảng ủy xã Bình An",
    "Đảng ủy xã Giục Tượng",
    "Đảng ủy xã Minh Hòa",
    "Đảng ủy xã Mong Thọ",
    "Đảng ủy xã Mong Thọ A",
    "Đảng ủy xã Mong Thọ B",
    "Đảng ủy xã Thạnh Lộc",
    "Đảng ủy xã Vĩnh Hòa Hiệp",
    "Đảng ủy xã Vĩnh Hòa Phú",
]
# Made-up hamlet names; cells are named after them (Chi bộ ấp ...).
HAMLETS = [
    "Hòa An",
    "Hòa Bình",
    "Tân Điền",
    "Phước Lộc",
    "Thạnh Hưng",
    "Vĩnh Lợi",
    "Kênh Giữa",
    "Rạch Sỏi",
    "Xẻo Đước",
    "Tân Phú",
    "Bình Thạnh",
    "Minh Phong",
    "Phú Hội",
    "Đông An",
    "Tây Sơn",
    "Cầu Đỏ",
    "Ngã Tư",
    "Vàm Răng",
    "Thới An",
    "Long Hòa",
]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Dương", "Lâm", "Trương"]
MIDDLES = ["Văn", "Thị", "Minh", "Hoàng", "Thanh", "Ngọc", "Quốc", "Hữu", "Đức", "Kim"]
GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Đạt",
    "Giang",
    "Hải",
    "Hạnh",
    "Hiếu",
    "Hòa",
    "Hùng",
    "Khánh",
    "Lan",
    "Linh",
    "Lộc",
    "Mai",
    "Nam",
    "Nga",
    "Phúc",
    "Phương",
    "Quang",
    "Sang",
    "Tâm",
    "Thảo",
    "Thắng",
    "Trí",
    "Tú",
    "Vân",
]


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: str
    position: str
    unit: str  # name of the unit the account belongs to


STAFF_ACCOUNTS = [
    DemoAccount("admin@demo.vn", "Trịnh Quốc Bảo", "admin", "Cán bộ công nghệ thông tin, Văn phòng Huyện ủy", DISTRICT),
    DemoAccount("vanphong@demo.vn", "Phan Thị Thu Hà", "organizer", "Chánh Văn phòng Huyện ủy", DISTRICT),
    DemoAccount("bithu@demo.vn", "Lê Hoàng Phong", "host", "Bí thư Huyện ủy", DISTRICT),
    DemoAccount("ubkt@demo.vn", "Ngô Thanh Tùng", "secretariat", "Chủ nhiệm Ủy ban Kiểm tra Huyện ủy", DISTRICT),
    DemoAccount("binhan@demo.vn", "Đảng ủy xã Bình An", "unit", "Văn phòng Đảng ủy xã", "Đảng ủy xã Bình An"),
]
SECRETARY_LOGIN = "bithuchibo@demo.vn"


def person_name(index: int) -> str:
    """A made-up, deterministic Vietnamese name for the index-th cell secretary."""
    surname = SURNAMES[index % len(SURNAMES)]
    middle = MIDDLES[(index // len(SURNAMES)) % len(MIDDLES)]
    given = GIVEN[(index * 7) % len(GIVEN)]
    return f"{surname} {middle} {given}"


def _unit(name: str, kind: str, parent: Unit | None) -> Unit:
    parent_id = parent.id if parent is not None else None
    existing = db.session.scalar(
        select(Unit).where(
            Unit.name == name, Unit.parent_id.is_(None) if parent_id is None else Unit.parent_id == parent_id
        )
    )
    return existing or create_unit(None, name=name, kind=kind, parent_id=parent_id)


def seed_tree() -> None:
    province = _unit(PROVINCE, "province", None)
    district = _unit(DISTRICT, "district", province)
    index = 0
    for g_index, grassroots_name in enumerate(GRASSROOTS):
        grassroots = _unit(grassroots_name, "grassroots", district)
        for h_index, hamlet in enumerate(HAMLETS):
            kind_word = "khu phố" if grassroots_name.startswith("Đảng ủy thị trấn") else "ấp"
            cell = _unit(f"Chi bộ {kind_word} {hamlet}", "cell", grassroots)
            phone = f"09{g_index:02d}{h_index:02d}{index:04d}"[:10]
            email = SECRETARY_LOGIN if index == 20 else None  # the first cell of Bình An signs in by password too
            if find_by_login(phone) is None and (email is None or find_by_login(email) is None):
                create_user(
                    None,
                    name=person_name(index),
                    phone=phone,
                    email=email,
                    roles={"secretary"},
                    unit_id=cell.id,
                    position="Bí thư chi bộ",
                    password=DEMO_PASSWORD if email else None,
                )
            index += 1


def seed_accounts() -> None:
    for account in STAFF_ACCOUNTS:
        if find_by_login(account.email) is not None:
            continue
        unit = db.session.scalar(select(Unit).where(Unit.name == account.unit))
        create_user(
            None,
            name=account.name,
            email=account.email,
            roles={account.role},
            unit_id=unit.id if unit else None,
            position=account.position,
            password=DEMO_PASSWORD,
        )


# Each area adds its step as "module:function"; imported when the seed runs, in this order.
STEPS: list[str] = [
    "dialogue.demo.seed:seed_tree",
    "dialogue.demo.seed:seed_accounts",
    "dialogue.sessions.demo:seed_open_session",
    "dialogue.reports.demo:seed_article_session",
]


def seed_demo() -> list[tuple[str, str, str]]:
    """Runs every step; returns the demo sign-ins (role, login, password) to print."""
    for path in STEPS:
        module, name = path.split(":")
        getattr(importlib.import_module(module), name)()
    sign_ins = [(a.role, a.email, DEMO_PASSWORD) for a in STAFF_ACCOUNTS]
    sign_ins.append(("secretary", SECRETARY_LOGIN, DEMO_PASSWORD))
    return sign_ins


def demo_user(email: str) -> User | None:
    return find_by_login(email)
