"""The gazetteer benchmark: 100,000 entries and 1,000,000 figures, searched and looked up.

Everything is generated deterministically (``random.Random(2026)``) and is sample data:

- **Text.** A syllable inventory of 4,000 Vietnamese syllables with their marks: the 300 or so
  most frequent syllables of real Vietnamese text first (function words, then the words of
  history, geography and administration), then syllables built from onsets, rhymes and tones
  under the spelling rules (k/gh/ngh before i e ê; c g ng elsewhere; a stop final takes only
  the acute or dot tone), drawn in a shuffled order. Words are drawn with a Zipf–Mandelbrot
  law over that rank order, p(r) ∝ 1 / (r + 2.7). Titles have 2 to 5 syllables; bodies 80 to
  300, in sentences and paragraphs; 2% of titles carry "Vịnh", "Vinh", "Nghệ An" (also NFD,
  upper case), "Đô Lương", "Nghi Lộc", "Thuỷ"/"Thủy", "Hoà" so the fixed queries have answers.
- **Entries.** Every entry is a published ``Entry`` with one ``EntryRevision`` in one published
  ``Edition`` (``EditionEntry``), and is loaded into the search index through
  ``tinhuy.search.backends.index_documents`` in batches: the index the application queries.
- **Figures.** 50 indicators × 1,000 places (Nghệ An, its 21 district-level units and 978
  communes and wards) × 20 years = 1,000,000 ``Observation`` rows and as many
  ``EditionObservation`` rows of the edition, by ``bulk_create``.

Generation is not the timed path. Then, over a fixed list of 200 search queries and 200 look-up
questions, it prints the engine (our backend beside tantivy and the bare SQL), variants of
our SQL (fixes A, D and F, measured here at stop 5, are in the application since stop 6), the
requests through
``django.test.Client``, the targets of issue 4 and a **proposal**: tantivy as the embedded
search engine behind the same interface, kept in step with the database (``TantivyBackend``
below; prototype code of the benchmark, not of the application).
"""

from __future__ import annotations

import functools
import itertools
import logging
import os
import random
import re
import secrets
import shutil
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import tantivy
from django.conf import settings
from django.db import connection, transaction
from django.test import Client

from bench.util import Timing, measure_each, timed
from tinhuy.accounts.actions import do_create_user
from tinhuy.gazetteer import lookup
from tinhuy.gazetteer.actions import entry_url
from tinhuy.gazetteer.markdown import plain_text
from tinhuy.gazetteer.models import (
    Chapter,
    Edition,
    EditionEntry,
    EditionObservation,
    Entry,
    EntryKind,
    EntryRevision,
    EntryState,
    Indicator,
    Observation,
    Place,
    PlaceKind,
)
from tinhuy.search import backends, tantivy_engine
from tinhuy.search.backends import Document, Filters, Hit, Query
from tinhuy.search.models import SearchDocument
from tinhuy.search.text import fold, normalize, sort_key

SEED = 2026
# TINHUY_BENCH_SCALE=0.05 makes a quick run for trying the bench out; its figures are not
# comparable with a full run (the header says so).
SCALE = float(os.environ.get("TINHUY_BENCH_SCALE", "1") or "1")
ENTRIES = max(2_000, round(100_000 * SCALE))
INDICATORS = 50
YEARS = tuple(range(2006, 2026))  # 20 years
DISTRICT_LEVEL = 21
PLACES = max(DISTRICT_LEVEL + 1 + 20, round(1_000 * SCALE))
OBSERVATIONS = INDICATORS * PLACES * len(YEARS)  # 1,000,000 at scale 1
EDITION_YEAR = 2025
BATCH = 5_000  # entries per index_documents call (one transaction each)

INVENTORY = 4_000  # syllables
ZIPF_S, ZIPF_Q = 1.0, 2.7  # p(rank r) ∝ 1 / (r + q)^s, r from 0
SPECIAL_SHARE = 0.02  # titles with Vịnh, Vinh, Nghệ An… variants
QUERIES = 200
FIXED_QUERIES = ("nghe an", "Vịnh", "vinh", "do luong", "thuy", "ngh")
LOOKUPS = 200
ENTRY_PAGES = 200
ENGINE_ROUNDS = 2  # engine calls: every query twice (400 samples)
HTTP_ROUNDS = 1  # requests: every query once (200 samples)
WARM_UPS = 5  # untimed calls before a line's timed rounds (on its first inputs)
PAGE = 10  # results per page of the search page, and the engine calls' limit
API_PAGE = 50  # the API's default page size (tinhuy.api.Pagination)
COUNT_CAP = 1_000
# search()'s bm25 weights: title_exact, title_folded, body_exact, body_folded (SQLite), and
# its PostgreSQL score: ts_rank(folded) + 4 × ts_rank(exact).
BM25_WEIGHTS = (10.0, 4.0, 2.5, 1.0)

_WORD = re.compile(r"[^\W_]+")


def _words(text: str) -> list[str]:
    return text.split()


# --- The syllables -------------------------------------------------------------------------------

# The most frequent syllables first, in rough order of frequency in Vietnamese prose, then the
# vocabulary a gazetteer of Nghệ An uses. Their order is their Zipf rank.
HEAD = _words(
    """
và của có các là được trong cho không người những một với đã này để năm theo về từ khi công
ra đến nhiều đồng thì sẽ như nhà nhất cũng làm phải tại ở việc hiện nước trên động đó ngày sau
lại hành nhân thành phát hội đi mới quan chính tế quốc hóa vào học đầu đại bộ trường kinh tỉnh
xã dân huyện sản dụng tổ chức triển điều thể sự cao nhưng hai nên định bị đang cùng số thời
gian hơn lên vì đời văn hợp chỉ kế đường sông núi làng xóm thôn vùng đất lúa rừng biển chợ
đình chùa đền họ ông con tiến cách mạng kháng chiến giải phóng lịch sử truyền thống nghề thủ
lao xây phong trào giáo dục bảo tồn di tích danh thắng lễ tục ca dao thơ hát ví giặm nghệ an
tĩnh thanh hà nam bắc trung tây cửa lò vinh hưng nguyên diễn châu quỳnh lưu yên nghi lộc
lương sơn cuông tương kỳ quế quỳ thái hòa hoàng mai đô chương đàn phủ khu vực phố phường thị
trấn xuân thu hạ mùa mưa nắng gió bão lũ lụt đê kênh cầu bến đò cá tôm muối gạo ngô khoai
sắn mía chè cam bưởi trâu bò lợn gà nghĩa nghị nghiên cứu nghìn vịnh vĩnh thủy lam cả
tướng quân vua triều đô hộ khởi nghĩa phố hiến chí sách ghi chép tư liệu bia đá sắc phong
"""
)

ONSETS = (
    "", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng", "ngh",
    "nh", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x",
)  # fmt: skip
RHYMES = _words(
    """
a ai ao au ay an am ang anh ac ach at ap ăn ăm ăng ăc ăt âu ây ân âm âng âc ât âp e eo en em
et ep ê êu ên ênh êch êt i ia iu in im inh ich it iêu iên iêng iêc iêt o oi on om ong oc ot op
oa oai oan oang oanh oac oat oe ô ôi ôn ông ôc ôt ôp ơ ơi ơn ơm ơt u ui un um ung uc ut up ua
uân uât uy uyên uyêt uôi uôn uông uôc uôt ư ưa ưu ưng ưc ươi ươn ương ươc ươt
"""
)
TONE_MARKS = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")  # level ` ? ~ ' .
_MODIFIED = "ăâêôơư"
_VOWELS = "aăâeêioôơuưy"


def _plausible(onset: str, rhyme: str) -> bool:
    first = rhyme[0]
    front = first in "ieê"
    if onset in ("k", "gh", "ngh"):
        return front
    if onset in ("c", "g", "ng") and front:
        return False
    if onset == "qu":
        return first not in "oôơuư"
    if onset == "gi" and first == "i":
        return False
    return not (onset == "" and rhyme.startswith("uy"))


def _with_tone(rhyme: str, mark: str) -> str:
    """The tone on the main vowel, old-style placement (hòa, thủy), as the application's
    canonical form puts it."""
    vowels = [i for i, ch in enumerate(rhyme) if ch in _VOWELS]
    modified = [i for i in vowels if rhyme[i] in _MODIFIED]
    if modified:
        at = modified[-1]
    elif len(vowels) == 1 or rhyme[vowels[-1] + 1 :]:
        at = vowels[-1]  # one vowel, or a closed rhyme: the last vowel
    else:
        at = vowels[-2]  # an open rhyme: the vowel before the glide
    return unicodedata.normalize("NFC", rhyme[: at + 1] + mark + rhyme[at + 1 :])


def syllable_inventory(rng: random.Random, size: int = INVENTORY) -> list[str]:
    """``size`` distinct syllables in Zipf rank order: the real head, then a shuffled tail."""
    head = list(dict.fromkeys(HEAD))
    built = []
    for onset, rhyme in itertools.product(ONSETS, RHYMES):
        if not _plausible(onset, rhyme):
            continue
        stop = rhyme.endswith(("c", "ch", "p", "t"))
        built.extend(
            onset + _with_tone(rhyme, mark) for mark in (TONE_MARKS[4:] if stop else TONE_MARKS)
        )
    known = set(head)
    tail = [s for s in dict.fromkeys(built) if s not in known]
    rng.shuffle(tail)
    return head + tail[: size - len(head)]


# --- Text ----------------------------------------------------------------------------------------

_SPECIAL_HEADS = (
    # (the words, whether they go first): variants a citizen's query must all find.
    ("Vịnh", True),
    ("Vinh", True),
    ("Thành phố Vinh", True),
    ("Nghệ An", False),
    ("Nghệ An", True),
    (unicodedata.normalize("NFD", "Nghệ An"), False),  # decomposed input
    ("NGHỆ AN", False),
    ("Đô Lương", False),
    ("Nghi Lộc", True),
    ("Thuỷ", True),  # new-style tone placement: stored as Thủy
    ("Thủy", False),
    ("Hoà", True),
)
_TITLE_SKIP = 40  # titles skip the commonest function words ("và của có…")
URN_TAIL = 20  # copies of the rarest syllable in the urn (the commonest: about 30,000)


