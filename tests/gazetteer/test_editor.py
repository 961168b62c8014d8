"""Editor pages: entries, their states, revisions and diffs, publishing an edition.

Who sees what: the ``editor`` persona (bientap) and the ``province_office`` work here; the
officer of TP Vinh, a Board member and any other signed-in user get 404, as for an object out of
their scope; the anonymous ``citizen`` is sent to sign in. Data is the demo gazetteer, loaded for
the session; each test writes through the pages and the real actions.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tinhuy.audit.models import AuditEvent
from tinhuy.gazetteer.actions import EntrySpec, do_save_entry
from tinhuy.gazetteer.models import Chapter, Edition, Entry, EntryRevision, EntryState

EDITOR_PAGES = [
    "/dia-chi/bien-tap/",
    "/dia-chi/bien-tap/?trang-thai=draft",
    "/dia-chi/bien-tap/muc/moi/",
    "/dia-chi/bien-tap/muc/thanh-pho-vinh/",
    "/dia-chi/bien-tap/muc/thanh-pho-vinh/phien-ban/",
    "/dia-chi/bien-tap/muc/thanh-pho-vinh/phien-ban/?a=1&b=2",
    "/dia-chi/bien-tap/an-ban/moi/",
]


@pytest.mark.parametrize("url", EDITOR_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client_for, personas, url: str) -> None:
    response = client_for(personas.citizen).get(url)
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


@pytest.mark.parametrize("url", EDITOR_PAGES)
@pytest.mark.parametrize("who", ["vinh_officer", "board_member", "nghiloc_officer"])
def test_other_officers_get_404(client_for, personas, url: str, who: str) -> None:
    """Out of scope looks like nothing there, as elsewhere in the application."""
    assert client_for(getattr(personas, who)).get(url).status_code == 404


@pytest.mark.parametrize("url", EDITOR_PAGES)
@pytest.mark.parametrize("who", ["editor", "province_office"])
def test_editors_and_the_province_office_see_every_editor_page(
    client_for, personas, url: str, who: str
) -> None:
    assert client_for(getattr(personas, who)).get(url).status_code == 200


def test_writes_are_refused_to_other_officers(client_for, personas) -> None:
    """A POST from the Vinh officer changes nothing."""
    client = client_for(personas.vinh_officer)
    before = AuditEvent.objects.count()
    assert client.post("/dia-chi/bien-tap/muc/moi/", new_entry_form()).status_code == 404
    response = client.post("/dia-chi/bien-tap/muc/thanh-pho-vinh/trang-thai/", {"state": "draft"})
    assert response.status_code == 404
    assert client.post("/dia-chi/bien-tap/an-ban/moi/", {"year": 2026}).status_code == 404
    assert AuditEvent.objects.count() == before


def test_unknown_entries_are_404(client_for, personas) -> None:
    client = client_for(personas.editor)
    assert client.get("/dia-chi/bien-tap/muc/khong-co/").status_code == 404
    assert client.get("/dia-chi/bien-tap/muc/khong-co/phien-ban/").status_code == 404


# The list -------------------------------------------------------------------------------------


def test_the_list_filters_by_state(client_for, personas) -> None:
    """Drafts only: the demo's entries are all published, a new draft is the only row."""
    make_entry(personas.editor, "ban-nhap", ["Dòng một."])
    html = client_for(personas.editor).get("/dia-chi/bien-tap/?trang-thai=draft").content.decode()
    assert "/dia-chi/bien-tap/muc/ban-nhap/" in html
    assert "/dia-chi/bien-tap/muc/thanh-pho-vinh/" not in html
    everything = client_for(personas.editor).get("/dia-chi/bien-tap/").content.decode()
    assert "/dia-chi/bien-tap/muc/thanh-pho-vinh/" in everything


def test_the_list_runs_a_fixed_number_of_queries(
    client_for, personas, django_assert_max_num_queries
) -> None:
    """Ten more entries cost no extra query."""
    client = client_for(personas.editor)
    client.get("/dia-chi/bien-tap/")  # session and permissions warmed up
    with django_assert_max_num_queries(10) as first:
        assert client.get("/dia-chi/bien-tap/").status_code == 200
    for i in range(10):
        make_entry(personas.editor, f"them-{i}", [f"Mục {i}."])
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get("/dia-chi/bien-tap/").status_code == 200


# Creating and changing entries ----------------------------------------------------------------


