"""Registering conferences, reporting on them (form and Excel upload), conference pages, and the
member and attendance lists. Thin: fetch through ``tinhuy.study.access``, validate with a form,
write through an action, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tinhuy.apikit import MAX_ID
from tinhuy.documents.forms import handle_upload
from tinhuy.documents.responses import download
from tinhuy.documents.xlsx import XLSX_CONTENT_TYPE
from tinhuy.org.access import get_unit_for_change, get_unit_for_user, scope_for
from tinhuy.org.models import Unit
from tinhuy.study import compliance
from tinhuy.study.access import (
    get_conference_for_change,
    get_conference_for_user,
    get_host_for_report,
    get_plan_for_user,
    progress_root_for,
)
from tinhuy.study.actions import (
    ConferenceSpec,
    RuleProblem,
    RuleProblemsError,
    do_amend_report,
    do_cancel_conference,
    do_edit_conference,
    do_register_conference,
    do_report_conference,
)
from tinhuy.study.forms import (
    BridgeFormSet,
    CancelForm,
    ConferenceForm,
    ReportForm,
    ReportUploadForm,
    SegmentFormSet,
    bridges_need_online,
    conference_spec,
    problems_digest,
)
from tinhuy.study.imports import attendance as attendance_import
from tinhuy.study.imports import members as members_import
from tinhuy.study.imports import reports as reports_import
from tinhuy.study.models import AttendanceStatus, Conference, Member, Plan, PlanState
from tinhuy.study.queries import known_conferences, latest_report

PAGE_SIZE = 50


def _host_units(request: HttpRequest, plan: Plan, *, change: bool) -> QuerySet[Unit]:
    """Units of the plan's structure at a level the plan has a rule for, in the user's scope."""
    return (
        scope_for(request.user)
        .units(
            Unit.objects.filter(
                structure_id=plan.structure_id, level_id__in=plan.rules.values("level_id")
            ),
            change=change,
        )
        .select_related("level")
        .order_by("level__order", "name_sort", "id")
    )


def _writable_hosts(request: HttpRequest, plan: Plan) -> QuerySet[Unit]:
    """The hosts the user may register and report for; none (a read-only user) is 403."""
    hosts = _host_units(request, plan, change=True)
    if not hosts.exists():
        raise PermissionDenied
    return hosts


def _int_param(value: str | None) -> int | None:
    if not value:
        return None
    # ASCII digits only ("²".isdigit() is true, int("²") fails) and no id beyond a 64-bit key
    # (the length first: int() refuses strings of more than 4,300 digits).
    if not (value.isascii() and value.isdigit()) or len(value) > 19 or int(value) > MAX_ID:
        raise Http404("Not a unit id.")
    return int(value)


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    return download(content, filename, XLSX_CONTENT_TYPE)


@login_required
@require_GET
def conference_list(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The plan's conferences hosted in the user's scope, newest first, with their report."""
    plan = get_plan_for_user(request.user, plan_id)
    conferences = known_conferences(plan, scope_for(request.user)).annotate(
        n_reports=Count("reports"), last_reported_at=Max("reports__reported_at")
    )
    page = Paginator(conferences, PAGE_SIZE).get_page(request.GET.get("trang"))
    template_units = list(_host_units(request, plan, change=False))
    can_change = bool(template_units) and _host_units(request, plan, change=True).exists()
    context = {
        "plan": plan,
        "page": page,
        "rules": plan.rules.select_related("level"),
        "template_units": template_units,
        "can_change": can_change,
        "is_issued": plan.state == PlanState.ISSUED,
    }
    return render(request, "study/conference_list.html", context)


