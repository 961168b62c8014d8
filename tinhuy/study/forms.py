"""Forms of the conference pages: they check the shape of the input and build the specs the
actions take (``tinhuy.study.actions``); what only the data can tell, the actions check."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tinhuy.documents import tables
from tinhuy.documents.forms import UploadForm, date_field
from tinhuy.org.access import NO_SCOPE, Scope
from tinhuy.org.models import Structure, Unit
from tinhuy.study.access import presenter_unit_in_scope, unit_in_scope
from tinhuy.study.actions import (
    BridgeSpec,
    ConferenceSpec,
    InviteeSpec,
    ReportSpec,
    RuleProblem,
    RuleSpec,
    SegmentSpec,
)
from tinhuy.study.models import (
    BridgePoint,
    ConferenceMode,
    ConferenceReport,
    ContentKind,
    Plan,
    PresenterRole,
    Topic,
)

BLANK = [("", "—")]


# Every integer field is bounded, so no number typed in a form overflows a column (a 500 on
# both databases): head counts by what a PositiveIntegerField holds everywhere, a conference's
# length as the API bounds it (``tinhuy.study.schemas``).
MAX_COUNT = tables.MAX_COUNT  # the same bound as a file's count cells
MAX_SESSIONS = 60
TOO_LARGE = _("Số này lớn quá: tối đa %(limit_value)s.")
NOT_NEGATIVE = [MinValueValidator(0, message=_("Không được là số âm."))]
NOT_TOO_LARGE = [MaxValueValidator(MAX_COUNT, message=TOO_LARGE)]


def _count_field(label: Any, **kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, validators=[*NOT_NEGATIVE, *NOT_TOO_LARGE], **kwargs)


class BootstrapMixin:
    """Bootstrap classes on every widget, so templates can render ``{{ field }}`` as is."""

    fields: dict[str, forms.Field]

    def style_widgets(self) -> None:
        for form_field in self.fields.values():
            widget = form_field.widget
            if isinstance(widget, forms.Select):
                css = "form-select"
            elif isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)


class TimeTextField(forms.TimeField):
    """A time as people type it — 07:30, 7:30, 7h30, 07.30, 7 giờ 30 — read by the one parser
    of the imports (``tables.parse_time``)."""

    def to_python(self, value: Any) -> datetime.time | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.time):
            return value
        parsed, problem = tables.parse_time(str(value).strip())
        if problem is not None:
            raise forms.ValidationError(problem[:1].upper() + problem[1:])
        return parsed


class UnitCodeField(forms.CharField):
    """A unit of one structure typed by its code (e.g. 412-CS01), looked up in the caller's
    scope (``tinhuy.study.access``): a unit outside it gets the same message as a code that
    does not exist. ``presenter`` also admits the units above the scope (the province's
    reporters). The form sets ``structure_id`` and ``scope``; without a scope nothing is found."""

    def __init__(self, *args: Any, presenter: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        super().__init__(*args, **kwargs)
        self.presenter = presenter
        self.structure_id = 0
        self.scope: Scope = NO_SCOPE

    def clean(self, value: Any) -> Unit | None:  # type: ignore[override]
        code = super().clean(value)
        if not code:
            return None
        lookup = presenter_unit_in_scope if self.presenter else unit_in_scope
        unit = lookup(self.scope, self.structure_id, code)
        if unit is None:
            raise forms.ValidationError(
                _("Không có đơn vị mã “%(code)s” trong cơ cấu của kế hoạch."),
                params={"code": code},
            )
        return unit


def _bind_unit_field(field: forms.Field, plan: Plan, scope: Scope) -> None:
    """Point a form's own copy of a ``UnitCodeField`` at the plan's structure and the caller."""
    unit_field = cast(UnitCodeField, field)
    unit_field.structure_id = plan.structure_id
    unit_field.scope = scope


class ConferenceForm(BootstrapMixin, forms.Form):
    host = forms.ModelChoiceField(
        label=_("Đơn vị tổ chức"),
        queryset=Unit.objects.none(),
        empty_label="—",
        error_messages={
            "invalid_choice": _(
                "Hãy chọn một đơn vị trong phạm vi của bạn ở cấp kế hoạch yêu cầu tổ chức hội nghị."
            )
        },
    )
    date = date_field(_("Ngày tổ chức"))
    start_time = TimeTextField(
        label=_("Giờ bắt đầu"),
        required=False,
        widget=forms.TimeInput(format="%H:%M", attrs={"placeholder": "hh:mm"}),
    )
    length_sessions = forms.IntegerField(
        label=_("Thời lượng (buổi)"),
        min_value=1,
        max_value=MAX_SESSIONS,
        initial=1,
        help_text=_("Một buổi là nửa ngày; một ngày là 2 buổi."),
        error_messages={"min_value": _("Thời lượng phải ít nhất 1 buổi."), "max_value": TOO_LARGE},
    )
    mode = forms.ChoiceField(label=_("Hình thức"), choices=ConferenceMode.choices)
    venue = forms.CharField(label=_("Địa điểm"), max_length=255, required=False)
    # Shown with the problems the rule found: ticked, the registration is saved anyway, if the
    # problems are still those the page showed (``problems_seen``, their digest).
    confirm_problems = forms.BooleanField(
        label=_("Vẫn lưu: tôi đã xem các vấn đề trên và xác nhận đăng ký như vậy."),
        required=False,
    )
    problems_seen = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)

    CONFIRM_FIELDS = ("confirm_problems", "problems_seen")

    def __init__(self, *args: Any, hosts: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()
        host = self.fields["host"]
        host.queryset = hosts  # type: ignore[attr-defined]
        host.label_from_instance = lambda u: f"{u.code} — {u.name} ({u.level.name})"  # type: ignore[attr-defined]

    def entry_fields(self) -> list[forms.BoundField]:
        """The fields of the registration itself (the confirmation is rendered apart)."""
        return [self[name] for name in self.fields if name not in self.CONFIRM_FIELDS]

    def confirms(self, problems: Sequence[RuleProblem]) -> bool:
        """Whether the user ticked “Vẫn lưu” under exactly these problems."""
        data = self.cleaned_data
        return bool(data.get("confirm_problems")) and data.get("problems_seen") == problems_digest(
            problems
        )


def problems_digest(problems: Sequence[RuleProblem]) -> str:
    """A short fingerprint of the problems a page showed, posted back with the confirmation."""
    text = "\n".join(f"{p.rule}:{p.message}" for p in problems)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class SegmentForm(BootstrapMixin, forms.Form):
    """One item of the agenda: a topic or document, presented by someone."""

    topic = forms.ModelChoiceField(
        label=_("Chuyên đề"), queryset=Topic.objects.none(), required=False, empty_label="—"
    )
    content_kind = forms.ChoiceField(label=_("Nội dung"), choices=BLANK + list(ContentKind.choices))
    presenter_name = forms.CharField(label=_("Báo cáo viên"), max_length=150)
    presenter_role = forms.ChoiceField(
        label=_("Chức danh"), choices=BLANK + list(PresenterRole.choices)
    )
    presenter_position = forms.CharField(label=_("Chức vụ"), max_length=255, required=False)
    presenter_unit = UnitCodeField(
        label=_("Mã đơn vị của báo cáo viên"),
        help_text=_("Ví dụ 40 (Tỉnh ủy) hoặc mã của đơn vị tổ chức."),
        presenter=True,
    )

    def __init__(self, *args: Any, plan: Plan, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()
        self.fields["topic"].queryset = plan.topics.all()  # type: ignore[attr-defined]
        self.fields["topic"].label_from_instance = lambda t: f"{t.order}. {t.title}"  # type: ignore[attr-defined]
        _bind_unit_field(self.fields["presenter_unit"], plan, scope)

    def spec(self) -> SegmentSpec:
        data = self.cleaned_data
        return SegmentSpec(
            content_kind=data["content_kind"],
            presenter_name=data["presenter_name"],
            presenter_role=data["presenter_role"],
            presenter_unit=data["presenter_unit"],
            presenter_position=data["presenter_position"],
            topic_order=data["topic"].order if data["topic"] else None,
        )


class BridgeForm(BootstrapMixin, forms.Form):
    """A bridge point ("điểm cầu") of an online or hybrid conference."""

    unit = UnitCodeField(label=_("Mã đơn vị"))
    venue = forms.CharField(label=_("Địa điểm"), max_length=255, required=False)
    host_person = forms.CharField(label=_("Người chủ trì"), max_length=150, required=False)
    expected_count = _count_field(_("Số người phải dự"))

    def __init__(self, *args: Any, plan: Plan, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()
        _bind_unit_field(self.fields["unit"], plan, scope)

    def spec(self) -> BridgeSpec:
        data = self.cleaned_data
        return BridgeSpec(
            unit=data["unit"],
            expected_count=data["expected_count"],
            venue=data["venue"],
            host_person=data["host_person"],
        )


SegmentFormSet = forms.formset_factory(SegmentForm, extra=4, max_num=30, validate_max=True)
BridgeFormSet = forms.formset_factory(BridgeForm, extra=3, max_num=200, validate_max=True)


def filled_forms(formset: forms.BaseFormSet) -> list[Any]:
    """The forms of a valid formset that the user filled in (blank extra rows are skipped)."""
    return [f for f in formset.forms if f.has_changed() and f.cleaned_data]


def conference_spec(
    form: ConferenceForm, segments: forms.BaseFormSet, bridges: forms.BaseFormSet
) -> ConferenceSpec:
    data = form.cleaned_data
    return ConferenceSpec(
        host=data["host"],
        date=data["date"],
        length_sessions=data["length_sessions"],
        mode=data["mode"],
        venue=data["venue"],
        start_time=data["start_time"],
        segments=tuple(f.spec() for f in filled_forms(segments)),
        bridge_points=tuple(f.spec() for f in filled_forms(bridges)),
    )


def bridges_need_online(form: ConferenceForm, bridges: forms.BaseFormSet) -> bool:
    """Bridge points belong to online or hybrid conferences; add the error if not."""
    if filled_forms(bridges) and form.cleaned_data.get("mode") == ConferenceMode.IN_PERSON:
        form.add_error(
            "mode",
            _("Hội nghị có điểm cầu phải là trực tuyến hoặc trực tiếp kết hợp trực tuyến."),
        )
        return False
    return True


class ReportUploadForm(UploadForm):
    """The report file, and — after an upload the level's rules found problems with — the
    confirmation to save anyway, valid for the problems the page showed (``problems_seen``)."""

    confirm_problems = forms.BooleanField(
        label=_("Vẫn lưu: tôi đã xem các vấn đề nêu trên và xác nhận các dòng ấy như vậy."),
        required=False,
    )
    problems_seen = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)

    def confirmed_digest(self) -> str:
        """The digest of the problems confirmed, or "" when “Vẫn lưu” is not ticked."""
        data = self.cleaned_data
        return str(data.get("problems_seen") or "") if data.get("confirm_problems") else ""


class CancelForm(BootstrapMixin, forms.Form):
    """Why a registration is cancelled: required, kept on the conference and in the audit."""

    reason = forms.CharField(
        label=_("Lý do hủy"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Hãy ghi lý do hủy đăng ký.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()


class ReportForm(BootstrapMixin, forms.Form):
    """The host's report; for an amendment, pre-filled with the previous version."""

    expected_count = _count_field(_("Số người phải dự"))
    attended_count = _count_field(_("Số người dự"))
    made_up_count = _count_field(_("Số người học bù"), initial=0)
    reflections_count = _count_field(_("Số bài thu hoạch"), initial=0)
    absence_notes = forms.CharField(
        label=_("Vắng mặt và lý do"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    minutes = forms.CharField(
        label=_("Biên bản, ghi chú"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def __init__(
        self,
        data: Any = None,
        *,
        bridge_points: list[BridgePoint],
        previous: ConferenceReport | None,
        **kwargs: Any,
    ) -> None:
        if previous is not None:
            kwargs["initial"] = {
                name: getattr(previous, name)
                for name in (
                    "expected_count",
                    "attended_count",
                    "made_up_count",
                    "reflections_count",
                    "absence_notes",
                    "minutes",
                )
            }
        super().__init__(data, **kwargs)
        self.bridge_points = bridge_points
        for bridge in bridge_points:
            label = _("Số người dự tại điểm cầu %(unit)s (phải dự %(n)s)") % {
                "unit": bridge.unit.name,
                "n": bridge.expected_count,
            }
            self.fields[self.bridge_field(bridge)] = forms.IntegerField(
                label=label,
                required=False,
                initial=bridge.attended_count,
                validators=NOT_NEGATIVE,
                max_value=bridge.expected_count,
                error_messages={
                    "max_value": _(
                        "Số người dự lớn hơn số người phải dự tại điểm cầu (%(limit_value)s)."
                    )
                },
            )
        self.style_widgets()

    @staticmethod
    def bridge_field(bridge: BridgePoint) -> str:
        return f"bridge_{bridge.unit_id}"

    def bridge_fields(self) -> list[forms.BoundField]:
        return [self[self.bridge_field(b)] for b in self.bridge_points]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        expected, attended = data.get("expected_count"), data.get("attended_count")
        made_up = data.get("made_up_count") or 0
        if expected is not None and attended is not None:
            if attended > expected:
                self.add_error(
                    "attended_count",
                    _("Số người dự (%(a)s) lớn hơn số người phải dự (%(e)s).")
                    % {"a": attended, "e": expected},
                )
            elif attended + made_up > expected:
                self.add_error(
                    "made_up_count",
                    _("Số người học bù (%(m)s) lớn hơn số người vắng mặt (%(n)s).")
                    % {"m": made_up, "n": expected - attended},
                )
        return data

    def spec(self) -> ReportSpec:
        data = self.cleaned_data
        return ReportSpec(
            expected_count=data["expected_count"],
            attended_count=data["attended_count"],
            made_up_count=data["made_up_count"] or 0,
            reflections_count=data["reflections_count"] or 0,
            absence_notes=data["absence_notes"],
            minutes=data["minutes"],
            bridge_attended={
                b.unit_id: data[self.bridge_field(b)]
                for b in self.bridge_points
                if data.get(self.bridge_field(b)) is not None
            },
        )


INVITEE_COLUMNS = {
    "full_name": _("Họ và tên"),
    "position": _("Chức vụ"),
    "organisation": _("Đơn vị"),
}
MAX_INVITEE_LINES = 2000


class InviteesForm(BootstrapMixin, forms.Form):
    """The invitation list pasted as lines: “Họ và tên; Chức vụ; Đơn vị” (or the three columns
    copied from Excel, which pastes tabs). ``specs`` holds the rows after ``is_valid``."""

    lines = forms.CharField(
        label=_("Danh sách khách mời"),
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Chưa có dòng nào.")},
        help_text=_(
            "Mỗi dòng một người: Họ và tên; Chức vụ; Đơn vị (cách nhau bằng dấu chấm phẩy, hoặc "
            "dán ba cột từ Excel). Chức vụ và đơn vị không bắt buộc."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()
        self.specs: list[InviteeSpec] = []

    def clean_lines(self) -> str:
        text: str = self.cleaned_data["lines"]
        rows = text.splitlines()
        if len(rows) > MAX_INVITEE_LINES:
            raise forms.ValidationError(_("Tối đa %(n)s dòng một lần.") % {"n": MAX_INVITEE_LINES})
        specs = []
        for number, line in enumerate(rows, start=1):
            if not line.strip():
                continue
            cells = [c.strip() for c in (line.split("\t") if "\t" in line else line.split(";"))]
            if len(cells) > 3:
                raise forms.ValidationError(
                    _("Dòng %(row)s: có %(n)s cột; chỉ có ba cột Họ và tên; Chức vụ; Đơn vị.")
                    % {"row": number, "n": len(cells)}
                )
            cells += [""] * (3 - len(cells))
            specs.append(InviteeSpec(number, *cells))
        if not specs:
            raise forms.ValidationError(_("Chưa có dòng nào."))
        self.specs = specs
        return text


# Drafting a plan ----------------------------------------------------------------------------

MAX_TOPICS = 50


class PlanHeaderForm(BootstrapMixin, forms.Form):
    """A draft plan's name and the document it studies."""

    title = forms.CharField(
        label=_("Tên kế hoạch"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    source_document = forms.CharField(
        label=_("Văn bản được quán triệt"),
        max_length=500,
        help_text=_("Ví dụ: Nghị quyết Đại hội đại biểu Đảng bộ tỉnh lần thứ XX."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()


class NewPlanForm(PlanHeaderForm):
    """A new draft plan: where it runs, who issues it, its name, source and topics."""

    structure = forms.ModelChoiceField(
        label=_("Cơ cấu tổ chức"),
        queryset=Structure.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Hãy chọn một cơ cấu tổ chức trong danh sách.")},
    )
    issuing_unit = forms.ModelChoiceField(
        label=_("Cơ quan ban hành"),
        queryset=Unit.objects.none(),
        empty_label=None,
        error_messages={
            "invalid_choice": _("Hãy chọn một đơn vị mà bạn được soạn kế hoạch cho đơn vị ấy.")
        },
    )
    topics = forms.CharField(
        label=_("Chuyên đề"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Mỗi dòng một chuyên đề; sau khi tạo vẫn thêm, sửa, xóa, sắp xếp được."),
        error_messages={"required": _("Kế hoạch phải có ít nhất một chuyên đề.")},
    )
    field_order = ["structure", "issuing_unit", "title", "source_document", "topics"]

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        structure = self.fields["structure"]
        structure.queryset = Structure.objects.filter(  # type: ignore[attr-defined]
            pk__in=units.values("structure_id")
        ).order_by("name")
        unit = self.fields["issuing_unit"]
        unit.queryset = units  # type: ignore[attr-defined]
        unit.label_from_instance = lambda u: f"{u.name} — {u.structure.name}"  # type: ignore[attr-defined]

    def clean_topics(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["topics"].splitlines()]
        topics = [line for line in lines if line]
        if not topics:
            raise forms.ValidationError(_("Kế hoạch phải có ít nhất một chuyên đề."))
        if len(topics) > MAX_TOPICS:
            raise forms.ValidationError(_("Tối đa %(n)s chuyên đề.") % {"n": MAX_TOPICS})
        if any(len(t) > 500 for t in topics):
            raise forms.ValidationError(_("Tên một chuyên đề dài quá 500 ký tự."))
        return topics

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        structure, unit = data.get("structure"), data.get("issuing_unit")
        if structure is not None and unit is not None and unit.structure_id != structure.pk:
            self.add_error(
                "issuing_unit",
                _("Cơ quan ban hành “%(unit)s” không thuộc cơ cấu “%(structure)s”.")
                % {"unit": unit.name, "structure": structure.name},
            )
        return data


class TopicForm(BootstrapMixin, forms.Form):
    title = forms.CharField(
        label=_("Chuyên đề"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    documents = forms.CharField(
        label=_("Tài liệu"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()


class RuleForm(BootstrapMixin, forms.Form):
    """What a draft plan asks of one level; the participant levels are the levels below it."""

    audience = forms.CharField(label=_("Đối tượng"), max_length=500)
    length_sessions = forms.IntegerField(
        label=_("Thời lượng (buổi)"),
        min_value=1,
        max_value=MAX_SESSIONS,
        initial=1,
        help_text=_("Một buổi là nửa ngày; một ngày là 2 buổi."),
        error_messages={"min_value": _("Thời lượng phải ít nhất 1 buổi."), "max_value": TOO_LARGE},
    )
    window_start = date_field(_("Bắt đầu"))
    deadline = date_field(_("Hạn hoàn thành"))
    online_allowed = forms.BooleanField(
        label=_("Cho phép học trực tuyến có điểm cầu"), required=False
    )
    participant_levels = forms.MultipleChoiceField(
        label=_("Cấp dự cùng (dự tại hội trường hoặc tại điểm cầu)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Cấp dự cùng phải là một cấp dưới của cấp này.")},
    )
    presenter_rule = forms.BooleanField(
        label=_("Áp dụng quy định báo cáo viên"), required=False, initial=True
    )

    def __init__(
        self, *args: Any, level_code: str, below: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        kwargs.setdefault("prefix", f"cap-{level_code}")
        super().__init__(*args, **kwargs)
        self.level_code = level_code
        self.fields["participant_levels"].choices = below  # type: ignore[attr-defined]
        if not below:
            del self.fields["participant_levels"]
        self.style_widgets()
        if "participant_levels" in self.fields:
            self.fields["participant_levels"].widget.attrs["class"] = "form-check-input"

    def spec(self) -> RuleSpec:
        data = self.cleaned_data
        return RuleSpec(
            level_code=self.level_code,
            audience=data["audience"],
            length_sessions=data["length_sessions"],
            window_start=data["window_start"],
            deadline=data["deadline"],
            online_allowed=data["online_allowed"],
            participant_level_codes=tuple(data.get("participant_levels") or ()),
            presenter_rule=data["presenter_rule"],
        )


class BoardDraftForm(BootstrapMixin, forms.Form):
    submitting_unit = forms.ModelChoiceField(
        label=_("Cơ quan trình"),
        queryset=Unit.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Hãy chọn cơ quan trình trong danh sách.")},
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["submitting_unit"].queryset = units  # type: ignore[attr-defined]
        self.style_widgets()