def new_entry_form(**changes: str) -> dict[str, str]:
    data = {
        "title": "Cửa Hội",
        "slug": "",
        "kind": "place",
        "chapter": "dia-ly-tu-nhien/bien",
        "places": "40, 429",
        "period": "",
        "body": "Cửa Hội là nơi sông Lam đổ ra biển.\r\n\r\nDòng thứ hai.",
        "nguon-TOTAL_FORMS": "2",
        "nguon-INITIAL_FORMS": "0",
        "nguon-MIN_NUM_FORMS": "0",
        "nguon-MAX_NUM_FORMS": "200",
        "nguon-0-title": "Sông Lam",
        "nguon-0-publisher": "Wikipedia tiếng Việt",
        "nguon-0-url": "https://vi.wikipedia.org/wiki/S%C3%B4ng_Lam",
    }
    data.update(changes)
    return data


def test_an_editor_creates_an_entry_with_its_sources(client_for, personas) -> None:
    """The slug comes from the title; the entry is a draft at revision 1, audited."""
    events = AuditEvent.objects.count()
    response = client_for(personas.editor).post("/dia-chi/bien-tap/muc/moi/", new_entry_form())
    assert response.status_code == 302
    assert response["Location"] == "/dia-chi/bien-tap/muc/cua-hoi/"
    entry = Entry.objects.get(slug="cua-hoi")
    assert (entry.state, entry.revision) == (EntryState.DRAFT, 1)
    assert entry.body == "Cửa Hội là nơi sông Lam đổ ra biển.\n\nDòng thứ hai."
    assert sorted(p.code for p in entry.places.all()) == ["40", "429"]
    assert [(s.title, s.publisher) for s in entry.sources.all()] == [
        ("Sông Lam", "Wikipedia tiếng Việt")
    ]
    assert entry.revisions.get().created_by == personas.editor
    assert AuditEvent.objects.filter(action="gazetteer.entry.create").count() > 0
    assert AuditEvent.objects.count() > events


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"places": "40, 99999"}, "places", "Không có địa danh “99999”"),
        ({"places": "Nghi Lộc"}, "places", "là tên của nhiều địa danh"),
        ({"slug": "thanh-pho-vinh"}, "slug", "Đã có mục từ"),
        ({"slug": "moi"}, "slug", "dành cho trang biên tập"),
        ({"chapter": "khong-co"}, "chapter", ""),
        ({"body": ""}, "body", ""),
        ({"nguon-0-title": ""}, "title", "Nguồn cần có tên tài liệu"),
    ],
)
def test_a_bad_entry_form_is_shown_again_with_the_error_and_saves_nothing(
    client_for, personas, changes: dict[str, str], field: str, message: str
) -> None:
    count = Entry.objects.count()
    response = client_for(personas.editor).post(
        "/dia-chi/bien-tap/muc/moi/", new_entry_form(**changes)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    form = response.context["form"]
    sources = response.context["sources"]
    assert field in form.errors or any(field in f.errors for f in sources.forms)
    assert Entry.objects.count() == count


def edit_form(entry: Entry, **changes: str) -> dict[str, str]:
    sources = list(entry.sources.all())
    data = {
        "title": entry.title,
        "kind": entry.kind,
        "chapter": entry.chapter.path,
        "places": ", ".join(p.code for p in entry.places.all()),
        "period": entry.period,
        "body": entry.body,
        "revision": str(entry.revision),
        "nguon-TOTAL_FORMS": str(len(sources)),
        "nguon-INITIAL_FORMS": str(len(sources)),
        "nguon-MIN_NUM_FORMS": "0",
        "nguon-MAX_NUM_FORMS": "200",
    }
    for i, s in enumerate(sources):
        for name in ("title", "author", "year", "publisher", "url", "pages"):
            data[f"nguon-{i}-{name}"] = getattr(s, name)
    data.update(changes)
    return data


def test_saving_an_entry_adds_a_revision_and_sends_it_back_to_draft(client_for, personas) -> None:
    """A published entry edited: revision + 1, in draft; the published revision stays for the
    next edition until the new one is published."""
    entry = Entry.objects.get(slug="song-hieu")
    old_revision = entry.revision
    client = client_for(personas.editor)
    body = entry.body + "\n\nĐoạn mới."
    response = client.post("/dia-chi/bien-tap/muc/song-hieu/", edit_form(entry, body=body))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.revision, entry.state) == (old_revision + 1, EntryState.DRAFT)
    assert entry.body.endswith("Đoạn mới.")
    assert entry.slug == "song-hieu"  # the slug field is not editable
    assert entry.sources.count() == 2


