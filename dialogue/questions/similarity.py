"""How alike two submissions are, when one says the same thing in other words or without accents.

A plain fuzzy match of the folded text (rapidfuzz's ``token_set_ratio``) finds the same words typed without
accents, but not the same request worded differently: "Xin cấp trên thống nhất một mẫu chung" and "Đề nghị ban
hành bộ biểu mẫu thống nhất" share few letters and one meaning. So a submission becomes a bag of terms:

1. **Words, not syllables.** pyvi's CRF joins the syllables of a word ("biểu_mẫu", "kỷ_luật", "đảng_viên"), so
   that a filler word ("đề_nghị") can be dropped without dropping the "nghị" of "nghị_quyết". Text typed without
   any accent gives pyvi nothing to go on; its syllables are joined by the same dictionary pyvi ships, folded.
2. **Filler words left out** ("đề nghị", "xin", "cấp trên", "như thế nào"...), and the words that mean the same
   thing in this work mapped to one ("mẫu biểu" and "biểu mẫu", "thù lao" and "phụ cấp", "bồi dưỡng" and "tập
   huấn"...). Both lists are in this module, short, and about submissions of cell secretaries.
3. **Folded** (``core.text.fold``): "Biểu mẫu" and "Bieu mau" are one term.
4. **Weighted** by TF-IDF over the submissions they are compared among (a session's), so the words every
   submission of a session on inspection work uses ("chi bộ", "kiểm tra") count for less than the ones that say
   what this one asks; each word counts again through its syllables, which keeps a word that pyvi cut
   differently in two texts from missing altogether.

The score is the cosine of the two vectors (0 to 1). ``THRESHOLD`` is chosen on the labelled pairs of
``tests/data/duplicate_pairs.json``; ``bench/duplicates.py`` prints precision, recall and the time per comparison
against the plain fuzzy match.

pyvi is loaded at the first use, not with the app: about 22 MiB and 0.8 s in the process (pyvi's model and
dictionary, python-crfsuite, NumPy), then ~1 ms of CPU per new text (the words of a text are kept, ``features``).
Its package depends on scikit-learn, which would make it 88 MiB and 4.5 s in a web worker for nothing:
sklearn-crfsuite, which pyvi's model is pickled with, only takes a base class from scikit-learn when it is there,
so scikit-learn is kept out while pyvi loads (and stays importable afterwards).

The threshold rule (``bench/duplicates.py``): on the labelled set only, the cutoff whose lower F1 is highest between
weighting over the whole set (a session) and over each pair alone (a session of two).
"""

from __future__ import annotations

import math
import re
import sys
import threading
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping
from functools import lru_cache

from ..core.text import fold, nfc

# Chosen on tests/data/duplicate_pairs.json by the rule above; bench/duplicates.py prints the sweep.
THRESHOLD = 0.31
SYLLABLE_WEIGHT = 0.5  # a word's syllables count with this weight beside the word itself
MIN_TERMS = 2  # a text with fewer content words than this says too little to be matched

# Words that carry the request's politeness or grammar, not its subject (lower case, syllables joined by "_").
FILLERS = frozenset(
    """
    đề_nghị kiến_nghị đề_xuất xin kính mong mong_muốn rất quá cho của và là các những một mỗi có không được bị
    thì mà nên vì do để khi đã đang sẽ cũng còn hiện_nay hiện thường việc như thế_nào như_thế_nào gì nào ai ở tại
    về với trong trên từ đến theo này đó ấy kia anh_em đồng_chí chúng_tôi chúng_ta cấp_trên cấp trên cụ_thể rõ
    cho_biết xem_xét quan_tâm tạo_điều_kiện hơn nhiều ít lại ra vào lên nhau hay hoặc nhưng tuy chưa cần phải
    nhất_là đặc_biệt vấn_đề trường_hợp công_tác làm giúp sao thật luôn vẫn đây hết cả tất_cả bởi_vì tuy_nhiên
    nếu thế vậy rằng thì_là ạ nhé
    """.split()  # noqa: SIM905 (a list of 110 words reads better as text)
)

