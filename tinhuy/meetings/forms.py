"""Forms of the meetings pages. They check the shape of what is typed (a date, a number within
bounds, a choice among what the user may pick) and hand the values to the actions
(``tinhuy.meetings.actions``), which check what only the data can tell and answer in
Vietnamese."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tinhuy.documents.forms import REQUIRED, date_field
from tinhuy.meetings.actions import FollowUpSpec, MemberSpec
from tinhuy.meetings.models import DispositionKind, Draft, Outcome
from tinhuy.org.models import Person, Unit
from tinhuy.register.models import MAX_NUMBER, DocType

MAX_LINE = 99_999  # far above any draft's line count, far below what a column holds
BAD_CHOICE = _("Hãy chọn một mục trong danh sách.")
TEXT_LIMIT = 100_000  # a draft's text: a long plan is tens of thousands of characters


def unit_label(unit: Unit) -> str:
    """A unit in a list where two structures hold units of the same name."""
    return f"{unit.name} ({unit.structure.name})"


def person_label(person: Person) -> str:
    position = f", {person.position}" if person.position else ""
    return f"{person.full_name}{position} — {person.unit.name}"


class StyledForm(forms.Form):
    """Bootstrap classes on every widget, and Vietnamese messages for the common mistakes, so
    templates render ``{{ field }}`` as is."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select):
                css = "form-select"
            elif isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)
            # Django's own "This field is required." unless the field says better.
            if (
                field.error_messages.get("required")
                == forms.Field.default_error_messages["required"]
            ):
                field.error_messages["required"] = REQUIRED
            if "invalid_choice" in field.error_messages:
                field.error_messages["invalid_choice"] = BAD_CHOICE


# Drafts -------------------------------------------------------------------------------------


