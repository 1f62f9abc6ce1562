"""``flask seed-demo`` builds the article's district; running it twice changes nothing; every printed account signs in."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from dialogue.accounts.models import User, UserRole
from dialogue.extensions import db
from dialogue.units.models import Unit


def _row_counts() -> dict[str, int]:
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def test_seed_demo_builds_chau_thanh_and_is_idempotent(app, client):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    counts = _row_counts()
    assert db.session.scalar(select(func.count(Unit.id)).where(Unit.kind == "grassroots")) == 10
    assert db.session.scalar(select(func.count(Unit.id)).where(Unit.kind == "cell")) == 200
    secretaries = select(func.count()).select_from(UserRole).where(UserRole.role == "secretary")
    assert db.session.scalar(secretaries) == 200
    names = set(db.session.scalars(select(Unit.name).where(Unit.kind == "grassroots")))
    assert "Đảng ủy thị trấn Minh Lương" in names and "Đảng ủy xã Vĩnh Hòa Phú" in names

    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert _row_counts() == counts

    sign_ins = re.findall(r"(\S+@demo\.vn)\s+(\S+)", first.output)
    assert len(sign_ins) >= 6
    for login, password in sign_ins:
        response = client.post("/login", data={"login": login, "password": password})
        assert response.status_code == 302, login
        home = client.get("/")
        assert home.status_code == 200
        user = db.session.scalar(select(User).where(User.email == login))
        assert user.name in home.get_data(as_text=True)
        client.post("/logout")
