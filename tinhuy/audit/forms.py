"""The audit page's filters: a unit picked by name (or code), an action by its Vietnamese name.

Every value that cannot be used is answered with a message on the page: a date that is not
dd/mm/yyyy, an unknown action, a unit name that matches no unit (or a unit out of the viewer's
scope: the same message) or several units.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tinhuy.audit.labels import ACTION_LABELS
from tinhuy.audit.queries import find_units
from tinhuy.documents.forms import date_field
from tinhuy.org.access import Scope
from tinhuy.org.models import Structure, Unit
from tinhuy.search.text import sort_key

AMBIGUOUS_SHOWN = 8  # candidates named in the message when a unit name matches several


def action_choices() -> list[tuple[str, str]]:
    """Every action of the registry, by its Vietnamese name in Vietnamese order."""
    labelled = sorted(((code, str(label)) for code, label in ACTION_LABELS.items()),
                      key=lambda pair: sort_key(pair[1]))  # fmt: skip
    return [("", _("(tất cả)")), *labelled]


class AuditFilterForm(forms.Form):
    person = forms.CharField(
        label=gettext_lazy("Người thực hiện (tên đăng nhập)"), required=False, max_length=150
    )
    unit = forms.CharField(
        label=gettext_lazy("Đơn vị (cả đơn vị trực thuộc)"),
        required=False,
        max_length=255,
        widget=forms.TextInput(
            attrs={"placeholder": gettext_lazy("tên hoặc mã đơn vị"), "list": "audit-units"}
        ),
    )
    structure = forms.ModelChoiceField(
        label=gettext_lazy("Cơ cấu tổ chức"),
        queryset=Structure.objects.none(),
        required=False,
        empty_label=gettext_lazy("(mọi cơ cấu)"),
        error_messages={
            "invalid_choice": gettext_lazy("Không có cơ cấu tổ chức này; hãy chọn trong danh sách.")
        },
    )
    action = forms.ChoiceField(
        label=gettext_lazy("Hành động"),
        required=False,
        error_messages={
            "invalid_choice": gettext_lazy(
                "Không có hành động “%(value)s” trong nhật ký; hãy chọn trong danh sách."
            )
        },
    )
    date_from = date_field(gettext_lazy("Từ ngày"), required=False)
    date_to = date_field(gettext_lazy("Đến ngày"), required=False)

    def __init__(self, *args: Any, scope: Scope, structures: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.fields["structure"].queryset = structures  # type: ignore[attr-defined]
        self.fields["action"].choices = action_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("Ngày bắt đầu phải trước hoặc bằng ngày kết thúc."))
        text = (data.get("unit") or "").strip()
        data["unit"] = None
        if text and "structure" not in self.errors:
            data["unit"] = self._one_unit(text, data.get("structure"))
        data.pop("structure", None)
        return data

    def _one_unit(self, text: str, structure: Structure | None) -> Unit | None:
        found = find_units(text, self.scope, structure, limit=AMBIGUOUS_SHOWN + 1)
        if len(found) == 1:
            return found[0]
        if not found:
            self.add_error("unit", _("Không có đơn vị nào có tên hoặc mã “%s”.") % text)
            return None
        shown = "; ".join(
            _("%(name)s (mã %(code)s, %(structure)s)")
            % {"name": u.name, "code": u.code, "structure": u.structure.name}
            for u in found[:AMBIGUOUS_SHOWN]
        )
        more = "…" if len(found) > AMBIGUOUS_SHOWN else ""
        self.add_error(
            "unit",
            _(
                "“%(text)s” khớp với nhiều đơn vị: %(units)s%(more)s. Hãy ghi tên đầy đủ hoặc "
                "mã đơn vị, và chọn cơ cấu tổ chức nếu cần."
            )
            % {"text": text, "units": shown, "more": more},
        )
        return None
