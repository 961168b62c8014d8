"""Forms of the organisation pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tinhuy.documents.tables import MAX_COUNT


class HeadcountForm(forms.Form):
    """A unit's Party members: a whole number from 0, or blank when not known."""

    headcount = forms.IntegerField(
        label=_("Số đảng viên"),
        required=False,
        min_value=0,
        max_value=MAX_COUNT,
        error_messages={
            "invalid": _("Số đảng viên phải là một số nguyên, ví dụ 45."),
            "min_value": _("Số đảng viên không được là số âm."),
            "max_value": _("Số đảng viên quá lớn."),
        },
        help_text=_(
            "Để trống nếu chưa rõ. Là số người phải học tập của đơn vị khi chưa nạp danh sách "
            "đảng viên và đơn vị chưa báo cáo."
        ),
    )

    def clean(self) -> dict[str, object]:
        # A blank field says "not known"; a request without the field says nothing, and must
        # not clear a headcount somebody recorded.
        if "headcount" not in self.data:
            raise forms.ValidationError(
                _("Không có ô “Số đảng viên” trong yêu cầu; số đã ghi được giữ nguyên."),
                code="missing",
            )
        return super().clean() or {}