class DraftForm(StyledForm):
    title = forms.CharField(label=_("Tên dự thảo"), max_length=500)
    doc_type = forms.ChoiceField(label=_("Loại văn bản"), choices=DocType.choices)
    submitting_unit = forms.ModelChoiceField(
        label=_("Cơ quan trình"), queryset=Unit.objects.none(), empty_label="—"
    )
    issuing_unit = forms.ModelChoiceField(
        label=_("Cơ quan ban hành"), queryset=Unit.objects.none(), empty_label="—"
    )
    text = forms.CharField(
        label=_("Nội dung (Markdown)"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Có thể để trống và soạn sau; mỗi đoạn một dòng, dòng trống ngăn các đoạn."),
    )

    def __init__(
        self,
        *args: Any,
        submitting: QuerySet[Unit],
        issuing: QuerySet[Unit],
        with_text: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, units in (("submitting_unit", submitting), ("issuing_unit", issuing)):
            field = self.fields[name]
            field.queryset = units  # type: ignore[attr-defined]
            field.label_from_instance = unit_label  # type: ignore[attr-defined]
        if not with_text:
            del self.fields["text"]


class TextForm(StyledForm):
    text = forms.CharField(
        label=_("Nội dung đang soạn (Markdown)"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 16}),
    )
    note = forms.CharField(
        label=_("Ghi chú lần trình"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Chỉ dùng khi trình lần mới, ví dụ: “Tiếp thu ý kiến phiên họp 29/10/2020”."),
    )


class SubmitForm(StyledForm):
    """The note of a new version (a plan draft: its text is the plan as it stands)."""

    note = TextForm.base_fields["note"]


class OpinionForm(StyledForm):
    line_from = forms.IntegerField(
        label=_("Từ dòng"),
        required=False,
        min_value=0,
        max_value=MAX_LINE,
        error_messages={"invalid": _("Ghi số dòng bằng chữ số.")},
    )
    line_to = forms.IntegerField(
        label=_("Đến dòng"),
        required=False,
        min_value=0,
        max_value=MAX_LINE,
        error_messages={"invalid": _("Ghi số dòng bằng chữ số.")},
    )
    text = forms.CharField(
        label=_("Nội dung ý kiến"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 3})
    )
    proposed_text = forms.CharField(
        label=_("Đề nghị sửa thành"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("line_from", "line_to"):
            self.fields[name].error_messages.update(
                {
                    "min_value": _("Số dòng không được âm."),
                    "max_value": _("Số dòng lớn quá."),
                }
            )


class DispositionForm(StyledForm):
    kind = forms.ChoiceField(label=_("Tiếp thu"), choices=DispositionKind.choices)
    explanation = forms.CharField(
        label=_("Giải trình"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Bắt buộc khi tiếp thu một phần hoặc không tiếp thu."),
    )


class IssueForm(StyledForm):
    issued_on = date_field(_("Ngày ban hành"))
    signer_name = forms.CharField(label=_("Người ký"), max_length=150)
    signer_position = forms.CharField(label=_("Chức vụ"), max_length=150, initial="BÍ THƯ")
    authority = forms.CharField(
        label=_("Thẩm quyền ký"), max_length=150, initial="T/M BAN THƯỜNG VỤ"
    )
    recipients = forms.CharField(
        label=_("Nơi nhận"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    number = forms.IntegerField(
        label=_("Số (ghi tay)"),
        required=False,
        min_value=1,
        max_value=MAX_NUMBER,
        help_text=_("Để trống để lấy số kế tiếp."),
        error_messages={
            "invalid": _("Ghi số bằng chữ số."),
            "min_value": _("Số văn bản bắt đầu từ 1."),
            "max_value": _("Số này lớn quá."),
        },
    )
    reason = forms.CharField(
        label=_("Lý do ghi số tay"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Bắt buộc khi ghi số khác số kế tiếp."),
    )

    SIGNATURE = (
        "issued_on",
        "signer_name",
        "signer_position",
        "authority",
        "recipients",
        "number",
        "reason",
    )

    def signature(self) -> dict[str, Any]:
        """The keyword arguments every issuing action takes (a valid form's values)."""
        return {name: self.cleaned_data[name] for name in self.SIGNATURE}


# Meetings -----------------------------------------------------------------------------------

ATTENDANCE_CHOICES = [
    ("", _("Không triệu tập")),
    ("present", _("Có mặt")),
    ("absent", _("Vắng")),
]


class MeetingForm(StyledForm):
    """A meeting, and for each person of the body's unit: present, absent (with the reason)
    or not called. Attendance fields are ``member_<id>`` and ``reason_<id>``."""

    date = date_field(_("Ngày họp"))
    title = forms.CharField(label=_("Tên phiên họp"), max_length=255, required=False)
    presiding = forms.ModelChoiceField(
        label=_("Chủ trì"), queryset=Person.objects.none(), required=False, empty_label="—"
    )
    guests = forms.CharField(
        label=_("Khách mời"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, people: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = people
        presiding = self.fields["presiding"]
        presiding.queryset = Person.objects.filter(  # type: ignore[attr-defined]
            pk__in=[p.pk for p in people]
        )
        presiding.label_from_instance = person_label  # type: ignore[attr-defined]
        for person in people:
            self.fields[f"member_{person.pk}"] = forms.ChoiceField(
                label=person.full_name,
                choices=ATTENDANCE_CHOICES,
                required=False,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            self.fields[f"reason_{person.pk}"] = forms.CharField(
                label=_("Lý do vắng"),
                required=False,
                max_length=255,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )

    def member_rows(self) -> list[tuple[Person, forms.BoundField, forms.BoundField]]:
        return [(p, self[f"member_{p.pk}"], self[f"reason_{p.pk}"]) for p in self.people]

    def members(self) -> list[MemberSpec]:
        specs = []
        for person in self.people:
            status = self.cleaned_data.get(f"member_{person.pk}")
            if status:
                specs.append(
                    MemberSpec(
                        person,
                        present=status == "present",
                        absence_reason=self.cleaned_data.get(f"reason_{person.pk}", ""),
                    )
                )
        return specs


class AddItemForm(StyledForm):
    draft = forms.ModelChoiceField(
        label=_("Dự thảo đã trình"), queryset=Draft.objects.none(), empty_label="—"
    )

    def __init__(self, *args: Any, drafts: QuerySet[Draft], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["draft"].queryset = drafts  # type: ignore[attr-defined]


class ConclusionForm(StyledForm):
    conclusion = forms.CharField(
        label=_("Kết luận"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 5})
    )
    outcome = forms.ChoiceField(label=_("Kết quả"), choices=Outcome.choices)


class FollowUpForm(StyledForm):
    """One follow-up. Every field may be left out here: the action names what is missing
    ("Việc “…” chưa có hạn hoàn thành."), and a row left wholly blank is no follow-up."""

    what = forms.CharField(
        label=_("Nội dung giao"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    lead_unit = forms.ModelChoiceField(
        label=_("Đơn vị chủ trì"), queryset=Unit.objects.none(), required=False, empty_label="—"
    )
    person = forms.ModelChoiceField(
        label=_("Người phụ trách"), queryset=Person.objects.none(), required=False, empty_label="—"
    )
    due_on = date_field(_("Hạn hoàn thành"), required=False)

    def __init__(
        self, *args: Any, units: QuerySet[Unit], people: QuerySet[Person], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        lead_unit, person = self.fields["lead_unit"], self.fields["person"]
        lead_unit.queryset = units  # type: ignore[attr-defined]
        lead_unit.label_from_instance = lambda u: u.name  # type: ignore[attr-defined]
        person.queryset = people  # type: ignore[attr-defined]
        person.label_from_instance = person_label  # type: ignore[attr-defined]

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not (
            (data.get("what") or "").strip()
            or data.get("lead_unit")
            or data.get("person")
            or data.get("due_on")
        )

    def spec(self) -> FollowUpSpec:
        data = self.cleaned_data
        return FollowUpSpec(
            what=data.get("what") or "",
            lead_unit=data.get("lead_unit"),
            person=data.get("person"),
            due_on=data.get("due_on"),
        )


FollowUpFormSet = forms.formset_factory(FollowUpForm, extra=3, max_num=20, absolute_max=20)


class CloseForm(StyledForm):
    note = forms.CharField(
        label=_("Kết quả thực hiện"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Hãy ghi kết quả thực hiện khi đóng việc.")},
    )
