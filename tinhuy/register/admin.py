"""Admin views of the register, read-only: numbers are given and cancelled through the pages
and API, whose actions keep the audit log and never give a number twice."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tinhuy.register.models import IssuingBody, NumberingPeriod, RegisterEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(IssuingBody)
class IssuingBodyAdmin(ReadOnlyAdmin):
    list_display = ("name", "symbol", "superior_name", "unit", "scheme")
    list_select_related = ("unit",)


@admin.register(NumberingPeriod)
class NumberingPeriodAdmin(ReadOnlyAdmin):
    list_display = ("label", "body", "starts_on", "ends_on")
    list_select_related = ("body",)


@admin.register(RegisterEntry)
class RegisterEntryAdmin(ReadOnlyAdmin):
    list_display = ("symbol", "issued_on", "doc_type", "summary", "state", "body")
    list_filter = ("doc_type", "state")
    list_select_related = ("body",)
    search_fields = ("symbol", "summary")