@dataclass
class TextMaker:
    rng: random.Random
    syllables: list[str]

    def __post_init__(self) -> None:
        # An urn holding each syllable in proportion to its Zipf weight (the rarest ones
        # URN_TAIL times): drawing from it is the Zipf draw, without a bisection per word.
        weights = [1 / (r + ZIPF_Q) ** ZIPF_S for r in range(len(self.syllables))]
        scale = URN_TAIL / weights[-1]
        self.urn = [
            s for s, w in zip(self.syllables, weights, strict=True) for _ in range(round(w * scale))
        ]
        skip = len(self.syllables[:_TITLE_SKIP])
        self.title_urn = [
            s
            for s, w in zip(self.syllables[skip:], weights[skip:], strict=True)
            for _ in range(round(w * scale))
        ]
        self.capital = {s: s.capitalize() for s in self.syllables}

    def words(self, n: int) -> list[str]:
        return self.rng.choices(self.urn, k=n)

    def title_words(self, n: int) -> list[str]:
        return self.rng.choices(self.title_urn, k=n)

    def title(self) -> str:
        n = self.rng.randint(2, 5)
        if self.rng.random() < SPECIAL_SHARE:
            special, first = self.rng.choice(_SPECIAL_HEADS)
            rest = max(1, n - len(special.split()))
            others = " ".join(self.capital[w] for w in self.title_words(rest))
            return f"{special} {others}" if first else f"{others} {special}"
        return " ".join(self.capital[w] for w in self.title_words(n))

    def body(self) -> tuple[list[str], list[str]]:
        """(paragraphs, the words): sentences of 6 to 24 syllables, 2 to 5 to a paragraph."""
        words = self.words(self.rng.randint(80, 300))
        rng, capital = self.rng, self.capital
        sentences = []
        i = 0
        while i < len(words):
            n = rng.randint(6, 24)
            chunk = words[i : i + n]
            i += n
            if len(chunk) > 10 and rng.random() < 0.5:
                at = rng.randint(3, len(chunk) - 3)
                chunk = [*chunk[:at], chunk[at] + ",", *chunk[at + 1 :]]
            sentences.append(" ".join([capital.get(chunk[0], chunk[0]), *chunk[1:]]) + ".")
        paragraphs = []
        while sentences:
            n = rng.randint(2, 5)
            paragraphs.append(" ".join(sentences[:n]))
            sentences = sentences[n:]
        return paragraphs, words


def _query_from(rng: random.Random, words: Sequence[str]) -> str:
    """1 to 3 consecutive syllables of a document, as a citizen might type them: with or
    without marks, sometimes cut short (the last word as a prefix), NFD or capitalised."""
    n = rng.choices((1, 2, 3), weights=(40, 40, 20))[0]
    start = rng.randrange(max(1, len(words) - n + 1))
    picked = [w.strip(".,").lower() for w in words[start : start + n]]
    if rng.random() < 0.15 and len(picked[-1]) > 2:
        picked[-1] = picked[-1][: rng.randint(2, len(picked[-1]) - 1)]
    text = " ".join(picked)
    if rng.random() < 0.5:
        return fold(text)
    roll = rng.random()
    if roll < 0.1:
        return unicodedata.normalize("NFD", text)
    if roll < 0.2:
        return text.title()
    return text


# --- Memoised text pipeline for loading ----------------------------------------------------------
# ``to_document_row`` normalises and folds the title and body word by word in Python; at
# 100,000 entries that is minutes of CPU (measured and printed). The load swaps in a per-word
# memo of the same two functions, checked to give identical rows.


@functools.lru_cache(maxsize=200_000)
def _normalize_word(word: str) -> str:
    return normalize(word)


@functools.lru_cache(maxsize=200_000)
def _fold_word(word: str) -> str:
    return fold(word)


def memo_normalize(text: str) -> str:
    return " ".join(map(_normalize_word, text.split()))


def memo_fold(text: str) -> str:
    return " ".join(map(_fold_word, text.split()))


@contextmanager
def memoised_text_pipeline() -> Iterator[None]:
    real = backends.normalize, backends.fold
    backends.normalize, backends.fold = memo_normalize, memo_fold  # type: ignore[assignment]
    try:
        yield
    finally:
        backends.normalize, backends.fold = real  # type: ignore[assignment]


def _check_memo(docs: Sequence[Document]) -> None:
    for doc in docs:
        for value in (doc.title, doc.body):
            assert memo_normalize(value) == normalize(value), value[:80]
            assert memo_fold(value) == fold(value), value[:80]
            assert memo_fold(normalize(value)) == fold(normalize(value)), value[:80]


# --- Places, indicators, chapters ----------------------------------------------------------------

DISTRICTS = (
    ("412", "Vinh", PlaceKind.CITY), ("413", "Cửa Lò", PlaceKind.TOWN),
    ("414", "Thái Hòa", PlaceKind.TOWN), ("415", "Quế Phong", PlaceKind.DISTRICT),
    ("416", "Quỳ Châu", PlaceKind.DISTRICT), ("417", "Kỳ Sơn", PlaceKind.DISTRICT),
    ("418", "Tương Dương", PlaceKind.DISTRICT), ("419", "Nghĩa Đàn", PlaceKind.DISTRICT),
    ("420", "Quỳ Hợp", PlaceKind.DISTRICT), ("421", "Quỳnh Lưu", PlaceKind.DISTRICT),
    ("422", "Con Cuông", PlaceKind.DISTRICT), ("423", "Tân Kỳ", PlaceKind.DISTRICT),
    ("424", "Anh Sơn", PlaceKind.DISTRICT), ("425", "Diễn Châu", PlaceKind.DISTRICT),
    ("426", "Yên Thành", PlaceKind.DISTRICT), ("427", "Đô Lương", PlaceKind.DISTRICT),
    ("428", "Thanh Chương", PlaceKind.DISTRICT), ("429", "Nghi Lộc", PlaceKind.DISTRICT),
    ("430", "Nam Đàn", PlaceKind.DISTRICT), ("431", "Hưng Nguyên", PlaceKind.DISTRICT),
    ("432", "Hoàng Mai", PlaceKind.TOWN),
)  # fmt: skip
_PLACE_FIRST = (
    "An", "Bảo", "Bình", "Cẩm", "Châu", "Diễn", "Đông", "Đức", "Gia", "Hà", "Hải", "Hòa",
    "Hồng", "Hưng", "Kim", "Lam", "Liên", "Long", "Minh", "Mỹ", "Nam", "Nghĩa", "Nghi", "Ngọc",
    "Nhân", "Phú", "Phúc", "Quang", "Quỳnh", "Sơn", "Tân", "Thạch", "Thanh", "Thái", "Thịnh",
    "Thượng", "Tiến", "Trung", "Trường", "Văn", "Vĩnh", "Xuân", "Yên",
)  # fmt: skip
_PLACE_SECOND = (
    "An", "Bình", "Châu", "Đàn", "Điền", "Đồng", "Giang", "Hà", "Hải", "Hạnh", "Hòa", "Hợp",
    "Hưng", "Khánh", "Lâm", "Lĩnh", "Lộc", "Long", "Lương", "Mai", "Minh", "Phong", "Phú",
    "Phúc", "Quang", "Sơn", "Tân", "Thành", "Thắng", "Thịnh", "Thủy", "Tiến", "Trạch",
    "Trường", "Văn", "Xuân", "Yên",
)  # fmt: skip
INDICATOR_NAMES = (
    ("Dân số trung bình", "người"), ("Diện tích tự nhiên", "km²"),
    ("Mật độ dân số", "người/km²"), ("Số hộ", "hộ"), ("Tỷ lệ hộ nghèo", "%"),
    ("Tổng sản phẩm trên địa bàn", "tỷ đồng"), ("Thu ngân sách nhà nước", "tỷ đồng"),
    ("Chi ngân sách địa phương", "tỷ đồng"), ("Sản lượng lúa", "tấn"),
    ("Diện tích gieo trồng lúa", "ha"), ("Sản lượng ngô", "tấn"), ("Diện tích rừng", "ha"),
    ("Tỷ lệ che phủ rừng", "%"), ("Sản lượng thủy sản", "tấn"),
    ("Số trường tiểu học", "trường"), ("Số trường trung học cơ sở", "trường"),
    ("Số học sinh phổ thông", "học sinh"), ("Số giáo viên phổ thông", "người"),
    ("Số cơ sở y tế", "cơ sở"), ("Số giường bệnh", "giường"), ("Số bác sĩ", "người"),
    ("Tỷ lệ trẻ em được tiêm chủng đầy đủ", "%"), ("Lao động có việc làm", "người"),
    ("Tỷ lệ lao động qua đào tạo", "%"), ("Thu nhập bình quân đầu người", "triệu đồng"),
    ("Số doanh nghiệp đang hoạt động", "doanh nghiệp"), ("Vốn đầu tư thực hiện", "tỷ đồng"),
    ("Giá trị sản xuất công nghiệp", "tỷ đồng"), ("Tổng mức bán lẻ hàng hóa", "tỷ đồng"),
    ("Số lượt khách du lịch", "lượt"), ("Đàn trâu", "con"), ("Đàn bò", "con"),
    ("Đàn lợn", "con"), ("Đàn gia cầm", "nghìn con"), ("Sản lượng chè búp tươi", "tấn"),
    ("Sản lượng mía", "tấn"), ("Diện tích cây ăn quả", "ha"),
    ("Chiều dài đường giao thông nông thôn", "km"),
    ("Số xã đạt chuẩn nông thôn mới", "xã"), ("Tỷ lệ hộ dùng nước sạch", "%"),
    ("Tỷ lệ hộ có điện", "%"), ("Số thuê bao internet", "thuê bao"), ("Số trạm y tế", "trạm"),
    ("Số thư viện", "thư viện"), ("Số di tích được xếp hạng", "di tích"),
    ("Số làng nghề", "làng"), ("Số hợp tác xã", "hợp tác xã"), ("Tỷ suất sinh thô", "‰"),
    ("Tuổi thọ trung bình", "năm"), ("Số đảng viên", "người"),
)  # fmt: skip
CHAPTERS = (
    ("dia-ly", "Địa lý", ("song-ngoi", "nui-doi", "khi-hau", "bien-dao")),
    ("lich-su", "Lịch sử", ("co-dai", "trung-dai", "can-dai", "hien-dai")),
    ("dan-cu", "Dân cư", ("dan-toc", "ton-giao", "dong-ho")),
    ("kinh-te", "Kinh tế", ("nong-nghiep", "cong-nghiep", "thuong-mai", "du-lich")),
    ("van-hoa", "Văn hóa", ("di-tich", "le-hoi", "van-hoc", "am-thuc")),
    ("nhan-vat", "Nhân vật", ("danh-nhan", "anh-hung")),
    ("hanh-chinh", "Hành chính", ("huyen-thi", "xa-phuong")),
)
PERIODS = ("", "", "", "Thời tiền sử", "Thế kỷ XV", "1885–1896", "1930–1931", "1945–1954")
KINDS = [k.value for k in EntryKind]


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")


