"""Drafts: the list and the form to start one; the draft page (versions, numbered text,
opinions, dispositions, the editor, the comparison of two versions, the disposition table and
issuing); the disposition table's downloads."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tinhuy.accounts.names import full_name
from tinhuy.documents.docx import DOCX_CONTENT_TYPE
from tinhuy.documents.forms import AttachmentForm, attachment_type
from tinhuy.documents.responses import download
from tinhuy.documents.tables import XLSX_CONTENT_TYPE
from tinhuy.meetings import access, actions, presenters, queries, reports
from tinhuy.meetings.forms import (
    DispositionForm,
    DraftForm,
    IssueForm,
    OpinionForm,
    SubmitForm,
    TextForm,
)
from tinhuy.meetings.models import (
    Draft,
    DraftAttachment,
    DraftKind,
    DraftState,
    DraftVersion,
    Opinion,
)
from tinhuy.meetings.views.common import int_param
from tinhuy.org.access import CHANGE_ROLES, scope_for
from tinhuy.org.models import Unit
from tinhuy.register.queries import next_number, register_of

PAGE_SIZE = 50
MAX_VERSION = 32_767  # what a version's number column holds on every database
_CLOSED = (DraftState.ISSUED, DraftState.WITHDRAWN)


# The list and the new draft ------------------------------------------------------------------


def _submitting_units(request: HttpRequest) -> QuerySet[Unit]:
    """Units a user may submit a draft for: where they hold a change role; for the province
    office, the committees and boards (the top two levels) of every structure."""
    scope = scope_for(request.user)
    units = Unit.objects.select_related("structure").order_by("structure__code", "name_sort")
    if scope.everything:
        return units.filter(depth__lte=1)
    return units.filter(
        memberships__user_id=request.user.pk,  # type: ignore[misc]
        memberships__role__in=CHANGE_ROLES,
    ).distinct()


def _issuing_units(submitting: QuerySet[Unit]) -> QuerySet[Unit]:
    """The committees a draft may be issued by: a structure's root, or one of the user's own
    units (a district committee issues its own documents)."""
    return (
        Unit.objects.filter(Q(depth=0) | Q(pk__in=submitting.values("pk")))
        .select_related("structure")
        .order_by("structure__code", "depth", "name_sort")
    )


def _plan_param(request: HttpRequest) -> Any:
    """The study plan a plan draft is started from (``?ke-hoach=<id>``), seen by the user."""
    plan_id = int_param(request.GET.get("ke-hoach"))
    if plan_id is None:
        return None
    from tinhuy.study.access import get_plan_for_user

    return get_plan_for_user(request.user, plan_id)


@login_required
@require_http_methods(["GET", "POST"])
def draft_list(request: HttpRequest) -> HttpResponse:
    """The drafts the user may read, newest first, and the form to start one."""
    submitting = _submitting_units(request)
    can_create = submitting.exists()
    plan = _plan_param(request)
    form = None
    if can_create:
        form = DraftForm(
            request.POST if request.method == "POST" else None,
            submitting=submitting,
            issuing=_issuing_units(submitting),
            with_text=plan is None,
            initial={"doc_type": "KH", "title": plan.title if plan else ""},
        )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                draft = actions.do_create_draft(
                    kind=DraftKind.STUDY_PLAN if plan else DraftKind.TEXT,
                    title=data["title"],
                    doc_type=data["doc_type"],
                    submitting_unit=data["submitting_unit"],
                    issuing_unit=data["issuing_unit"],
                    text=data.get("text", ""),
                    plan=plan,
                    acting_user=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Đã tạo dự thảo “%(t)s”.") % {"t": draft.title})
                return redirect("meetings_draft", draft_id=draft.pk)
    drafts = (
        access.drafts_for(scope_for(request.user))
        .annotate(latest_number=Max("versions__number"))
        .order_by("-created_at", "-id")
    )
    page = Paginator(drafts, PAGE_SIZE).get_page(request.GET.get("trang"))
    return render(
        request,
        "meetings/draft_list.html",
        {"page": page, "form": form, "plan": plan, "tab": "drafts"},
    )


# The draft page -------------------------------------------------------------------------------


@dataclass
class Line:
    number: int
    text: str
    commented: bool
    opinions: list[Opinion] = field(default_factory=list)

    @property
    def html(self) -> SafeString:
        """The numbered line as the page shows it, built here: a long draft has hundreds, and
        the template engine took most of the page's time over them."""
        return format_html(
            '<div class="draft-line{}" id="L{}"><a class="ln" href="#L{}">{}</a>'
            '<span class="lt">{}</span></div>',
            " commented" if self.commented else "",
            self.number,
            self.number,
            self.number,
            self.text,
        )


