"""A draft's attachment form sends its file by htmx with the upload progress bar
(tinhuy/static/uploads.js, docs/progress.md): the view answers an htmx POST exactly as a plain
one — the draft page a success redirects to (at its documents), the refusal's whole page with
its reason in Vietnamese — so the non-JS form still works, and a draft the user does not see is
404 either way."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tinhuy.meetings.models import Draft, DraftAttachment

from .conftest import Board

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% sample\n" + b"0" * 200
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "main"}
WAYS = [pytest.param({}, id="plain"), pytest.param(HTMX, id="htmx")]


@pytest.fixture(autouse=True)
def private_files(settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path


def _urls(draft: Draft) -> tuple[str, str]:
    return (
        reverse("meetings_draft", kwargs={"draft_id": draft.pk}),
        reverse("meetings_draft_attach", kwargs={"draft_id": draft.pk}),
    )


def test_the_form_is_sent_by_htmx_with_the_progress_sentences(
    draft: Draft, board: Board, client_for: Any
) -> None:
    page, attach = _urls(draft)
    html = client_for(board.officer).get(page).content.decode()
    form = html[html.index(f'action="{attach}"') :]
    form = form[: form.index("</form>")]
    assert f'hx-post="{attach}#tai-lieu"' in form  # at the documents, as the redirect is
    assert 'hx-encoding="multipart/form-data"' in form
    assert 'hx-target="main" hx-select="main" hx-swap="outerHTML"' in form
    assert f'hx-replace-url="{page}"' in form  # the draft's page, not the POST's address
    assert 'data-upload-progress="Đang gửi tệp: %(percent)s (%(sent)s / %(total)s MB)."' in form
    assert 'data-upload-failed="Không gửi được tệp (mã %(status)s); hãy thử lại."' in form
    assert "/static/uploads.js" in html


@pytest.mark.parametrize("headers", WAYS)
def test_an_attached_file_lands_on_the_draft_page(
    draft: Draft, board: Board, client_for: Any, headers: dict[str, str]
) -> None:
    page, attach = _urls(draft)
    response = client_for(board.officer).post(
        attach, {"file": SimpleUploadedFile("Báo cáo tóm tắt.pdf", PDF)}, follow=True, **headers
    )
    assert response.redirect_chain == [(page + "#tai-lieu", 302)]
    html = response.content.decode()
    assert "Đã đính kèm “Báo cáo tóm tắt.pdf”." in html
    attachment = DraftAttachment.objects.get(draft=draft)
    assert reverse("meetings_attachment", args=[attachment.pk]) in html


@pytest.mark.parametrize("headers", WAYS)
@pytest.mark.parametrize(
    ("name", "content", "limit", "reason"),
    [
        ("giả.pdf", b"<html>not a pdf</html>", None, "không phải tệp .pdf như tên tệp cho biết"),
        ("danh-sach.csv", b"a,b\n1,2\n", None, "Chỉ nhận tệp PDF, Word, Excel hoặc ảnh PNG, JPEG."),
        ("lớn.pdf", PDF, 100, "Tệp quá lớn"),
    ],
    ids=["wrong-content", "wrong-type", "too-large"],
)
def test_a_refused_file_is_named_in_the_page_and_nothing_is_kept(
    draft: Draft,
    board: Board,
    client_for: Any,
    settings: Any,
    headers: dict[str, str],
    name: str,
    content: bytes,
    limit: int | None,
    reason: str,
) -> None:
    if limit is not None:
        settings.TINHUY_ATTACHMENT_MAX_BYTES = limit
    page, attach = _urls(draft)
    response = client_for(board.officer).post(
        attach, {"file": SimpleUploadedFile(name, content)}, **headers
    )
    assert response.status_code == 200  # as before: the draft page, the form with its error
    html = response.content.decode()
    assert "<main" in html  # a whole page: uploads.js swaps its <main> in
    assert reason in html
    assert "data-upload-progress" in html  # the form, ready to send again
    assert f'hx-replace-url="{page}"' in html
    assert not DraftAttachment.objects.filter(draft=draft).exists()


@pytest.mark.parametrize("headers", WAYS)
def test_a_draft_out_of_scope_is_404_and_nothing_is_kept(
    draft: Draft, personas: Any, client_for: Any, headers: dict[str, str]
) -> None:
    _page, attach = _urls(draft)
    response = client_for(personas.vinh_officer).post(
        attach, {"file": SimpleUploadedFile("a.pdf", PDF)}, **headers
    )
    assert response.status_code == 404
    missing = reverse("meetings_draft_attach", kwargs={"draft_id": 999_999})
    response = client_for(personas.vinh_officer).post(
        missing, {"file": SimpleUploadedFile("a.pdf", PDF)}, **headers
    )
    assert response.status_code == 404
    assert not DraftAttachment.objects.exists()