def create_places(rng: random.Random) -> list[Place]:
    province = Place(code="40", name="Nghệ An", kind=PlaceKind.PROVINCE)
    rows = [province]
    districts = [Place(code=c, name=n, kind=k) for c, n, k in DISTRICTS]
    rows += districts
    for i in range(PLACES - len(rows)):
        name = f"{rng.choice(_PLACE_FIRST)} {rng.choice(_PLACE_SECOND)}"
        kind = PlaceKind.WARD if rng.random() < 0.1 else PlaceKind.COMMUNE
        rows.append(Place(code=f"{16000 + i}", name=name, kind=kind))
    for place in rows:  # what Place.save() does; bulk_create does not call it
        place.name = normalize(place.name)
        place.name_folded = fold(place.name)
        place.name_sort = sort_key(place.name)
    Place.objects.bulk_create([province])
    for place in districts:
        place.parent = province
    Place.objects.bulk_create(districts)
    communes = rows[len(districts) + 1 :]
    for place in communes:
        place.parent = rng.choice(districts)
    Place.objects.bulk_create(communes, batch_size=1000)
    return rows


def create_indicators() -> list[Indicator]:
    rows = [
        Indicator(
            code=_slug(name), name=normalize(name), unit=unit, name_folded=fold(name),
            definition=f"{name} (chỉ tiêu minh họa của make bench).",
        )
        for name, unit in INDICATOR_NAMES
    ]  # fmt: skip
    assert len(rows) == INDICATORS
    Indicator.objects.bulk_create(rows)
    return rows


def create_chapters() -> list[Chapter]:
    leaves = []
    for order, (slug, title, children) in enumerate(CHAPTERS, start=1):
        top = Chapter(slug=slug, title=title, order=order)
        top.save()
        for sub_order, child in enumerate(children, start=1):
            leaf = Chapter(
                slug=child, title=child.replace("-", " ").capitalize(), parent=top, order=sub_order
            )
            leaf.save()
            leaves.append(leaf)
    return leaves


def create_observations(
    rng: random.Random, edition: Edition, indicators: Sequence[Indicator], places: Sequence[Place]
) -> int:
    """indicators × places × years, then the same rows frozen in the edition.

    Plain INSERTs (``executemany``; values as the decimal text Django would send) and one
    ``INSERT … SELECT`` per indicator: ``bulk_create`` builds a model instance per row and costs
    about half a millisecond a row on this machine, a quarter of an hour for 2,000,000 rows.
    """
    updated_at = Observation._meta.get_field("updated_at").get_db_prep_save(
        datetime_utc(EDITION_YEAR, 12, 1), connection
    )
    sources = {y: f"Niên giám thống kê Nghệ An {y} (số liệu minh họa)" for y in YEARS}
    columns = ["indicator", "place", "year", "value", "source", "note", "is_sample", "updated_at"]
    frozen = ["edition", "observation", "indicator", "place", "year", "value", "source", "note"]
    frozen += ["is_sample"]
    observation, copy = _table(Observation, columns), _table(EditionObservation, frozen)
    total = 0
    with connection.cursor() as cursor:
        for indicator in indicators:
            rows = []
            for place in places:
                base = rng.uniform(10, 100_000)
                growth = rng.uniform(0.98, 1.05)
                for offset, year in enumerate(YEARS):
                    value = f"{base * growth**offset:.2f}"
                    rows.append(
                        (indicator.pk, place.pk, year, value, sources[year], "", True, updated_at)
                    )
            with transaction.atomic():
                cursor.executemany(
                    f"INSERT INTO {observation.name} ({observation.columns}) "
                    f"VALUES ({', '.join(['%s'] * len(columns))})",
                    rows,
                )
                cursor.execute(
                    f"INSERT INTO {copy.name} ({copy.columns}) SELECT %s, id, indicator_id, "
                    f"place_id, year, value, source, note, is_sample FROM {observation.name} "
                    "WHERE indicator_id = %s",
                    [edition.pk, indicator.pk],
                )
            total += len(rows)
    return total


@dataclass(frozen=True)
class _Table:
    name: str
    columns: str


def _table(model: Any, fields: Sequence[str]) -> _Table:
    meta, quote = model._meta, connection.ops.quote_name
    return _Table(quote(meta.db_table), ", ".join(quote(meta.get_field(f).column) for f in fields))


# --- Generation ----------------------------------------------------------------------------------


@dataclass
class Generated:
    edition: Edition
    user: Any
    syllables: list[str]
    queries: list[str]
    lookups: list[str]
    entry_slugs: list[str]
    special_titles: int
    shipped_pipeline_ms: float = 0.0  # to_document_row per entry, as shipped
    memo_pipeline_ms: float = 0.0


def _lookup_questions(
    rng: random.Random, indicators: Sequence[Indicator], places: Sequence[Place]
) -> list[str]:
    """Figure questions as citizens type them; a few name nothing the edition has."""
    fixed = [
        "dân số Nghi Lộc 2019",
        "dien tich Vinh",
        "mat do dan so do luong 2015",
        "số đảng viên huyện Nam Đàn",
        "dân số tỉnh Nghệ An 2024",
        "dân số của huyện Đô Lương năm 2010 là bao nhiêu",
    ]
    misses = [
        "dân số Hà Nội 2019",  # no such place
        "dan so Vinh 1990",  # no figure that year
        "thời tiết Vinh",  # no such indicator
        "tỷ lệ",  # part of many indicators, no place
        "Đô Lương",  # a place, no indicator
        "xyz 2019",
        "dien tich",
        "so luot khach du lich Cua Lo 2031",
    ]
    kind_words = {
        PlaceKind.PROVINCE: ("tỉnh",),
        PlaceKind.CITY: ("thành phố", "tp"),
        PlaceKind.TOWN: ("thị xã", "tx"),
        PlaceKind.DISTRICT: ("huyện",),
        PlaceKind.WARD: ("phường",),
        PlaceKind.COMMUNE: ("xã",),
    }
    out = list(fixed)
    while len(out) < LOOKUPS - len(misses):
        indicator = rng.choice(indicators)
        # District-level places are asked about more often than communes.
        place = (
            places[rng.randrange(DISTRICT_LEVEL + 1)]
            if rng.random() < 0.6
            else (rng.choice(places))
        )
        name = place.name
        if rng.random() < 0.3:
            name = f"{rng.choice(kind_words[place.kind])} {name}"
        words = [indicator.name.lower(), name]
        if rng.random() < 0.7:
            year = rng.choice(YEARS)
            words.append(f"năm {year}" if rng.random() < 0.2 else str(year))
        text = " ".join(words)
        out.append(fold(text) if rng.random() < 0.5 else text)
    out += misses
    return out


