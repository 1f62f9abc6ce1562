"""/api/openapi.json and the browsable /api/docs page (local assets only)."""

from flask import Blueprint, jsonify, render_template

from ..core.access import public
from .openapi import build_spec

bp = Blueprint("api_docs", __name__, url_prefix="/api")


@bp.get("/openapi.json")
@public
def openapi_json():
    return jsonify(build_spec())


@bp.get("/docs")
@public
def docs():
    return render_template("api/docs.html")
