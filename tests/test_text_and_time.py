import unicodedata
from datetime import UTC, date, datetime

from dialogue.core.text import fold, like_pattern, nfc, search_blob
from dialogue.core.timeutil import format_date, format_datetime, isoformat, local_to_utc


def test_fold_ignores_marks_case_and_d_bar():
    assert fold("KIỂM TRA, GIÁM SÁT") == "kiem tra, giam sat"
    assert fold("Đặng Linh") == "dang linh"
    assert fold(unicodedata.normalize("NFD", "Giục Tượng")) == "giuc tuong"


def test_nfc_composes_what_phones_send_decomposed():
    decomposed = unicodedata.normalize("NFD", "Bình An")
    assert decomposed != "Bình An"
    assert nfc(decomposed) == "Bình An"


def test_search_blob_and_like_pattern_escape_wildcards():
    assert search_blob("Kiểm tra", None, "Đảng") == "kiem tra dang"
    assert like_pattern("50%_x") == "%50\\%\\_x%"


def test_dates_show_in_vietnam_time_day_first():
    moment = datetime(2025, 6, 17, 7, 30, tzinfo=UTC)  # 14:30 in Vietnam
    assert format_date(moment) == "17/06/2025"
    assert format_datetime(moment) == "14:30 17/06/2025"
    assert isoformat(moment) == "2025-06-17T14:30:00+07:00"
    assert format_date(date(2025, 1, 2)) == "02/01/2025"
    assert local_to_utc(datetime(2025, 6, 17, 14, 30)) == moment
