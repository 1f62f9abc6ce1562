"""Pages load nothing from the internet, declare UTF-8 and a phone viewport, and show user text as text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXTERNAL = re.compile(r"""(src|href)\s*=\s*["'](https?:)?//""", re.I)


def test_no_template_or_asset_references_the_internet():
    offenders = []
    for path in list((ROOT / "templates").rglob("*.html")) + list((ROOT / "static").rglob("*.css")):
        text = path.read_text(encoding="utf-8")
        if EXTERNAL.search(text) or re.search(r"@import\s+url\(\s*['\"]?https?:", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_base_layout_is_utf8_phone_ready_and_keyboard_usable(client):
    body = client.get("/login").get_data(as_text=True)
    assert '<meta charset="utf-8">' in body
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in body
    assert 'href="#main"' in body and 'id="main"' in body
    assert '<label for="login">' in body and '<label for="password">' in body


def test_user_text_is_escaped(client, make_user, login_as):
    user = make_user("organizer", name="<script>alert(1)</script>")
    login_as(user)
    body = client.get("/account").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    from dialogue import create_app

    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")
