from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tinhuy.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only."""

    list_display = ("created_at", "actor_name", "action", "target_repr", "unit")
    list_filter = ("action",)
    search_fields = ("actor_name", "target_repr")
    list_select_related = ("unit",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
