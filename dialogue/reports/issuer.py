"""The issuing body of a document and what its header says about it, from the organisation tree.

A session's documents are issued in the name of its host unit (HUYỆN ỦY CHÂU THÀNH); above it stands the
Party organisation its parent leads (ĐẢNG BỘ TỈNH KIÊN GIANG); its number carries the abbreviation of its symbol
(HU). Names say most of it ("Huyện ủy X" → HU, "Đảng ủy xã Y" → ĐU); an admin sets what a name does not say.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import User
from ..audit.services import record as audit
from ..core.errors import Invalid, NotFound
from ..core.text import fold, nfc
from ..core.timeutil import now
from ..extensions import db
from ..units.models import Unit
from .models import IssuerSetting
from .permissions import check_profile_admin

# How a committee's name begins → (the Party organisation it leads, the abbreviation of its symbol, the word
# that names it in "Lưu Văn phòng …"). Longest first; compared folded ("huyen uy" matches "Huyện ủy").
NAME_RULES: tuple[tuple[str, str, str, str], ...] = (
    ("đảng ủy thị trấn", "Đảng bộ thị trấn", "ĐU", "Đảng ủy"),
    ("đảng ủy phường", "Đảng bộ phường", "ĐU", "Đảng ủy"),
    ("đảng ủy đặc khu", "Đảng bộ đặc khu", "ĐU", "Đảng ủy"),
    ("đảng ủy xã", "Đảng bộ xã", "ĐU", "Đảng ủy"),
    ("đảng ủy", "Đảng bộ", "ĐU", "Đảng ủy"),
    ("tỉnh ủy", "Đảng bộ tỉnh", "TU", "Tỉnh ủy"),
    ("thành ủy", "Đảng bộ thành phố", "TU", "Thành ủy"),
    ("huyện ủy", "Đảng bộ huyện", "HU", "Huyện ủy"),
    ("thị ủy", "Đảng bộ thị xã", "TU", "Thị ủy"),
    ("quận ủy", "Đảng bộ quận", "QU", "Quận ủy"),
    ("chi ủy", "Chi bộ", "CB", "Chi ủy"),
    ("chi bộ", "Chi bộ", "CB", "Chi bộ"),
)
KIND_SYMBOLS = {"province": "TU", "district": "HU", "grassroots": "ĐU", "cell": "CB", "group": "TĐ"}
# Words that name the kind of committee before the place name: "Huyện ủy Châu Thành" is issued at "Châu Thành".
PLACE_PREFIXES = (
    "đảng ủy thị trấn",
    "đảng ủy phường",
    "đảng ủy xã",
    "đảng ủy đặc khu",
    "đảng bộ tỉnh",
    "đảng bộ huyện",
    "đảng ủy",
    "đảng bộ",
    "huyện ủy",
    "tỉnh ủy",
    "thành ủy",
    "thị ủy",
    "quận ủy",
    "chi bộ khu phố",
    "chi bộ ấp",
    "chi bộ",
    "ủy ban kiểm tra",
)
SYMBOL_MAX = 20


def _rule(name: str) -> tuple[str, str, str, str] | None:
    folded = fold(name)
    for rule in NAME_RULES:
        prefix = fold(rule[0])
        if folded == prefix or folded.startswith(prefix + " "):
            return rule
    return None


def place_from_unit_name(name: str) -> str:
    """The place written before the date: the unit's name without its kind ("Huyện ủy Châu Thành" → "Châu Thành")."""
    text = (name or "").strip()
    lowered = fold(text)
    for prefix in PLACE_PREFIXES:
        folded = fold(prefix)
        if lowered.startswith(folded + " "):
            return " ".join(text.split()[len(prefix.split()) :]).strip()
    return text


def party_organisation(name: str) -> str:
    """The Party organisation a committee leads, as a superior body is written: "Tỉnh ủy Kiên Giang" →
    "ĐẢNG BỘ TỈNH KIÊN GIANG", "Huyện ủy Châu Thành" → "ĐẢNG BỘ HUYỆN CHÂU THÀNH"."""
    text = " ".join((name or "").split())
    rule = _rule(text)
    if rule is None:
        return text.upper()
    rest = " ".join(text.split()[len(rule[0].split()) :])
    return f"{rule[1]} {rest}".strip().upper()