def test_saving_without_a_change_adds_no_revision(client_for, personas) -> None:
    entry = Entry.objects.get(slug="song-hieu")
    response = client_for(personas.editor).post(
        "/dia-chi/bien-tap/muc/song-hieu/", edit_form(entry), follow=True
    )
    assert "Không có gì thay đổi" in response.content.decode()
    entry.refresh_from_db()
    assert entry.state == EntryState.PUBLISHED
    assert EntryRevision.objects.filter(entry=entry).count() == entry.revision


def test_a_form_opened_before_someone_else_saved_is_refused(client_for, personas) -> None:
    """Two editors on one entry: the second save would silently undo the first; it is refused."""
    entry = Entry.objects.get(slug="song-hieu")
    stale = edit_form(entry, body="Bản của người thứ hai.")
    do_save_entry(
        EntrySpec(entry.slug, entry.title, entry.kind, entry.chapter, "Bản của người thứ nhất."),
        acting_user=personas.province_office,
    )
    response = client_for(personas.editor).post("/dia-chi/bien-tap/muc/song-hieu/", stale)
    assert response.status_code == 200
    assert "vừa được lưu thành phiên bản" in response.content.decode()
    entry.refresh_from_db()
    assert entry.body == "Bản của người thứ nhất."


# States -------------------------------------------------------------------------------------


def test_the_state_buttons_move_an_entry_from_draft_to_published_and_back(
    client_for, personas
) -> None:
    """The editor writes and reviews; the province office approves (a second person)."""
    entry = make_entry(personas.editor, "trang-thai", ["Một dòng."])
    client = client_for(personas.editor)
    page = client.get("/dia-chi/bien-tap/muc/trang-thai/").content.decode()
    assert 'value="reviewed"' in page and 'value="published"' not in page
    url = "/dia-chi/bien-tap/muc/trang-thai/trang-thai/"
    approver = client_for(personas.province_office)
    for who, state in ((client, "reviewed"), (approver, "published"), (client, "draft"),
                       (client, "reviewed")):  # fmt: skip
        assert who.post(url, {"state": state, "xac-nhan": "1"}).status_code == 302
        entry.refresh_from_db()
        assert entry.state == state
    revision = EntryRevision.objects.get(entry=entry, number=entry.revision)
    assert revision.state == EntryState.REVIEWED


def test_a_state_the_entry_cannot_reach_is_refused_with_a_message(client_for, personas) -> None:
    """A draft cannot skip review."""
    entry = make_entry(personas.editor, "bo-qua", ["Một dòng."])
    response = client_for(personas.editor).post(
        "/dia-chi/bien-tap/muc/bo-qua/trang-thai/", {"state": "published"}, follow=True
    )
    assert "Không chuyển được mục từ" in response.content.decode()
    entry.refresh_from_db()
    assert entry.state == EntryState.DRAFT


def test_state_changes_are_post_only(client_for, personas) -> None:
    response = client_for(personas.editor).get("/dia-chi/bien-tap/muc/song-lam/trang-thai/")
    assert response.status_code == 405


# Revisions and diffs ------------------------------------------------------------------------


def make_entry(user: Any, slug: str, *versions: list[str]) -> Entry:
    """An entry saved once per version (each a list of body lines), through the action."""
    chapter = Chapter.objects.get(path="lich-su")
    entry = None
    for lines in versions:
        entry = do_save_entry(
            EntrySpec(slug, f"Mục {slug}", "topic", chapter, "\n".join(lines)),
            acting_user=user,
        )
    assert entry is not None
    return entry


def test_the_diff_between_revisions_1_and_3_shows_what_was_removed_and_added(
    client_for, personas
) -> None:
    """The text is compared as it reads: rendered, word by word, escaped."""
    make_entry(
        personas.editor,
        "so-sanh",
        ["Dòng chung.", "", "Dòng của bản một."],
        ["Dòng chung.", "", "Dòng của bản hai."],
        ["Dòng **chung**.", "", "Dòng của bản ba.", "", "Dòng <script>thêm</script>."],
    )
    client = client_for(personas.editor)
    response = client.get("/dia-chi/bien-tap/muc/so-sanh/phien-ban/", {"a": "1", "b": "3"})
    body = str(response.context["body_diff"].html)
    assert "<p>Dòng <strong>chung</strong>.</p>" in body  # unchanged words keep their format
    assert "<p>Dòng của bản <del>một</del><ins>ba</ins>.</p>" in body
    assert "hai" not in body
    assert "<ins>Dòng &lt;script&gt;thêm&lt;/script&gt;.</ins>" in body  # escaped, not run
    assert response.context["body_diff"].changed == 2
    html = response.content.decode()
    assert "<del>một</del><ins>ba</ins>" in html and "<script>thêm" not in html
    assert "<span>Tiêu đề: Mục so-sanh</span>" in response.context["diff"]