class Clock:
    """Wall-clock and CPU seconds per step: on a shared machine the two differ."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    @contextmanager
    def __call__(self, step: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.wall[step] = self.wall.get(step, 0.0) + time.perf_counter() - wall
            self.cpu[step] = self.cpu.get(step, 0.0) + time.process_time() - cpu

    def text(self, step: str) -> str:
        return f"{self.wall[step]:.1f} s (CPU {self.cpu[step]:.1f} s)"


def generate(clock: Clock) -> Generated:
    rng = random.Random(SEED)
    syllables = syllable_inventory(rng)
    maker = TextMaker(random.Random(SEED + 1), syllables)

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = do_create_user(
        "bench-diachi", password=secrets.token_urlsafe(12), first_name="Lan", acting_user=None
    )
    with clock("setup"):
        places = create_places(random.Random(SEED + 2))
        indicators = create_indicators()
        chapters = create_chapters()
        edition = Edition.objects.create(
            year=EDITION_YEAR,
            title=f"Địa chí Nghệ An — ấn bản {EDITION_YEAR} (dữ liệu minh họa của make bench)",
            published_at=datetime_utc(EDITION_YEAR, 12, 31),
        )
    with clock("observations"):
        create_observations(random.Random(SEED + 3), edition, indicators, places)

    # Entries: text, then rows, then the search index, in batches of BATCH.
    query_rng = random.Random(SEED + 4)
    n_drawn = QUERIES - len(FIXED_QUERIES)
    query_docs: dict[int, str | None] = dict.fromkeys(
        sorted(query_rng.sample(range(ENTRIES), n_drawn))
    )
    picked_slugs = set(random.Random(SEED + 5).sample(range(ENTRIES), ENTRY_PAGES))
    entry_rng = random.Random(SEED + 6)
    special = 0
    shipped_ms = memo_ms = 0.0
    place_codes = [p.code for p in places]
    for start in range(0, ENTRIES, BATCH):
        with clock("text"):
            batch, special_n = _make_batch(maker, entry_rng, start, query_docs)
        special += special_n
        with clock("rows"):
            _create_rows(batch, edition, chapters, place_codes, entry_rng)
        docs = [b.document for b in batch]
        with clock("checks"):
            if start == 0:
                assert all(plain_text(b.markdown) == b.document.body for b in batch[:200])
                _check_memo(docs[:200])
                shipped_ms = _pipeline_ms(docs[:200], memo=False)
                memo_ms = _pipeline_ms(docs[:200], memo=True)
            else:
                _check_memo(docs[:: BATCH // 20])
        with clock("index"), memoised_text_pipeline():
            backends.index_documents(docs)

    queries = list(FIXED_QUERIES) + [q for q in query_docs.values() if q]
    assert len(queries) == QUERIES, len(queries)
    lookups = _lookup_questions(random.Random(SEED + 7), indicators, places)
    slugs = [_entry_slug(i) for i in sorted(picked_slugs)]
    if connection.vendor == "postgresql":
        with clock("analyze"):
            _vacuum_analyze()
    return Generated(
        edition=edition, user=user, syllables=syllables, queries=queries, lookups=lookups,
        entry_slugs=slugs, special_titles=special,
        shipped_pipeline_ms=shipped_ms, memo_pipeline_ms=memo_ms,
    )  # fmt: skip


def datetime_utc(year: int, month: int, day: int) -> Any:
    import datetime

    return datetime.datetime(year, month, day, 12, tzinfo=datetime.UTC)


def _vacuum_analyze() -> None:
    """What autovacuum does after a bulk load: the GIN pending list merged, statistics taken."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


@dataclass
class _Made:
    index: int
    title: str
    markdown: str
    document: Document
    kind: str


_URL_SLUG = "slug-placeholder"


def _entry_slug(i: int) -> str:
    return f"muc-{i:06d}"


def _make_batch(
    maker: TextMaker, rng: random.Random, start: int, query_docs: dict[int, str | None]
) -> tuple[list[_Made], int]:
    batch = []
    special = 0
    url_pattern = entry_url(EDITION_YEAR, _URL_SLUG)  # reverse() once, not per entry
    assert url_pattern.replace(_URL_SLUG, "muc-1") == entry_url(EDITION_YEAR, "muc-1")
    for i in range(start, min(start + BATCH, ENTRIES)):
        title = maker.title()
        paragraphs, words = maker.body()
        if i in query_docs:
            source = title.split() if maker.rng.random() < 0.3 else words
            query_docs[i] = _query_from(maker.rng, source)
        special += any(s in title for s, _ in _SPECIAL_HEADS)
        slug = _entry_slug(i)
        kind = KINDS[rng.randrange(len(KINDS))]
        batch.append(
            _Made(
                i, title, "\n\n".join(paragraphs),
                Document(
                    key=f"entry:{slug}", kind=kind, title=title, body="\n".join(paragraphs),
                    url=url_pattern.replace(_URL_SLUG, slug),
                ),
                kind,
            )
        )  # fmt: skip
    return batch, special


def _create_rows(
    batch: list[_Made],
    edition: Edition,
    chapters: Sequence[Chapter],
    place_codes: Sequence[str],
    rng: random.Random,
) -> None:
    """Entry, EntryRevision and EditionEntry rows (plain INSERTs, like the figures); the
    documents get their facets."""
    at = Entry._meta.get_field("updated_at").get_db_prep_save(
        datetime_utc(EDITION_YEAR, 11, 1), connection
    )
    json_field = EntryRevision._meta.get_field("sources")
    sources = json_field.get_db_prep_save(
        [{"title": "Địa chí Nghệ An (dữ liệu minh họa)", "author": "", "year": "",
          "publisher": "", "url": "", "pages": ""}],
        connection,
    )  # fmt: skip
    facets, entries = [], []
    for made in batch:
        chapter = chapters[rng.randrange(len(chapters))]
        codes = sorted(set(rng.sample(place_codes, rng.randint(1, 3))))
        period = rng.choice(PERIODS)
        facets.append((chapter, codes, period))
        entries.append(
            (_entry_slug(made.index), made.title, made.kind, chapter.pk, period, made.markdown,
             EntryState.PUBLISHED, 1, at)
        )  # fmt: skip
    entry_t = _table(
        Entry,
        ["slug", "title", "kind", "chapter", "period", "body", "state", "revision", "updated_at"],
    )
    revision_t = _table(
        EntryRevision,
        ["entry", "number", "title", "kind", "chapter_path", "period", "body", "place_codes",
         "sources", "state", "created_at"],
    )  # fmt: skip
    edition_t = _table(EditionEntry, ["edition", "entry", "revision", "slug", "images"])
    no_images = EditionEntry._meta.get_field("images").get_db_prep_save([], connection)
    first, last = entries[0][0], entries[-1][0]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {entry_t.name} ({entry_t.columns}) VALUES ({_marks(9)})", entries
        )
        cursor.execute(
            f"SELECT slug, id FROM {_name(Entry)} WHERE slug BETWEEN %s AND %s", [first, last]
        )
        ids = dict(cursor.fetchall())
        cursor.executemany(
            f"INSERT INTO {revision_t.name} ({revision_t.columns}) VALUES ({_marks(11)})",
            [
                (ids[slug], 1, title, kind, chapter.path, period, body,
                 json_field.get_db_prep_save(codes, connection), sources, state, at)
                for (slug, title, kind, _c, period, body, state, _r, _a), (chapter, codes, _p)
                in zip(entries, facets, strict=True)
            ],
        )  # fmt: skip
        cursor.execute(
            f"INSERT INTO {edition_t.name} ({edition_t.columns}) "
            f"SELECT %s, e.id, r.id, e.slug, %s FROM {_name(EntryRevision)} r "
            f"JOIN {_name(Entry)} e ON e.id = r.entry_id WHERE e.slug BETWEEN %s AND %s",
            [edition.pk, no_images, first, last],
        )
    for made, (chapter, codes, period) in zip(batch, facets, strict=True):
        doc = made.document
        made.document = Document(
            key=doc.key, kind=doc.kind, title=doc.title, body=doc.body, url=doc.url,
            chapter=chapter.path, places=tuple(codes), period=period,
        )  # fmt: skip


def _marks(n: int) -> str:
    return ", ".join(["%s"] * n)