def _registration_forms(
    request: HttpRequest,
    plan: Plan,
    hosts: QuerySet[Unit],
    *,
    initial: dict[str, Any],
    segments: list[dict[str, Any]] | None = None,
    bridges: list[dict[str, Any]] | None = None,
) -> tuple[ConferenceForm, forms.BaseFormSet, forms.BaseFormSet]:
    data = request.POST if request.method == "POST" else None
    form = ConferenceForm(data, hosts=hosts, initial=initial)
    # Unit codes typed in the agenda and bridge points are looked up in the user's scope only.
    unit_kwargs = {"plan": plan, "scope": scope_for(request.user)}
    return (
        form,
        SegmentFormSet(data, prefix="noi_dung", form_kwargs=unit_kwargs, initial=segments),
        BridgeFormSet(data, prefix="diem_cau", form_kwargs=unit_kwargs, initial=bridges),
    )


def _save_registration(
    form: ConferenceForm,
    segments: forms.BaseFormSet,
    bridges: forms.BaseFormSet,
    write: Callable[[ConferenceSpec, bool], Any],
) -> tuple[bool, Any, list[RuleProblem]]:
    """Check the posted forms and write through ``write(spec, confirm)``: (saved, what
    ``write`` returned, the rule's problems to show). Problems are saved only once the user
    ticked “Vẫn lưu” under the very problems the page showed."""
    valid = all([form.is_valid(), segments.is_valid(), bridges.is_valid()])
    if not (valid and bridges_need_online(form, bridges)):
        return False, None, []
    spec = conference_spec(form, segments, bridges)
    try:
        return True, write(spec, False), []
    except RuleProblemsError as exc:
        problems = exc.problems
    except ValidationError as exc:
        form.add_error(None, exc)
        return False, None, []
    if not form.confirms(problems):
        return False, None, problems
    try:
        return True, write(spec, True), []
    except RuleProblemsError as exc:  # changed between the two writes: show them again
        return False, None, exc.problems
    except ValidationError as exc:
        form.add_error(None, exc)
        return False, None, []


def _form_context(
    plan: Plan,
    form: ConferenceForm,
    segments: forms.BaseFormSet,
    bridges: forms.BaseFormSet,
    problems: list[RuleProblem],
) -> dict[str, Any]:
    return {
        "plan": plan,
        "form": form,
        "segments": segments,
        "bridges": bridges,
        "problems": problems,
        # Posted back with “Vẫn lưu”: the confirmation holds for these problems only.
        "problems_digest": problems_digest(problems) if problems else "",
        "is_issued": plan.state == PlanState.ISSUED,
        "rules": plan.rules.select_related("level"),
    }


