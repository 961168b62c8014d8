"""The organisation benchmark: a 10,000-unit structure, listed and rendered, beside raw SQL.

The structure is generated deterministically (``random.Random(2020)``) through the real action,
``do_create_units``: one province root, 40 district-level units, 1,500 grassroots organisations
and 8,459 cells. Every unit is sample data (``is_sample=True``); the province is fictional.
"""

from __future__ import annotations

import itertools
import json
import logging
import random
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.test import Client

from bench.util import (
    Row,
    allow_test_host,
    count_queries,
    figure_header,
    figure_line,
    floor_header,
    floor_line,
    measure,
    timed,
)
from tinhuy.accounts.actions import do_create_user
from tinhuy.org import queries
from tinhuy.org.access import Scope, scope_for
from tinhuy.org.actions import (
    LevelSpec,
    UnitSpec,
    do_create_structure,
    do_create_units,
    do_grant_membership,
)
from tinhuy.org.models import Role, Structure, Unit, UnitKind

SEED = 2020
DISTRICTS = 40
GRASSROOTS = 1_500
CELLS = 8_459
TOTAL = 1 + DISTRICTS + GRASSROOTS + CELLS  # 10,000
API_PAGE_SIZE = 50  # the API's default page size (tinhuy.api.Pagination)
API_BIG_PAGE = 200  # the largest page the API serves
SEARCH = "chi bo"
# Walking every page of the API is 50 requests; it is timed 5 times, not 20, to keep the run short.
ALL_PAGES_REPETITIONS = 5
ALL_PAGES_WARM_UPS = 1

# Syllables of Vietnamese place names; two of them make a name ("Xuân Sơn", "Thanh Hòa").
_FIRST = [
    "An", "Bảo", "Bình", "Cẩm", "Châu", "Diễn", "Đông", "Đức", "Gia", "Hà", "Hải", "Hòa", "Hoàng",
    "Hồng", "Hưng", "Kim", "Kỳ", "Lam", "Liên", "Long", "Minh", "Mỹ", "Nam", "Nghĩa", "Ngọc",
    "Nhân", "Phú", "Phúc", "Quang", "Quỳnh", "Sơn", "Tân", "Thạch", "Thanh", "Thái", "Thịnh",
    "Thượng", "Tiến", "Trung", "Trường", "Tường", "Văn", "Vĩnh", "Xuân", "Yên",
]  # fmt: skip
_SECOND = [
    "An", "Bình", "Châu", "Chương", "Đàn", "Điền", "Đồng", "Giang", "Hà", "Hải", "Hạnh", "Hòa",
    "Hợp", "Hưng", "Khánh", "Lâm", "Lĩnh", "Lộc", "Long", "Lương", "Mai", "Minh", "Nguyên",
    "Phong", "Phú", "Phúc", "Quang", "Sơn", "Tân", "Thành", "Thắng", "Thịnh", "Thủy", "Tiến",
    "Trạch", "Trường", "Tường", "Văn", "Xuân", "Yên",
]  # fmt: skip


@dataclass(frozen=True)
class Generated:
    structure: Structure
    root: Unit
    district: Unit  # the district-level unit with the largest subtree
    grassroots: Unit  # the grassroots organisation with most cells in that district
    province_user: object
    district_user: object
    level_sizes: dict[str, int]


def _place(rng: random.Random) -> str:
    first = rng.choice(_FIRST)
    second = rng.choice(_SECOND)
    while second == first:
        second = rng.choice(_SECOND)
    return f"{first} {second}"


def _spread(rng: random.Random, total: int, weights: list[float]) -> list[int]:
    """``total`` items over ``len(weights)`` parents: one each, the rest drawn by weight."""
    counts = [1] * len(weights)
    for index in rng.choices(range(len(weights)), weights=weights, k=total - len(weights)):
        counts[index] += 1
    return counts