def test_the_diff_defaults_to_the_last_two_revisions_and_ignores_bad_numbers(
    client_for, personas
) -> None:
    make_entry(personas.editor, "mac-dinh", ["Một."], ["Hai."], ["Ba."])
    client = client_for(personas.editor)
    url = "/dia-chi/bien-tap/muc/mac-dinh/phien-ban/"
    assert (client.get(url).context["a"], client.get(url).context["b"]) == (2, 3)
    response = client.get(url, {"a": "x", "b": "99"})
    assert (response.context["a"], response.context["b"]) == (2, 3)


def test_the_diff_shows_metadata_and_source_changes(client_for, personas) -> None:
    """The title, period and sources are compared too, not only the body."""
    entry = Entry.objects.get(slug="thanh-pho-vinh")  # revision 1: edition 2024, 2: 2025
    response = client_for(personas.editor).get(
        "/dia-chi/bien-tap/muc/thanh-pho-vinh/phien-ban/", {"a": "1", "b": "2"}
    )
    diff = response.context["diff"]
    assert "<del>Thời kỳ: từ 1963</del>" in diff and "<ins>Thời kỳ: 1963–2025</ins>" in diff
    assert "<ins>Nguồn 3: Luật Tổ chức chính quyền địa phương" in diff
    assert "Từ ngày 1 tháng 7 năm 2025" in str(response.context["body_diff"].html)
    assert entry.revision == 2


def test_the_revisions_page_runs_a_fixed_number_of_queries(
    client_for, personas, django_assert_max_num_queries
) -> None:
    make_entry(personas.editor, "nhieu-ban", *[[f"Bản {i}."] for i in range(12)])
    client = client_for(personas.editor)
    client.get("/dia-chi/bien-tap/")
    with django_assert_max_num_queries(10):
        assert client.get("/dia-chi/bien-tap/muc/nhieu-ban/phien-ban/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/dia-chi/bien-tap/muc/thanh-pho-vinh/").status_code == 200


# Publishing an edition ------------------------------------------------------------------------


def test_the_edition_form_asks_for_confirmation_then_publishes(client_for, personas) -> None:
    entry = make_entry(personas.editor, "an-ban-moi", ["Nội dung."])
    client = client_for(personas.editor)
    client.post("/dia-chi/bien-tap/muc/an-ban-moi/trang-thai/", {"state": "reviewed"})
    client_for(personas.province_office).post(
        "/dia-chi/bien-tap/muc/an-ban-moi/trang-thai/", {"state": "published", "xac-nhan": "1"}
    )
    page = client.get("/dia-chi/bien-tap/an-ban/moi/")
    assert page.context["form"].initial["year"] >= 2026
    form = {"year": "2026", "title": "Địa chí Nghệ An — ấn bản 2026", "notes": ""}
    events = AuditEvent.objects.filter(action="gazetteer.edition.publish").count()
    asked = client.post("/dia-chi/bien-tap/an-ban/moi/", form)
    assert asked.status_code == 200 and asked.context["confirm"]
    html = asked.content.decode()
    assert 'id="confirm-publish"' in html and "Xác nhận công bố" in html
    assert 'name="xac-nhan" value="1"' in html
    assert not Edition.objects.filter(year=2026).exists()  # asking published nothing
    response = client.post("/dia-chi/bien-tap/an-ban/moi/", {**form, "xac-nhan": "1"})
    assert response.status_code == 302 and response["Location"] == "/dia-chi/2026/thay-doi/"
    edition = Edition.objects.get(year=2026)
    assert edition.published_by == personas.editor
    assert edition.entries.filter(slug=entry.slug).exists()
    assert AuditEvent.objects.filter(action="gazetteer.edition.publish").count() == events + 1
    changes = Client().get("/dia-chi/2026/thay-doi/").content.decode()
    assert "/dia-chi/2026/muc/an-ban-moi/" in changes


def test_an_edition_for_a_past_year_is_refused_on_the_form(client_for, personas) -> None:
    for confirmed in ({}, {"xac-nhan": "1"}):  # refused before the question and after it
        response = client_for(personas.editor).post(
            "/dia-chi/bien-tap/an-ban/moi/",
            {"year": "2025", "title": "Lại 2025", "notes": "", **confirmed},
        )
        assert response.status_code == 200
        assert "Đã có ấn bản năm 2025" in response.content.decode()
        assert not response.context["confirm"]
    assert Edition.objects.filter(year=2025).count() == 1
