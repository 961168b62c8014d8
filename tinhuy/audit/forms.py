from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tinhuy.org.models import Unit


class AuditFilterForm(forms.Form):
    person = forms.CharField(label=_("Người thực hiện"), required=False, max_length=150)
    unit = forms.ModelChoiceField(
        label=_("Đơn vị (cả đơn vị trực thuộc)"),
        queryset=Unit.objects.all(),
        required=False,
        widget=forms.NumberInput(attrs={"placeholder": _("mã số đơn vị")}),
    )
    action = forms.CharField(label=_("Hành động"), required=False, max_length=64)
    date_from = forms.DateField(
        label=_("Từ ngày"),
        required=False,
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}),
    )
    date_to = forms.DateField(
        label=_("Đến ngày"),
        required=False,
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}),
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("Ngày bắt đầu phải trước hoặc bằng ngày kết thúc."))
        return data