def _version_by_number(versions: list[DraftVersion], number: int | None) -> DraftVersion | None:
    if number is None:
        return None
    for version in versions:
        if version.number == number:
            return version
    raise Http404("No version matches the given query.")


def _lines(version: DraftVersion, opinions: list[Opinion]) -> list[Line]:
    """The version's numbered lines, each opinion placed under the last line it is about."""
    after: dict[int, list[Opinion]] = defaultdict(list)
    covered: set[int] = set()
    for opinion in opinions:
        if opinion.line_from is not None and opinion.line_to is not None:
            after[opinion.line_to].append(opinion)
            covered.update(range(opinion.line_from, opinion.line_to + 1))
    return [
        Line(n, text, n in covered, after.get(n, []))
        for n, text in enumerate(version.lines(), start=1)
    ]


def _issue_context(draft: Draft, on: datetime.date) -> dict[str, Any]:
    """Why the draft cannot be issued yet, or the number it would get if issued ``on``."""
    blocker = queries.issue_blocker(draft)
    context: dict[str, Any] = {"issue_blocker": blocker}
    try:
        body = register_of(draft.issuing_unit)
    except ValidationError as exc:
        context["issue_blocker"] = blocker or " ".join(exc.messages)
        return context
    context["number_on"] = on
    try:
        number = next_number(body, draft.doc_type, on)
    except ValidationError as exc:
        context["number_problem"] = " ".join(exc.messages)
    else:
        context["next_symbol"] = body.symbol_for(draft.doc_type, number)
        context["next_number"] = number
    return context