def _name(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _pipeline_ms(docs: Sequence[Document], *, memo: bool) -> float:
    """``to_document_row`` per entry (normalise and fold title and body), in ms."""
    _normalize_word.cache_clear()
    _fold_word.cache_clear()

    def rows() -> None:
        for doc in docs:
            backends.to_document_row(doc)

    def whole_text() -> None:  # stop 5's to_document_row: normalize and fold the whole text
        for doc in docs:
            title, body = normalize(doc.title), normalize(doc.body)
            fold(title), fold(body)

    if memo:
        rows()  # the word cache warm, as it is for the rest of the load
        _, seconds = timed(rows)
    else:
        _, seconds = timed(whole_text)
    return seconds * 1000 / len(docs)


# --- Tantivy: the peer, and the proposal behind the same interface -------------------------------

# The index's schema and documents are the application's (tinhuy/search/tantivy_engine.py);
# the prototype below differs in how it is kept in step and queried.
TEXT_FIELDS = tantivy_engine.TEXT_FIELDS
MAX_PREFIX = tantivy_engine.MAX_PREFIX
_ROW_FIELDS = tantivy_engine.ROW_FIELDS
tantivy_schema = tantivy_engine._schema
_tantivy_document = tantivy_engine._document


def tantivy_query(schema: Any, query: Query, filters: Filters | None = None) -> Any:
    """search()'s query in tantivy: every folded word must match (title or body, the last as a
    prefix); the words as typed, marks kept, add to the score. Boosts are search()'s bm25
    weights."""
    q, must, should = tantivy.Query, tantivy.Occur.Must, tantivy.Occur.Should
    w_title_exact, w_title_folded, w_body_exact, w_body_folded = BM25_WEIGHTS

    def either(kind: str, term: str, prefix: bool, title_boost: float, body_boost: float) -> Any:
        suffix = "_prefix" if prefix else ""
        return q.boolean_query(
            [
                (should, q.boost_query(_term(schema, f"title_{kind}{suffix}", term), title_boost)),
                (should, q.boost_query(_term(schema, f"body_{kind}{suffix}", term), body_boost)),
            ]
        )

    def all_of(kind: str, terms: Sequence[str], title_boost: float, body_boost: float) -> Any:
        last = len(terms) - 1
        return q.boolean_query(
            [
                (must, either(kind, t[:MAX_PREFIX], i == last, title_boost, body_boost))
                for i, t in enumerate(terms)
            ]
        )

    clauses = [
        (must, all_of("folded", query.folded, w_title_folded, w_body_folded)),
        (should, all_of("exact", query.exact, w_title_exact, w_body_exact)),
    ]
    if filters is not None:
        for name, value in (
            ("kind", filters.kind),
            ("chapter", filters.chapter),
            ("places", filters.place),
            ("period", filters.period),
        ):
            if value:
                clauses.append((must, q.const_score_query(_term(schema, name, value), 0.0)))
    return q.boolean_query(clauses)


def _term(schema: Any, name: str, value: str) -> Any:
    return tantivy.Query.term_query(schema, name, value, index_option="freq")


class TantivyBackend:
    """PROPOSAL (prototype in the benchmark, not application code): tantivy as the embedded
    search engine behind ``tinhuy.search.backends``' interface, kept in step with the database.

    - The database stays the source of truth: ``SearchDocument`` rows are written as today, in
      the caller's transaction. The tantivy index holds only what is searched (the four text
      columns, word prefixes, facets) and the row id.
    - ``index_documents`` / ``remove_documents`` write the rows, then, **on commit**, re-read
      the committed rows by key and replace them in tantivy (delete by key, add, commit): a
      rolled-back transaction never reaches the index, and a crash between the two is repaired
      by ``rebuild_from_database`` (a management command in the real thing, also run when the
      index is missing or its stamp differs from the database's).
    - ``search`` has ``backends.search``' signature and result: tantivy finds the top ids and
      the count, one query fetches those rows, the snippets are made from the stored body.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.schema = tantivy_schema()
        self.index = tantivy.Index(self.schema, path=str(path))

    # Writing

    def rebuild_from_database(self, *, heap: int = 512_000_000) -> int:
        writer = self.index.writer(heap_size=heap, num_threads=2)
        writer.delete_all_documents()
        rows = SearchDocument.objects.order_by("id").values_list(*_ROW_FIELDS)
        count = 0
        for row in rows.iterator(chunk_size=2_000):
            writer.add_document(_tantivy_document(row))
            count += 1
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        return count

    def index_documents(self, docs: Iterable[Document]) -> None:
        docs = list(docs)
        backends.index_documents(docs)
        keys = [d.key for d in docs]
        transaction.on_commit(lambda: self._follow(keys))

    def remove_documents(self, keys: Iterable[str]) -> None:
        keys = list(keys)
        backends.remove_documents(keys)
        transaction.on_commit(lambda: self._follow(keys))

    def _follow(self, keys: Sequence[str]) -> None:
        """Make the index hold exactly the committed rows of these keys."""
        rows = SearchDocument.objects.filter(key__in=list(keys)).values_list(*_ROW_FIELDS)
        writer = self.index.writer(heap_size=50_000_000, num_threads=1)
        for key in keys:
            writer.delete_documents_by_term("key", key)
        for row in rows:
            writer.add_document(_tantivy_document(row))
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()

    # Reading

    def top(self, query: Query, *, limit: int = PAGE, count: bool = False) -> Any:
        searcher = self.index.searcher()
        return searcher.search(tantivy_query(self.schema, query), limit, count=count)

    def search(
        self,
        text: str,
        *,
        filters: Filters | None = None,
        limit: int = PAGE,
        offset: int = 0,
        snippet: Callable[[str, Query], str] | None = None,
        count_cap: int | None = None,
    ) -> tuple[list[Hit], int]:
        query = Query.parse(text)
        if not query:
            return [], 0
        make_snippet = snippet or fast_snippet
        searcher = self.index.searcher()
        found = searcher.search(
            tantivy_query(self.schema, query, filters), limit, count=True, offset=offset
        )
        ids = searcher.fast_field_values("id", [address for _, address in found.hits])
        rows = {
            row[0]: row
            for row in SearchDocument.objects.filter(id__in=ids).values_list(
                "id", "key", "kind", "title", "url", "body"
            )
        }
        hits = [
            Hit(key, kind, title, url, make_snippet(body, query), float(score))
            for (score, _), pk in zip(found.hits, ids, strict=True)
            if pk in rows
            for _, key, kind, title, url, body in [rows[pk]]
        ]
        total = found.count
        return hits, total if count_cap is None else min(total, count_cap + 1)


# --- Fast snippet (shipped) ----------------------------------------------------------------------


# Stop 5's proposal, shipped since stop 6: ``backends.snippet`` folds the text with one
# ``str.translate``. The name stays for the lines that compare it.
fast_snippet = backends.snippet


@contextmanager
def _snippets(replacement: Callable[[str, Query], str]) -> Iterator[None]:
    real = backends.snippet
    backends.snippet = replacement  # type: ignore[assignment]
    try:
        yield
    finally:
        backends.snippet = real  # type: ignore[assignment]


def _no_snippet(text: str, query: Query, width: int = 160) -> str:
    return ""


@contextmanager
def cached_lookup_keys() -> Iterator[None]:
    """PROPOSAL: ``lookup`` loads every indicator and every place as model instances on each
    question (1,050 objects: most of its time) and, when no indicator is recognised, the
    edition's distinct years by scanning all its figures. Kept per edition in the process
    (in the application: invalidated when an edition is published or a place or indicator is
    saved), each question costs only its figures query."""
    cache: dict[tuple[str, object], Any] = {}

    def cached(key: tuple[str, object], load: Callable[[], Any]) -> Any:
        if key not in cache:
            cache[key] = load()
        return cache[key]

    shipped = lookup._Search.indicators.fget  # type: ignore[attr-defined]  # before patching

    class CachedSearch(lookup._Search):
        @property  # type: ignore[override]
        def indicators(self) -> list[Indicator]:
            return cached(("indicators", self.edition.pk), lambda: shipped(self))

        @property  # type: ignore[override]
        def places(self) -> dict[int, Place]:
            return cached(
                ("places", self.edition.pk), lambda: {p.pk: p for p in Place.objects.all()}
            )

        def indicator_keys(self) -> list[lookup.IndicatorKey]:
            return cached(("indicator keys", self.edition.pk), super().indicator_keys)

        def place_keys(self) -> list[lookup.PlaceKey]:
            return cached(("place keys", self.edition.pk), super().place_keys)

    real_search, real_years = lookup._Search, lookup._distinct_years

    def distinct_years(figures: Any) -> list[int]:
        return cached(("years", str(figures.query)), lambda: real_years(figures))

    lookup._Search = CachedSearch  # type: ignore[misc]
    lookup._distinct_years = distinct_years
    try:
        yield
    finally:
        lookup._Search = real_search  # type: ignore[misc]
        lookup._distinct_years = real_years


# --- SQL: the floor and variants (A, D and F are the application's since stop 6) ----------------


@dataclass(frozen=True)
class Probe:
    text: str
    query: Query
    match: str  # search()'s FTS5 MATCH expression
    match_titles: str  # the same with the exact-diacritic OR on titles only
    ts_folded: str  # search()'s tsquery strings (PostgreSQL)
    ts_exact: str


def probe(text: str) -> Probe | None:
    query = Query.parse(text)
    if not query:
        return None
    folded = backends._fts5_expr(query.folded)
    exact = backends._fts5_expr(query.exact)
    return Probe(
        text,
        query,
        f"({{title_folded body_folded}} : ({folded})) OR ({{title_exact body_exact}} : ({exact}))",
        f"({{title_folded body_folded}} : ({folded})) OR ({{title_exact}} : ({exact}))",
        backends._tsquery(query.folded),
        backends._tsquery(query.exact),
    )


_W = ", ".join(str(w) for w in BM25_WEIGHTS)
_DOC = "d.key, d.kind, d.title, d.url, d.body"


def _rows(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _one(sql: str, params: Sequence[Any]) -> Any:
    return _rows(sql, params)[0][0]


class SqliteSql:
    """search()'s statements on SQLite, and variants. ``table``: an FTS5 table over
    search_searchdocument (search_fts, or a variant built for the bench)."""

    def __init__(self, table: str = "search_fts") -> None:
        self.t = table

    def floor(self, p: Probe) -> list[Any]:
        return _rows(
            f"SELECT rowid FROM {self.t} WHERE {self.t} MATCH %s ORDER BY rank LIMIT {PAGE}",
            [p.match],
        )

    def shipped_top(self, p: Probe) -> list[Any]:
        return _rows(
            f"SELECT {_DOC}, -bm25({self.t}, {_W}) AS score FROM {self.t} "
            f"JOIN search_searchdocument d ON d.id = {self.t}.rowid WHERE {self.t} MATCH %s "
            f"ORDER BY score DESC, d.id LIMIT {PAGE}",
            [p.match],
        )

    def shipped_count(self, p: Probe) -> int:
        return _one(
            f"SELECT count(*) FROM {self.t} JOIN search_searchdocument d "
            f"ON d.id = {self.t}.rowid WHERE {self.t} MATCH %s",
            [p.match],
        )

    def top_subquery(
        self, p: Probe, match: str | None = None, limit: int = PAGE, offset: int = 0
    ) -> list[Any]:
        """Fix A: the top ids from the FTS table alone, then 10 document rows."""
        return _rows(
            f"SELECT {_DOC}, t.score FROM (SELECT rowid AS id, -bm25({self.t}, {_W}) AS score "
            f"FROM {self.t} WHERE {self.t} MATCH %s ORDER BY score DESC, rowid "
            "LIMIT %s OFFSET %s) t "
            "JOIN search_searchdocument d ON d.id = t.id ORDER BY t.score DESC, d.id",
            [match or p.match, limit, offset],
        )

    def top_rank(
        self, p: Probe, match: str | None = None, limit: int = PAGE, offset: int = 0
    ) -> list[Any]:
        """Fix B: FTS5 orders by its rank column, configured as search()'s bm25."""
        return _rows(
            f"SELECT {_DOC}, -t.rank FROM (SELECT rowid AS id, rank FROM {self.t} "
            f"WHERE {self.t} MATCH %s AND rank MATCH 'bm25({_W})' ORDER BY rank "
            "LIMIT %s OFFSET %s) t "
            "JOIN search_searchdocument d ON d.id = t.id ORDER BY t.rank, d.id",
            [match or p.match, limit, offset],
        )

    def count_fts(self, p: Probe) -> int:
        return _one(f"SELECT count(*) FROM {self.t} WHERE {self.t} MATCH %s", [p.match])

    def count_capped(self, p: Probe) -> int:
        return _one(
            f"SELECT count(*) FROM (SELECT 1 FROM {self.t} WHERE {self.t} MATCH %s "
            f"LIMIT {COUNT_CAP + 1})",
            [p.match],
        )

    def fixed(self, p: Probe, limit: int = PAGE, offset: int = 0) -> tuple[list[Any], int]:
        return self.top_subquery(p, limit=limit, offset=offset), self.count_capped(p)


class PostgresSql:
    """search()'s statements on PostgreSQL, and variants."""

    FROM = (
        "FROM search_searchdocument d, to_tsquery('simple', %s) qf, to_tsquery('simple', %s) qe "
        "WHERE d.tsv_folded @@ qf"
    )
    SCORE = "ts_rank(d.tsv_folded, qf) + 4 * ts_rank(d.tsv_exact, qe)"

    def floor(self, p: Probe) -> list[Any]:
        return _rows(
            "SELECT id FROM search_searchdocument, to_tsquery('simple', %s) q "
            f"WHERE tsv_folded @@ q ORDER BY ts_rank(tsv_folded, q) DESC LIMIT {PAGE}",
            [p.ts_folded],
        )

    def shipped_top(self, p: Probe) -> list[Any]:
        return _rows(
            f"SELECT {_DOC}, {self.SCORE} AS score {self.FROM} "
            f"ORDER BY score DESC, d.id LIMIT {PAGE}",
            [p.ts_folded, p.ts_exact],
        )

    def shipped_count(self, p: Probe) -> int:
        return _one(f"SELECT count(*) {self.FROM}", [p.ts_folded, p.ts_exact])

    def top_subquery(self, p: Probe, limit: int = PAGE, offset: int = 0) -> list[Any]:
        """Fix A: rank ids only, then fetch 10 rows."""
        return _rows(
            f"SELECT {_DOC}, t.score FROM (SELECT d.id, {self.SCORE} AS score {self.FROM} "
            "ORDER BY score DESC, d.id LIMIT %s OFFSET %s) t "
            "JOIN search_searchdocument d ON d.id = t.id ORDER BY t.score DESC, d.id",
            [p.ts_folded, p.ts_exact, limit, offset],
        )

    def top_folded_rank(self, p: Probe) -> list[Any]:
        """Fix C: rank on the folded vector only (tsv_exact is not read)."""
        return _rows(
            f"SELECT {_DOC}, t.score FROM (SELECT d.id, ts_rank(d.tsv_folded, qf) AS score "
            f"{self.FROM} ORDER BY score DESC, d.id LIMIT {PAGE}) t "
            "JOIN search_searchdocument d ON d.id = t.id ORDER BY t.score DESC, d.id",
            [p.ts_folded, p.ts_exact],
        )

    def count_capped(self, p: Probe) -> int:
        return _one(
            f"SELECT count(*) FROM (SELECT 1 {self.FROM} LIMIT {COUNT_CAP + 1}) t",
            [p.ts_folded, p.ts_exact],
        )

    def fixed(self, p: Probe, limit: int = PAGE, offset: int = 0) -> tuple[list[Any], int]:
        return self.top_subquery(p, limit=limit, offset=offset), self.count_capped(p)


def fixed_search_function(
    sql: SqliteSql | PostgresSql,
) -> Callable[..., tuple[list[Hit], int]]:
    """PROPOSAL: search() with the cheap SQL fixes and the fast snippet. The count is capped
    (a page would say "more than 1,000"). With filters it falls back to search() as shipped,
    with the fast snippet: the fixes above are written for the unfiltered query."""

    def run(
        text: str, *, filters: Filters | None = None, limit: int = PAGE, offset: int = 0
    ) -> tuple[list[Hit], int]:
        if filters and filters != Filters():
            with _snippets(fast_snippet):
                return backends.search(text, filters=filters, limit=limit, offset=offset)
        p = probe(text)
        if p is None:
            return [], 0
        rows, total = sql.fixed(p, limit=limit, offset=offset)
        return [
            Hit(key, kind, title, url, fast_snippet(body, p.query), float(score))
            for key, kind, title, url, body, score in rows
        ], total

    return run


# --- Measuring and printing ----------------------------------------------------------------------

NAME = 62


def header(title: str, versus: str) -> str:
    return (
        f"{title:<{NAME}} {'calls':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
        f"{'p95 best':>8}  {'p95 ' + versus:>14}"
    )


def best_of_rounds(timing: Timing, rounds: int) -> Timing:
    """Each input's fastest round: what is left of the p95 when the machine's other work (a
    time slice lost now and then) is taken out. Samples are round after round."""
    n = len(timing.samples) // rounds
    return Timing([min(timing.samples[r * n + i] for r in range(rounds)) for i in range(n)])


def line(
    name: str, timing: Timing, versus: Timing | None = None, note: str = "", rounds: int = 1
) -> str:
    ratio = f"{timing.p95_ms / versus.p95_ms:.1f}×" if versus else ""
    best = f"{best_of_rounds(timing, rounds).p95_ms:8.2f}" if rounds > 1 else ""
    text = (
        f"  {name:<{NAME - 2}} {len(timing.samples):>5} {timing.median_ms:>8.2f} "
        f"{timing.p95_ms:>8.2f} {max(timing.samples) * 1000:>8.1f} {best:>8}  {ratio:>14}"
    )
    return f"{text}  {note}" if note else text


def eline(name: str, timing: Timing, versus: Timing | None = None, note: str = "") -> str:
    """A line for an engine call: several rounds, so the best-of-rounds p95 is shown too."""
    return line(name, timing, versus, note, rounds=ENGINE_ROUNDS)


def _keys(rows: Sequence[Sequence[Any]]) -> list[str]:
    return [row[0] for row in rows]


def _same(a: Sequence[Sequence[str]], b: Sequence[Sequence[str]]) -> int:
    return sum(1 for x, y in zip(a, b, strict=True) if list(x) == list(y))


@contextmanager
def _quiet_404s() -> Iterator[None]:
    log = logging.getLogger("django.request")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)


