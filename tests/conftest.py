"""Named personas and the organisation they work in, loaded once per test session.

Who may see what (the demo's memberships, ``tinhuy.demo.PERSONAS``):
- ``province_office`` (vanphong) sees and changes everything, in both structures.
- ``vinh_officer`` sees and changes Đảng bộ thành phố Vinh's subtree in the 2020 structure, and
  nothing else: Nghi Lộc's units, the province root and the whole 2025 structure are 404 to him.
- ``nghiloc_officer`` is the mirror image: Nghi Lộc only. Charlie should have no access to
  Alice's stuff: Vinh and Nghi Lộc never see each other.
- ``board_member`` (btv) sees everything, changes nothing.
- ``editor`` (bientap) works on the gazetteer; of the organisation he sees nothing (issue 12).
- ``citizen`` is anonymous: no page of the organisation, no API call.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.test import Client
from django.utils import translation

from tinhuy.demo import load_demo
from tinhuy.org.loaders import CURRENT_CODE, STRUCTURE_2020_CODE
from tinhuy.org.models import Structure, Unit

PASSWORD = "mat-khau-thu-nghiem-1"


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # A fast hasher: tests log in hundreds of times; production keeps Django's default.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> None:
    """Load the demo once: both structures, the personas and their memberships."""
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        load_demo(PASSWORD)


@pytest.fixture(autouse=True)
def _fresh_lookup_catalogues() -> Iterator[None]:
    """The figure look-up keeps each edition's catalogue in the process, keyed on the edition
    and a counter in the database; a test's rolled-back database can repeat both, so every test
    starts (and ends) with none kept."""
    from tinhuy.gazetteer.lookup import forget_catalogues

    forget_catalogues()
    yield
    forget_catalogues()


@pytest.fixture(autouse=True)
def vietnamese() -> Iterator[None]:
    """Each test starts in Vietnamese: a request made in English leaves its language active in
    the thread, and the next test's gettext outside a request would follow it."""
    with translation.override("vi"):
        yield


@dataclass
class Personas:
    province_office: AbstractBaseUser
    vinh_officer: AbstractBaseUser
    nghiloc_officer: AbstractBaseUser
    board_member: AbstractBaseUser
    editor: AbstractBaseUser
    citizen: AnonymousUser


@pytest.fixture
def personas(db: None) -> Personas:
    users = {u.username: u for u in get_user_model().objects.all()}
    return Personas(
        province_office=users["vanphong"],
        vinh_officer=users["vinh"],
        nghiloc_officer=users["nghiloc"],
        board_member=users["btv"],
        editor=users["bientap"],
        citizen=AnonymousUser(),
    )


@dataclass
class Units:
    structure_2020: Structure
    structure_2025: Structure
    province_2020: Unit
    province_2025: Unit
    vinh: Unit
    vinh_grassroots: Unit  # a sample grassroots organisation under Vinh
    vinh_cell: Unit  # a sample cell under it
    nghiloc: Unit
    nghiloc_cell: Unit
    commune_2025: Unit  # a commune of today's structure


@pytest.fixture
def units(db: None) -> Units:
    def get(structure_code: str, code: str) -> Unit:
        return Unit.objects.select_related("structure", "level").get(
            structure__code=structure_code, code=code
        )

    return Units(
        structure_2020=Structure.objects.get(code=STRUCTURE_2020_CODE),
        structure_2025=Structure.objects.get(code=CURRENT_CODE),
        province_2020=get(STRUCTURE_2020_CODE, "40"),
        province_2025=get(CURRENT_CODE, "40"),
        vinh=get(STRUCTURE_2020_CODE, "412"),
        vinh_grassroots=get(STRUCTURE_2020_CODE, "412-CS01"),
        vinh_cell=get(STRUCTURE_2020_CODE, "412-CS01-CB01"),
        nghiloc=get(STRUCTURE_2020_CODE, "429"),
        nghiloc_cell=get(STRUCTURE_2020_CODE, "429-CS02-CB03"),
        commune_2025=Unit.objects.filter(structure__code=CURRENT_CODE, depth=1).first(),  # type: ignore[misc]
    )


