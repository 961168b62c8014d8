"""Forms of the delegation register and of the hand-over page. They check the shape of what is
typed (a date dd/mm/yyyy, a choice among the units the user sees) and hand the values to the
actions (``do_create_delegation``, ``do_set_delegation_state``, ``do_hand_over``), which answer
in Vietnamese what only the data can tell."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from tinhuy.documents.forms import date_field
from tinhuy.meetings.forms import StyledForm, unit_label
from tinhuy.org.access import Scope
from tinhuy.org.models import Unit
from tinhuy.programs.models import DelegationKind, DelegationState, Programme


def delegation_units(scope: Scope) -> QuerySet[Unit]:
    """The units a delegation may name: a province's own levels (the committee, its districts,
    its departments) and, for a unit's officer, their unit and the units just below it — not
    the thousands of cells below."""
    units = scope.units().select_related("structure")
    if scope.everything:
        return units.filter(depth__lte=1).order_by("structure__name", "depth", "name_sort")
    near = Q(pk__in=[])
    for path in scope.view_paths:
        depth = path.count("/") - 2  # "/1/17/" is depth 1
        near |= Q(path__startswith=path, depth__lte=depth + 1)
    return units.filter(Q(depth__lte=1) | near).order_by("structure__name", "depth", "name_sort")


class DelegationForm(StyledForm):
    kind = forms.ChoiceField(label=_("Loại"), choices=DelegationKind.choices)
    title = forms.CharField(label=_("Nội dung"), max_length=500)
    scope = forms.CharField(
        label=_("Phạm vi"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    from_unit = forms.ModelChoiceField(
        label=_("Cấp phân cấp"), queryset=Unit.objects.none(), empty_label="—"
    )
    to_unit = forms.ModelChoiceField(
        label=_("Đơn vị được phân cấp, đề xuất"), queryset=Unit.objects.none(), empty_label="—"
    )
    legal_basis = forms.CharField(label=_("Căn cứ pháp lý"), required=False, max_length=500)
    effective_on = date_field(_("Ngày hiệu lực"), required=False)
    state = forms.ChoiceField(
        label=_("Trạng thái"), choices=DelegationState.choices, initial=DelegationState.PROPOSED
    )
    programme = forms.ModelChoiceField(
        label=_("Phục vụ chương trình"),
        queryset=Programme.objects.none(),
        required=False,
        empty_label=_("— không —"),
    )

    def __init__(
        self, *args: Any, units: QuerySet[Unit], programmes: QuerySet[Programme], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for name in ("from_unit", "to_unit"):
            field = self.fields[name]
            field.queryset = units  # type: ignore[attr-defined]
            field.label_from_instance = unit_label  # type: ignore[attr-defined]
        self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]


class DelegationStateForm(StyledForm):
    state = forms.ChoiceField(label=_("Trạng thái mới"), choices=DelegationState.choices)
    effective_on = date_field(
        _("Ngày hiệu lực"),
        required=False,
        help_text=_("Bắt buộc khi phân cấp, cơ chế đã có hiệu lực."),
    )
    legal_basis = forms.CharField(
        label=_("Căn cứ pháp lý"),
        required=False,
        max_length=500,
        help_text=_("Để trống để giữ căn cứ đã ghi."),
    )


class HandOverForm(StyledForm):
    """The successor, the date and the reason; the unit handing over is chosen before."""

    to_unit = forms.ModelChoiceField(
        label=_("Đơn vị kế thừa"), queryset=Unit.objects.none(), empty_label="—"
    )
    effective_on = date_field(_("Bàn giao từ ngày"))
    reason = forms.CharField(
        label=_("Lý do"),
        max_length=500,
        help_text=_("Ví dụ: Hợp nhất Sở Kế hoạch và Đầu tư vào Sở Tài chính."),
    )

    def __init__(self, *args: Any, successors: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_unit"]
        field.queryset = successors  # type: ignore[attr-defined]
        field.label_from_instance = unit_label  # type: ignore[attr-defined]
