"""Organisation endpoints: structures and units, always within the caller's scope."""

from typing import Any

from django.http import HttpRequest
from ninja import Path, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from tinhuy.apikit import MAX_ID, PAGINATION_PARAMS, Pagination, problems, reject_unknown_params
from tinhuy.org import queries
from tinhuy.org.access import (
    get_structure_for_user,
    get_unit_for_user,
    scope_for,
    visible_structures,
)
from tinhuy.org.schemas import StructureOut, UnitDetailOut, UnitOut

router = Router(tags=["Tổ chức"])


@router.get(
    "/structures/",
    response=list[StructureOut],
    operation_id="list_structures",
    openapi_extra=problems(),
    summary="Các cơ cấu tổ chức mà người dùng xem được",
)
def list_structures(request: HttpRequest) -> Any:
    reject_unknown_params(request, ())
    return visible_structures(request.user).prefetch_related("levels")


class UnitFilters(Schema):
    structure: int | None = Field(None, ge=1, le=MAX_ID, description="Mã số (id) cơ cấu")
    parent: int | None = Field(
        None, ge=1, le=MAX_ID, description="Chỉ các đơn vị trực thuộc đơn vị này"
    )
    q: str = Field(
        "", max_length=200, description="Tìm theo tên (không phân biệt dấu, đ/d) hoặc mã"
    )


class UnitPagination(Pagination):
    """Pages of units, with ``has_children`` worked out for the page only."""

    def paginate_queryset(
        self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page["items"] = queries.mark_has_children(list(page["items"]))
        return page


@router.get(
    "/units/",
    response=list[UnitOut],
    operation_id="list_units",
    openapi_extra=problems(404),
    summary="Danh sách đơn vị trong phạm vi, theo thứ tự tên tiếng Việt",
)
@paginate(UnitPagination)
def list_units(request: HttpRequest, filters: Query[UnitFilters]) -> Any:
    reject_unknown_params(request, ("structure", "parent", "q", *PAGINATION_PARAMS))
    structure = (
        get_structure_for_user(request.user, filters.structure) if filters.structure else None
    )
    parent = get_unit_for_user(request.user, filters.parent) if filters.parent else None
    return queries.units_list(
        scope_for(request.user), structure=structure, parent=parent, query=filters.q
    )


@router.get(
    "/units/{unit_id}",
    response=UnitDetailOut,
    operation_id="get_unit",
    openapi_extra=problems(404),
    summary="Một đơn vị: đường dẫn, đơn vị trực thuộc, cán bộ",
)
def get_unit(request: HttpRequest, unit_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    reject_unknown_params(request, ())
    unit = get_unit_for_user(request.user, unit_id)
    unit.detail = queries.unit_detail(scope_for(request.user), unit)  # type: ignore[attr-defined]
    return unit
