"""The editors' workflow: preview, two people, confirmation, every decision audited.

Who sees what: the ``editor`` persona (bientap) writes; the ``province_office`` (vanphong) is the
second editor who approves; the officer of TP Vinh gets 404 on every editor address, as for an
object out of scope; the anonymous citizen is sent to sign in.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from tinhuy.accounts.actions import do_create_user
from tinhuy.audit.models import AuditEvent
from tinhuy.gazetteer.actions import EntrySpec, do_save_entry, do_set_entry_state
from tinhuy.gazetteer.models import Chapter, Entry, EntryRevision, EntryState
from tinhuy.org.actions import do_grant_membership
from tinhuy.org.models import Role

from .conftest import publish_edition, publish_entry

PREVIEW = "/dia-chi/bien-tap/xem-truoc/"
HOSTILE = "# Tiêu đề\n\n**Đậm** <script>alert(1)</script> [x](javascript:alert(1))"


def draft(user: Any, slug: str, body: str = "Nội dung.") -> Entry:
    chapter = Chapter.objects.get(path="lich-su")
    return do_save_entry(EntrySpec(slug, f"Mục {slug}", "topic", chapter, body), acting_user=user)


def state_url(slug: str) -> str:
    return f"/dia-chi/bien-tap/muc/{slug}/trang-thai/"


# Preview ------------------------------------------------------------------------------------


def test_the_preview_renders_and_sanitises_as_publishing_does(client_for, personas) -> None:
    response = client_for(personas.editor).post(PREVIEW, {"body": HOSTILE})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="preview"' in html and "<h1>Tiêu đề</h1>" in html
    assert "<strong>Đậm</strong>" in html
    assert "<script>" not in html and 'href="javascript' not in html


def test_the_preview_answers_404_out_of_scope_and_needs_post(client_for, personas) -> None:
    assert client_for(personas.vinh_officer).post(PREVIEW, {"body": "x"}).status_code == 404
    assert client_for(personas.editor).get(PREVIEW).status_code == 405
    response = client_for(personas.citizen).post(PREVIEW, {"body": "x"})
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_the_preview_button_without_script_shows_the_form_and_saves_nothing(
    client_for, personas
) -> None:
    entry = Entry.objects.get(slug="song-hieu")
    revisions = EntryRevision.objects.filter(entry=entry).count()
    events = AuditEvent.objects.count()
    form = {
        "title": entry.title,
        "kind": entry.kind,
        "chapter": entry.chapter.path,
        "places": "",
        "period": entry.period,
        "body": "Đoạn **mới** để xem trước.",
        "revision": str(entry.revision),
        "nguon-TOTAL_FORMS": "0",
        "nguon-INITIAL_FORMS": "0",
        "nguon-MIN_NUM_FORMS": "0",
        "nguon-MAX_NUM_FORMS": "200",
        "xem-truoc": "1",
    }
    response = client_for(personas.editor).post("/dia-chi/bien-tap/muc/song-hieu/", form)
    assert response.status_code == 200
    assert "Đoạn <strong>mới</strong> để xem trước." in response.content.decode()
    assert EntryRevision.objects.filter(entry=entry).count() == revisions
    assert AuditEvent.objects.count() == events
    new = client_for(personas.editor).post(
        "/dia-chi/bien-tap/muc/moi/", {**form, "title": "Mục xem trước", "slug": ""}
    )
    assert new.status_code == 200 and "<strong>mới</strong>" in new.content.decode()
    assert not Entry.objects.filter(title="Mục xem trước").exists()


# Two people ---------------------------------------------------------------------------------


def test_the_author_cannot_approve_their_own_revision_in_the_action(personas) -> None:
    entry = draft(personas.editor, "tu-duyet")
    do_set_entry_state(entry, EntryState.REVIEWED, acting_user=personas.editor)
    with pytest.raises(ValidationError, match="không tự duyệt đăng được"):
        do_set_entry_state(entry, EntryState.PUBLISHED, acting_user=personas.editor)
    entry.refresh_from_db()
    assert entry.state == EntryState.REVIEWED
    do_set_entry_state(entry, EntryState.PUBLISHED, acting_user=personas.province_office)
    event = AuditEvent.objects.filter(action="gazetteer.entry.state").latest("id")
    assert event.actor == personas.province_office
    assert event.after == {"state": "published", "revision": 1, "author": "bientap"}


def test_the_author_is_refused_on_the_page_even_with_the_button_forced(
    client_for, personas
) -> None:
    """The button is disabled for the author; a hand-made POST is refused in Vietnamese."""
    entry = draft(personas.editor, "tu-duyet-trang")
    client = client_for(personas.editor)
    client.post(state_url(entry.slug), {"state": "reviewed"})
    page = client.get(f"/dia-chi/bien-tap/muc/{entry.slug}/").content.decode()
    assert "disabled" in page and "nguyên tắc hai người" in page
    response = client.post(
        state_url(entry.slug), {"state": "published", "xac-nhan": "1"}, follow=True
    )
    assert "không tự duyệt đăng được" in response.content.decode()
    entry.refresh_from_db()
    assert entry.state == EntryState.REVIEWED


def test_everyone_who_wrote_a_waiting_change_is_refused(personas, units) -> None:
    """Revision 1 by the editor, revision 2 by the province office: neither approves (the
    editor's text is part of what waits); a third editor does."""
    entry = draft(personas.editor, "sua-lai")
    entry = draft(personas.province_office, "sua-lai", "Bản sửa của văn phòng.")
    do_set_entry_state(entry, EntryState.REVIEWED, acting_user=personas.editor)
    for author, number in ((personas.province_office, 2), (personas.editor, 1)):
        with pytest.raises(ValidationError, match=f"Bạn đã viết phiên bản {number}"):
            do_set_entry_state(entry, EntryState.PUBLISHED, acting_user=author)
    third = do_create_user(
        "bientap2", password="Mật-khẩu-dài-đủ-2026", first_name="Lan", last_name="Trần Thị",
        acting_user=personas.province_office,
    )  # fmt: skip
    do_grant_membership(third, units.province_2025, Role.GAZETTEER_EDITOR,
                        acting_user=personas.province_office)  # fmt: skip
    do_set_entry_state(entry, EntryState.PUBLISHED, acting_user=third)
    assert entry.state == EntryState.PUBLISHED


def test_changes_approved_before_do_not_bar_their_author(personas) -> None:
    """Once the office approved the editor's revision 1, the editor may approve the office's
    revision 2: only waiting changes count."""
    entry = draft(personas.editor, "lan-luot")
    do_set_entry_state(entry, EntryState.REVIEWED, acting_user=personas.editor)
    do_set_entry_state(entry, EntryState.PUBLISHED, acting_user=personas.province_office)
    entry = draft(personas.province_office, "lan-luot", "Bản hai.")
    do_set_entry_state(entry, EntryState.REVIEWED, acting_user=personas.province_office)
    do_set_entry_state(entry, EntryState.PUBLISHED, acting_user=personas.editor)
    assert entry.state == EntryState.PUBLISHED


def test_the_api_refuses_self_approval_with_409(client_for, personas) -> None:
    entry = draft(personas.editor, "api-tu-duyet")
    do_set_entry_state(entry, EntryState.REVIEWED, acting_user=personas.editor)
    response = client_for(personas.editor).post(
        f"/api/v1/gazetteer/entries/{entry.slug}/state",
        {"state": "published"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert "không tự duyệt đăng được" in response.json()["detail"]


# Confirmation -------------------------------------------------------------------------------


def test_approving_shows_what_changed_and_asks_for_confirmation(client_for, personas) -> None:
    entry = Entry.objects.get(slug="song-hieu")  # published in the demo
    spec = EntrySpec(
        entry.slug, entry.title, entry.kind, entry.chapter, entry.body + "\n\nĐoạn bổ sung."
    )
    entry = do_save_entry(spec, acting_user=personas.editor)
    do_set_entry_state(entry, EntryState.REVIEWED, acting_user=personas.editor)
    approver = client_for(personas.province_office)
    events = AuditEvent.objects.count()
    asked = approver.post(state_url(entry.slug), {"state": "published"})
    assert asked.status_code == 200
    html = asked.content.decode()
    assert 'id="confirm-approval"' in html and "Xác nhận duyệt đăng" in html
    assert "<ins>Đoạn bổ sung.</ins>" in html
    editor = personas.editor
    assert f"do {editor.last_name} {editor.first_name} viết" in html
    entry.refresh_from_db()
    assert entry.state == EntryState.REVIEWED and AuditEvent.objects.count() == events
    done = approver.post(state_url(entry.slug), {"state": "published", "xac-nhan": "1"})
    assert done.status_code == 302
    entry.refresh_from_db()
    assert entry.state == EntryState.PUBLISHED
    assert AuditEvent.objects.count() == events + 1


def test_the_confirmation_page_is_404_out_of_scope(client_for, personas) -> None:
    response = client_for(personas.vinh_officer).post(
        state_url("song-hieu"), {"state": "published"}
    )
    assert response.status_code == 404


# What the public sees changed ---------------------------------------------------------------


def changed_section(year: int) -> str:
    html = Client().get(f"/dia-chi/{year}/thay-doi/").content.decode()
    start = html.index('id="muc-tu-sua"')
    return html[start : html.index("</section>", start)]


def test_the_public_changes_show_rendered_text_with_the_changed_words(gazetteer) -> None:  # type: ignore[no-untyped-def]
    """Thành phố Vinh was rewritten for 2025: the sentence read once, what changed marked."""
    changed = changed_section(2025)
    assert "# Thành phố Vinh" not in changed and "<h3>" not in changed  # title unchanged
    assert (
        "Vinh là thành phố tỉnh lỵ của tỉnh Nghệ An, <del>bên bờ sông Lam</del>"
        "<ins>trung tâm của vùng Bắc Trung Bộ</ins>." in changed
    )


def test_the_public_changes_render_markdown_and_sanitise_it(gazetteer, personas) -> None:  # type: ignore[no-untyped-def]
    """No raw Markdown for citizens: bold is bold, unchanged paragraphs keep their format,
    and script in the source stays text."""
    entry = Entry.objects.get(slug="song-lam")
    body = entry.body + "\n\nSông **chính** của tỉnh."
    publish_entry(EntrySpec(entry.slug, entry.title, entry.kind, entry.chapter, body),
                  personas.editor)  # fmt: skip
    publish_edition(2026, personas.editor)
    later = body.replace("chính", "lớn nhất") + "\n\n<script>alert(1)</script>"
    publish_entry(EntrySpec(entry.slug, "Sông Lam (Sông Cả)", entry.kind, entry.chapter, later),
                  personas.editor)  # fmt: skip
    publish_edition(2027, personas.editor)
    first = changed_section(2026)
    assert "<ins>Sông chính của tỉnh.</ins>" in first and "**" not in first
    second = changed_section(2027)
    assert "Sông <del>chính</del><ins>lớn nhất</ins> của tỉnh." in second
    assert "<ins>&lt;script&gt;alert(1)&lt;/script&gt;</ins>" in second
    assert "<script>alert" not in second
    assert "<p>Sông Lam chảy qua Đô Lương" in second  # an unchanged paragraph, rendered
    assert "<h3>Sông Lam<ins> (Sông Cả)</ins></h3>" in second  # a changed title is shown


def test_the_public_changes_page_reads_a_fixed_number_of_queries(
    gazetteer, personas, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    """Three changed entries cost no more queries than one."""
    client = Client()
    client.get("/dia-chi/2025/thay-doi/")
    with django_assert_max_num_queries(12) as one:
        client.get("/dia-chi/2025/thay-doi/")
    for slug in ("tinh-nghe-an", "huyen-do-luong", "phan-boi-chau"):
        entry = Entry.objects.get(slug=slug)
        publish_entry(EntrySpec(slug, entry.title, entry.kind, entry.chapter, entry.body + " Thêm."),
                      personas.editor)  # fmt: skip
    publish_edition(2026, personas.editor)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert "Thêm" in changed_section(2026)