# Grassroots kinds: (weight in the draw, name pattern, unit kind, weight for extra cells).
_GRASSROOTS_KINDS = (
    (62, "Đảng bộ xã {place}", UnitKind.COMMUNE, 3.0),
    (8, "Đảng bộ phường {place}", UnitKind.WARD, 3.0),
    (5, "Đảng bộ thị trấn {place}", UnitKind.TOWNSHIP, 2.5),
    (10, "Đảng bộ Trường Trung học phổ thông {place}", UnitKind.GRASSROOTS, 0.6),
    (8, "Đảng bộ Công ty cổ phần {place}", UnitKind.GRASSROOTS, 0.8),
    (7, "Đảng bộ {office} {place}", UnitKind.AGENCY, 0.5),
)
_OFFICES = (
    "Trung tâm Y tế",
    "Bệnh viện Đa khoa",
    "Chi cục Thuế khu vực",
    "Kho bạc Nhà nước",
    "Ban Quản lý rừng phòng hộ",
    "Trường Cao đẳng nghề",
    "Công an",
    "Ban Chỉ huy Quân sự",
)


def _cell_name(rng: random.Random, grassroots_kind: str, number: int) -> str:
    if grassroots_kind == UnitKind.COMMUNE:
        pattern = rng.choices(
            (
                "Chi bộ thôn {place} {n}",
                "Chi bộ xóm {n}",
                "Chi bộ bản {place}",
                "Chi bộ Trường Tiểu học {place}",
                "Chi bộ Trạm Y tế xã",
                "Chi bộ Công an xã",
                "Chi bộ Quân sự xã",
            ),
            weights=(60, 20, 8, 6, 2, 2, 2),
        )[0]
    elif grassroots_kind in (UnitKind.WARD, UnitKind.TOWNSHIP):
        pattern = rng.choice(("Chi bộ khối {n}", "Chi bộ khối {place}", "Chi bộ khối phố {n}"))
    elif grassroots_kind == UnitKind.AGENCY:
        pattern = rng.choice(("Chi bộ Phòng {n}", "Chi bộ Văn phòng", "Chi bộ Đội {n}"))
    else:
        pattern = rng.choice(("Chi bộ Phân xưởng {n}", "Chi bộ tổ bộ môn {n}", "Chi bộ Khối {n}"))
    return pattern.format(place=_place(rng), n=number)


def structure_specs(rng: random.Random) -> list[UnitSpec]:
    """Exactly ``TOTAL`` unit specs, parents before children, all sample data."""
    specs = [UnitSpec("T01", "Đảng bộ tỉnh Lam Hồng", "tinh", UnitKind.PROVINCE, is_sample=True)]
    district_places: set[str] = set()
    districts: list[tuple[str, str, str]] = [
        ("K01", "Đảng bộ Khối các cơ quan tỉnh", UnitKind.BLOCK),
        ("K02", "Đảng bộ Khối doanh nghiệp tỉnh", UnitKind.BLOCK),
    ]
    while len(districts) < DISTRICTS:
        place = _place(rng)
        if place in district_places:
            continue
        district_places.add(place)
        number = len(districts) - 1
        kind, label = (
            (UnitKind.CITY, "thành phố")
            if number == 1
            else (UnitKind.TOWN, "thị xã")
            if number <= 4
            else (UnitKind.DISTRICT, "huyện")
        )
        districts.append((f"H{number:02d}", f"Đảng bộ {label} {place}", kind))
    for code, name, kind in districts:
        specs.append(UnitSpec(code, name, "huyen", kind, parent_code="T01", is_sample=True))

    # Grassroots per district and cells per grassroots: drawn by random weights, so sizes vary
    # as real ones do (a commune has many cells, a school or an office few).
    per_district = _spread(rng, GRASSROOTS, [rng.uniform(0.4, 1.8) for _ in districts])
    grassroots: list[tuple[str, str]] = []  # (code, kind)
    cell_weights: list[float] = []
    for (d_code, _, d_kind), count in zip(districts, per_district, strict=True):
        used: set[str] = set()
        for g in range(1, count + 1):
            if d_kind == UnitKind.BLOCK:
                pattern, kind, extra = rng.choice(_GRASSROOTS_KINDS[3:])[1:]
            else:
                pattern, kind, extra = rng.choices(
                    [k[1:] for k in _GRASSROOTS_KINDS], weights=[k[0] for k in _GRASSROOTS_KINDS]
                )[0]
            name = pattern.format(place=_place(rng), office=rng.choice(_OFFICES))
            if name in used:  # two grassroots of one district never share a name
                name = f"{name} {g}"
            used.add(name)
            g_code = f"{d_code}-{g:03d}"
            specs.append(UnitSpec(g_code, name, "co-so", kind, parent_code=d_code, is_sample=True))
            grassroots.append((g_code, kind))
            cell_weights.append(extra * rng.uniform(0.5, 1.5))

    per_grassroots = _spread(rng, CELLS, cell_weights)
    for (g_code, g_kind), count in zip(grassroots, per_grassroots, strict=True):
        specs.extend(
            UnitSpec(
                f"{g_code}-{c:02d}",
                _cell_name(rng, g_kind, c),
                "chi-bo",
                UnitKind.CELL,
                parent_code=g_code,
                is_sample=True,
            )
            for c in range(1, count + 1)
        )
    assert len(specs) == TOTAL, len(specs)
    return specs


