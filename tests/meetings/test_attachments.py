"""Documents attached to a draft: kept out of /media/, served only to who sees the draft, frozen
with the versions they were submitted with."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tinhuy.meetings import actions, queries
from tinhuy.meetings.models import Draft, DraftAttachment

from .conftest import Board

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% sample\n" + b"0" * 200


@pytest.fixture(autouse=True)
def private_files(settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path


def _attach(client: Any, draft: Draft, name: str, content: bytes) -> Any:
    return client.post(
        f"/hop-ban-thuong-vu/du-thao/{draft.pk}/tai-lieu/",
        {"file": SimpleUploadedFile(name, content)},
    )


def test_a_document_goes_with_the_version_it_was_submitted_with(
    draft: Draft, board: Board, personas: Any, client_for: Any, tmp_path: Any
) -> None:
    officer = client_for(board.officer)
    assert _attach(officer, draft, "Báo cáo tóm tắt.pdf", PDF).status_code == 302
    attachment = DraftAttachment.objects.get(draft=draft)
    assert attachment.name == "Báo cáo tóm tắt.pdf" and attachment.size == len(PDF)
    assert str(tmp_path) in attachment.file.path and "/media/" not in attachment.file.path
    v1 = actions.do_submit_version(draft, acting_user=board.officer)
    assert list(queries.attachments_of(draft, v1)) == [attachment]

    # Seen by whoever sees the draft, 404 for the others, never under /media/.
    url = f"/hop-ban-thuong-vu/tai-lieu/{attachment.pk}/"
    for user in (personas.province_office, personas.board_member, board.officer):
        response = client_for(user).get(url)
        assert response.status_code == 200 and response.content == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Cache-Control"] == "private"
    for user in (personas.vinh_officer, personas.nghiloc_officer):
        assert client_for(user).get(url).status_code == 404
    assert (
        client_for(personas.vinh_officer).get("/hop-ban-thuong-vu/tai-lieu/999999/").status_code
        == 404
    )

    # Removed while revising: gone from the next version, still in version 1.
    opinion = actions.do_give_opinion(v1, text="Bỏ phụ lục.", acting_user=personas.board_member)
    actions.do_dispose(opinion, kind="accepted", acting_user=board.officer)
    assert officer.post(f"/hop-ban-thuong-vu/tai-lieu/{attachment.pk}/bo/").status_code == 302
    v2 = actions.do_submit_version(draft, acting_user=board.officer)
    assert list(queries.attachments_of(draft, v1)) == [attachment]
    assert list(queries.attachments_of(draft, v2)) == []
    page = client_for(personas.board_member).get(f"/hop-ban-thuong-vu/du-thao/{draft.pk}/?lan=1")
    assert "Báo cáo tóm tắt.pdf" in page.content.decode()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("script.exe", b"MZ\x90\x00", "Chỉ nhận tệp PDF, Word, Excel hoặc ảnh PNG, JPEG."),
        ("giả.pdf", b"<html>not a pdf</html>", "không phải tệp .pdf"),
        ("bảng.xlsx", b"%PDF-1.4", "không phải tệp .xlsx"),
    ],
)
def test_a_file_that_is_not_what_it_says_is_refused_and_nothing_kept(
    draft: Draft, board: Board, client_for: Any, name: str, content: bytes, message: str
) -> None:
    response = _attach(client_for(board.officer), draft, name, content)
    assert response.status_code == 200 and message in response.content.decode()
    assert not DraftAttachment.objects.filter(draft=draft).exists()


def test_too_large_and_out_of_role_are_refused(
    draft: Draft, board: Board, personas: Any, client_for: Any, settings: Any
) -> None:
    settings.TINHUY_ATTACHMENT_MAX_BYTES = 100
    response = _attach(client_for(board.officer), draft, "lớn.pdf", PDF)
    assert "Tệp quá lớn" in response.content.decode()
    settings.TINHUY_ATTACHMENT_MAX_BYTES = 10_000
    assert _attach(client_for(personas.board_member), draft, "a.pdf", PDF).status_code == 403
    assert _attach(client_for(personas.vinh_officer), draft, "a.pdf", PDF).status_code == 404
    assert not DraftAttachment.objects.filter(draft=draft).exists()
