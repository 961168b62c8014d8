"""Editions: publishing freezes what the public sees; "what changed" lists entries and figures
added, changed and removed; older editions keep their own text at their permanent URLs."""

from __future__ import annotations

from decimal import Decimal

from django.test import Client

from tinhuy.gazetteer.actions import (
    EntrySpec,
    ObservationSpec,
    do_save_entry,
    do_save_observations,
    do_set_entry_state,
)
from tinhuy.gazetteer.models import Entry, EntryState
from tinhuy.search.backends import search

from .conftest import VINH_2024_TEXT, VINH_2025_TEXT, publish_edition


def page(url: str) -> str:
    response = Client().get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def section(html: str, section_id: str) -> str:
    start = html.index(f'id="{section_id}"')
    return html[start : html.index("</section>", start)]


def test_the_changes_page_lists_the_added_entry(gazetteer) -> None:
    """Sông Lam is new in 2025, linked at its 2025 URL."""
    added = section(page("/dia-chi/2025/thay-doi/"), "muc-tu-moi")
    assert 'href="/dia-chi/2025/muc/song-lam/">Sông Lam</a>' in added
    assert "Thành phố Vinh" not in added


def test_the_changes_page_shows_the_changed_entry_with_a_diff(gazetteer) -> None:
    """Thành phố Vinh was rewritten: the new text as published, the changed words struck out
    and inserted in it (the unchanged ones as they are)."""
    changed = section(page("/dia-chi/2025/thay-doi/"), "muc-tu-sua")
    assert 'href="/dia-chi/2025/muc/thanh-pho-vinh/"' in changed
    assert 'href="/dia-chi/2024/muc/thanh-pho-vinh/"' in changed
    assert VINH_2024_TEXT.startswith("Vinh là thành phố tỉnh lỵ của tỉnh Nghệ An, bên bờ sông Lam")
    assert (
        "Nghệ An, <del>bên bờ sông Lam</del><ins>trung tâm của vùng Bắc Trung Bộ</ins>." in changed
    )
    assert "Tỉnh Nghệ An" not in changed  # unchanged entries are not listed


def test_the_changes_page_shows_revised_and_added_figures(gazetteer) -> None:
    """Vinh's 2023 population revised (before → after) and its 2024 population added."""
    html = page("/dia-chi/2025/thay-doi/")
    revised = section(html, "so-lieu-sua")
    assert "Dân số" in revised and "Thành phố Vinh" in revised and "2023" in revised
    assert "<del>339.114</del> → <ins>340.000</ins>" in revised
    added = section(html, "so-lieu-moi")
    assert "2024" in added and "1.234,5" in added
    assert "Diện tích" not in html  # the unchanged area figure is not listed


def test_the_first_edition_changes_page_says_everything_is_new(gazetteer) -> None:
    html = page("/dia-chi/2024/thay-doi/")
    assert "ấn bản đầu tiên" in html
    assert 'href="/dia-chi/2024/muc/thanh-pho-vinh/"' in section(html, "muc-tu-moi")


def test_the_old_edition_url_still_shows_the_old_text(gazetteer) -> None:
    """A 2024 citation keeps pointing at the 2024 text, and says a newer version exists."""
    old = page("/dia-chi/2024/muc/thanh-pho-vinh/")
    assert VINH_2024_TEXT in old and VINH_2025_TEXT not in old
    assert 'href="/dia-chi/2025/muc/thanh-pho-vinh/"' in old
    assert "30/12/2024" in old  # the footer names the edition being read
    new = page("/dia-chi/2025/muc/thanh-pho-vinh/")
    assert VINH_2025_TEXT in new and VINH_2024_TEXT not in new


def test_unpublished_edits_do_not_reach_the_public(gazetteer, personas) -> None:
    """A draft and a revised figure wait for the next edition: the public pages do not move."""
    do_save_entry(
        EntrySpec("thanh-pho-vinh", "Thành phố Vinh", "place", gazetteer.geography,
                  "Bản nháp chưa duyệt.", (gazetteer.vinh,)),
        acting_user=personas.editor,
    )  # fmt: skip
    do_save_observations(
        [ObservationSpec(gazetteer.population, gazetteer.vinh, 2023, Decimal("1"), is_sample=True)],
        acting_user=personas.editor,
    )
    assert "Bản nháp" not in page("/dia-chi/2025/muc/thanh-pho-vinh/")
    assert "340.000" in page("/dia-chi/2025/dia-danh/412/")