# Words that mean the same thing in submissions about inspection work: each maps to the first of its group.
SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("biểu_mẫu", "mẫu_biểu", "mẫu"),
    ("phụ_cấp", "thù_lao", "trợ_cấp", "chế_độ"),
    ("tập_huấn", "bồi_dưỡng", "đào_tạo", "huấn_luyện"),
    ("quy_trình", "trình_tự", "thủ_tục", "các_bước", "bước"),
    ("tài_liệu", "văn_bản", "sổ_tay"),
    ("chậm", "trễ", "muộn", "trễ_hạn"),
    ("phần_mềm", "ứng_dụng", "số_hóa", "công_nghệ_thông_tin"),
    ("kinh_phí", "tiền", "chi_phí", "ngân_sách"),
    ("tăng", "nâng"),
    ("giảm", "rút_gọn", "bớt", "giảm_bớt", "cắt_giảm", "gộp"),
    ("khen_thưởng", "biểu_dương", "tuyên_dương"),
    ("tố_cáo", "đơn_thư", "đơn", "khiếu_nại"),
    ("nặc_danh", "ký_tên"),
    ("công_khai", "thông_báo"),
    ("kế_hoạch", "chương_trình"),
    ("đánh_giá", "nhận_xét", "kiểm_điểm"),
    ("tuổi_cao", "lớn_tuổi", "cao_tuổi", "già_yếu", "sức_yếu", "yếu", "đau_ốm", "ốm_đau"),
    ("hưu_trí", "nghỉ_hưu", "hưu"),
    ("chồng_chéo", "trùng_lặp", "trùng"),
    ("kiêm_nhiệm", "kiêm"),
    ("mạng_xã_hội", "facebook", "zalo", "mxh"),
    ("nể_nang", "ngại", "va_chạm", "mất_lòng", "ngại_va_chạm"),
    ("hỏi_đáp", "giải_đáp", "hỏi"),
    ("kinh_nghiệm", "rút_kinh_nghiệm"),
    ("ủy_ban_kiểm_tra", "ubkt"),
    ("làm_ăn", "lao_động", "làm_ăn_xa"),
    ("sổ_sách", "sổ", "sổ_ghi_chép", "ghi_chép"),
    ("tiêu_chí", "căn_cứ", "chỉ_tiêu"),
    ("xác_minh", "thẩm_tra"),
    ("thời_hạn", "thời_gian"),
)
_FOLDED_FILLERS = frozenset(fold(w) for w in FILLERS)
_CANONICAL = {fold(word): fold(group[0]) for group in SYNONYM_GROUPS for word in group}
_WORD = re.compile(r"\w+", re.UNICODE)


class _Pyvi:
    """pyvi's word segmenter, loaded once per process at the first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokenizer = None
        self._folded_lexicon: dict[int, frozenset[str]] = {}

    def _load(self):
        if self._tokenizer is None:
            had_sklearn = "sklearn" in sys.modules
            if not had_sklearn:
                sys.modules["sklearn"] = None  # type: ignore[assignment]  # sklearn-crfsuite falls back to a plain base
            try:
                from pyvi.ViTokenizer import ViTokenizer
            finally:
                if not had_sklearn and sys.modules.get("sklearn", 0) is None:
                    del sys.modules["sklearn"]
            self._folded_lexicon = {
                2: frozenset(fold(w) for w in ViTokenizer.bi_grams),
                3: frozenset(fold(w) for w in ViTokenizer.tri_grams),
            }
            self._tokenizer = ViTokenizer
        return self._tokenizer

    def words(self, text: str) -> list[str]:
        """The words of ``text``, syllables of a word joined by "_", as pyvi's CRF cuts them."""
        with self._lock:  # one CRF tagger per process: its calls are not to be interleaved
            tokenizer = self._load()
            return tokenizer.tokenize(text).split()

    def folded_words(self, text: str) -> list[str]:
        """The words of ``text``, folded. Without any accent there is nothing for the CRF to go on: pyvi's
        dictionary joins the syllables instead."""
        if has_accents(text):
            return [fold(word) for word in self.words(text)]
        return self.join_folded(_WORD.findall(fold(text)))

    def join_folded(self, syllables: list[str]) -> list[str]:
        """Text typed without accents: joins folded syllables into the words of pyvi's dictionary (longest first)."""
        with self._lock:
            self._load()
        lexicon = self._folded_lexicon
        out: list[str] = []
        i = 0
        while i < len(syllables):
            for n in (3, 2):
                if i + n <= len(syllables) and " ".join(syllables[i : i + n]) in lexicon[n]:
                    out.append("_".join(syllables[i : i + n]))
                    i += n
                    break
            else:
                out.append(syllables[i])
                i += 1
        return out


pyvi = _Pyvi()


def has_accents(text: str) -> bool:
    return fold(text) != " ".join(text.lower().split())


def terms(text: str) -> tuple[str, ...]:
    """The folded content words of a submission, fillers left out and synonyms mapped to one. Two syllables that
    pyvi left apart but that make a word of the synonym list ("mẫu" "biểu") are taken as that word."""
    words = [w.strip("_") for w in pyvi.folded_words(nfc(text) or "")]
    out = []
    i = 0
    while i < len(words):
        word = words[i]
        if i + 1 < len(words) and "_" not in word + words[i + 1] and f"{word}_{words[i + 1]}" in _CANONICAL:
            word = f"{word}_{words[i + 1]}"
            i += 1
        i += 1
        if not word or not _WORD.fullmatch(word.replace("_", "")) or word in _FOLDED_FILLERS:
            continue
        out.append(_CANONICAL.get(word, word))
    return tuple(out)