@dataclass
class Built:
    count: int = 0
    seconds: float = 0.0


@contextmanager
def shipped_tantivy() -> Iterator[Built]:
    """The application with TINHUY_SEARCH_ENGINE=tantivy, its index in a temp dir."""
    from django.test import override_settings

    from tinhuy.search import tantivy_engine

    tmp = Path(tempfile.mkdtemp(prefix="tinhuy-bench-engine-"))
    built = Built()
    try:
        with override_settings(TINHUY_SEARCH_ENGINE="tantivy", TINHUY_SEARCH_INDEX_DIR=str(tmp)):
            tantivy_engine.reset()
            # Opening a missing index builds it from the rows: that is what is timed.
            engine, built.seconds = timed(tantivy_engine.engine)
            built.count = engine.index.searcher().num_docs
            yield built
    finally:
        tantivy_engine.reset()
        shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def _patched_search(fn: Callable[..., tuple[list[Hit], int]]) -> Iterator[None]:
    """Route the search API and page to ``fn`` (a proposal) for the duration."""
    from tinhuy.gazetteer import api as gazetteer_api
    from tinhuy.gazetteer.views import public

    real = gazetteer_api.search, public.search
    gazetteer_api.search = public.search = fn  # type: ignore[assignment]
    try:
        yield
    finally:
        gazetteer_api.search, public.search = real  # type: ignore[assignment]


def _get(client: Client, statuses: tuple[int, ...] = (200,)) -> Callable[[str], object]:
    def run(url: str) -> object:
        response = client.get(url)
        assert response.status_code in statuses, (url, response.status_code)
        return response

    return run


def _http(fn: Callable[[str], object], urls: Sequence[str]) -> Timing:
    return measure_each(fn, urls, rounds=HTTP_ROUNDS, warm_ups=WARM_UPS)


def _engine(
    fn: Callable[[Any], Any], items: Sequence[Any], results: list[Any] | None = None
) -> Timing:
    return measure_each(fn, items, rounds=ENGINE_ROUNDS, warm_ups=WARM_UPS, results=results)


def _size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def _fts_mb(table: str) -> float:
    return _one(f"SELECT sum(length(block)) FROM {table}_data", []) / 1e6


def _q(text: str) -> str:
    return urlencode({"q": text})


