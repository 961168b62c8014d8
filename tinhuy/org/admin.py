"""Django admin for reference data. Writes go through the same actions as the pages, so they
are audited; the tree itself is loaded by loaders and imports, not edited here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tinhuy.org import versions
from tinhuy.org.actions import do_grant_membership, do_revoke_membership
from tinhuy.org.models import Level, Membership, Person, Structure, Unit


class LevelInline(admin.TabularInline):
    model = Level
    extra = 0


@admin.register(Structure)
class StructureAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "valid_from", "valid_to")
    search_fields = ("name", "code")
    inlines = [LevelInline]

    def save_model(self, request: HttpRequest, obj: Structure, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change:
            versions.bump(obj.pk, None)  # its levels or roll-up changed: renew every part


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "structure", "level", "kind", "is_sample")
    list_filter = ("structure", "level", "kind", "is_sample")
    search_fields = ("name_folded", "code")
    list_select_related = ("structure", "level")
    raw_id_fields = ("parent", "successors")
    readonly_fields = ("structure", "level", "parent", "path", "depth")

    def get_search_results(self, request: HttpRequest, queryset: Any, search_term: str) -> Any:
        from tinhuy.search.text import fold

        return super().get_search_results(request, queryset, fold(search_term))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # units come from loaders and imports, which keep paths consistent

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a unit is never deleted: campaigns and the audit log point at it

    def save_model(self, request: HttpRequest, obj: Unit, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        versions.bump(obj.structure_id, obj.path)  # a name or headcount the figures show


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("full_name", "position", "unit", "is_sample")
    search_fields = ("full_name",)
    raw_id_fields = ("unit",)
    list_select_related = ("unit",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "unit")
    list_filter = ("role",)
    raw_id_fields = ("user", "unit")
    list_select_related = ("user", "unit")

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        if change:
            do_revoke_membership(Membership.objects.get(pk=obj.pk), acting_user=request.user)
        do_grant_membership(obj.user, obj.unit, obj.role, acting_user=request.user)

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        do_revoke_membership(obj, acting_user=request.user)