@login_required
@require_http_methods(["GET", "POST"])
def conference_register(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Register a conference: host, date, length, mode, venue, agenda and bridge points. The
    plan's rule for the host's level is checked first; each problem is shown and the
    registration saved only if the user confirms (“Vẫn lưu”)."""
    plan = get_plan_for_user(request.user, plan_id)
    hosts = _writable_hosts(request, plan)
    is_post = request.method == "POST"
    # A host named in the address or the form is fetched through the access helper, so a unit
    # outside the user's scope is 404, as everywhere else.
    host_id = _int_param(request.POST.get("host") if is_post else request.GET.get("don_vi"))
    initial: dict[str, Any] = {}
    if host_id is not None:
        initial["host"] = get_host_for_report(request.user, plan, host_id)
    form, segments, bridges = _registration_forms(request, plan, hosts, initial=initial)
    problems: list[RuleProblem] = []
    if is_post:
        saved, conference, problems = _save_registration(
            form,
            segments,
            bridges,
            lambda spec, confirm: do_register_conference(
                plan, spec, acting_user=request.user, confirm_problems=confirm
            ),
        )
        if saved:
            messages.success(
                request,
                _("Đã đăng ký hội nghị của %(unit)s ngày %(d)s.")
                % {"unit": conference.host.name, "d": conference.date.strftime("%d/%m/%Y")},
            )
            return redirect("study_conference_detail", conference_id=conference.pk)
    context = _form_context(plan, form, segments, bridges, problems)
    return render(request, "study/conference_form.html", context)


def _segment_initial(conference: Conference) -> list[dict[str, Any]]:
    return [
        {
            "topic": s.topic,
            "content_kind": s.content_kind,
            "presenter_name": s.presenter_name,
            "presenter_role": s.presenter_role,
            "presenter_position": s.presenter_position,
            "presenter_unit": s.presenter_unit.code,
        }
        for s in conference.segments.select_related("topic", "presenter_unit").order_by("order")
    ]


def _bridge_initial(conference: Conference) -> list[dict[str, Any]]:
    return [
        {
            "unit": b.unit.code,
            "venue": b.venue,
            "host_person": b.host_person,
            "expected_count": b.expected_count,
        }
        for b in conference.bridge_points.select_related("unit").order_by("unit__name_sort")
    ]


def _open_registration(request: HttpRequest, conference_id: int) -> Conference:
    """A conference the user may change whose registration may still change: a cancelled or
    reported one has no edit or cancel page (404, as for one that does not exist)."""
    conference = get_conference_for_change(request.user, conference_id)
    if conference.cancelled_at is not None or conference.reports.exists():
        raise Http404("The registration can no longer change.")
    return conference


@login_required
@require_http_methods(["GET", "POST"])
def conference_edit(request: HttpRequest, conference_id: int) -> HttpResponse:
    """Correct a registration until the conference is reported, checked as a registration."""
    conference = _open_registration(request, conference_id)
    plan = conference.plan
    hosts = Unit.objects.filter(pk=conference.host_id).select_related("level")
    initial = {
        "host": conference.host,
        "date": conference.date,
        "start_time": conference.start_time,
        "length_sessions": conference.length_sessions,
        "mode": conference.mode,
        "venue": conference.venue,
    }
    form, segments, bridges = _registration_forms(
        request,
        plan,
        hosts,
        initial=initial,
        segments=_segment_initial(conference),
        bridges=_bridge_initial(conference),
    )
    form.fields["host"].disabled = True
    problems: list[RuleProblem] = []
    if request.method == "POST":
        saved, changed, problems = _save_registration(
            form,
            segments,
            bridges,
            lambda spec, confirm: do_edit_conference(
                conference, spec, acting_user=request.user, confirm_problems=confirm
            ),
        )
        if saved:
            messages.success(
                request,
                _("Đã sửa đăng ký hội nghị.")
                if changed
                else _("Không có gì thay đổi; đăng ký giữ nguyên."),
            )
            return redirect("study_conference_detail", conference_id=conference.pk)
    context = {
        **_form_context(plan, form, segments, bridges, problems),
        "conference": conference,
    }
    return render(request, "study/conference_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def conference_cancel(request: HttpRequest, conference_id: int) -> HttpResponse:
    """Cancel a registration not yet reported; the reason is required and kept."""
    conference = _open_registration(request, conference_id)
    form = CancelForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            do_cancel_conference(
                conference, reason=form.cleaned_data["reason"], acting_user=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã hủy đăng ký hội nghị."))
            return redirect("study_conference_detail", conference_id=conference.pk)
    context = {"conference": conference, "plan": conference.plan, "form": form}
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "study/conference_cancel.html", context, status=status)


@login_required
@require_GET
def conference_detail(request: HttpRequest, conference_id: int) -> HttpResponse:
    conference = get_conference_for_user(request.user, conference_id)
    scope = scope_for(request.user)
    attendance = dict(
        conference.attendance.values_list("status").annotate(n=Count("id")).order_by()
    )
    reports = list(conference.reports.select_related("reported_by").order_by("-version"))
    context = {
        "conference": conference,
        "plan": conference.plan,
        "segments": conference.segments.select_related("topic", "presenter_unit"),
        "bridges": conference.bridge_points.select_related("unit").order_by("unit__name_sort"),
        "reports": reports,
        "attendance": [
            (label, attendance.get(value, 0)) for value, label in AttendanceStatus.choices
        ],
        "attendance_total": sum(attendance.values()),
        "members_under": _members_under(conference.host),
        "can_change": scope.can_change(conference.host),
        "can_edit_registration": scope.can_change(conference.host)
        and conference.cancelled_at is None
        and not reports,
        # Judged by the rules the dashboard applies, never again here.
        "late": compliance.is_late(conference.date, conference.rule.deadline),
        "too_short": compliance.is_too_short(
            conference.length_sessions, conference.rule.length_sessions
        ),
        **conference.invitees.aggregate(
            invitees_total=Count("id"), invitees_arrived=Count("checked_in_at")
        ),
    }
    return render(request, "study/conference_detail.html", context)


def _members_under(unit: Unit) -> int:
    return Member.objects.filter(
        structure_id=unit.structure_id, cell_path__startswith=unit.path
    ).count()


@login_required
@require_http_methods(["GET", "POST"])
def conference_report(request: HttpRequest, conference_id: int) -> HttpResponse:
    """The host's report; once one exists, the same page amends it (a new, higher version)."""
    conference = get_conference_for_change(request.user, conference_id)
    if conference.cancelled_at is not None:
        raise Http404("The conference was cancelled.")
    previous = latest_report(conference)
    bridges = list(conference.bridge_points.select_related("unit").order_by("unit__name_sort"))
    data = request.POST if request.method == "POST" else None
    form = ReportForm(data, bridge_points=bridges, previous=previous)
    if data is not None and form.is_valid():
        action = do_amend_report if previous is not None else do_report_conference
        try:
            report = action(conference, form.spec(), acting_user=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            text = (
                _("Đã sửa báo cáo (bản %(v)s).")
                if previous is not None
                else _("Đã gửi báo cáo (bản %(v)s).")
            )
            messages.success(request, text % {"v": report.version})
            return redirect("study_conference_detail", conference_id=conference.pk)
    context = {
        "conference": conference,
        "plan": conference.plan,
        "form": form,
        "previous": previous,
        "bridges": bridges,
    }
    return render(request, "study/report_form.html", context)


@login_required
@require_GET
def report_template(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The .xlsx to fill in for ``?don_vi=<id>`` (default: the user's top unit in the plan)."""
    plan = get_plan_for_user(request.user, plan_id)
    root = progress_root_for(request.user, plan, _int_param(request.GET.get("don_vi")))
    content = reports_import.report_template(plan, root, scope_for(request.user))
    filename = f"bao-cao-hoc-tap-kh{plan.pk}-{slugify(root.code) or root.pk}.xlsx"
    return _xlsx(content, filename)


@login_required
@require_http_methods(["GET", "POST"])
def report_upload(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Upload the filled template: every row checked, then all rows written or none."""
    plan = get_plan_for_user(request.user, plan_id)
    hosts = _writable_hosts(request, plan)
    upload = handle_upload(
        request,
        lambda form: reports_import.import_reports(
            plan,
            form.read(),
            form.filename,
            acting_user=request.user,
            confirmed_digest=cast(ReportUploadForm, form).confirmed_digest(),
        ),
        form_class=ReportUploadForm,
        label=_("Tệp .xlsx đã điền"),
    )
    result = upload.result
    if upload.succeeded and result is not None and not result.problems:
        context = {
            "plan": plan,
            "rows": result.rows,
            "unchanged": result.unchanged,
            "filename": upload.form.filename,
        }
        return render(request, "study/report_upload_done.html", context)
    context = {
        "plan": plan,
        **upload.context(),
        # Rows the level's rules find problems with: nothing written until confirmed.
        "problems": result.problems if result is not None else [],
        "problems_digest": result.digest if result is not None else "",
        "template_units": hosts,
        "columns": reports_import.REPORT_COLUMNS,
        "modes": reports_import.mode_choices(),
        "roles": reports_import.role_choices(),
        "sheet_name": reports_import.REPORT_SHEET,
    }
    return render(request, "study/report_upload.html", context, status=upload.status)


@login_required
@require_http_methods(["GET", "POST"])
def conference_attendance(request: HttpRequest, conference_id: int) -> HttpResponse:
    """Per-person attendance from a file: members of the host's subtree, all rows or none."""
    conference = get_conference_for_change(request.user, conference_id)
    upload = handle_upload(
        request,
        lambda form: attendance_import.import_attendance(
            conference, form.read(), form.filename, acting_user=request.user
        ),
    )
    if upload.succeeded and upload.result is not None:
        result, filename = upload.result, upload.form.filename
        if result.recorded:
            text = _("Đã ghi điểm danh %(n)s đảng viên từ tệp “%(file)s”.") % {
                "n": result.recorded,
                "file": filename,
            }
        else:
            text = _("Tệp “%(file)s” không thay đổi gì; không có gì được ghi.") % {"file": filename}
        if result.unchanged:
            text += " " + _("Đã có, không đổi: %(n)s dòng.") % {"n": result.unchanged}
        messages.success(request, text)
        return redirect("study_conference_detail", conference_id=conference.pk)
    context = {
        "conference": conference,
        "plan": conference.plan,
        **upload.context(),
        "members_under": _members_under(conference.host),
        "columns": attendance_import.ATTENDANCE_COLUMNS,
        "statuses": attendance_import.status_choices(),
    }
    return render(request, "study/conference_attendance.html", context, status=upload.status)


@login_required
@require_GET
def attendance_template(request: HttpRequest, conference_id: int) -> HttpResponse:
    conference = get_conference_for_user(request.user, conference_id)
    return _xlsx(
        attendance_import.attendance_template(conference),
        f"diem-danh-hoi-nghi-{conference.pk}.xlsx",
    )


@login_required
@require_http_methods(["GET", "POST"])
def members_upload(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Load the members of the cells under a unit (CSV or .xlsx), all rows or none."""
    unit = get_unit_for_change(request.user, unit_id)
    upload = handle_upload(
        request,
        lambda form: members_import.import_members(
            unit, form.read(), form.filename, acting_user=request.user
        ),
    )
    if upload.succeeded and upload.result is not None and upload.result.loaded is not None:
        messages.success(
            request,
            _(
                "Đã nạp tệp “%(file)s”: %(created)s đảng viên mới, %(renamed)s đổi họ tên, "
                "%(unchanged)s không đổi."
            )
            % {"file": upload.form.filename, **upload.result.loaded.__dict__},
        )
        return redirect("study_members_upload", unit_id=unit.pk)
    context = {
        "unit": unit,
        **upload.context(),
        "members_under": _members_under(unit),
        "columns": members_import.MEMBER_COLUMNS,
    }
    return render(request, "study/members_upload.html", context, status=upload.status)


@login_required
@require_GET
def members_template(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = get_unit_for_user(request.user, unit_id)
    filename = f"dang-vien-{slugify(unit.code) or unit.pk}.xlsx"
    return _xlsx(members_import.members_template(unit), filename)


urlpatterns = [
    path("<int:plan_id>/hoi-nghi/", conference_list, name="study_conference_list"),
    path(
        "<int:plan_id>/hoi-nghi/dang-ky/",
        conference_register,
        name="study_conference_register",
    ),
    path("<int:plan_id>/bao-cao/mau/", report_template, name="study_report_template"),
    path("<int:plan_id>/bao-cao/nhap/", report_upload, name="study_report_upload"),
    path("hoi-nghi/<int:conference_id>/", conference_detail, name="study_conference_detail"),
    path("hoi-nghi/<int:conference_id>/sua/", conference_edit, name="study_conference_edit"),
    path("hoi-nghi/<int:conference_id>/huy/", conference_cancel, name="study_conference_cancel"),
    path(
        "hoi-nghi/<int:conference_id>/bao-cao/",
        conference_report,
        name="study_conference_report",
    ),
    path(
        "hoi-nghi/<int:conference_id>/diem-danh/",
        conference_attendance,
        name="study_conference_attendance",
    ),
    path(
        "hoi-nghi/<int:conference_id>/diem-danh/mau/",
        attendance_template,
        name="study_attendance_template",
    ),
    path("don-vi/<int:unit_id>/dang-vien/", members_upload, name="study_members_upload"),
    path("don-vi/<int:unit_id>/dang-vien/mau/", members_template, name="study_members_template"),
]
