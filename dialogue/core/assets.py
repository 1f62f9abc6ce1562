"""Versioned URLs for the files in ``static/``, so that browsers and nginx may keep them for a year.

A phone in a hall with poor Wi-Fi should fetch the CSS and JavaScript once, not on every page. That is safe only if
a changed file gets a new URL: every ``url_for('static', filename=...)`` (base.html and every template) gets
``?v=<first 12 hex digits of the file's SHA-256>``. nginx (deploy/nginx/dialogue.conf.in) and, without nginx, the
app itself answer a versioned URL with a year's lifetime and ``immutable``, an unversioned one with five minutes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, Response, request
from werkzeug.security import safe_join

# Kept in step with the map in deploy/nginx/dialogue.conf.in (tests/test_deploy_nginx.py checks both).
VERSIONED_MAX_AGE = 365 * 24 * 3600
UNVERSIONED_MAX_AGE = 300
VERSION_ARG = "v"


class AssetVersions:
    """The content hash of each static file, computed once per process (per change of the file in debug mode)."""

    def __init__(self, root: str | Path, *, watch: bool = False) -> None:
        self.root = str(root)
        self.watch = watch
        self._known: dict[str, tuple[tuple[int, int] | None, str | None]] = {}

    def version(self, filename: str) -> str | None:
        """None for a file that does not exist (its URL stays unversioned and short-lived)."""
        known = self._known.get(filename)
        if known is not None and not self.watch:
            return known[1]
        path = safe_join(self.root, filename)
        if path is None:
            return None
        try:
            stat = Path(path).stat()
        except OSError:
            return None
        stamp = (stat.st_mtime_ns, stat.st_size)
        if known is not None and known[0] == stamp:
            return known[1]
        try:
            digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
        except OSError:
            return None
        self._known[filename] = (stamp, digest)
        return digest


def register_asset_versions(app: Flask) -> None:
    versions = AssetVersions(app.static_folder or "static", watch=app.debug)
    app.extensions["asset_versions"] = versions

    @app.url_defaults
    def version_static_urls(endpoint: str, values: dict) -> None:
        if endpoint != "static" or VERSION_ARG in values or "filename" not in values:
            return
        version = versions.version(values["filename"])
        if version:
            values[VERSION_ARG] = version

    @app.after_request
    def cache_static_files(response: Response) -> Response:
        """What nginx does for /static/, for a process serving its own files (``make serve`` without nginx)."""
        if request.endpoint != "static" or response.status_code not in (200, 304):
            return response
        versioned = bool(request.args.get(VERSION_ARG))
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = VERSIONED_MAX_AGE if versioned else UNVERSIONED_MAX_AGE
        if versioned:
            response.cache_control.immutable = True
        return response