def run(out: Callable[[str], None] = print) -> None:
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    assert not settings.DEBUG
    sqlite = connection.vendor == "sqlite"
    out("")
    out(
        f"gazetteer — {ENTRIES:,} entries, {OBSERVATIONS:,} figures; {QUERIES} search queries, "
        f"{LOOKUPS} look-up questions (seed {SEED})"
    )
    if SCALE != 1:
        out(f"           TINHUY_BENCH_SCALE={SCALE}: a reduced run, not comparable with a full one")
    out(
        f"method     p50, p95, max over a fixed list of inputs (time.perf_counter), after "
        f"{WARM_UPS} untimed calls: engine calls {ENGINE_ROUNDS} rounds ('p95 best': the p95 "
        f"of each input's fastest round), requests {HTTP_ROUNDS} round, through "
        "django.test.Client"
    )
    clock = Clock()
    with clock("generate"):
        g = generate(clock)
    out(
        f"generate   {clock.text('generate')} in all — {ENTRIES:,} entries: text "
        f"{clock.text('text')}, Entry/EntryRevision/EditionEntry rows {clock.text('rows')}, "
        f"index_documents in {-(-ENTRIES // BATCH)} batches {clock.text('index')}; "
        f"{OBSERVATIONS:,} observations and their edition copies {clock.text('observations')}"
        + (f"; VACUUM ANALYZE {clock.text('analyze')}" if "analyze" in clock.wall else "")
    )
    top = " ".join(g.syllables[:12])
    out(
        f"text       {len(g.syllables):,} syllables, Zipf–Mandelbrot p(r) ∝ 1/(r+{ZIPF_Q})^"
        f"{ZIPF_S} (most frequent: {top} …); {g.special_titles:,} titles "
        f"({g.special_titles / ENTRIES:.1%}) with Vịnh/Vinh/Nghệ An/Đô Lương/Nghi Lộc/Thuỷ/Hoà"
    )
    out(
        f"finding    index_documents' text pipeline (normalize + fold of title and body) cost "
        f"{g.shipped_pipeline_ms:.1f} ms per entry on the whole text (stop 5) ≈ "
        f"{g.shipped_pipeline_ms * 100_000 / 1000 / 60:.1f} min of CPU for 100,000 entries "
        f"(publishing an edition re-indexes all); word by word through a cache, as shipped since "
        f"stop 6: {g.memo_pipeline_ms:.2f} ms (identical rows, checked here and in the tests)"
    )

    # Tantivy beside the database.
    tmp = Path(tempfile.mkdtemp(prefix="tinhuy-bench-tantivy-"))
    try:
        tv = TantivyBackend(tmp)
        with clock("tantivy"):
            count = tv.rebuild_from_database()
        searcher = tv.index.searcher()
        out(
            f"tantivy    {count:,} documents from search_searchdocument in "
            f"{clock.text('tantivy')} "
            f"({searcher.num_segments} segments, {_size_mb(tmp):.0f} MB in a temp dir); "
            "folded and exact text, word prefixes (n ng ngh nghe) for the last word"
        )
        _measure(out, g, tv, sqlite)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _measure(out: Callable[[str], None], g: Generated, tv: TantivyBackend, sqlite: bool) -> None:
    probes = [p for p in (probe(q) for q in g.queries) if p is not None]
    assert len(probes) == QUERIES
    sql: SqliteSql | PostgresSql = SqliteSql() if sqlite else PostgresSql()
    assert SearchDocument.objects.count() == ENTRIES
    assert EditionObservation.objects.filter(edition=g.edition).count() == OBSERVATIONS
    assert tv.index.searcher().num_docs == ENTRIES

    # Engine; the first round's results serve the checks printed before the table.
    lines: list[str] = []
    peer_t = _engine(lambda p: tv.top(p.query), probes)
    lines.append(eline("tantivy: top 10 by BM25, same terms (the peer)", peer_t, peer_t))

    def engine(
        name: str,
        fn: Callable[[Any], Any],
        note: str = "",
        results: list[Any] | None = None,
        items: Sequence[Any] = probes,
    ) -> Timing:
        timing = _engine(fn, items, results)
        lines.append(eline(name, timing, peer_t, note))
        return timing

    peer: list[Any] = []
    engine("tantivy: top 10 + count of matches", lambda p: tv.top(p.query, count=True), "", peer)
    floor_name = (
        "floor: bare FTS5 MATCH … ORDER BY rank LIMIT 10"
        if sqlite
        else "floor: bare tsv_folded @@ q ORDER BY ts_rank LIMIT 10"
    )
    engine(floor_name, sql.floor)
    ours: list[tuple[list[Hit], int]] = []
    ours_t = engine(
        "ours: backends.search(q, limit=10) as shipped",
        lambda p: backends.search(p.text),
        "",
        ours,
    )
    with _snippets(_no_snippet):
        engine_t = engine(
            "ours: the same without snippets (its 2 SQL statements)",
            lambda p: backends.search(p.text),
        )
    pairs = [(p, [_body(h.key) for h in hits]) for p, (hits, _) in zip(probes, ours, strict=True)]
    engine(
        "ours: snippet() of the 10 hits alone",
        lambda pb: [backends.snippet(b, pb[0].query) for b in pb[1]],
        items=pairs,
    )
    same_snippets = all(
        fast_snippet(b, pb[0].query) == backends.snippet(b, pb[0].query)
        for pb in pairs
        for b in pb[1]
    )
    engine(
        "fix F: the snippets via one str.translate (shipped)",
        lambda pb: [fast_snippet(b, pb[0].query) for b in pb[1]],
        f"same output for all {sum(len(b) for _, b in pairs):,} hits"
        if same_snippets
        else "OUTPUT DIFFERS",
        items=pairs,
    )

    # Checks.
    # search() counts up to COUNT_LIMIT + 1 ("more than 1,000"); compare tantivy's count so.
    cap = backends.COUNT_LIMIT + 1
    totals_agree = sum(
        1 for (_, total), found in zip(ours, peer, strict=True) if total == min(found.count, cap)
    )
    overlap = [
        len({h.key for h in hits} & set(_tv_keys(tv, found))) / max(1, min(PAGE, len(hits)))
        for (hits, _), found in zip(ours, peer, strict=True)
    ]
    matches = sorted(found.count for found in peer)  # tantivy's, not capped
    first = {
        p.text: (hits[0].title if hits else "—") for p, (hits, _) in zip(probes, ours, strict=True)
    }
    out(
        f"queries    {QUERIES} (the fixed {', '.join(repr(q) for q in FIXED_QUERIES)}, then "
        f"1–3 syllables of random entries, half without marks); matches per query: median "
        f"{matches[len(matches) // 2]:,}, p95 {matches[int(0.95 * len(matches)) - 1]:,}, max "
        f"{matches[-1]:,}, none for {sum(1 for m in matches if not m)}"
    )
    out(
        f"checks     tantivy counts the same matches as search() (which stops at {cap:,}) for "
        f"{totals_agree}/{QUERIES} "
        f"queries; top-10 overlap with search() {sum(overlap) / len(overlap):.0%} on average "
        f"(different bm25 arithmetic); first hit for 'Vịnh': “{first['Vịnh']}”, for 'vinh': "
        f"“{first['vinh']}”, for 'nghe an': “{first['nghe an']}”"
    )
    for p, (_, total), found in zip(probes, ours, peer, strict=True):
        if total != min(found.count, cap):
            out(f"           differs: {p.text!r}: search() {total:,}, tantivy {found.count:,}")
            break
    out("")
    out(header("engine (top 10)", "vs tantivy"))
    for text in lines:
        out(text)

    # Cheap fixes to our SQL.
    out("")
    out(header(f"variants of search()'s SQL ({connection.vendor}; A+D+F shipped)", "vs tantivy"))
    shipped_keys = [[h.key for h in hits] for hits, _ in ours]

    def fix(
        name: str, fn: Callable[[Probe], Any], keys_of: Callable[[Any], list[str]] | None = None
    ) -> Timing:
        results: list[Any] = []
        timing = _engine(fn, probes, results)
        note = ""
        if keys_of is not None:
            same = _same(shipped_keys, [keys_of(r) for r in results])
            note = f"top 10 as shipped for {same}/{QUERIES}"
        out(eline(name, timing, peer_t, note))
        return timing

    out(eline("ours without snippets (from the engine table)", engine_t, peer_t))
    fix("fix A: top-10 ids in a subquery, then 10 rows", sql.top_subquery, _keys)
    if isinstance(sql, SqliteSql):
        fix("fix B: A with rank MATCH 'bm25(10,4,2.5,1)' ORDER BY rank", sql.top_rank, _keys)
        fix(
            "fix C: B with the exact-diacritic OR on titles only",
            lambda p: sql.top_rank(p, p.match_titles),
            _keys,
        )
    else:
        fix("fix C: A ranking on tsv_folded only (no tsv_exact)", sql.top_folded_rank, _keys)
    fix("count(*) uncapped, with the join (stop 5)", sql.shipped_count)
    fix(f"fix D: count capped at {COUNT_CAP + 1:,} (“more than {COUNT_CAP:,}”)", sql.count_capped)
    fix(
        "fixed SQL: A + D (count + top 10)",
        sql.fixed,
        lambda r: _keys(r[0]),
    )
    fixed_search = fixed_search_function(sql)
    fixed_fn_t = fix(
        "fixed search(): fixed SQL + fast snippet, the whole call",
        lambda p: fixed_search(p.text),
        lambda r: [h.key for h in r[0]],
    )
    if isinstance(sql, SqliteSql):
        size = _fts_mb("search_fts")
        _, opt_s = timed(lambda: _rows("INSERT INTO search_fts(search_fts) VALUES('optimize')", []))
        fix(
            f"fixed SQL after FTS5 'optimize' ({opt_s:.0f} s; {size:.0f} → "
            f"{_fts_mb('search_fts'):.0f} MB)",
            sql.fixed,
            lambda r: _keys(r[0]),
        )
        variant = "bench_fts_prefix2"
        _, build_s = timed(lambda: _build_fts_variant(variant, "2"))
        fix(
            f"fix E: that on a prefix='2' index, not '2 3' (built {build_s:.0f} s; "
            f"{_fts_mb(variant):.0f} MB)",
            SqliteSql(variant).fixed,
            lambda r: _keys(r[0]),
        )

    # The proposal: tantivy behind the same interface.
    out("")
    out(header("proposal: TantivyBackend behind search()'s interface", "vs tantivy"))
    found: list[tuple[list[Hit], int]] = []
    proposal_t = _engine(lambda p: tv.search(p.text), probes, found)
    same_totals = sum(
        1 for (_, total), (_, tv_total) in zip(ours, found, strict=True) if tv_total == total
    )
    out(
        eline(
            "search(q): tantivy top 10 + count, 10 rows, fast snippet",
            proposal_t,
            peer_t,
            f"count as search()'s for {same_totals}/{QUERIES}",
        )
    )
    tops = {
        p.text: (hits[0].title if hits else "—") for p, (hits, _) in zip(probes, found, strict=True)
    }
    out(f"    first hit for 'Vịnh': “{tops['Vịnh']}”, for 'vinh': “{tops['vinh']}”")
    _in_step(out, tv)

    # Requests.
    out("")
    _requests(out, g, tv, sql, peer_t, ours_t, engine_t, fixed_fn_t, proposal_t)


def _tv_keys(tv: TantivyBackend, found: Any) -> list[str]:
    searcher = tv.index.searcher()
    return [searcher.doc(address)["key"][0] for _, address in found.hits]


@functools.cache
def _body(key: str) -> str:
    return SearchDocument.objects.values_list("body", flat=True).get(key=key)


