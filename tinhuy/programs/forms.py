"""Forms of the programme pages. They check the shape of what is typed (a date dd/mm/yyyy, a
sum of whole đồng, a choice among the units and people the user sees) and hand the values to
the actions (``tinhuy.programs.actions``), which check what only the data can tell and answer in
Vietnamese. A unit or a person outside the user's sight is not among the choices, so picking one
(or a made-up id) reads the same: "Hãy chọn một mục trong danh sách."."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from tinhuy.documents.forms import DATE_INPUT, date_field
from tinhuy.meetings.forms import StyledForm, person_label
from tinhuy.org.models import Person, Unit
from tinhuy.programs import actions
from tinhuy.programs.models import FundingSource, Node, NodeKind, Programme, ProgrammeKind
from tinhuy.register.models import DocType

MAX_STAFF = 1_000_000
MAX_WEIGHT = Decimal("99999.99")
MIN_YEAR, MAX_YEAR = 1901, 2199


def year_field(label: Any) -> forms.IntegerField:
    """An optional year, typed in digits, within MIN_YEAR–MAX_YEAR."""
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        error_messages={
            "invalid": _("Ghi năm bằng chữ số."),
            "min_value": _("Năm không hợp lệ."),
            "max_value": _("Năm không hợp lệ."),
        },
    )
MAX_TARGETS = 50
PROGRAMME_DOC_TYPES = [
    (DocType.KH.value, DocType.KH.label),
    (DocType.CTR.value, DocType.CTR.label),
    (DocType.DA.value, DocType.DA.label),
]


def parse_decimal(value: str, label: Any) -> Decimal | None:
    """A number typed the Vietnamese way (1.234,5) or plainly (1234.5); empty → None."""
    text = (value or "").strip().replace(" ", "").replace("\u00a0", "")
    if not text:
        return None
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif text.count(".") > 1:
        text = text.replace(".", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValidationError(
            _("%(f)s “%(v)s” không phải là số.") % {"f": label, "v": value}
        ) from None
    if not number.is_finite() or abs(number) >= Decimal(10) ** 15:
        raise ValidationError(_("%(f)s “%(v)s” không phải là số.") % {"f": label, "v": value})
    if number != number.quantize(Decimal("0.0001")):
        raise ValidationError(_("%(f)s có tối đa 4 chữ số thập phân.") % {"f": label})
    return number


# Units grouped by structure ------------------------------------------------------------------


def unit_choices(units: QuerySet[Unit]) -> QuerySet[Unit]:
    """Units as the selects list them: by structure, then down the tree, then by name."""
    return units.select_related("structure").order_by("structure__code", "depth", "name_sort")


class _GroupedIterator(ModelChoiceIterator):
    """Options in one ``<optgroup>`` per structure (two structures hold units of one name)."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        group: str | None = None
        options: list[Any] = []
        for unit in self.queryset:
            name = unit.structure.name
            if name != group and options:
                yield (group, options)
                options = []
            group = name
            options.append(self.choice(unit))
        if options:
            yield (group, options)


class UnitField(forms.ModelChoiceField):  # type: ignore[type-arg]
    iterator = _GroupedIterator

    def label_from_instance(self, obj: Any) -> str:
        return f"{'— ' * min(obj.depth, 4)}{obj.name}"


class UnitsField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    iterator = _GroupedIterator

    def label_from_instance(self, obj: Any) -> str:
        return f"{'— ' * min(obj.depth, 4)}{obj.name}"


def _set_units(field: forms.Field, units: QuerySet[Unit]) -> None:
    field.queryset = unit_choices(units)  # type: ignore[attr-defined]


def reason_field() -> forms.CharField:
    """ "Lý do điều chỉnh": required on the forms that adjust an approved plan (and only there);
    its length is checked as the action checks it (``actions.check_reason``)."""
    return forms.CharField(
        label=_("Lý do điều chỉnh"),
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        help_text=_("Kế hoạch đã được phê duyệt: lý do được lưu vào nhật ký cùng thay đổi."),
        error_messages={"required": _("Hãy ghi lý do điều chỉnh kế hoạch đã phê duyệt.")},
    )