def derived_symbol(unit: Unit) -> str:
    rule = _rule(unit.name)
    if rule is not None:
        return rule[2]
    return KIND_SYMBOLS.get(unit.kind, "")


def archive_line(name: str) -> str:
    """The last recipient of every document: "Lưu Văn phòng Huyện ủy"."""
    rule = _rule(name)
    return f"Lưu Văn phòng {rule[3]}" if rule is not None else "Lưu Văn phòng"


def issuer_of(unit: Unit | None, profile: dict) -> dict:
    """Everything the header and the register need about the issuing body (three small reads at most)."""
    if unit is None:
        return {
            "unit_id": None,
            "name": "",
            "issuer": "",
            "superior": profile.get("root_superior_body") or "",
            "symbol": "",
            "place": "",
            "archive": "Lưu Văn phòng",
            "parent_id": None,
            "parent_name": "",
        }
    setting = db.session.get(IssuerSetting, unit.id)
    parent = db.session.get(Unit, unit.parent_id) if unit.parent_id else None
    if setting is not None and setting.superior_body:
        superior = setting.superior_body
    elif parent is not None:
        superior = party_organisation(parent.name)
    else:
        superior = profile.get("root_superior_body") or ""
    symbol = (setting.symbol if setting is not None and setting.symbol else None) or derived_symbol(unit)
    return {
        "unit_id": unit.id,
        "name": unit.name,
        "issuer": " ".join(unit.name.split()).upper(),
        "superior": superior,
        "symbol": symbol,
        "place": place_from_unit_name(unit.name),
        "archive": archive_line(unit.name),
        "parent_id": parent.id if parent is not None else None,
        "parent_name": parent.name if parent is not None else "",
    }


def issuer_rows() -> list[dict]:
    """The units that can issue documents (all but cells and groups), with what their documents say: one query
    for the units, one for the settings."""
    units = list(db.session.scalars(select(Unit).where(Unit.kind.not_in(("cell", "group"))).order_by(Unit.name)))
    by_id = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.kind.not_in(("cell", "group"))))}
    settings = {s.unit_id: s for s in db.session.scalars(select(IssuerSetting))}
    rows = []
    for unit in units:
        setting = settings.get(unit.id)
        parent = by_id.get(unit.parent_id) if unit.parent_id else None
        rows.append(
            {
                "unit": unit,
                "symbol": setting.symbol if setting and setting.symbol else "",
                "derived_symbol": derived_symbol(unit),
                "superior_body": setting.superior_body if setting and setting.superior_body else "",
                "derived_superior": party_organisation(parent.name) if parent is not None else "",
            }
        )
    return rows


def set_issuer(actor: User, unit_id: int, *, symbol: str | None, superior_body: str | None) -> IssuerSetting:
    """An admin sets how a unit signs: the abbreviation (empty: from its name) and the superior body (empty: from
    the tree)."""
    check_profile_admin(actor)
    unit = db.session.get(Unit, unit_id) if unit_id else None
    if unit is None:
        raise NotFound(_l("Không tìm thấy đơn vị."))
    symbol = (nfc(symbol) or "").upper().replace(" ", "")
    superior_body = (nfc(superior_body) or "").upper()
    errors: dict[str, list[str]] = {}
    if len(symbol) > SYMBOL_MAX or any(ch in symbol for ch in "/-"):
        errors["symbol"] = [str(_l("Tối đa %(n)s ký tự, không có “/” hay “-”.", n=SYMBOL_MAX))]
    if len(superior_body) > 200:
        errors["superior_body"] = [str(_l("Quá dài (tối đa %(n)s ký tự).", n=200))]
    if errors:
        raise Invalid(_l("Có thông tin không hợp lệ."), fields=errors)
    setting = db.session.get(IssuerSetting, unit.id)
    before = _issuer_snapshot(setting)
    if setting is None:
        setting = IssuerSetting(unit_id=unit.id)
        db.session.add(setting)
    setting.symbol = symbol or None
    setting.superior_body = superior_body or None
    setting.updated_at = now()
    setting.updated_by_id = actor.id
    db.session.flush()
    audit(
        actor,
        "issuer_setting.update",
        unit,
        before=before,
        after={"symbol": setting.symbol, "superior_body": setting.superior_body},
    )
    return setting


def _issuer_snapshot(setting: IssuerSetting | None) -> dict | None:
    if setting is None:
        return None
    return {"symbol": setting.symbol, "superior_body": setting.superior_body}