@lru_cache(maxsize=2048)
def features(text: str) -> tuple[tuple[str, float], ...]:
    """How much of each term the text holds: each word, and its syllables at ``SYLLABLE_WEIGHT``. Cached per
    process (about 4 KiB a text): a session's submissions are cut into words once, not at every page."""
    bag: Counter = Counter()
    for word in terms(text):
        bag["w:" + word] += 1.0
        parts = word.split("_")
        if len(parts) > 1:
            for part in parts:
                if part not in _FOLDED_FILLERS:
                    bag[part] += SYLLABLE_WEIGHT
        else:
            bag[word] += SYLLABLE_WEIGHT
    return tuple(bag.items())


class Corpus:
    """The submissions a text is compared among: their document frequencies weight the terms (TF-IDF)."""

    def __init__(self, texts: Iterable[str] = ()) -> None:
        self.size = 0
        self.df: Counter = Counter()
        self._vectors: dict[str, dict[str, float]] = {}
        for text in texts:
            self.add(text)

    def add(self, text: str) -> None:
        self.size += 1
        self.df.update(term for term, _tf in features(text))
        self._vectors.clear()

    def idf(self, term: str) -> float:
        """Smoothed: a term no text of the corpus holds still weighs, a little more than the rarest one."""
        return math.log((1 + self.size) / (1 + self.df.get(term, 0))) + 1.0

    def vector(self, text: str) -> dict[str, float]:
        """Sub-linear term frequency times IDF, of length one."""
        found = self._vectors.get(text)
        if found is None:
            weights = {t: (1.0 + math.log(tf) if tf > 1 else tf) * self.idf(t) for t, tf in features(text)}
            norm = math.sqrt(sum(w * w for w in weights.values()))
            found = {t: w / norm for t, w in weights.items()} if norm else {}
            self._vectors[text] = found
        return found


def cosine(u: Mapping[str, float], v: Mapping[str, float]) -> float:
    if len(u) > len(v):
        u, v = v, u
    return sum(w * v.get(t, 0.0) for t, w in u.items())


def similarity(a: str, b: str, corpus: Corpus | None = None) -> float:
    """How alike two submissions are, 0 to 1; weighted over ``corpus`` (by default the two texts alone)."""
    corpus = corpus or Corpus((a, b))
    return cosine(corpus.vector(a), corpus.vector(b))


class Matcher:
    """Candidates (key → text) indexed by term, so that a text is scored against all of them by walking only the
    terms it holds: a moderation page of 50 submissions against a session's 2,000 stays well under a second."""

    def __init__(self, candidates: Mapping[Hashable, str], corpus: Corpus | None = None) -> None:
        self.corpus = corpus if corpus is not None else Corpus(candidates.values())
        self.postings: dict[str, list[tuple[Hashable, float]]] = defaultdict(list)
        for key, text in candidates.items():
            for term, weight in self.corpus.vector(text).items():
                self.postings[term].append((key, weight))

    def similar(
        self, text: str, *, limit: int = 3, threshold: float = THRESHOLD, exclude: Iterable[Hashable] = ()
    ) -> list[tuple[Hashable, float]]:
        """The candidates at or above ``threshold``, best first, at most ``limit``."""
        if sum(1 for term, _tf in features(text) if term.startswith("w:")) < MIN_TERMS:
            return []
        scores: dict[Hashable, float] = defaultdict(float)
        for term, weight in self.corpus.vector(text).items():
            for key, other in self.postings.get(term, ()):
                scores[key] += weight * other
        for key in exclude:
            scores.pop(key, None)
        found = [(key, score) for key, score in scores.items() if score >= threshold]
        found.sort(key=lambda kv: (-kv[1], str(kv[0])))
        return found[:limit]


def most_similar(
    text: str,
    candidates: Mapping[Hashable, str],
    *,
    limit: int = 3,
    threshold: float = THRESHOLD,
    exclude: Iterable[Hashable] = (),
    corpus: Corpus | None = None,
) -> list[tuple[Hashable, float]]:
    """The candidates (key → text) most like ``text``, at or above ``threshold``, best first, at most ``limit``;
    weighted over ``corpus`` (by default the candidates and the text)."""
    if corpus is None:
        corpus = Corpus([*candidates.values(), text])
    return Matcher(candidates, corpus).similar(text, limit=limit, threshold=threshold, exclude=exclude)


def duplicates(
    wanted: Mapping[int, str], candidates: Mapping[int, str], *, limit: int = 3, threshold: float = THRESHOLD
) -> dict[int, list[tuple[int, int]]]:
    """For each wanted submission (id → text), its likely duplicates among the candidates as (id, score in %),
    best first; submissions with none are left out. Weighted over the candidates and the wanted ones together."""
    corpus = Corpus([*candidates.values(), *(text for key, text in wanted.items() if key not in candidates)])
    matcher = Matcher(candidates, corpus)
    out: dict[int, list[tuple[int, int]]] = {}
    for key, text in wanted.items():
        found = matcher.similar(text, limit=limit, threshold=threshold, exclude=(key,))
        if found:
            out[key] = [(other, round(100 * score)) for other, score in found]  # type: ignore[misc]
    return out
