"""Vietnamese first, English second: every message of the code and templates has its English translation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def test_every_message_has_an_english_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as f:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    with (ROOT / "dialogue/translations/en/LC_MESSAGES/messages.po").open("rb") as f:
        catalog = {(m.id if isinstance(m.id, str) else m.id[0]): m.string for m in read_po(f) if m.id}
    missing = sorted(m for m in wanted if not catalog.get(m))
    assert missing == [], f"{len(missing)} messages without English: {missing[:10]}"


def test_english_pages_keep_vietnamese_data_but_translate_the_interface(client, make_user, login_as):
    login_as(make_user("admin", name="Trần Quốc Bảo"))
    client.get("/lang/en")
    body = client.get("/").get_data(as_text=True)
    assert "Hello, Trần Quốc Bảo" in body and "Organisation tree" in body
    assert "Cây tổ chức" not in body
