"""Editor pages: write and review entries, compare revisions, publish editions.

Only gazetteer editors and the province office reach these pages (``require_editor``); any
other signed-in user gets 404, as for an object out of scope, and an anonymous visitor is sent
to the sign-in page. Every write calls an action: ``do_save_entry``, ``do_set_entry_state``,
``do_publish_edition``. What the public sees changes only when an edition is published.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tinhuy.gazetteer import queries
from tinhuy.gazetteer.access import get_entry_for_editor, require_editor
from tinhuy.gazetteer.actions import (
    EntrySpec,
    SourceSpec,
    do_publish_edition,
    do_save_entry,
    do_set_entry_state,
    may_approve,
    revision_author,
)
from tinhuy.gazetteer.markdown import render as render_markdown
from tinhuy.gazetteer.markdown import rendered_diff
from tinhuy.gazetteer.models import (
    Chapter,
    Edition,
    Entry,
    EntryKind,
    EntryRevision,
    EntryState,
    Observation,
    Place,
)
from tinhuy.search.text import fold

PAGE_SIZE = 50
MAX_PLACES = 200
RESERVED_SLUGS = {"moi"}  # bien-tap/muc/moi/ is the new-entry page
BODY_MAX = 200_000  # characters of an entry's text
PREVIEW = "xem-truoc"  # the form button that shows the text rendered instead of saving it
CONFIRM = "xac-nhan"  # the field a confirmation page sends: publishing is asked twice
SOURCE_FIELDS = ("title", "author", "year", "publisher", "url", "pages")
STATE_LABELS = dict(EntryState.choices)
KIND_LABELS = dict(EntryKind.choices)
# The buttons of each state: (target state, label, Bootstrap style).
STATE_BUTTONS = {
    EntryState.DRAFT: [
        (EntryState.REVIEWED, gettext_lazy("Xác nhận đã thẩm định"), "btn-outline-primary")
    ],
    EntryState.REVIEWED: [
        (EntryState.PUBLISHED, gettext_lazy("Duyệt đăng"), "btn-danger"),
        (EntryState.DRAFT, gettext_lazy("Trả lại bản nháp"), "btn-outline-secondary"),
    ],
    EntryState.PUBLISHED: [
        (EntryState.DRAFT, gettext_lazy("Trả lại bản nháp"), "btn-outline-secondary")
    ],
}


# Forms --------------------------------------------------------------------------------------


class BootstrapMixin:
    """Bootstrap classes on every widget, so templates can render ``{{ field }}`` as is."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.HiddenInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class ChapterField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.path} — {obj.title}"


