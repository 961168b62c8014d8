"""The demo gazetteer (``tinhuy demo``, loaded once for the whole test session).

It holds real entries about Nghệ An with cited sources, the chapters, and figures: those from a
cited public source carry it, every other one is sample data and says so. Two editions, 2024
and 2025, differ by one rewritten entry and one revised sample figure, so "what changed" has
something to show. Search over the demo behaves as a citizen expects.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from tinhuy.audit.models import AuditEvent
from tinhuy.gazetteer.demo import CONTENT_DIR, load_gazetteer_demo
from tinhuy.gazetteer.imports.folder import read_folder
from tinhuy.gazetteer.models import (
    EditionEntry,
    EditionObservation,
    Entry,
    EntryState,
    Observation,
)
from tinhuy.gazetteer.queries import changes_since_previous, get_edition
from tinhuy.search.backends import search

SAMPLE_SOURCE = "Số liệu minh họa"
REORGANISATION = "Từ ngày 1 tháng 7 năm 2025, khi tổ chức chính quyền địa phương hai cấp"


def slugs(query: str) -> list[str]:
    hits, _total = search(query, limit=50)
    return [hit.key.removeprefix("entry:") for hit in hits]


def test_loading_the_demo_again_changes_nothing(db: None) -> None:
    """The session already loaded it: a second run reports no change and writes no event."""
    events = AuditEvent.objects.count()
    assert load_gazetteer_demo() == []
    assert AuditEvent.objects.count() == events


def test_the_content_folder_reads_without_an_error(db: None) -> None:
    folder, errors = read_folder(CONTENT_DIR)
    assert errors == []
    assert 12 <= len(folder.entries) <= 20


def test_every_demo_entry_is_published_and_cites_its_sources(db: None) -> None:
    """Each entry: published, in both editions, with at least one full citation (a title and a
    publisher or author, and a web address for most)."""
    entries = list(Entry.objects.prefetch_related("sources", "places"))
    assert 12 <= len(entries) <= 20
    for entry in entries:
        assert entry.state == EntryState.PUBLISHED, entry.slug
        assert entry.body and entry.places.exists(), entry.slug
        sources = list(entry.sources.all())
        assert sources, entry.slug
        for source in sources:
            assert source.title and (source.publisher or source.author), (entry.slug, source)
            assert not source.url or source.url.startswith(("http://", "https://"))
    for year in (2024, 2025):
        assert EditionEntry.objects.filter(edition__year=year).count() == len(entries)


def test_every_sample_figure_says_so_and_every_other_figure_has_a_source(db: None) -> None:
    """No invented statistic passes as fact, in the working figures or in either edition."""
    rows = [*Observation.objects.all(), *EditionObservation.objects.all()]
    assert rows
    for o in rows:
        if o.is_sample:
            assert o.source == SAMPLE_SOURCE, o
        else:
            assert o.source.strip() and o.source != SAMPLE_SOURCE, o
    real = Observation.objects.filter(is_sample=False)
    assert {(o.indicator.code, o.place.code, o.year) for o in real} == {
        ("dan-so", "40", 2019),
        ("mat-do-dan-so", "40", 2019),
        ("dien-tich", "40", 2023),
    }
    assert real.get(indicator__code="dan-so").value == 3327791


def test_edition_2025_shows_what_changed_since_2024(db: None) -> None:
    """Thành phố Vinh gained the paragraph on the 2025 reorganisation; one sample figure was
    revised; nothing else changed."""
    changes = changes_since_previous(get_edition(2025))
    assert [(c.slug, c.kind) for c in changes.entries] == [("thanh-pho-vinh", "changed")]
    assert f"<ins>{REORGANISATION}" in changes.entries[0].diff_html
    assert [(f.place, f.year, f.kind) for f in changes.figures] == [
        ("Thành phố Vinh", 2023, "revised")
    ]
    assert (Decimal(changes.figures[0].before), Decimal(changes.figures[0].after)) == (
        346000,
        347000,
    )


def test_the_old_edition_keeps_the_old_text(db: None) -> None:
    client = Client()
    old = client.get("/dia-chi/2024/muc/thanh-pho-vinh/").content.decode()
    new = client.get("/dia-chi/2025/muc/thanh-pho-vinh/").content.decode()
    assert "Phượng Hoàng Trung Đô" in old and REORGANISATION not in old
    assert REORGANISATION in new
    changed = client.get("/dia-chi/2025/thay-doi/").content.decode()
    assert 'href="/dia-chi/2025/muc/thanh-pho-vinh/"' in changed
    assert "<del>346.000</del> → <ins>347.000</ins>" in changed


@pytest.mark.usefixtures("search_engine")
def test_typing_vinh_with_its_mark_puts_the_bay_before_the_city(db: None) -> None:
    found = slugs("Vịnh")
    assert found[0] == "vinh-bac-bo"
    assert found.index("vinh-bac-bo") < found.index("thanh-pho-vinh")


@pytest.mark.usefixtures("search_engine")
def test_typing_vinh_without_marks_puts_the_city_first(db: None) -> None:
    assert slugs("vinh")[0] == "thanh-pho-vinh"
    assert slugs("Vinh")[0] == "thanh-pho-vinh"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("nghe an", {"tinh-nghe-an"}),
        ("Nghệ An", {"tinh-nghe-an"}),
        ("do luong", {"huyen-do-luong", "binh-bien-do-luong"}),
        ("thuy", {"huyen-do-luong", "song-lam", "dan-ca-vi-giam-nghe-tinh"}),
        ("thuỷ", {"huyen-do-luong", "song-lam"}),
        ("ngh", {"tinh-nghe-an", "huyen-nghi-loc"}),
        ("phan boi chau", {"phan-boi-chau"}),
        ("kim lien", {"khu-di-tich-kim-lien", "ho-chi-minh"}),
        ("song hieu", {"song-hieu"}),
    ],
)
@pytest.mark.usefixtures("search_engine")
def test_a_citizen_finds_the_right_entries_without_marks(
    db: None, query: str, expected: set[str]
) -> None:
    assert expected <= set(slugs(query)), slugs(query)


@pytest.mark.usefixtures("search_engine")
def test_the_first_result_is_the_entry_named(db: None) -> None:
    """A search for an entry's name puts that entry first."""
    for query, slug in [
        ("nghe an", "tinh-nghe-an"),
        ("do luong", "huyen-do-luong"),
        ("sông lam", "song-lam"),
        ("xo viet nghe tinh", "xo-viet-nghe-tinh"),
        ("le hong phong", "le-hong-phong"),
    ]:
        assert slugs(query)[0] == slug, (query, slugs(query))


def test_the_figure_look_up_answers_from_the_demo(db: None) -> None:
    """The real census figure answers with its source; a sample figure says it is one."""
    client = Client()
    answer = client.get("/api/v1/gazetteer/lookup", {"q": "dân số Nghệ An 2019"}).json()
    assert answer["value"] in (3327791, "3327791") or "3.327.791" in str(answer)
    assert "Tổng điều tra" in answer["source"]
    sample = client.get("/api/v1/gazetteer/lookup", {"q": "dan so Nghi Loc 2019"}).json()
    assert sample["is_sample"] is True