def _build_fts_variant(table: str, prefix: str) -> None:
    prefix_option = f", prefix='{prefix}'" if prefix else ""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(
            f"CREATE VIRTUAL TABLE {table} USING fts5(title_exact, title_folded, body_exact, "
            "body_folded, content='search_searchdocument', content_rowid='id', "
            f"tokenize='unicode61 remove_diacritics 0'{prefix_option})"
        )
        cursor.execute(f"INSERT INTO {table}({table}) VALUES('rebuild')")


def _in_step(out: Callable[[str], None], tv: TantivyBackend) -> None:
    """The proposal follows the database: a committed change shows in both, a rolled-back one
    in neither."""
    doc = Document(
        key="entry:bench-tantivy-in-step",
        kind=EntryKind.PLACE,
        title="Vịnh Xyzzy Thử Nghiệm",
        body="Mục thử: xyzzy được thêm rồi xoá.",
        url=entry_url(EDITION_YEAR, "bench-tantivy-in-step"),
    )

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            tv.index_documents([doc])
            raise Rollback
    except Rollback:
        pass
    assert not backends.search("xyzzy")[1] and not tv.search("xyzzy")[1]

    def add() -> None:
        with transaction.atomic():
            tv.index_documents([doc])

    _, add_s = timed(add)
    assert backends.search("xyzzy")[1] == 1 and tv.search("xyzzy")[1] == 1

    def remove() -> None:
        with transaction.atomic():
            tv.remove_documents([doc.key])

    _, remove_s = timed(remove)
    assert not backends.search("xyzzy")[1] and not tv.search("xyzzy")[1]
    out(
        f"    in step: a rolled-back add reaches neither; a committed add is found by both in "
        f"{add_s * 1000:.0f} ms (database + tantivy commit), a removal is gone from both in "
        f"{remove_s * 1000:.0f} ms"
    )


def _requests(
    out: Callable[[str], None],
    g: Generated,
    tv: TantivyBackend,
    sql: SqliteSql | PostgresSql,
    peer_t: Timing,
    ours_t: Timing,
    engine_t: Timing,
    fixed_fn_t: Timing,
    proposal_t: Timing,
) -> None:
    anonymous = Client()
    logged_in = Client()
    logged_in.force_login(g.user)
    get = _get(anonymous)
    trivial = _http(_get(logged_in), ["/api/v1/structures/"] * QUERIES)
    anon_trivial = _http(get, ["/dang-nhap/"] * QUERIES)

    # Look-up: which questions the edition answers (the API says 200) and which not (404).
    answered = [q for q in g.lookups if lookup.answer_for(q) is not None]
    unanswered = [q for q in g.lookups if q not in answered]
    api_search = [f"/api/v1/gazetteer/search?{_q(q)}" for q in g.queries]
    api_search_10 = [f"{u}&page_size={PAGE}" for u in api_search]
    page_search = [f"/dia-chi/tim-kiem/?{_q(q)}" for q in g.queries]

    out(header("requests (django.test.Client)", "vs trivial"))
    out(line("trivial: GET /api/v1/structures/ (logged in, empty list)", trivial, trivial))
    out(line("trivial, anonymous: GET /dang-nhap/ (login form)", anon_trivial, trivial))
    search_api_t = _http(get, api_search)
    out(line(f"search API ?q= (page of {API_PAGE}, the default) as shipped", search_api_t, trivial))
    search_api10_t = _http(get, api_search_10)
    out(line(f"search API ?q=&page_size={PAGE} as shipped", search_api10_t, trivial))
    page_t = _http(get, page_search)
    out(line("search page /dia-chi/tim-kiem/?q= (10 + answer box)", page_t, trivial))
    with _quiet_404s():
        lookup_ok_t = _http(get, [f"/api/v1/gazetteer/lookup?{_q(q)}" for q in answered])
        lookup_404_t = _http(
            _get(anonymous, (404,)), [f"/api/v1/gazetteer/lookup?{_q(q)}" for q in unanswered]
        )
    out(line(f"look-up API → 200 answer ({len(answered)} questions)", lookup_ok_t, trivial))
    out(
        line(
            f"look-up API → 404 with suggestions ({len(unanswered)} questions)",
            lookup_404_t,
            trivial,
        )
    )
    answer_t = _engine(lookup.answer_for, g.lookups)
    out(eline(f"lookup.answer_for(q) alone ({LOOKUPS} questions)", answer_t, trivial))
    entry_urls = [entry_url(EDITION_YEAR, slug) for slug in g.entry_slugs]
    entry_t = _http(get, entry_urls)
    out(
        line(
            f"entry page /dia-chi/{EDITION_YEAR}/muc/<slug>/ ({ENTRY_PAGES} entries)",
            entry_t,
            trivial,
        )
    )

    out("  proposals, the same requests:")
    fixed = fixed_search_function(sql)
    with _patched_search(fixed):
        fixed_api_t = _http(get, api_search)
        out(
            line(
                f"fixed SQL + fast snippet: search API ?q= (page of {API_PAGE})",
                fixed_api_t,
                trivial,
            )
        )
        fixed_page_t = _http(get, page_search)
        out(line("fixed SQL + fast snippet: search page", fixed_page_t, trivial))

    def tantivy_search(
        text: str, *, filters: Filters | None = None, limit: int = PAGE, offset: int = 0
    ) -> tuple[list[Hit], int]:
        return tv.search(text, filters=filters, limit=limit, offset=offset)

    with _patched_search(tantivy_search):
        tv_api_t = _http(get, api_search)
        out(line(f"TantivyBackend: search API ?q= (page of {API_PAGE})", tv_api_t, trivial))
        tv_api10_t = _http(get, api_search_10)
        out(line(f"TantivyBackend: search API ?q=&page_size={PAGE}", tv_api10_t, trivial))
        tv_page_t = _http(get, page_search)
        out(line("TantivyBackend: search page", tv_page_t, trivial))

    # Shipped since stop 6: the application's own tantivy engine, TINHUY_SEARCH_ENGINE=tantivy
    # (tinhuy/search/tantivy_engine.py), its index built from the rows by rebuild_index().
    with shipped_tantivy() as built:
        app_engine_t = _engine(lambda q: backends.search(q), g.queries)
        app_api_t = _http(get, api_search)
        app_api10_t = _http(get, api_search_10)
        app_page_t = _http(get, page_search)
    out(f"  TINHUY_SEARCH_ENGINE=tantivy (shipped, opt-in): index of {built.count:,} rows "
        f"rebuilt in {built.seconds:.1f} s")  # fmt: skip
    out(eline("  tantivy engine: backends.search(q, limit=10)", app_engine_t, trivial))
    out(line(f"  tantivy engine: search API ?q= (page of {API_PAGE})", app_api_t, trivial))
    out(line(f"  tantivy engine: search API ?q=&page_size={PAGE}", app_api10_t, trivial))
    out(line("  tantivy engine: search page", app_page_t, trivial))

    shipped_answers = [lookup.lookup(q) for q in g.lookups]
    with cached_lookup_keys():
        same = sum(
            1 for q, a in zip(g.lookups, shipped_answers, strict=True) if lookup.lookup(q) == a
        )
        with _quiet_404s():
            cached_ok_t = _http(get, [f"/api/v1/gazetteer/lookup?{_q(q)}" for q in answered])
            cached_404_t = _http(
                _get(anonymous, (404,)),
                [f"/api/v1/gazetteer/lookup?{_q(q)}" for q in unanswered],
            )
        cached_answer_t = _engine(lookup.answer_for, g.lookups)
        with _patched_search(tantivy_search):
            both_page_t = _http(get, page_search)
    out(
        line(
            "look-up keys cached per edition: look-up API → 200",
            cached_ok_t,
            trivial,
            f"same answers and suggestions for {same}/{LOOKUPS}",
        )
    )
    out(line("look-up keys cached per edition: look-up API → 404", cached_404_t, trivial))
    out(eline("look-up keys cached per edition: answer_for(q) alone", cached_answer_t, trivial))
    out(line("TantivyBackend + cached look-up keys: search page", both_page_t, trivial))

    # Targets.
    sqlite = connection.vendor == "sqlite"
    out("")
    out("targets (issue 4)" + ("" if sqlite else " — the 20 ms target is stated for SQLite"))

    def verdict(name: str, value: float, limit: float) -> str:
        ok = value <= limit
        how = "meets" if ok else f"MISSES by {value / limit:.1f}× (+{value - limit:.1f} ms)"
        return f"  {name:<70} p95 {value:>8.2f} ms vs ≤ {limit:>7.2f} ms: {how}"

    for name, timing in (
        (f"search API ?q= as shipped (page of {API_PAGE})", search_api_t),
        (f"search API ?q=&page_size={PAGE} as shipped", search_api10_t),
        ("search page as shipped", page_t),
        (f"tantivy engine (shipped, opt-in): search API ?q= ({API_PAGE})", app_api_t),
        (f"tantivy engine (shipped, opt-in): search API ?q=&page_size={PAGE}", app_api10_t),
        ("tantivy engine (shipped, opt-in): search page", app_page_t),
        (f"proposal TantivyBackend: search API ?q= ({API_PAGE})", tv_api_t),
        (f"proposal TantivyBackend: search API ?q=&page_size={PAGE}", tv_api10_t),
        ("proposal TantivyBackend: search page", tv_page_t),
        ("proposal TantivyBackend + cached look-up keys: search page", both_page_t),
    ):
        out(verdict(f"≤ 20 ms: {name}", timing.p95_ms, 20.0))
        out(verdict(f"≤ 2× trivial: {name}", timing.p95_ms, 2 * trivial.p95_ms))
    for name, timing in (
        ("engine ≤ 2× tantivy: backends.search as shipped", ours_t),
        ("engine ≤ 2× tantivy: backends.search without snippets", engine_t),
        ("engine ≤ 2× tantivy: backends.search, tantivy engine (shipped, opt-in)", app_engine_t),
        ("engine ≤ 2× tantivy: proposal TantivyBackend.search()", proposal_t),
    ):
        out(verdict(name, timing.p95_ms, 2 * peer_t.p95_ms))