class AdjustingForm(StyledForm):
    """A form of the plan; ``adjusting``: the programme is approved or running, so the form
    carries a required reason (``reason_field``)."""

    def __init__(self, *args: Any, adjusting: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.adjusting = adjusting
        if adjusting:
            self.fields["reason"] = reason_field()

    def clean_reason(self) -> str:
        return actions.check_reason(self.cleaned_data.get("reason"))

    @property
    def given_reason(self) -> str:
        return str(self.cleaned_data.get("reason", "")) if self.adjusting else ""


# The programme ---------------------------------------------------------------------------------


class ProgrammeForm(StyledForm):
    kind = forms.ChoiceField(label=_("Loại"), choices=ProgrammeKind.choices)
    title = forms.CharField(label=_("Tên chương trình, đề án"), max_length=500)
    source_decision = forms.CharField(
        label=_("Văn bản nguồn"),
        required=False,
        max_length=500,
        help_text=_("Ví dụ: Quyết định 827/QĐ-TTg ngày 12/6/2020 của Thủ tướng Chính phủ"),
    )
    goals = forms.CharField(
        label=_("Mục tiêu"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    period_start = date_field(_("Thời gian từ"), required=False)
    period_end = date_field(_("Thời gian đến"), required=False)
    owner_unit = UnitField(label=_("Đơn vị chủ trì"), queryset=Unit.objects.none(), empty_label="—")
    focal_agency = UnitField(
        label=_("Cơ quan đầu mối"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label="—",
        help_text=_("Cơ quan điều phối chung; bắt buộc trước khi trình phê duyệt."),
    )
    coordinating_units = UnitsField(
        label=_("Đơn vị phối hợp"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(
        self, *args: Any, owners: QuerySet[Unit], seen: QuerySet[Unit], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _set_units(self.fields["owner_unit"], owners)
        _set_units(self.fields["focal_agency"], seen)
        _set_units(self.fields["coordinating_units"], seen)

    @staticmethod
    def initial_of(programme: Programme) -> dict[str, Any]:
        return {
            "kind": programme.kind,
            "title": programme.title,
            "source_decision": programme.source_decision,
            "goals": programme.goals,
            "period_start": programme.period_start,
            "period_end": programme.period_end,
            "owner_unit": programme.owner_unit_id,
            "focal_agency": programme.focal_agency_id,
            "coordinating_units": [u.pk for u in programme.coordinating_units.all()],
        }

    def spec(self) -> actions.ProgrammeSpec:
        data = self.cleaned_data
        return actions.ProgrammeSpec(
            kind=data["kind"],
            title=data["title"],
            source_decision=data["source_decision"],
            goals=data["goals"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            owner_unit=data["owner_unit"],
            focal_agency=data["focal_agency"],
            coordinating_units=list(data["coordinating_units"]),
        )


class ProgrammeDraftForm(StyledForm):
    """The Board draft that carries the programme: who submits it and as what document."""

    submitting_unit = UnitField(
        label=_("Cơ quan trình"), queryset=Unit.objects.none(), empty_label="—"
    )
    doc_type = forms.ChoiceField(label=_("Loại văn bản"), choices=PROGRAMME_DOC_TYPES)

    def __init__(self, *args: Any, submitting: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_units(self.fields["submitting_unit"], submitting)


# A node ------------------------------------------------------------------------------------


class NodeForm(AdjustingForm):
    kind = forms.ChoiceField(label=_("Loại mục"), choices=NodeKind.choices)
    code = forms.CharField(
        label=_("Số hiệu"),
        required=False,
        max_length=32,
        help_text=_("Để trống để đánh số tự động (1.2.3)."),
    )
    title = forms.CharField(label=_("Tên"), max_length=500)
    description = forms.CharField(
        label=_("Mô tả"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    is_focus = forms.BooleanField(label=_("Trọng tâm"), required=False)
    is_key = forms.BooleanField(label=_("Trọng điểm"), required=False)
    is_breakthrough = forms.BooleanField(label=_("Đột phá"), required=False)
    lead_unit = UnitField(
        label=_("Đơn vị chủ trì"), queryset=Unit.objects.none(), required=False, empty_label="—"
    )
    coordinating_units = UnitsField(
        label=_("Đơn vị phối hợp"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    responsible = forms.ModelChoiceField(
        label=_("Người phụ trách"), queryset=Person.objects.none(), required=False, empty_label="—"
    )
    start_on = date_field(_("Ngày bắt đầu"), required=False)
    due_on = date_field(_("Hạn hoàn thành"), required=False)
    staff = forms.IntegerField(
        label=_("Nhân lực (người)"),
        required=False,
        min_value=0,
        max_value=MAX_STAFF,
        error_messages={
            "invalid": _("Ghi số người bằng chữ số."),
            "min_value": _("Nhân lực không được âm."),
            "max_value": _("Số người lớn quá."),
        },
    )
    weight = forms.CharField(
        label=_("Trọng số"),
        max_length=20,
        initial="1",
        help_text=_("Dùng khi cộng dồn tiến độ lên mục cha; mặc định 1."),
    )

    def __init__(
        self, *args: Any, units: QuerySet[Unit], people: QuerySet[Person], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if self.adjusting:  # the tree's shape is the Board's: a node keeps its kind
            self.fields["kind"].disabled = True
            self.fields["kind"].help_text = _("Không đổi được sau khi phê duyệt.")
        _set_units(self.fields["lead_unit"], units)
        _set_units(self.fields["coordinating_units"], units)
        responsible = self.fields["responsible"]
        responsible.queryset = people.select_related("unit").order_by(  # type: ignore[attr-defined]
            "unit__name_sort", "name_sort", "id"
        )
        responsible.label_from_instance = person_label  # type: ignore[attr-defined]

    def clean_weight(self) -> Decimal:
        weight = parse_decimal(self.cleaned_data["weight"], _("Trọng số"))
        if weight is None or weight <= 0:
            raise ValidationError(_("Trọng số phải lớn hơn 0."))
        if weight > MAX_WEIGHT or weight != weight.quantize(Decimal("0.01")):
            raise ValidationError(_("Trọng số có tối đa 2 chữ số thập phân và nhỏ hơn 100.000."))
        return weight

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, due = data.get("start_on"), data.get("due_on")
        if isinstance(start, datetime.date) and isinstance(due, datetime.date) and due < start:
            self.add_error(
                "due_on",
                _("Hạn hoàn thành %(d)s trước ngày bắt đầu %(s)s.")
                % {"d": due.strftime(DATE_INPUT), "s": start.strftime(DATE_INPUT)},
            )
        return data

    @staticmethod
    def initial_of(node: Node) -> dict[str, Any]:
        return {
            "kind": node.kind,
            "code": node.code,
            "title": node.title,
            "description": node.description,
            "is_focus": node.is_focus,
            "is_key": node.is_key,
            "is_breakthrough": node.is_breakthrough,
            "lead_unit": node.lead_unit_id,
            "coordinating_units": [u.pk for u in node.coordinating_units.all()],
            "responsible": node.responsible_id,
            "start_on": node.start_on,
            "due_on": node.due_on,
            "staff": node.staff,
            "weight": str(node.weight.normalize()).replace(".", ","),
        }

    def spec(self) -> actions.NodeSpec:
        data = self.cleaned_data
        return actions.NodeSpec(
            kind=data["kind"],
            title=data["title"],
            code=data["code"],
            description=data["description"],
            is_focus=data["is_focus"],
            is_key=data["is_key"],
            is_breakthrough=data["is_breakthrough"],
            lead_unit=data["lead_unit"],
            coordinating_units=list(data["coordinating_units"]),
            responsible=data["responsible"],
            start_on=data["start_on"],
            due_on=data["due_on"],
            staff=data["staff"],
            weight=data["weight"],
        )


class MoveForm(StyledForm):
    parent = forms.ModelChoiceField(
        label=_("Chuyển vào"),
        queryset=Node.objects.none(),
        required=False,
        empty_label=_("(gốc của chương trình)"),
    )

    def __init__(self, *args: Any, parents: QuerySet[Node], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["parent"]
        field.queryset = parents  # type: ignore[attr-defined]
        field.label_from_instance = (  # type: ignore[attr-defined]
            lambda n: f"{'— ' * n.depth}{n.code} {n.title}".strip()
        )


# The roadmap, money, indicators -----------------------------------------------------------------


class MilestoneForm(AdjustingForm):
    title = forms.CharField(label=_("Mốc"), max_length=500)
    due_on = date_field(_("Thời hạn"))


class MilestoneDoneForm(StyledForm):
    done_on = date_field(_("Hoàn thành ngày"))


class BudgetLineForm(AdjustingForm):
    source = forms.ChoiceField(label=_("Nguồn vốn"), choices=FundingSource.choices)
    year = year_field(_("Năm"))
    amount = forms.CharField(
        label=_("Kinh phí (đồng)"),
        max_length=40,
        help_text=_("Số đồng, có thể ghi 1.500.000; không có phần lẻ của đồng."),
    )
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=255)

    def clean_amount(self) -> Decimal:
        return actions.parse_money(self.cleaned_data["amount"], str(_("Kinh phí")))


_TARGET_LINE = re.compile(r"^\s*(\d{4})\s*[:=\-–]\s*(.+?)\s*$")


def parse_targets(text: str) -> dict[int, Decimal]:
    """Yearly targets typed one a line, "năm: giá trị" (2025: 80,5); a line that is not is
    refused, naming it."""
    targets: dict[int, Decimal] = {}
    lines = [line for line in (text or "").splitlines() if line.strip()]
    if len(lines) > MAX_TARGETS:
        raise ValidationError(_("Nhiều mục tiêu quá (tối đa %(n)s năm).") % {"n": MAX_TARGETS})
    for number, line in enumerate(lines, start=1):
        match = _TARGET_LINE.match(line)
        if match is None:
            raise ValidationError(
                _("Dòng %(n)s: ghi “năm: giá trị”, ví dụ 2025: 80.") % {"n": number}
            )
        year = int(match.group(1))
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValidationError(_("Dòng %(n)s: năm không hợp lệ.") % {"n": number})
        if year in targets:
            raise ValidationError(
                _("Dòng %(n)s: năm %(y)s ghi hai lần.") % {"n": number, "y": year}
            )
        value = parse_decimal(match.group(2), _("Mục tiêu"))
        if value is None:
            raise ValidationError(_("Dòng %(n)s: thiếu giá trị.") % {"n": number})
        targets[year] = value
    return targets


def targets_text(targets: Any) -> str:
    """An indicator's targets as the form takes them back ("2025: 1234,5", one a line; no
    thousands dot, which would read back as a decimal point)."""
    return "\n".join(
        f"{t.year}: {format(t.value.normalize(), 'f').replace('.', ',')}" for t in targets
    )


class IndicatorTargetsForm(AdjustingForm):
    """An indicator's yearly targets changed (after approval, with a reason)."""

    targets = forms.CharField(
        label=_("Mục tiêu theo năm"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_targets(self) -> dict[int, Decimal]:
        return parse_targets(self.cleaned_data["targets"])


class IndicatorForm(StyledForm):
    name = forms.CharField(label=_("Chỉ tiêu"), max_length=255)
    unit_of_measure = forms.CharField(label=_("Đơn vị tính"), max_length=64)
    baseline_value = forms.CharField(label=_("Giá trị gốc"), required=False, max_length=40)
    baseline_year = year_field(_("Năm gốc"))
    targets = forms.CharField(
        label=_("Mục tiêu theo năm"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "2025: 80\n2030: 95"}),
        help_text=_("Mỗi dòng một năm: “năm: giá trị”, ví dụ 2025: 80,5."),
    )

    def clean_baseline_value(self) -> Decimal | None:
        return parse_decimal(self.cleaned_data["baseline_value"], _("Giá trị gốc"))

    def clean_targets(self) -> dict[int, Decimal]:
        return parse_targets(self.cleaned_data["targets"])

    def spec(self) -> actions.IndicatorSpec:
        data = self.cleaned_data
        return actions.IndicatorSpec(
            name=data["name"],
            unit_of_measure=data["unit_of_measure"],
            baseline_value=data["baseline_value"],
            baseline_year=data["baseline_year"],
            targets=data["targets"],
        )