def generate() -> tuple[Generated, float]:
    """Create the structure, its 10,000 units and two users; returns them and the seconds
    ``do_create_structure`` + ``do_create_units`` took."""
    rng = random.Random(SEED)
    specs = structure_specs(rng)

    def create() -> Structure:
        structure = do_create_structure(
            code="bench-10000",
            name="Đảng bộ tỉnh Lam Hồng — cơ cấu đo hiệu năng, 10.000 đơn vị (minh họa)",
            levels=[
                LevelSpec("tinh", "Cấp tỉnh"),
                LevelSpec("huyen", "Cấp huyện và tương đương"),
                LevelSpec("co-so", "Cấp cơ sở"),
                LevelSpec("chi-bo", "Chi bộ"),
            ],
            description="Dữ liệu minh họa sinh tự động cho make bench.",
            acting_user=None,
        )
        do_create_units(structure, specs, acting_user=None, source="bench")
        return structure

    structure, seconds = timed(create)
    assert isinstance(structure, Structure)
    root = Unit.objects.get(structure=structure, parent__isnull=True)
    district_sizes = {
        d: Unit.objects.filter(path__startswith=d.path).count() for d in root.children.all()
    }
    district = max(district_sizes, key=lambda d: (district_sizes[d], -d.pk))
    grassroots = max(
        district.children.all(), key=lambda g: (g.children.count(), -g.pk)
    )  # 40 + ~40 small queries, once, outside any timing

    # The bench logs in with force_login: the password is never checked, so hash it cheaply.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    password = secrets.token_urlsafe(12)  # never used: the clients log in with force_login
    province_user = do_create_user(
        "bench-vanphong",
        password=password,
        first_name="Hoa",
        last_name="Nguyễn Thị",
        acting_user=None,
    )
    do_grant_membership(province_user, root, Role.PROVINCE_ADMIN, acting_user=None)
    district_user = do_create_user(
        "bench-huyen", password=password, first_name="Minh", last_name="Trần Văn", acting_user=None
    )
    do_grant_membership(district_user, district, Role.OFFICE_OFFICER, acting_user=None)
    levels = Counter(Unit.objects.filter(structure=structure).values_list("level__code", flat=True))
    return (
        Generated(
            structure=structure,
            root=root,
            district=district,
            grassroots=grassroots,
            province_user=province_user,
            district_user=district_user,
            level_sizes=dict(levels),
        ),
        seconds,
    )


# --- Raw SQL floors --------------------------------------------------------------------------


