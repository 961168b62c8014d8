"""A task report's attachment form sends its file by htmx with the upload progress bar
(tinhuy/static/uploads.js, docs/progress.md): the view answers an htmx POST exactly as a plain
one — the page a success redirects to, the refusal's whole page with its reason in Vietnamese —
so the non-JS form still works, and a task the user does not see is 404 either way."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.programs.running import Running, running_fixture  # noqa: F401 - the fixture
from tinhuy.programs.models import ReportAttachment

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "main"}
WAYS = [pytest.param({}, id="plain"), pytest.param(HTMX, id="htmx")]


@pytest.fixture(autouse=True)
def private_files(settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path


def _urls(running: Running) -> tuple[str, str]:
    args = [running.cycle.pk, running.vinh_task.pk]
    return reverse("programs_report", args=args), reverse("programs_report_attach", args=args)


@pytest.fixture
def reported(running: Running, personas: Any, client_for: Any) -> Running:
    """TP Vinh's task with its report sent: the attachment form is on its page."""
    page, _attach = _urls(running)
    response = client_for(personas.vinh_officer).post(
        page, {"status": "on_track", "progress": "10"}
    )
    assert response.status_code == 302
    return running


def test_the_form_is_sent_by_htmx_with_the_progress_sentences(
    reported: Running, personas: Any, client_for: Any
) -> None:
    page, attach = _urls(reported)
    html = client_for(personas.vinh_officer).get(page).content.decode()
    form = html[html.index(f'action="{attach}"') :]
    form = form[: form.index("</form>")]
    assert 'method="post" enctype="multipart/form-data"' in html  # the plain form stays
    assert f'hx-post="{attach}"' in form
    assert 'hx-encoding="multipart/form-data"' in form
    assert 'hx-target="main" hx-select="main" hx-swap="outerHTML"' in form
    assert f'hx-replace-url="{page}"' in form  # the report's page, not the POST's address
    assert 'data-upload-progress="Đang gửi tệp: %(percent)s (%(sent)s / %(total)s MB)."' in form
    assert 'data-upload-failed="Không gửi được tệp (mã %(status)s); hãy thử lại."' in form
    assert "/static/uploads.js" in html


@pytest.mark.parametrize("headers", WAYS)
def test_an_attached_file_lands_on_the_report_page(
    reported: Running, personas: Any, client_for: Any, headers: dict[str, str]
) -> None:
    page, attach = _urls(reported)
    client = client_for(personas.vinh_officer)
    response = client.post(
        attach, {"file": SimpleUploadedFile("Báo cáo quý I.pdf", PDF)}, follow=True, **headers
    )
    assert response.redirect_chain == [(page, 302)]
    html = response.content.decode()
    assert "Đã đính kèm “Báo cáo quý I.pdf”." in html
    attachment = ReportAttachment.objects.get()
    assert reverse("programs_report_attachment", args=[attachment.pk]) in html


@pytest.mark.parametrize("headers", WAYS)
@pytest.mark.parametrize(
    ("name", "content", "limit", "reason"),
    [
        ("giả.pdf", b"MZ not a pdf", None, "không phải tệp .pdf như tên tệp cho biết"),
        ("danh-sach.csv", b"a,b\n1,2\n", None, "Chỉ nhận tệp PDF, Word, Excel hoặc ảnh PNG, JPEG."),
        ("lớn.pdf", PDF, 20, "Tệp quá lớn"),
    ],
    ids=["wrong-content", "wrong-type", "too-large"],
)
def test_a_refused_file_is_named_in_the_page_and_nothing_is_kept(
    reported: Running,
    personas: Any,
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
    page, attach = _urls(reported)
    client = client_for(personas.vinh_officer)
    response = client.post(attach, {"file": SimpleUploadedFile(name, content)}, **headers)
    assert response.status_code == 400
    html = response.content.decode()
    assert "<main" in html  # a whole page: uploads.js swaps its <main> in
    assert reason in html
    assert "data-upload-progress" in html  # the form, ready to send again
    assert f'hx-replace-url="{page}"' in html
    assert 'value="on_track" selected' in html  # the report as sent, still shown in its form
    assert not ReportAttachment.objects.exists()


@pytest.mark.parametrize("headers", WAYS)
def test_a_task_out_of_scope_is_404_and_nothing_is_kept(
    reported: Running, personas: Any, client_for: Any, headers: dict[str, str]
) -> None:
    _page, attach = _urls(reported)
    response = client_for(personas.nghiloc_officer).post(
        attach, {"file": SimpleUploadedFile("a.pdf", PDF)}, **headers
    )
    assert response.status_code == 404
    missing = reverse("programs_report_attach", args=[reported.cycle.pk, 999_999])
    response = client_for(personas.vinh_officer).post(
        missing, {"file": SimpleUploadedFile("a.pdf", PDF)}, **headers
    )
    assert response.status_code == 404
    assert not ReportAttachment.objects.exists()
