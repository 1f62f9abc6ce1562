"""Static files have versioned URLs (a content hash), so browsers and nginx may keep them for a year."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from flask import url_for

from dialogue.core.assets import UNVERSIONED_MAX_AGE, VERSIONED_MAX_AGE, AssetVersions

ROOT = Path(__file__).resolve().parent.parent
ASSET = re.compile(r'(?:href|src)="/static/([^"?]+)(\?v=([0-9a-f]+))?"')


def digest(name: str) -> str:
    return hashlib.sha256((ROOT / "static" / name).read_bytes()).hexdigest()[:12]


def test_every_static_url_of_a_page_carries_the_hash_of_its_file(client, tree, login_as):
    pages = [client.get("/login").get_data(as_text=True)]
    login_as(tree.organizer)
    pages.append(client.get("/api/docs").get_data(as_text=True))
    found = [m for page in pages for m in ASSET.findall(page)]
    names = {name for name, _, _ in found}
    assert {"css/app.css", "js/app.js", "favicon.svg", "js/api-docs.js"} <= names
    for name, _query, version in found:
        assert version == digest(name), name


def test_templates_name_static_files_only_through_url_for():
    """A literal /static/... in a template would escape the versioning (and then the year-long cache)."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "templates").rglob("*.html")
        if re.search(r"""(src|href)\s*=\s*["']/static/""", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_a_versioned_url_is_kept_for_a_year_and_an_unversioned_one_for_minutes(client, app):
    with app.test_request_context():
        versioned = url_for("static", filename="css/app.css")
        missing = url_for("static", filename="css/nothing-here.css")
    assert versioned == f"/static/css/app.css?v={digest('css/app.css')}"
    assert missing == "/static/css/nothing-here.css"  # no file, no version: nothing to keep

    kept = client.get(versioned)
    assert kept.status_code == 200
    assert kept.headers["Cache-Control"] == f"public, max-age={VERSIONED_MAX_AGE}, immutable"
    assert "Expires" not in kept.headers
    plain = client.get("/static/css/app.css")
    assert plain.status_code == 200
    assert plain.headers["Cache-Control"] == f"public, max-age={UNVERSIONED_MAX_AGE}"
    absent = client.get("/static/css/nothing-here.css")
    assert absent.status_code == 404
    assert "immutable" not in absent.headers.get("Cache-Control", "")
    # Other responses keep their own caching (an attachment, a page): only static/ is touched.
    assert "max-age" not in client.get("/login").headers.get("Cache-Control", "")


def test_versions_follow_the_content_and_stay_inside_static(tmp_path):
    (tmp_path / "a.css").write_text("body{color:red}")
    (tmp_path.parent / "secret.txt").write_text("not an asset")
    watching = AssetVersions(tmp_path, watch=True)
    fixed = AssetVersions(tmp_path)
    first = watching.version("a.css")
    assert first == fixed.version("a.css") == hashlib.sha256(b"body{color:red}").hexdigest()[:12]
    (tmp_path / "a.css").write_text("body{color:blue;margin:0}")
    assert watching.version("a.css") not in (None, first)  # development: a changed file gets a new URL at once
    assert fixed.version("a.css") == first  # production: hashed once per process (a deploy restarts it)
    assert watching.version("../secret.txt") is None
    assert watching.version("missing.css") is None