def _draft_page(
    request: HttpRequest,
    draft: Draft,
    *,
    bound: dict[str, Any] | None = None,
    bound_disposition: tuple[int, DispositionForm] | None = None,
    number: int | None = None,
) -> HttpResponse:
    """The draft page; after a refused POST, with the bound form (what was typed, and why it
    was refused) in place of the blank one. ``number``: the version shown (else ``?lan=``, else
    the latest)."""
    user = request.user
    scope = scope_for(user)
    versions = list(queries.draft_versions(draft).select_related("submitted_by"))
    for version in versions:
        submitter = version.submitted_by
        version.submitter_name = full_name(submitter) if submitter else ""  # type: ignore[attr-defined]
    latest = versions[-1] if versions else None
    if number is None:
        number = int_param(request.GET.get("lan"), limit=MAX_VERSION)
    selected = _version_by_number(versions, number)
    selected = selected or latest
    opinions = list(queries.disposition_rows(selected)) if selected else []
    table = [queries.DispositionLine.of(opinion) for opinion in opinions]
    is_body = access.is_submitting_body(user, draft)
    can_write = scope.everything or is_body
    try:
        access.check_can_opine(user, draft)
        can_opine = True
    except PermissionDenied:
        can_opine = False
    is_latest = selected is not None and selected == latest
    forms: dict[str, Any] = dict(bound or {})
    context: dict[str, Any] = {
        "draft": draft,
        "versions": versions,
        "latest": latest,
        "selected": selected,
        "is_latest": is_latest,
        "opinions": opinions,
        "disposition_rows": presenters.disposition_table_rows(table),
        "general_opinions": [o for o in opinions if o.line_from is None],
        "lines": _lines(selected, opinions) if selected else [],
        "is_plan": draft.kind == DraftKind.STUDY_PLAN,
        "tab": "drafts",
        "runs_meetings": scope.everything,
    }
    if can_opine and is_latest and draft.state == DraftState.SUBMITTED:
        forms.setdefault("opinion", OpinionForm())
    can_dispose = is_body and is_latest and draft.state not in _CLOSED
    if can_dispose:
        dispose_forms = {
            o.pk: DispositionForm(
                prefix=f"y{o.pk}",
                initial=(
                    {"kind": o.disposition.kind, "explanation": o.disposition.explanation}
                    if hasattr(o, "disposition")
                    else {}
                ),
            )
            for o in opinions
        }
        if bound_disposition is not None:
            dispose_forms[bound_disposition[0]] = bound_disposition[1]
        for opinion in opinions:
            opinion.dispose_form = dispose_forms[opinion.pk]  # type: ignore[attr-defined]
    # The documents the version shown was submitted with; while a version is being written,
    # those it will carry, and the form to add one.
    context["attachments"] = list(queries.attachments_of(draft, selected)) if selected else []
    if can_write and draft.state in (DraftState.WRITING, DraftState.REVISING):
        context["can_attach"] = True
        context["current_attachments"] = list(queries.attachments_of(draft))
        forms.setdefault("attach", AttachmentForm())
    if can_write and draft.state in (DraftState.WRITING, DraftState.REVISING):
        if draft.kind == DraftKind.TEXT:
            forms.setdefault("text", TextForm(initial={"text": draft.text}))
        else:
            forms.setdefault("submit", SubmitForm())
    if scope.everything and draft.state != DraftState.ISSUED:
        issue_form = forms.get("issue")
        on = timezone.localdate()
        typed = getattr(issue_form, "cleaned_data", {}).get("issued_on")
        if typed is not None:
            on = typed  # the date typed (also after a refusal), not today
        context.update(_issue_context(draft, on))
        if context["issue_blocker"] is None:
            forms.setdefault(
                "issue", IssueForm(initial={"issued_on": timezone.localdate().strftime("%d/%m/%Y")})
            )
    if draft.register_entry_id is not None:
        context["entry"] = draft.register_entry
    # The comparison of two versions (?tu=1&den=2).
    old = _version_by_number(versions, int_param(request.GET.get("tu"), limit=MAX_VERSION))
    new = _version_by_number(versions, int_param(request.GET.get("den"), limit=MAX_VERSION))
    if old is not None and new is not None:
        context["diff"] = {
            "old": old,
            "new": new,
            "lines": queries.diff_versions(old, new),
            "rules": queries.diff_plan_rules(old, new) if context["is_plan"] else [],
        }
    context["items"] = list(
        draft.items.select_related("meeting", "version").order_by("meeting__date", "id")
    )
    context["forms"] = forms
    context["sees_meetings"] = scope.everything or access.is_board_member(scope)
    return render(request, "meetings/draft_detail.html", context)