@pytest.fixture
def client_for(db: None) -> Callable[[AbstractBaseUser | AnonymousUser], Client]:
    """A test client logged in as the given persona (anonymous for the citizen)."""

    def make(user: AbstractBaseUser | AnonymousUser) -> Client:
        client = Client()
        if user.is_authenticated:
            client.force_login(user)  # type: ignore[arg-type]
        return client

    return make


@pytest.fixture
def plan_2020(db: None):  # type: ignore[no-untyped-def]
    """The article's plan (issued through the register: 01-KH/TU) with the demo's sample
    conferences."""
    from tinhuy.study.demo import PLAN_2020_TITLE
    from tinhuy.study.models import Plan

    return Plan.objects.select_related("structure", "issuing_unit").get(title=PLAN_2020_TITLE)


@pytest.fixture
def plan_2025(db: None):  # type: ignore[no-untyped-def]
    """The draft plan for the 20th Congress Resolution on today's structure."""
    from tinhuy.study.demo import PLAN_2025_TITLE
    from tinhuy.study.models import Plan

    return Plan.objects.select_related("structure", "issuing_unit").get(title=PLAN_2025_TITLE)


@pytest.fixture(scope="session", autouse=True)
def search_index_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The session's tantivy indexes (the default engine on SQLite) live in a temporary
    directory, never in ``var/search-index``: the demo loaded for the session is indexed there.
    Session-scoped and autouse, so it is in place before ``django_db_setup`` loads the demo."""
    from django.conf import settings

    from tinhuy.search import tantivy_engine

    root = tmp_path_factory.mktemp("search-index")
    saved = settings.TINHUY_SEARCH_INDEX_DIR
    settings.TINHUY_SEARCH_INDEX_DIR = str(root / "session")
    tantivy_engine.reset()
    yield root
    settings.TINHUY_SEARCH_INDEX_DIR = saved
    tantivy_engine.reset()


_test_indexes = itertools.count()


@pytest.fixture(autouse=True)
def search_index_per_test(
    request: pytest.FixtureRequest, search_index_root: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """With tantivy as the engine (the default on SQLite), a test that indexes or searches gets
    an index of its own, built from the rows its transaction sees (the session's demo and what
    the test wrote), and the index follows the test's writes at once: the test's transaction
    never commits, and what it wrote must not reach later tests. The index is made only when
    the test first searches or indexes. Tests asking for ``search_engine`` set up their own."""
    from django.conf import settings

    from tinhuy.search import backends, tantivy_engine

    if "search_engine" in request.fixturenames or settings.TINHUY_SEARCH_ENGINE != "tantivy":
        yield
        return
    path = search_index_root / f"test-{next(_test_indexes)}"
    saved = settings.TINHUY_SEARCH_INDEX_DIR
    settings.TINHUY_SEARCH_INDEX_DIR = str(path)
    monkeypatch.setattr(
        backends, "_follow_on_commit", lambda keys: tantivy_engine.engine().follow(list(keys))
    )
    try:
        yield
    finally:
        settings.TINHUY_SEARCH_INDEX_DIR = saved
        tantivy_engine.reset()
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(params=["database", "tantivy"])
def search_engine(request, settings, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """The test once on the database engine of the run (FTS5 or PostgreSQL) and once on
    tantivy, with an index of its own built from the rows (``TINHUY_SEARCH_ENGINE``)."""
    from django.db import transaction

    from tinhuy.search import tantivy_engine

    settings.TINHUY_SEARCH_ENGINE = request.param
    settings.TINHUY_SEARCH_INDEX_DIR = str(tmp_path / "search-index")
    tantivy_engine.reset()
    if request.param == "tantivy":
        # The test's transaction never commits: run the index's on-commit step at once.
        monkeypatch.setattr(transaction, "on_commit", lambda fn, using=None, robust=False: fn())
    yield request.param
    tantivy_engine.reset()