class EntryForm(BootstrapMixin, forms.Form):
    """An entry's text and metadata; the places are typed as codes (or unambiguous names)."""

    title = forms.CharField(label=gettext_lazy("Tiêu đề"), max_length=255)
    slug = forms.SlugField(
        label=gettext_lazy("Đường dẫn"),
        max_length=150,
        required=False,
        help_text=gettext_lazy("Chữ không dấu và dấu gạch ngang; để trống thì tạo từ tiêu đề."),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Loại"), choices=EntryKind.choices)
    chapter = ChapterField(
        label=gettext_lazy("Chương"),
        queryset=Chapter.objects.order_by("path"),
        to_field_name="path",
    )
    places = forms.CharField(
        label=gettext_lazy("Địa danh liên quan"),
        required=False,
        max_length=3000,
        help_text=gettext_lazy(
            "Mã địa danh, cách nhau bởi dấu phẩy, ví dụ 40, 412, 17971. Tên đầy đủ (Huyện Nghi "
            "Lộc) cũng được nhận."
        ),
    )
    period = forms.CharField(label=gettext_lazy("Thời kỳ"), max_length=100, required=False)
    body = forms.CharField(
        label=gettext_lazy("Nội dung (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 18}),
        max_length=BODY_MAX,
    )
    # The revision the form was opened at: saving over someone else's newer save is refused.
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, entry: Entry | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.entry = entry
        if entry is not None:
            self.fields["slug"].disabled = True
            self.fields["slug"].help_text = _("Đường dẫn không đổi được: các trích dẫn dùng nó.")

    def clean_body(self) -> str:
        return self.cleaned_data["body"].replace("\r\n", "\n").strip()

    def clean_places(self) -> list[Place]:
        names = [p.strip() for p in self.cleaned_data["places"].split(",") if p.strip()]
        if len(names) > MAX_PLACES:
            raise ValidationError(_("Nhiều nhất %s địa danh.") % MAX_PLACES)
        by_code = {p.code: p for p in Place.objects.filter(code__in=[n[:16] for n in names])}
        # Names (not codes) need every place, folded: load them only when someone typed one.
        index = (
            queries.PlaceIndex(Place.objects.all())
            if any(n not in by_code for n in names)
            else None
        )
        found: list[Place] = []
        problems = []
        for name in names:
            matches = [by_code[name]] if name in by_code else index.find(name) if index else []
            if len(matches) == 1:
                if matches[0] not in found:
                    found.append(matches[0])
            elif not matches:
                problems.append(_("Không có địa danh “%s”.") % name)
            else:
                codes = ", ".join(f"{p.full_name} ({p.code})" for p in matches)
                problems.append(
                    _("“%(name)s” là tên của nhiều địa danh: %(codes)s; hãy ghi mã.")
                    % {"name": name, "codes": codes}
                )
        if problems:
            raise ValidationError(problems)
        return found

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.entry is not None:
            if data.get("revision") != self.entry.revision:
                raise ValidationError(
                    _(
                        "Mục từ vừa được lưu thành phiên bản %(n)s trong lúc bạn sửa. Hãy mở lại "
                        "trang (chép phần mình viết ra trước) rồi sửa trên phiên bản mới nhất."
                    )
                    % {"n": self.entry.revision}
                )
            return data
        slug = data.get("slug") or slugify(fold(data.get("title", "")))[:150]
        if not slug:
            self.add_error("slug", _("Hãy ghi đường dẫn (chữ không dấu)."))
        elif slug in RESERVED_SLUGS:
            self.add_error(
                "slug", _("Đường dẫn “%s” dành cho trang biên tập; hãy chọn tên khác.") % slug
            )
        elif Entry.objects.filter(slug=slug).exists():
            self.add_error("slug", _("Đã có mục từ với đường dẫn “%s”.") % slug)
        data["slug"] = slug
        return data


class SourceForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=gettext_lazy("Tên tài liệu"), max_length=500, required=False)
    author = forms.CharField(label=gettext_lazy("Tác giả"), max_length=255, required=False)
    year = forms.CharField(label=gettext_lazy("Năm"), max_length=16, required=False)
    publisher = forms.CharField(
        label=gettext_lazy("Nhà xuất bản / cơ quan"), max_length=255, required=False
    )
    url = forms.URLField(
        label=gettext_lazy("Địa chỉ"), max_length=500, required=False, assume_scheme="https"
    )
    pages = forms.CharField(label=gettext_lazy("Trang"), max_length=50, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_other = any(data.get(name) for name in SOURCE_FIELDS if name != "title")
        if has_other and not data.get("title"):
            self.add_error("title", _("Nguồn cần có tên tài liệu."))
        return data


SourceFormSet = forms.formset_factory(
    SourceForm, extra=2, can_delete=True, max_num=200, validate_max=True
)


def _source_specs(formset: Any) -> tuple[SourceSpec, ...]:
    specs = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if data.get("DELETE") or not data.get("title"):
            continue
        specs.append(SourceSpec(**{name: data.get(name) or "" for name in SOURCE_FIELDS}))
    return tuple(specs)


def _unchanged(entry: Entry, spec: EntrySpec) -> bool:
    """Whether saving would repeat the working copy word for word (then no new revision)."""
    return (
        entry.title,
        entry.kind,
        entry.chapter_id,
        entry.body,
        entry.period,
        sorted(p.code for p in entry.places.all()),
        [tuple(getattr(s, n) for n in SOURCE_FIELDS) for s in entry.sources.all()],
    ) == (
        spec.title,
        spec.kind,
        spec.chapter.pk,
        spec.body,
        spec.period,
        sorted(p.code for p in spec.places),
        [tuple(getattr(s, n) for n in SOURCE_FIELDS) for s in spec.sources],
    )


# Entries ------------------------------------------------------------------------------------


@login_required
@require_safe
def entries(request: HttpRequest) -> HttpResponse:
    """Every working copy, newest change first, filtered by state (``?trang-thai=draft``)."""
    require_editor(request.user)
    state = request.GET.get("trang-thai", "")
    rows: QuerySet[Entry] = Entry.objects.select_related("chapter").order_by("-updated_at", "pk")
    if state in EntryState.values:
        rows = rows.filter(state=state)
    else:
        state = ""
    counts = dict(Entry.objects.values_list("state").annotate(n=Count("pk")).order_by())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("trang"))
    tabs = [("", _("Tất cả"), sum(counts.values()))] + [
        (value, label, counts.get(value, 0)) for value, label in EntryState.choices
    ]
    return render(
        request,
        "gazetteer/editor_entries.html",
        {
            "page": page,
            "state": state,
            "tabs": tabs,
            "kind_labels": KIND_LABELS,
            "state_labels": STATE_LABELS,
            "latest": queries.latest_edition(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def entry_new(request: HttpRequest) -> HttpResponse:
    """A new entry, saved as its first revision in draft."""
    require_editor(request.user)
    is_post = request.method == "POST"
    form = EntryForm(request.POST if is_post else None)
    sources = SourceFormSet(request.POST if is_post else None, prefix="nguon")
    if is_post and PREVIEW in request.POST:
        return _form_page(request, form, sources, None, {"has_chapters": Chapter.objects.exists()})
    if is_post and form.is_valid() and sources.is_valid():
        data = form.cleaned_data
        entry = do_save_entry(_spec(data["slug"], data, sources), acting_user=request.user)
        messages.success(request, _("Đã tạo mục từ “%s” (bản nháp, phiên bản 1).") % entry.title)
        return redirect("gazetteer_editor_entry", slug=entry.slug)
    return _form_page(request, form, sources, None, {"has_chapters": Chapter.objects.exists()})


def _spec(slug: str, data: dict[str, Any], sources: Any) -> EntrySpec:
    return EntrySpec(
        slug=slug,
        title=data["title"],
        kind=data["kind"],
        chapter=data["chapter"],
        body=data["body"],
        places=tuple(data["places"]),
        period=data["period"],
        sources=_source_specs(sources),
    )


@login_required
@require_http_methods(["GET", "POST"])
def entry_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Change an entry: each save is a new revision, in draft (it needs review again)."""
    entry = get_entry_for_editor(request.user, slug)
    if request.method == "POST":
        form = EntryForm(request.POST, entry=entry, initial={"slug": entry.slug})
        sources = SourceFormSet(request.POST, prefix="nguon")
        if PREVIEW in request.POST:
            form.is_valid()  # errors shown beside the preview; nothing is saved
            sources.is_valid()
        elif form.is_valid() and sources.is_valid():
            spec = _spec(entry.slug, form.cleaned_data, sources)
            if _unchanged(entry, spec):
                messages.info(request, _("Không có gì thay đổi; chưa lưu phiên bản mới."))
            else:
                entry = do_save_entry(spec, acting_user=request.user)
                messages.success(
                    request,
                    _("Đã lưu phiên bản %(n)s của “%(title)s” (bản nháp).")
                    % {"n": entry.revision, "title": entry.title},
                )
            return redirect("gazetteer_editor_entry", slug=entry.slug)
    else:
        form = EntryForm(
            entry=entry,
            initial={
                "title": entry.title,
                "slug": entry.slug,
                "kind": entry.kind,
                "chapter": entry.chapter.path,
                "places": ", ".join(p.code for p in entry.places.all()),
                "period": entry.period,
                "body": entry.body,
                "revision": entry.revision,
            },
        )
        sources = SourceFormSet(
            prefix="nguon",
            initial=[{n: getattr(s, n) for n in SOURCE_FIELDS} for s in entry.sources.all()],
        )
    published = EntryRevision.objects.filter(entry=entry, state=EntryState.PUBLISHED).aggregate(
        n=Max("number")
    )["n"]
    author = revision_author(entry)
    return _form_page(
        request,
        form,
        sources,
        entry,
        {
            "has_chapters": True,
            "state_label": STATE_LABELS[entry.state],
            "buttons": STATE_BUTTONS[EntryState(entry.state)],
            "published_revision": published,
            "latest": queries.latest_edition(),
            "author": _person(author),
            "may_approve": may_approve(entry, request.user),
        },
    )


def _form_page(
    request: HttpRequest,
    form: EntryForm,
    sources: Any,
    entry: Entry | None,
    extra: dict[str, Any],
) -> HttpResponse:
    """The entry form; after "Xem trước", with the text rendered as the public will read it."""
    preview = None
    if request.method == "POST" and PREVIEW in request.POST:
        preview = render_markdown(_posted_body(request))
    return render(
        request,
        "gazetteer/editor_entry_form.html",
        {"form": form, "sources": sources, "entry": entry, "preview": preview, **extra},
    )


def _posted_body(request: HttpRequest) -> str:
    return request.POST.get("body", "")[:BODY_MAX]


@login_required
@require_POST
def entry_preview(request: HttpRequest) -> HttpResponse:
    """The body rendered and sanitised exactly as publishing does, for the htmx preview."""
    require_editor(request.user)
    return render(
        request,
        "gazetteer/editor_preview.html",
        {"preview": render_markdown(_posted_body(request).replace("\r\n", "\n"))},
    )


@login_required
@require_POST
def entry_state(request: HttpRequest, slug: str) -> HttpResponse:
    """The state buttons: draft → reviewed → published, or back to draft. Approving for
    publication shows what will be published and asks for confirmation first; the author of
    the revision is refused (``do_set_entry_state`` refuses too)."""
    entry = get_entry_for_editor(request.user, slug)
    state = request.POST.get("state", "")
    if state not in EntryState.values:
        messages.error(request, _("Trạng thái không hợp lệ."))
        return redirect("gazetteer_editor_entry", slug=entry.slug)
    confirmed = request.POST.get(CONFIRM) == "1"
    asks = state == EntryState.PUBLISHED and entry.state == EntryState.REVIEWED and not confirmed
    # Whoever may not approve gets the refusal at once, not a question first.
    if asks and may_approve(entry, request.user):
        return _approval_page(request, entry, revision_author(entry))
    try:
        do_set_entry_state(entry, state, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("“%(title)s” đã chuyển sang “%(state)s”.")
            % {"title": entry.title, "state": STATE_LABELS[state]},
        )
    return redirect("gazetteer_editor_entry", slug=entry.slug)


def _person(user: Any) -> str:
    """A user as Vietnamese write a name (family name first), else the user name; "" for none."""
    if user is None:
        return ""
    return f"{user.last_name} {user.first_name}".strip() or user.get_username()


def _approval_page(request: HttpRequest, entry: Entry, author: Any) -> HttpResponse:
    """What approving will publish: the text rendered, changes since the last approved
    revision marked."""
    published = (
        EntryRevision.objects.filter(entry=entry, state=EntryState.PUBLISHED)
        .exclude(number=entry.revision)
        .order_by("-number")
        .first()
    )
    if published is not None and published.title == entry.title:
        diff = rendered_diff(published.body, entry.body)  # the title is the page's heading
    else:
        before = f"# {published.title}\n\n{published.body}" if published else ""
        diff = rendered_diff(before, f"# {entry.title}\n\n{entry.body}")
    return render(
        request,
        "gazetteer/editor_entry_confirm.html",
        {"entry": entry, "published": published, "diff": diff, "author": _person(author)},
    )


# Revisions ----------------------------------------------------------------------------------


def revision_text(revision: EntryRevision, chapters: dict[str, str]) -> str:
    """A revision's metadata and sources as lines to compare (its text is compared rendered,
    ``rendered_diff``)."""
    lines = [
        _("Tiêu đề: %s") % revision.title,
        _("Loại: %s") % KIND_LABELS.get(revision.kind, revision.kind),
        _("Chương: %s") % chapters.get(revision.chapter_path, revision.chapter_path),
        _("Thời kỳ: %s") % (revision.period or "—"),
        _("Địa danh: %s") % (", ".join(revision.place_codes) or "—"),
    ]
    for i, source in enumerate(revision.sources, start=1):
        parts = [source.get(n, "") for n in SOURCE_FIELDS]
        lines.append(
            _("Nguồn %(i)s: %(text)s") % {"i": i, "text": " — ".join(p for p in parts if p)}
        )
    return "\n".join(lines)


def _number(value: str | None, numbers: Sequence[int], default: int) -> int:
    try:
        number = int(value or "")
    except ValueError:
        return default
    return number if number in numbers else default


@login_required
@require_safe
def entry_revisions(request: HttpRequest, slug: str) -> HttpResponse:
    """Every revision, and a diff between any two: ``?a=1&b=3`` (default: the last two)."""
    entry = get_entry_for_editor(request.user, slug)
    revisions = list(
        EntryRevision.objects.filter(entry=entry).select_related("created_by").order_by("-number")
    )
    numbers = [r.number for r in revisions]
    b = _number(request.GET.get("b"), numbers, numbers[0] if numbers else 0)
    a = _number(request.GET.get("a"), numbers, max(b - 1, min(numbers, default=0)))
    by_number = {r.number: r for r in revisions}
    diff = ""
    body_diff = None
    if a in by_number and b in by_number:
        paths = {by_number[a].chapter_path, by_number[b].chapter_path}
        chapters = dict(Chapter.objects.filter(path__in=paths).values_list("path", "title"))
        diff = queries.text_diff_html(
            revision_text(by_number[a], chapters), revision_text(by_number[b], chapters)
        )
        body_diff = rendered_diff(by_number[a].body, by_number[b].body)
    return render(
        request,
        "gazetteer/editor_revisions.html",
        {
            "entry": entry,
            "revisions": revisions,
            "a": a,
            "b": b,
            "diff": diff,
            "body_diff": body_diff,
            "state_labels": STATE_LABELS,
        },
    )


# Editions -----------------------------------------------------------------------------------


class EditionForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Năm"), min_value=1800, max_value=2100)
    title = forms.CharField(label=gettext_lazy("Tên ấn bản"), max_length=255)
    notes = forms.CharField(
        label=gettext_lazy("Ghi chú (Markdown)"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def edition_new(request: HttpRequest) -> HttpResponse:
    """Publish the year's edition: the latest published revision of every entry, every figure."""
    require_editor(request.user)
    latest = queries.latest_edition()
    confirm = False
    if request.method == "POST":
        form = EditionForm(request.POST)
        if form.is_valid() and request.POST.get(CONFIRM) != "1":
            if Edition.objects.filter(year__gte=form.cleaned_data["year"]).exists():
                form.add_error(
                    "year",
                    _("Đã có ấn bản năm %(y)s hoặc mới hơn.") % {"y": form.cleaned_data["year"]},
                )
            else:
                confirm = True  # the same page asks once more, showing what will be frozen
                for field in form.fields.values():  # what is confirmed is what was typed
                    field.widget.attrs["readonly"] = True
        elif form.is_valid():
            data = form.cleaned_data
            try:
                edition = do_publish_edition(
                    data["year"], title=data["title"], notes=data["notes"], acting_user=request.user
                )
            except ValidationError as exc:
                form.add_error("year", " ".join(exc.messages))
            else:
                messages.success(
                    request,
                    _("Đã công bố “%(title)s”: %(n)s mục từ.")
                    % {"title": edition.title, "n": edition.entries.count()},
                )
                return redirect(reverse("gazetteer_changes", kwargs={"year": edition.year}))
    else:
        year = max(timezone.localdate().year, latest.year + 1 if latest else 0)
        form = EditionForm(initial={"year": year, "title": _("Địa chí Nghệ An — ấn bản %s") % year})
    counts = dict(Entry.objects.values_list("state").annotate(n=Count("pk")).order_by())
    return render(
        request,
        "gazetteer/editor_edition_form.html",
        {
            "form": form,
            "confirm": confirm,
            "latest": latest,
            "published_entries": EntryRevision.objects.filter(state=EntryState.PUBLISHED)
            .values("entry")
            .distinct()
            .count(),
            "waiting": counts.get(EntryState.DRAFT, 0) + counts.get(EntryState.REVIEWED, 0),
            "figures": Observation.objects.count(),
        },
    )


urlpatterns: list[URLPattern] = [
    path("bien-tap/", entries, name="gazetteer_editor_entries"),
    path("bien-tap/muc/moi/", entry_new, name="gazetteer_editor_entry_new"),
    path("bien-tap/muc/<slug:slug>/", entry_edit, name="gazetteer_editor_entry"),
    path("bien-tap/muc/<slug:slug>/trang-thai/", entry_state, name="gazetteer_editor_entry_state"),
    path("bien-tap/muc/<slug:slug>/phien-ban/", entry_revisions, name="gazetteer_editor_revisions"),
    path("bien-tap/an-ban/moi/", edition_new, name="gazetteer_editor_edition_new"),
    path("bien-tap/xem-truoc/", entry_preview, name="gazetteer_editor_preview"),
]