@login_required
@require_GET
def draft_detail(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = access.get_draft_for_user(request.user, draft_id)
    return _draft_page(request, draft)


def _back(draft: Draft, anchor: str = "", **params: Any) -> HttpResponse:
    url = reverse("meetings_draft", kwargs={"draft_id": draft.pk})
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return redirect(url + (f"#{anchor}" if anchor else ""))


@login_required
@require_POST
def draft_text(request: HttpRequest, draft_id: int) -> HttpResponse:
    """Save the text being written; with ``buoc=trinh``, also submit it as the next version —
    both or neither."""
    draft = access.get_draft_for_user(request.user, draft_id)
    access.check_can_write(request.user, draft)
    form = TextForm(request.POST)
    if form.is_valid():
        submit = request.POST.get("buoc") == "trinh"
        try:
            # Saving and submitting are one step for the user: a refused submission keeps
            # nothing of it, and what was typed is shown again.
            with transaction.atomic():
                actions.do_save_text(
                    draft, text=form.cleaned_data["text"], acting_user=request.user
                )
                version = (
                    actions.do_submit_version(
                        draft, note=form.cleaned_data["note"], acting_user=request.user
                    )
                    if submit
                    else None
                )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if version is None:
                messages.success(request, _("Đã lưu nội dung dự thảo."))
                return _back(draft, "soan-thao")
            messages.success(request, _("Đã trình lần %(n)s.") % {"n": version.number})
            return _back(draft)
    draft.refresh_from_db(fields=["text", "state"])
    return _draft_page(request, draft, bound={"text": form})


@login_required
@require_POST
def draft_attach(request: HttpRequest, draft_id: int) -> HttpResponse:
    """Attach a document to the draft being written (the submitting body, the office)."""
    draft = access.get_draft_for_user(request.user, draft_id)
    access.check_can_write(request.user, draft)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        name = str(upload.name or "")
        try:
            actions.do_attach(
                draft,
                name=name,
                content=upload.read(),
                content_type=attachment_type(name) or "application/octet-stream",
                acting_user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã đính kèm “%(n)s”.") % {"n": name})
            return _back(draft, "tai-lieu")
    return _draft_page(request, draft, bound={"attach": form})


def _attachment_for(request: HttpRequest, attachment_id: int) -> DraftAttachment:
    """An attachment of a draft the user sees (404 otherwise, as for the draft)."""
    attachment = DraftAttachment.objects.select_related("draft").filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404("No attachment matches the given query.")
    access.get_draft_for_user(request.user, attachment.draft_id)
    return attachment


@login_required
@require_POST
def attachment_remove(request: HttpRequest, attachment_id: int) -> HttpResponse:
    attachment = _attachment_for(request, attachment_id)
    access.check_can_write(request.user, attachment.draft)
    try:
        actions.do_remove_attachment(attachment, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã bỏ “%(n)s”.") % {"n": attachment.name})
    return _back(attachment.draft, "tai-lieu")


@login_required
@require_GET
def attachment_download(request: HttpRequest, attachment_id: int) -> HttpResponse:
    attachment = _attachment_for(request, attachment_id)
    with attachment.file.open("rb") as handle:
        content = handle.read()
    return download(content, attachment.name, attachment.content_type)


@login_required
@require_POST
def draft_submit(request: HttpRequest, draft_id: int) -> HttpResponse:
    """Submit the next version of a plan draft (its text is the plan as it stands)."""
    draft = access.get_draft_for_user(request.user, draft_id)
    access.check_can_write(request.user, draft)
    form = SubmitForm(request.POST)
    if form.is_valid():
        try:
            version = actions.do_submit_version(
                draft, note=form.cleaned_data["note"], acting_user=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã trình lần %(n)s.") % {"n": version.number})
            return _back(draft)
    return _draft_page(request, draft, bound={"submit": form})


@login_required
@require_POST
def draft_opinion(request: HttpRequest, draft_id: int, number: int) -> HttpResponse:
    """A Board member's opinion on version ``number``."""
    draft = access.get_draft_for_user(request.user, draft_id)
    access.check_can_opine(request.user, draft)
    version = draft.versions.filter(number=min(number, MAX_VERSION)).first()
    if version is None:
        raise Http404("No version matches the given query.")
    form = OpinionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            opinion = actions.do_give_opinion(
                version,
                text=data["text"],
                line_from=data["line_from"],
                line_to=data["line_to"],
                proposed_text=data["proposed_text"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã ghi ý kiến góp ý."))
            return _back(draft, f"y-kien-{opinion.pk}", lan=number)
    return _draft_page(request, draft, bound={"opinion": form})


@login_required
@require_POST
def opinion_dispose(request: HttpRequest, opinion_id: int) -> HttpResponse:
    """The submitting body's answer to one opinion."""
    opinion = access.get_opinion_for_user(request.user, opinion_id)
    draft = access.get_draft_for_user(request.user, opinion.version.draft_id)
    access.check_can_dispose(request.user, draft)
    form = DispositionForm(request.POST, prefix=f"y{opinion.pk}")
    if form.is_valid():
        try:
            actions.do_dispose(
                opinion,
                kind=form.cleaned_data["kind"],
                explanation=form.cleaned_data["explanation"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã ghi việc tiếp thu, giải trình."))
            return _back(draft, f"y-kien-{opinion.pk}", lan=opinion.version.number)
    draft.refresh_from_db(fields=["state"])
    return _draft_page(
        request, draft, number=opinion.version.number, bound_disposition=(opinion.pk, form)
    )


@login_required
@require_POST
def draft_issue(request: HttpRequest, draft_id: int) -> HttpResponse:
    """The province office issues the draft with a number of its register."""
    draft = access.get_draft_for_user(request.user, draft_id)
    access.check_can_issue(request.user)
    form = IssueForm(request.POST)
    if form.is_valid():
        try:
            entry = actions.do_issue_draft(draft, **form.signature(), acting_user=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã ban hành dự thảo: số %(s)s.") % {"s": entry.symbol})
            return _back(draft)
    draft.refresh_from_db(fields=["state"])
    return _draft_page(request, draft, bound={"issue": form})


# Downloads ------------------------------------------------------------------------------------


def _version_for(request: HttpRequest, draft_id: int, number: int) -> DraftVersion:
    draft = access.get_draft_for_user(request.user, draft_id)
    # Read through the draft: the version's ``draft`` is this one, its submitting unit with it.
    version = draft.versions.filter(number=min(number, MAX_VERSION)).first()
    if version is None:
        raise Http404("No version matches the given query.")
    return version


@login_required
@require_GET
def disposition_table(request: HttpRequest, draft_id: int, number: int) -> HttpResponse:
    """The disposition table of a version on a page of its own (to read or print)."""
    version = _version_for(request, draft_id, number)
    opinions = queries.disposition_table(version)
    context = {
        "draft": version.draft,
        "selected": version,
        "heading": _("Bảng tổng hợp tiếp thu, giải trình ý kiến — lần trình %(n)s")
        % {"n": version.number},
        "opinions": opinions,
        "disposition_rows": presenters.disposition_table_rows(opinions),
        "tab": "drafts",
    }
    return render(request, "meetings/disposition_table.html", context)


@login_required
@require_GET
def disposition_docx(request: HttpRequest, draft_id: int, number: int) -> HttpResponse:
    version = _version_for(request, draft_id, number)
    # A Party document is Vietnamese whatever the reader's language.
    with translation.override("vi"):
        content = reports.disposition_table_docx(version)
    return download(
        content, f"bang-tiep-thu-du-thao-{draft_id}-lan-{number}.docx", DOCX_CONTENT_TYPE
    )


@login_required
@require_GET
def disposition_xlsx(request: HttpRequest, draft_id: int, number: int) -> HttpResponse:
    version = _version_for(request, draft_id, number)
    with translation.override("vi"):
        content = reports.disposition_table_xlsx(version)
    return download(
        content, f"bang-tiep-thu-du-thao-{draft_id}-lan-{number}.xlsx", XLSX_CONTENT_TYPE
    )


urlpatterns: list[URLPattern] = [
    path("du-thao/", draft_list, name="meetings_drafts"),
    path("du-thao/<int:draft_id>/", draft_detail, name="meetings_draft"),
    path("du-thao/<int:draft_id>/noi-dung/", draft_text, name="meetings_draft_text"),
    path("du-thao/<int:draft_id>/trinh/", draft_submit, name="meetings_draft_submit"),
    path("du-thao/<int:draft_id>/tai-lieu/", draft_attach, name="meetings_draft_attach"),
    path("tai-lieu/<int:attachment_id>/", attachment_download, name="meetings_attachment"),
    path("tai-lieu/<int:attachment_id>/bo/", attachment_remove, name="meetings_attachment_remove"),
    path(
        "du-thao/<int:draft_id>/lan/<int:number>/gop-y/",
        draft_opinion,
        name="meetings_draft_opinion",
    ),
    path("y-kien/<int:opinion_id>/tiep-thu/", opinion_dispose, name="meetings_opinion_dispose"),
    path("du-thao/<int:draft_id>/ban-hanh/", draft_issue, name="meetings_draft_issue"),
    path(
        "du-thao/<int:draft_id>/lan/<int:number>/bang-tiep-thu/",
        disposition_table,
        name="meetings_disposition_table",
    ),
    path(
        "du-thao/<int:draft_id>/lan/<int:number>/bang-tiep-thu.docx",
        disposition_docx,
        name="meetings_disposition_docx",
    ),
    path(
        "du-thao/<int:draft_id>/lan/<int:number>/bang-tiep-thu.xlsx",
        disposition_xlsx,
        name="meetings_disposition_xlsx",
    ),
]
