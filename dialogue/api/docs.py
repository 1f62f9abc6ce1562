"""/api/openapi.json and the browsable /api/docs page (local assets only)."""

from flask import Blueprint, jsonify, render_template

from ..core.access import public

bp = Blueprint("api_docs", __name__, url_prefix="/api")


@bp.get("/openapi.json")
@public
def openapi_json():
    from .openapi import build_spec  # apispec only when the document is asked for

    return jsonify(build_spec())


@bp.get("/docs")
@public
def docs():
    return render_template("api/docs.html")