def test_a_withdrawn_entry_is_listed_as_removed_and_stays_in_its_edition(
    gazetteer, personas
) -> None:
    """Xô viết Nghệ Tĩnh withdrawn before 2026: removed in 2026, still readable in 2025, and
    the year-less URL leads to the 2025 version."""
    entry = Entry.objects.get(slug="xo-viet-nghe-tinh")
    do_set_entry_state(entry, EntryState.DRAFT, acting_user=personas.editor)
    publish_edition(2026, personas.editor)
    removed = section(page("/dia-chi/2026/thay-doi/"), "muc-tu-bo")
    assert 'href="/dia-chi/2025/muc/xo-viet-nghe-tinh/">Xô viết Nghệ Tĩnh</a>' in removed
    assert Client().get("/dia-chi/2026/muc/xo-viet-nghe-tinh/").status_code == 404
    assert "Phong trào cách mạng" in page("/dia-chi/2025/muc/xo-viet-nghe-tinh/")
    response = Client().get("/dia-chi/muc/xo-viet-nghe-tinh/")
    assert response.status_code == 302
    assert response["Location"] == "/dia-chi/2025/muc/xo-viet-nghe-tinh/"


def test_search_follows_the_latest_edition(gazetteer) -> None:
    """The index holds the 2025 text, and results link to 2025 URLs."""
    hits, _ = search("trung tam bac trung bo")
    assert [h.url for h in hits] == ["/dia-chi/2025/muc/thanh-pho-vinh/"]
    hits, _ = search("ben bo song lam")
    assert "/dia-chi/2025/muc/thanh-pho-vinh/" not in [h.url for h in hits]


def test_the_editions_page_lists_every_edition_newest_first(gazetteer) -> None:
    html = page("/dia-chi/an-ban/")
    assert html.index("ấn bản 2025") < html.index("ấn bản 2024")
    assert 'href="/dia-chi/2024/"' in html and 'href="/dia-chi/2024/thay-doi/"' in html
    assert "30/12/2024" in html and "8 mục từ" in html and "7 mục từ" in html


def test_figure_changes_are_counted_in_the_database_and_listed_up_to_the_limit(
    gazetteer, django_assert_max_num_queries
) -> None:
    """The first edition "adds" all its figures: the list stops at the limit, the count does
    not, and the number of queries does not grow with the figures."""
    from tinhuy.gazetteer.models import EditionObservation
    from tinhuy.gazetteer.queries import changes_since_previous, get_edition

    first = get_edition(2024)
    frozen = EditionObservation.objects.filter(edition=first).count()
    assert frozen >= 2

    with django_assert_max_num_queries(8):
        changes = changes_since_previous(first, figure_limit=1)

    assert (changes.figures_added, changes.figures_revised) == (frozen, 0)
    assert [f.kind for f in changes.figures] == ["added"]
    later = changes_since_previous(get_edition(2025), figure_limit=1)
    assert (later.figures_revised, later.figures_added) == (1, 1)
    assert [f.kind for f in later.figures] == ["revised", "added"]


def test_an_edition_keeps_the_images_it_published(gazetteer, personas) -> None:
    """An image added after an edition is not in it; the next edition freezes it, caption and
    all, and a later caption change does not reach that edition's page."""
    from tinhuy.gazetteer.models import EntryImage

    entry = Entry.objects.get(slug="vinh-bac-bo")
    image = EntryImage.objects.create(
        entry=entry, image="gazetteer/cua-lo.jpg", caption="Cảng Cửa Lò", credit="Ảnh thử"
    )
    assert "Cảng Cửa Lò" not in page("/dia-chi/2025/muc/vinh-bac-bo/")

    publish_edition(2026, personas.editor)
    image.caption = "Chú thích sửa sau"
    image.save()

    html = page("/dia-chi/2026/muc/vinh-bac-bo/")
    assert "Cảng Cửa Lò" in html and "Ảnh thử" in html
    assert 'src="/media/gazetteer/cua-lo.jpg"' in html
    assert "Chú thích sửa sau" not in html
    assert "Cảng Cửa Lò" not in page("/dia-chi/2025/muc/vinh-bac-bo/")
