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

Generation is not the timed path. The search engine is the one the application ships by
default for the database: tantivy on SQLite (its index kept in step by ``index_documents``, batch
after batch), PostgreSQL's full text on PostgreSQL. Then, over a fixed list of 200 search queries
and 200 look-up questions, it prints:

- the **engine**: ``backends.search`` beside its floor, **bare tantivy** on the same index with
  the same query (top 10, the count, the 10 hits' stored fields);
- the **requests** through ``django.test.Client``: the search API and page, the figure look-up
  API, the entry page, beside the **trivial** logged-in request;
- the **targets** of issue 8, each "met" or "NOT met", beside its floor.

The benchmark holds no copy of the application's code and no prototype: what it times is what
ships.
"""

from __future__ import annotations

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
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection, transaction
from django.test import Client, override_settings

from bench.util import Timing, Verdict, allow_test_host, measure_each, timed, verdict_header
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
from tinhuy.search.backends import Document, Hit, Query
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
    place_codes = [p.code for p in places]
    for start in range(0, ENTRIES, BATCH):
        with clock("text"):
            batch, special_n = _make_batch(maker, entry_rng, start, query_docs)
        special += special_n
        with clock("rows"):
            _create_rows(batch, edition, chapters, place_codes, entry_rng)
        docs = [b.document for b in batch]
        if start == 0:
            assert all(plain_text(b.markdown) == b.document.body for b in batch[:200])
        with clock("index"):  # the rows, then (on commit) the tantivy index if it is the engine
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


@contextmanager
def _quiet_404s() -> Iterator[None]:
    log = logging.getLogger("django.request")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)


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


def _q(text: str) -> str:
    return urlencode({"q": text})


class BareTantivy:
    """The floor of the search engine: tantivy itself on the same index, with the same query
    (``tantivy_engine.Engine._query``: every folded word, the last as a prefix, the words as
    typed adding to the score), asked for the top 10 and the count of matches, and the 10 hits'
    stored fields read — the least any engine must do to give the same answer. What it leaves
    to ``backends.search``: parsing the input, the snippets, the ``Hit`` objects."""

    def __init__(self, engine: tantivy_engine.Engine) -> None:
        self.engine = engine

    def top(self, query: Query, *, fields: bool = True) -> tuple[list[str], int]:
        searcher = self.engine.index.searcher()
        q = self.engine._query(query.folded, query.exact, {})
        found = searcher.search(q, PAGE, count=True)
        if not fields:
            return [], found.count  # type: ignore[attr-defined]
        docs = [searcher.doc(address).to_dict() for _score, address in found.hits]
        return [d["key"][0] for d in docs], found.count  # type: ignore[attr-defined]


def run(out: Callable[[str], None] = print) -> list[Verdict]:
    allow_test_host()
    out("")
    out(
        f"gazetteer — {ENTRIES:,} entries, {OBSERVATIONS:,} figures; {QUERIES} search queries, "
        f"{LOOKUPS} look-up questions (seed {SEED})"
    )
    if SCALE != 1:
        out(f"           TINHUY_BENCH_SCALE={SCALE}: a reduced run, not comparable with a full one")
    out(
        f"engine     TINHUY_SEARCH_ENGINE={settings.TINHUY_SEARCH_ENGINE} (the default on "
        f"{connection.vendor}), as shipped"
        + (f"; index {settings.TINHUY_SEARCH_INDEX_DIR}" if backends.uses_tantivy() else "")
    )
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
    assert SearchDocument.objects.count() == ENTRIES
    assert EditionObservation.objects.filter(edition=g.edition).count() == OBSERVATIONS
    if backends.uses_tantivy():
        engine = tantivy_engine.engine()  # the application's own index, as it was kept in step
        assert engine.index.searcher().num_docs == ENTRIES
        out(
            f"tantivy    the application's index followed every batch: {ENTRIES:,} documents, "
            f"{engine.index.searcher().num_segments} segments, {_size_mb(engine.path):.0f} MB"
        )
        return _measure(out, g, engine)
    # PostgreSQL: the shipped engine is the database's; tantivy's floor needs an index of its own.
    tmp = Path(tempfile.mkdtemp(prefix="tinhuy-bench-tantivy-"))
    try:
        floor_engine, seconds = timed(lambda: tantivy_engine.Engine(tmp))
        assert isinstance(floor_engine, tantivy_engine.Engine)
        out(
            f"tantivy    an index for the floor built from search_searchdocument in "
            f"{seconds:.1f} s ({_size_mb(tmp):.0f} MB in a temp dir)"
        )
        return _measure(out, g, floor_engine)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _measure(
    out: Callable[[str], None], g: Generated, engine: tantivy_engine.Engine
) -> list[Verdict]:
    queries = [q for q in g.queries if Query.parse(q)]
    assert len(queries) == QUERIES
    parsed = [Query.parse(q) for q in queries]
    bare = BareTantivy(engine)

    # Engine; the first round's results serve the checks printed before the table.
    floor: list[tuple[list[str], int]] = []
    floor_t = _engine(bare.top, parsed, floor)
    search_only_t = _engine(lambda q: bare.top(q, fields=False), parsed)
    ours: list[tuple[list[Hit], int]] = []
    ours_t = _engine(lambda q: backends.search(q), queries, ours)
    cap = backends.COUNT_LIMIT + 1
    same_top = sum(
        1
        for (hits, _), (keys, _n) in zip(ours, floor, strict=True)
        if [h.key for h in hits] == keys
    )
    same_count = sum(
        1 for (_, total), (_k, n) in zip(ours, floor, strict=True) if total == min(n, cap)
    )
    matches = sorted(n for _k, n in floor)
    first = {
        q: (hits[0].title if hits else "—") for q, (hits, _) in zip(queries, ours, strict=True)
    }
    out(
        f"queries    {QUERIES} (the fixed {', '.join(repr(q) for q in FIXED_QUERIES)}, then "
        f"1–3 syllables of random entries, half without marks); matches per query: median "
        f"{matches[len(matches) // 2]:,}, p95 {matches[int(0.95 * len(matches)) - 1]:,}, max "
        f"{matches[-1]:,}, none for {sum(1 for m in matches if not m)}"
    )
    out(
        f"checks     backends.search and bare tantivy: the same top 10 for {same_top}/{QUERIES}, "
        f"the same count (search() stops at {cap:,}) for {same_count}/{QUERIES}; first hit for "
        f"'Vịnh': “{first['Vịnh']}”, for 'vinh': “{first['vinh']}”, for 'nghe an': "
        f"“{first['nghe an']}”"
    )
    out("")
    out(header("engine (top 10)", "vs floor"))
    out(eline("floor: bare tantivy, top 10 + count + the 10 stored hits", floor_t, floor_t))
    out(eline("  (bare tantivy, top 10 + count alone)", search_only_t, floor_t))
    out(eline("backends.search(q, limit=10) as shipped", ours_t, floor_t))
    if connection.vendor == "sqlite":
        with override_settings(TINHUY_SEARCH_ENGINE="database"):
            fts_t = _engine(lambda q: backends.search(q), queries)
        out(eline("  the same with TINHUY_SEARCH_ENGINE=database (FTS5)", fts_t, floor_t))

    # Requests.
    anonymous = Client()
    logged_in = Client()
    logged_in.force_login(g.user)
    get = _get(anonymous)
    trivial = _http(_get(logged_in), ["/api/v1/structures/"] * QUERIES)
    answered = [q for q in g.lookups if lookup.answer_for(q) is not None]
    unanswered = [q for q in g.lookups if q not in answered]
    api_search = [f"/api/v1/gazetteer/search?{_q(q)}" for q in queries]
    page_search = [f"/dia-chi/tim-kiem/?{_q(q)}" for q in queries]
    lookup_urls = [f"/api/v1/gazetteer/lookup?{_q(q)}" for q in g.lookups]
    out("")
    out(header("requests (django.test.Client)", "vs trivial"))
    out(line("floor: trivial GET /api/v1/structures/ (logged in)", trivial, trivial))
    search_api_t = _http(get, api_search)
    out(line(f"search API ?q= (page of {API_PAGE}, the default)", search_api_t, trivial))
    search_api10_t = _http(get, [f"{u}&page_size={PAGE}" for u in api_search])
    out(line(f"  search API ?q=&page_size={PAGE}", search_api10_t, trivial))
    page_t = _http(get, page_search)
    out(line("search page /dia-chi/tim-kiem/?q= (10 + answer box)", page_t, trivial))
    with _quiet_404s():
        lookup_t = _http(_get(anonymous, (200, 404)), lookup_urls)
    out(
        line(
            f"figure look-up API, {LOOKUPS} questions ({len(answered)} → 200, "
            f"{len(unanswered)} → 404)",
            lookup_t,
            trivial,
        )
    )
    answered_set = set(answered)
    for label, wanted in (("200 answer", True), ("404 with suggestions", False)):
        part = Timing(
            [
                t
                for t, q in zip(lookup_t.samples, g.lookups, strict=True)
                if (q in answered_set) == wanted
            ]
        )
        if part.samples:
            out(line(f"  of which → {label}", part, trivial))
    entry_t = _http(get, [entry_url(EDITION_YEAR, slug) for slug in g.entry_slugs])
    out(line(f"entry page /dia-chi/{EDITION_YEAR}/muc/<slug>/ ({ENTRY_PAGES})", entry_t, trivial))

    out("")
    verdicts = [
        Verdict("search engine p95 ≤ 1.5× bare tantivy", ours_t.p95_ms, floor_t.p95_ms, 1.5),
        Verdict(f"search API p95 ≤ 2× trivial (page of {API_PAGE})", search_api_t.p95_ms,
                trivial.p95_ms, 2.0),
        Verdict("search page p95 ≤ 2× trivial", page_t.p95_ms, trivial.p95_ms, 2.0),
        Verdict("figure look-up p95 ≤ 2× trivial", lookup_t.p95_ms, trivial.p95_ms, 2.0),
    ]  # fmt: skip
    out(verdict_header("targets (issue 8), p95 beside the floor's p95"))
    for verdict in verdicts:
        out(verdict.line())
    return verdicts
