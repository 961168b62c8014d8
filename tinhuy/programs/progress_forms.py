"""Forms of the progress pages: opening a reporting cycle and a task's report. They check the
shape of what is typed (dates dd/mm/yyyy, a percentage from 0 to 100, numbers) and hand the
values to the actions (``tinhuy.programs.actions``), which check what only the data can tell —
a locked cycle, a done task below 100%, money that is negative or has a fraction of a đồng."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tinhuy.documents.forms import date_field
from tinhuy.meetings.forms import StyledForm
from tinhuy.programs.actions import ReportSpec
from tinhuy.programs.models import Frequency, Indicator, NodeStatus

MAX_VALUE = Decimal("9999999999999999")  # 16 digits before the point: what a value column holds


class OpenCycleForm(StyledForm):
    frequency = forms.ChoiceField(label=_("Kỳ báo cáo"), choices=Frequency.choices)
    period_start = date_field(_("Từ ngày"))
    period_end = date_field(_("Đến ngày"))
    due_on = date_field(_("Hạn báo cáo"))


class ReportForm(StyledForm):
    """A task's report; one number field per indicator of the task (``value_<id>``)."""

    status = forms.ChoiceField(label=_("Tình trạng"), choices=NodeStatus.choices)
    progress = forms.IntegerField(
        label=_("Tiến độ (%)"),
        required=False,
        min_value=0,
        max_value=100,
        error_messages={
            "min_value": _("Tiến độ phải từ 0 đến 100%%."),
            "max_value": _("Tiến độ phải từ 0 đến 100%%."),
            "invalid": _("Tiến độ là một số nguyên từ 0 đến 100."),
        },
        help_text=_("Để trống thì lấy theo tình trạng: chưa triển khai 0%, đã hoàn thành 100%."),
    )
    narrative = forms.CharField(
        label=_("Kết quả thực hiện"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    spent = forms.CharField(
        label=_("Kinh phí đã giải ngân lũy kế (đồng)"),
        required=False,
        max_length=40,
        help_text=_("Số đồng, không có phần lẻ; ví dụ 1.500.000.000."),
    )

    def __init__(self, *args: Any, indicators: list[Indicator] | None = None, **kwargs: Any):
        self.indicators = list(indicators or [])
        super().__init__(*args, **kwargs)
        for indicator in self.indicators:
            self.fields[f"value_{indicator.pk}"] = forms.DecimalField(
                label=f"{indicator.name} ({indicator.unit_of_measure})",
                required=False,
                max_digits=20,
                decimal_places=4,
                max_value=MAX_VALUE,
                min_value=-MAX_VALUE,
                localize=True,
                error_messages={"invalid": _("Hãy nhập một số.")},
            )
            self.fields[f"value_{indicator.pk}"].widget.attrs.setdefault("class", "form-control")

    def indicator_fields(self) -> list[forms.BoundField]:
        return [self[f"value_{i.pk}"] for i in self.indicators]

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("status", "progress", "narrative", "spent")]

    def spec(self) -> ReportSpec:
        data = self.cleaned_data
        values = {
            i.pk: data[f"value_{i.pk}"]
            for i in self.indicators
            if data.get(f"value_{i.pk}") is not None
        }
        return ReportSpec(
            status=data["status"],
            progress=data["progress"],
            narrative=data["narrative"],
            spent=data["spent"] or None,
            indicator_values=values,
        )