def _sql(statement: str, params: list[object]) -> Callable[[], list[tuple[object, ...]]]:
    def run() -> list[tuple[object, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall()

    return run


SQL_PAGE = "SELECT id, code, name FROM org_unit WHERE path LIKE %s ORDER BY name_sort LIMIT 50"
SQL_COUNT = "SELECT count(*) FROM org_unit WHERE path LIKE %s"
SQL_ALL = "SELECT id, name FROM org_unit WHERE path LIKE %s"


# --- Requests --------------------------------------------------------------------------------


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _get(client: Client, url: str, status: int = 200) -> Callable[[], object]:
    def run() -> object:
        response = client.get(url)
        assert response.status_code == status, (url, response.status_code)
        return response

    return run


def _all_api_pages(client: Client, structure_id: int, total: int) -> Callable[[], int]:
    """Every page of ``/api/v1/units/?structure=`` at the largest page size, one after another."""
    pages = -(-total // API_BIG_PAGE)
    urls = [
        f"/api/v1/units/?structure={structure_id}&page_size={API_BIG_PAGE}&page={page}"
        for page in range(1, pages + 1)
    ]

    def run() -> int:
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        return len(urls)

    return run


def _api(client: Client, url: str) -> dict[str, object]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return json.loads(response.content)


def sanity(g: Generated, admin: Client, officer: Client) -> dict[str, int]:
    """Check the data and that the API and pages agree with raw SQL; returns raw counts."""
    s, root, district = g.structure, g.root, g.district
    assert Unit.objects.filter(structure=s).count() == TOTAL
    assert Unit.objects.filter(structure=s, is_sample=False).count() == 0
    assert g.level_sizes == {"tinh": 1, "huyen": DISTRICTS, "co-so": GRASSROOTS, "chi-bo": CELLS}
    root_count = _sql(SQL_COUNT, [root.path + "%"])()[0][0]
    district_count = _sql(SQL_COUNT, [district.path + "%"])()[0][0]
    assert root_count == TOTAL, root_count
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM org_unit WHERE structure_id = %s "
            "AND (name_folded LIKE %s OR lower(code) = %s)",
            [s.pk, f"%{SEARCH}%", SEARCH],
        )
        search_count = cursor.fetchone()[0]
    grassroots_children = Unit.objects.filter(parent=g.grassroots).count()

    assert _api(admin, f"/api/v1/units/?structure={s.pk}")["count"] == root_count
    assert _api(admin, f"/api/v1/units/?structure={s.pk}&q={SEARCH}")["count"] == search_count
    assert _api(admin, f"/api/v1/units/?parent={g.grassroots.pk}")["count"] == grassroots_children
    assert _api(officer, f"/api/v1/units/?structure={s.pk}")["count"] == district_count
    # The officer's scope is their district: the root and the other districts do not exist.
    other = root.children.exclude(pk=district.pk).first()
    assert other is not None
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)  # the two 404s below are expected, not worth a line
    try:
        assert officer.get(f"/don-vi/{other.pk}/").status_code == 404
        assert officer.get(f"/api/v1/units/{root.pk}").status_code == 404
    finally:
        request_log.setLevel(level)

    # Every page of the API together is the whole structure, each unit once.
    ids: list[int] = []
    for page in itertools.count(1):
        url = f"/api/v1/units/?structure={s.pk}&page_size={API_BIG_PAGE}&page={page}"
        items = _api(admin, url)["items"]
        assert isinstance(items, list)
        ids.extend(item["id"] for item in items)
        if len(items) < API_BIG_PAGE:
            break
    raw_ids = {row[0] for row in _sql(SQL_ALL, [root.path + "%"])()}
    assert len(ids) == TOTAL and set(ids) == raw_ids

    page = admin.get(f"/don-vi/{district.pk}/").content.decode()
    assert district.name in page and g.grassroots.name in page
    return {
        "root": root_count,
        "district": district_count,
        "search": search_count,
        "grassroots children": grassroots_children,
    }


# --- The run ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """Whose requests: a logged-in client, its scope, and the floors its figures stand beside."""

    title: str
    client: Client
    scope: Scope
    units: int  # units in scope, in the structure
    page_floor: str
    count_floor: str
    all_floor: str


def run(out: Callable[[str], None] = print) -> None:
    g, seconds = generate()
    sizes = g.level_sizes
    out(
        f"generate   {TOTAL:,} units through do_create_units in {seconds:.2f} s "
        f"({sizes['tinh']} tỉnh, {sizes['huyen']} huyện, {sizes['co-so']:,} cơ sở, "
        f"{sizes['chi-bo']:,} chi bộ; seed {SEED})"
    )
    allow_test_host()
    admin = _client(g.province_user)
    officer = _client(g.district_user)
    counts = sanity(g, admin, officer)
    s, root, district, grassroots = g.structure, g.root, g.district, g.grassroots
    out(
        f"data       structure #{s.pk}; root #{root.pk} {root.path}; district #{district.pk} "
        f"{district.path} “{district.name}” ({counts['district']:,} units, "
        f"{district.children.count()} children); grassroots #{grassroots.pk} "
        f"“{grassroots.name}” ({counts['grassroots children']} cells); "
        f"“{SEARCH}” matches {counts['search']:,} units"
    )
    out("")

    floors: dict[str, Row] = {}
    out(floor_header())

    def floor(key: str, name: str, fn: Callable[[], object]) -> None:
        floors[key] = row = Row(name, count_queries(fn), measure(fn))
        out(floor_line(key, row))

    root_like, district_like = root.path + "%", district.path + "%"
    floor("sql root page", "sql: root subtree, first 50 by name_sort", _sql(SQL_PAGE, [root_like]))
    floor("sql root count", "sql: count(*) root subtree", _sql(SQL_COUNT, [root_like]))
    floor("sql root all", f"sql: root subtree, all {TOTAL:,} rows", _sql(SQL_ALL, [root_like]))
    floor(
        "sql distr page",
        "sql: district subtree, first 50 by name_sort",
        _sql(SQL_PAGE, [district_like]),
    )
    floor("sql distr count", "sql: count(*) district subtree", _sql(SQL_COUNT, [district_like]))
    floor(
        "sql distr all",
        f"sql: district subtree, all {counts['district']:,} rows",
        _sql(SQL_ALL, [district_like]),
    )
    floor(
        "http trivial",
        "http: GET /api/v1/structures/ (trivial request)",
        _get(admin, "/api/v1/structures/"),
    )
    out("")

    User = type(g.province_user)
    viewers = (
        Viewer(
            "province office (province_admin at the root; scope: everything)",
            admin,
            scope_for(User.objects.get(pk=g.province_user.pk)),  # type: ignore[attr-defined]
            counts["root"],
            "sql root page",
            "sql root count",
            "sql root all",
        ),
        Viewer(
            f"district officer (office_officer at the district; scope: "
            f"{counts['district']:,} units)",
            officer,
            scope_for(User.objects.get(pk=g.district_user.pk)),  # type: ignore[attr-defined]
            counts["district"],
            "sql distr page",
            "sql distr count",
            "sql distr all",
        ),
    )
    out(figure_header())
    for viewer in viewers:
        out(viewer.title)
        client = viewer.client

        def figure(name: str, fn: Callable[[], object], floor_key: str, reps: int = 0) -> None:
            timing = measure(fn, reps, ALL_PAGES_WARM_UPS) if reps else measure(fn)
            row = Row(name, count_queries(fn), timing, floor_key)
            single_request = name.startswith(("api:", "page:", "htmx:")) and not reps
            out(figure_line(row, floors, "http trivial" if single_request else ""))

        figure(
            f"api: units ?structure (page 1 of {API_PAGE_SIZE})",
            _get(client, f"/api/v1/units/?structure={s.pk}"),
            viewer.page_floor,
        )
        figure(
            f"api: units ?structure&q={SEARCH} (page 1)",
            _get(client, f"/api/v1/units/?structure={s.pk}&q={SEARCH}"),
            viewer.page_floor,
        )
        figure(
            "api: units ?parent=<grassroots>",
            _get(client, f"/api/v1/units/?parent={grassroots.pk}"),
            "sql distr count",
        )
        figure(
            "page: /co-cau/<id>/ structure browser",
            _get(client, f"/co-cau/{s.pk}/"),
            viewer.count_floor,
        )
        figure(
            "page: /don-vi/<district>/ unit + children",
            _get(client, f"/don-vi/{district.pk}/"),
            "sql distr count",
        )
        figure(
            "htmx: /don-vi/<district>/truc-thuoc/",
            _get(client, f"/don-vi/{district.pk}/truc-thuoc/"),
            "sql distr count",
        )
        scope = viewer.scope
        figure(
            f"orm: units_list values_list, all {viewer.units:,}",
            lambda scope=scope: list(  # type: ignore[misc]
                queries.units_list(scope, structure=s).values_list("id", "name")
            ),
            viewer.all_floor,
        )
        pages = -(-viewer.units // API_BIG_PAGE)
        figure(
            f"api: all {pages} pages of {API_BIG_PAGE}, {viewer.units:,} units",
            _all_api_pages(client, s.pk, viewer.units),
            viewer.all_floor,
            reps=ALL_PAGES_REPETITIONS,
        )
