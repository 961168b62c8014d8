"""Programme pages: exports — the task table in Excel (out, and back in with a dry run first),
the programme and a cycle's progress report as Party documents (.docx)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from tinhuy.documents.docx import DOCX_CONTENT_TYPE
from tinhuy.documents.forms import UploadForm, handle_upload
from tinhuy.documents.responses import download
from tinhuy.documents.tables import XLSX_CONTENT_TYPE, RowError
from tinhuy.org.access import scope_for
from tinhuy.programs import actions, reports, workbook
from tinhuy.programs.access import check_can_edit, get_cycle_for_user, get_programme_for_user
from tinhuy.programs.models import Programme
from tinhuy.programs.queries import tree, visible_node_ids

UPLOAD_LABEL = gettext_lazy("Bảng nhiệm vụ đã sửa (.xlsx)")


def _programme_url(programme: Programme) -> str:
    """The programme's page (another module's), or the import page until it exists."""
    try:
        return reverse("programs_detail", args=[programme.pk])
    except NoReverseMatch:
        return reverse("programs_import_xlsx", args=[programme.pk])


@login_required
@require_GET
def export_xlsx(request: HttpRequest, programme_id: int) -> HttpResponse:
    """The task table to edit in Excel: the nodes the user sees (a lead unit sees its
    branches)."""
    programme = get_programme_for_user(request.user, programme_id)
    node_ids = visible_node_ids(scope_for(request.user), programme)
    if node_ids is not None:  # their branches with the ancestors and descendants, as the page
        node_ids = set(tree(programme, node_ids=node_ids).by_id)
    with translation.override("vi"):
        content = workbook.task_table_xlsx(programme, node_ids=node_ids)
    return download(content, f"bang-nhiem-vu-chuong-trinh-{programme.pk}.xlsx", XLSX_CONTENT_TYPE)


def _editable_message(programme: Programme) -> str:
    """Why the plan cannot be written now, or ""."""
    try:
        with transaction.atomic():
            actions.lock_editable(programme)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def import_xlsx(request: HttpRequest, programme_id: int) -> HttpResponse:
    """Upload the edited table → every row checked → the cells that change (nothing written) →
    confirm (the signed list of changes comes back) → all written, or nothing."""
    programme = get_programme_for_user(request.user, programme_id)
    check_can_edit(request.user, programme)
    programme_url = _programme_url(programme)
    context: dict[str, object] = {"programme": programme, "programme_url": programme_url}
    if request.method == "POST" and "token" in request.POST:
        try:
            count = workbook.apply_import(
                programme, request.POST["token"], acting_user=request.user
            )
        except ValidationError as exc:
            errors = [RowError(None, None, message) for message in exc.messages]
            context |= {
                "form": UploadForm(label=str(UPLOAD_LABEL)),
                "errors": errors,
                "error_total": len(errors),
                "locked": _editable_message(programme),
            }
            return render(request, "programs/import_xlsx.html", context, status=400)
        messages.success(
            request,
            _("Đã ghi %(n)s ô thay đổi từ bảng nhiệm vụ.") % {"n": count}
            if count
            else _("Tệp không có ô nào thay đổi; không có gì được ghi."),
        )
        return redirect(programme_url)
    upload = handle_upload(
        request,
        lambda form: workbook.preview_import(
            programme, form.read(), form.filename, user=request.user
        ),
        label=str(UPLOAD_LABEL),
    )
    context |= {**upload.context(), "locked": _editable_message(programme)}
    if upload.succeeded and upload.result is not None:
        context |= {"preview": upload.result, "filename": upload.form.filename}
        return render(request, "programs/import_xlsx_preview.html", context)
    return render(request, "programs/import_xlsx.html", context, status=upload.status)


@login_required
@require_GET
def programme_docx(request: HttpRequest, programme_id: int) -> HttpResponse:
    """The programme as a Party document (the plan as issued, or the draft being written)."""
    programme = get_programme_for_user(request.user, programme_id)
    node_ids = visible_node_ids(scope_for(request.user), programme)
    with translation.override("vi"):
        content = reports.programme_docx(programme, node_ids=node_ids)
    return download(content, f"chuong-trinh-{programme.pk}.docx", DOCX_CONTENT_TYPE)


@login_required
@require_GET
def cycle_docx(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """A reporting cycle's progress report as a Party document."""
    cycle = get_cycle_for_user(request.user, cycle_id)
    node_ids = visible_node_ids(scope_for(request.user), cycle.programme)
    with translation.override("vi"):
        content = reports.cycle_report_docx(cycle, node_ids=node_ids)
    return download(
        content,
        f"bao-cao-tien-do-{cycle.programme_id}-{cycle.period_start:%Y-%m-%d}.docx",
        DOCX_CONTENT_TYPE,
    )


urlpatterns: list[URLPattern] = [
    path("<int:programme_id>/bang-nhiem-vu.xlsx", export_xlsx, name="programs_export_xlsx"),
    path("<int:programme_id>/nhap-bang-nhiem-vu/", import_xlsx, name="programs_import_xlsx"),
    path("<int:programme_id>/van-ban.docx", programme_docx, name="programs_docx"),
    path("ky-bao-cao/<int:cycle_id>/bao-cao.docx", cycle_docx, name="programs_cycle_docx"),
]
