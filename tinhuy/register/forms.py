"""Forms of the register pages: they check the shape of the input; the actions check what only
the register can tell (a taken number, a date outside every period, a missing reason)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tinhuy.register.models import MAX_NUMBER, DocType

DATE_INPUT = "%d/%m/%Y"


class _Styled(forms.Form):
    """Bootstrap classes on every widget, so templates render ``{{ field }}`` as is."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class IssueForm(_Styled):
    """Give a number to a document written outside the application."""

    doc_type = forms.ChoiceField(label=_("Loại văn bản"), choices=DocType.choices)
    issued_on = forms.DateField(
        label=_("Ngày ban hành"),
        input_formats=[DATE_INPUT, "%Y-%m-%d"],
        widget=forms.DateInput(format=DATE_INPUT, attrs={"placeholder": "dd/mm/yyyy"}),
    )
    number = forms.IntegerField(
        label=_("Số"),
        required=False,
        min_value=1,
        max_value=MAX_NUMBER,
        help_text=_("Để trống để lấy số kế tiếp."),
    )
    reason = forms.CharField(
        label=_("Lý do"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Bắt buộc khi ghi số khác số kế tiếp."),
    )
    summary = forms.CharField(
        label=_("Trích yếu"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
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


class CancelForm(_Styled):
    reason = forms.CharField(
        label=_("Lý do hủy"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class PeriodForm(_Styled):
    """Open a numbering period: a Party committee's term (from the congress), or a year."""

    label = forms.CharField(
        label=_("Tên thời kỳ"),
        max_length=100,
        help_text=_("Ví dụ: Nhiệm kỳ 2025–2030, hoặc Năm 2026."),
    )
    starts_on = forms.DateField(
        label=_("Từ ngày"),
        input_formats=[DATE_INPUT],
        widget=forms.DateInput(format=DATE_INPUT, attrs={"placeholder": "dd/mm/yyyy"}),
        error_messages={"invalid": _("Ghi ngày theo dạng dd/mm/yyyy.")},
    )
    ends_on = forms.DateField(
        label=_("Đến ngày"),
        required=False,
        input_formats=[DATE_INPUT],
        widget=forms.DateInput(format=DATE_INPUT, attrs={"placeholder": "dd/mm/yyyy"}),
        help_text=_("Để trống khi chưa biết ngày kết thúc (nhiệm kỳ đang chạy)."),
        error_messages={"invalid": _("Ghi ngày theo dạng dd/mm/yyyy.")},
    )
