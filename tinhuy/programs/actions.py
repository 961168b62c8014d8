"""Writes of programmes: the programme and its tree, a task's roadmap, money, staff and
indicators, the Board draft that carries it, reporting cycles and reports, hand-over of a ceased
unit's work, delegations. Each is one transaction with its audit event; each refuses bad input
with a Vietnamese message and writes nothing.

The plan (tree, dates, owners, money, roadmap) is written while the programme is a draft and its
Board draft is being written or revised; once submitted it does not move under the Board's eyes,
and once approved the baseline keeps what was approved (a milestone may still be marked done, a
task reported on). An approved or running programme's plan is adjusted ("điều chỉnh kế hoạch")
node by node — dates, owners, weight, money, roadmap — each change with a reason recorded in its
audit event (``lock_editable(programme, reason=...)``); its structure (nodes added, moved or
removed, indicators, the Excel import) needs a new Board decision."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhuy.audit.actions import record, snapshot, user_or_none
from tinhuy.audit.models import AuditEvent
from tinhuy.bulk import RowsByIds, insert_rows
from tinhuy.documents.numbers import format_number
from tinhuy.documents.storage import keep_file
from tinhuy.org.access import scope_for
from tinhuy.org.models import Person, Unit
from tinhuy.programs.models import (
    MONEY_DIGITS,
    STATUS_PROGRESS,
    Baseline,
    BaselineNode,
    BudgetLine,
    Delegation,
    DelegationKind,
    DelegationState,
    Frequency,
    FundingSource,
    HandOver,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Milestone,
    Node,
    NodeHandOver,
    NodeKind,
    NodeStatus,
    Programme,
    ProgrammeKind,
    ProgrammeState,
    ProgressReport,
    ReportAttachment,
    ReportingCycle,
)
from tinhuy.programs.queries import ADJUST_ACTION, dmy
from tinhuy.search.text import normalize, normalize_text

if TYPE_CHECKING:
    from tinhuy.meetings.models import Draft
    from tinhuy.org.access import AnyUser, Scope

MAX_DEPTH = 8  # field → item → task → … : deeper than this is a tree gone wrong
DRAFT_OPEN_STATES = ("writing", "revising")  # tinhuy.meetings.models.DraftState values


def _clean(value: str | None) -> str:
    return normalize(value or "").replace("\r\n", "\n").strip()


def _required(value: str | None, label: str) -> str:
    value = _clean(value)
    if not value:
        raise ValidationError(_("Hãy nhập %(f)s.") % {"f": label})
    return value


def _check_period(start: datetime.date | None, end: datetime.date | None, what: str) -> None:
    if start and end and end < start:
        raise ValidationError(
            _("%(what)s: ngày kết thúc %(end)s trước ngày bắt đầu %(start)s.")
            % {"what": what, "end": dmy(end), "start": dmy(start)}
        )


def parse_money(value: Any, label: str = "") -> Decimal:
    """A sum of money in whole đồng: digits (dots or spaces may group thousands), not negative,
    no fraction of a đồng; else a Vietnamese error naming ``label``."""
    what = label or _("Kinh phí")
    if isinstance(value, Decimal | int):
        amount = Decimal(value)
    else:
        text = str(value or "").strip().replace(" ", "").replace("\u00a0", "")
        if text.count(".") and "," not in text:
            text = text.replace(".", "")  # 1.500.000 (Vietnamese thousands)
        text = text.replace(",", ".")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValidationError(
                _("%(what)s “%(v)s” không phải là số tiền.") % {"what": what, "v": value}
            ) from None
    if not amount.is_finite():
        raise ValidationError(_("%(what)s không phải là số tiền.") % {"what": what})
    if amount < 0:
        raise ValidationError(_("%(what)s không được âm.") % {"what": what})
    if amount != amount.to_integral_value():
        raise ValidationError(
            _("%(what)s tính bằng đồng, không có phần lẻ của đồng.") % {"what": what}
        )
    if amount >= Decimal(10) ** MONEY_DIGITS:
        raise ValidationError(_("%(what)s quá lớn.") % {"what": what})
    return amount.quantize(Decimal(1))


# --- Programmes -----------------------------------------------------------------------------


def _check_units_visible(user: AnyUser, units: Sequence[Unit | None]) -> None:
    """A unit named by an editor must be one they can see; one they cannot is answered like one
    that does not exist."""
    scope = scope_for(user)
    for unit in units:
        if unit is not None and not scope.can_view(unit):
            raise ValidationError(_("Không tìm thấy đơn vị này."))


def _check_person_visible(user: AnyUser, person: Person | None) -> None:
    if person is not None and not scope_for(user).can_view(person.unit):
        raise ValidationError(_("Không tìm thấy người này."))


@dataclass
class ProgrammeSpec:
    title: str
    owner_unit: Unit
    kind: str = ProgrammeKind.PROGRAMME
    source_decision: str = ""
    goals: str = ""
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None
    focal_agency: Unit | None = None
    coordinating_units: Sequence[Unit] = ()


def _check_programme(
    spec: ProgrammeSpec, user: AnyUser, as_of: datetime.date | None = None
) -> None:
    spec.title = _required(spec.title, _("tên chương trình"))
    if spec.kind not in ProgrammeKind.values:
        raise ValidationError(_("Không có loại “%(k)s”.") % {"k": spec.kind})
    spec.source_decision, spec.goals = _clean(spec.source_decision), _clean(spec.goals)
    _check_period(spec.period_start, spec.period_end, _("Thời gian thực hiện"))
    _check_units_visible(user, [spec.owner_unit, spec.focal_agency, *spec.coordinating_units])
    ceased = spec.focal_agency.valid_to if spec.focal_agency is not None else None
    on = as_of or timezone.localdate()
    if spec.focal_agency is not None and ceased is not None and ceased < on:
        raise ValidationError(
            _("%(u)s đã thôi hoạt động từ %(d)s; hãy chọn đơn vị kế thừa.")
            % {"u": spec.focal_agency.name, "d": dmy(ceased)}
        )


_PROGRAMME_FIELDS = (
    "kind",
    "title",
    "source_decision",
    "goals",
    "period_start",
    "period_end",
    "owner_unit",
    "focal_agency",
)


@transaction.atomic
def do_create_programme(
    spec: ProgrammeSpec,
    *,
    is_sample: bool = False,
    as_of: datetime.date | None = None,
    acting_user: AnyUser,
) -> Programme:
    """``as_of``: the day the programme was written, for the record of a past one (the demo's
    2020 plan, whose focal agency ceased in 2025); today by default."""
    _check_programme(spec, acting_user, as_of)
    programme = Programme.objects.create(
        kind=spec.kind,
        title=spec.title,
        source_decision=spec.source_decision,
        goals=spec.goals,
        period_start=spec.period_start,
        period_end=spec.period_end,
        owner_unit=spec.owner_unit,
        focal_agency=spec.focal_agency,
        created_by=user_or_none(acting_user),
        is_sample=is_sample,
    )
    programme.coordinating_units.set(spec.coordinating_units)
    record(
        "programme.create",
        programme,
        acting_user=acting_user,
        unit=spec.owner_unit,
        after={
            **snapshot(programme, _PROGRAMME_FIELDS),
            "coordinating_units": sorted(u.pk for u in spec.coordinating_units),
        },
    )
    return programme


# An approved or running programme's plan is adjusted ("điều chỉnh kế hoạch"), node by node,
# with a reason; its structure stays as the Board approved it.
ADJUSTABLE_STATES = (ProgrammeState.APPROVED, ProgrammeState.IN_PROGRESS)
MAX_REASON = 1000


def lock_editable(programme: Programme, *, reason: str | None = None) -> Programme:
    """The programme's row, locked and re-read, if its plan may be written now; else why not.

    ``reason`` None: what only a programme still being written allows (its header, adding,
    moving or removing nodes, indicators, the Excel import). A text: an adjustment of an
    existing node's dates, owners, weight, money or roadmap, which an approved or running
    programme also allows, given a reason (the text, not empty); a draft needs none. The
    baseline is never touched: it keeps what the Board approved."""
    locked = (
        # Only the programme's row: PostgreSQL locks no row of a nullable outer join.
        Programme.objects.select_for_update(of=("self",))
        .select_related("owner_unit", "focal_agency")
        .get(pk=programme.pk)
    )
    if reason is not None and locked.state in ADJUSTABLE_STATES:
        check_reason(reason)
        return locked
    if locked.state in ADJUSTABLE_STATES:
        raise ValidationError(
            _(
                "Chương trình đang ở trạng thái “%(s)s”: cơ cấu kế hoạch (thông tin chung, thêm, "
                "chuyển, xóa mục hoặc chỉ tiêu, nhập bảng nhiệm vụ) không sửa được nữa; thay đổi "
                "cơ cấu phải theo một quyết định mới của Ban Thường vụ. Thời hạn, đơn vị, người "
                "phụ trách, trọng số, kinh phí, mốc và mục tiêu của chỉ tiêu được điều chỉnh trên "
                "trang của mục, có ghi lý do điều chỉnh."
            )
            % {"s": locked.get_state_display()}
        )
    if locked.state != ProgrammeState.DRAFT:
        raise ValidationError(
            _(
                "Chương trình đang ở trạng thái “%(s)s”; kế hoạch (nhiệm vụ, thời hạn, nguồn lực) "
                "không sửa được nữa."
            )
            % {"s": locked.get_state_display()}
        )
    if locked.draft_id is not None:
        from tinhuy.meetings.models import Draft

        draft_state = Draft.objects.values_list("state", flat=True).get(pk=locked.draft_id)
        if draft_state not in DRAFT_OPEN_STATES:
            raise ValidationError(
                _("Dự thảo đã trình Ban Thường vụ; chỉ sửa được khi tiếp thu, chỉnh sửa.")
            )
    return locked


def check_reason(reason: str | None) -> str:
    """The reason of an adjustment after approval, cleaned; refused when empty or too long."""
    text = _clean(reason)
    if not text:
        raise ValidationError(
            _(
                "Chương trình đã được phê duyệt: hãy ghi lý do điều chỉnh kế hoạch (lý do được "
                "lưu vào nhật ký)."
            )
        )
    if len(text) > MAX_REASON:
        raise ValidationError(
            _("Lý do điều chỉnh dài quá (tối đa %(n)s ký tự).") % {"n": format_number(MAX_REASON)}
        )
    return text


def is_adjustment(programme: Programme) -> bool:
    """A write that ``lock_editable`` let through on a programme no longer a draft."""
    return programme.state in ADJUSTABLE_STATES


_UNSET: Any = object()


def _check_still_complete(
    task: Node,
    *,
    due_on: Any = _UNSET,
    responsible: Any = _UNSET,
    staff: Any = _UNSET,
    milestone_gone: int | None = None,
    money_gone: Sequence[int] = (),
) -> None:
    """An adjustment keeps what the completeness gate asked of an approved task (a task not
    cancelled): a due date, a responsible person, a milestone, resources (money or staff).
    The values it would change are given; the others are read (``milestone_gone``: the
    milestone it removes; ``money_gone``: the budget lines it removes or empties)."""
    if task.kind != NodeKind.TASK or task.status == NodeStatus.CANCELLED:
        return
    name = str(task)
    if (task.due_on if due_on is _UNSET else due_on) is None:
        raise ValidationError(
            _("Nhiệm vụ “%(t)s” đã phê duyệt phải có hạn hoàn thành.") % {"t": name}
        )
    if (task.responsible_id if responsible is _UNSET else responsible) is None:
        raise ValidationError(
            _("Nhiệm vụ “%(t)s” đã phê duyệt phải có người phụ trách.") % {"t": name}
        )
    if milestone_gone is not None and not task.milestones.exclude(pk=milestone_gone).exists():
        raise ValidationError(
            _(
                "Mốc này là mốc tiến độ duy nhất của nhiệm vụ “%(t)s”; hãy thêm mốc khác trước "
                "khi xóa."
            )
            % {"t": name}
        )
    staff_now = task.staff if staff is _UNSET else staff
    if not staff_now:
        money = task.budget_lines.filter(amount__gt=0).exclude(pk__in=list(money_gone))
        if not money.exists():
            raise ValidationError(
                _("Nhiệm vụ “%(t)s” đã phê duyệt phải còn nguồn lực (kinh phí hoặc nhân lực).")
                % {"t": name}
            )


def _record_plan_change(
    change: str,
    node: Node,
    programme: Programme,
    *,
    reason: str | None,
    acting_user: AnyUser,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """The audit event of a change to a node's plan: ``programme.<change>`` while a draft; once
    approved, an adjustment — ``programme.adjust`` with the change, the programme and the
    reason in ``after`` (``queries.adjustments`` lists them)."""
    if not is_adjustment(programme):
        record(
            f"programme.{change}",
            node,
            acting_user=acting_user,
            unit=programme.owner_unit,
            before=before,
            after=after,
        )
        return
    record(
        ADJUST_ACTION,
        node,
        acting_user=acting_user,
        unit=programme.owner_unit,
        before=before,
        after={
            **(after or {}),
            "change": change,
            "programme": programme.pk,
            "reason": check_reason(reason),
        },
    )


@transaction.atomic
def do_update_programme(
    programme: Programme, spec: ProgrammeSpec, *, acting_user: AnyUser
) -> Programme:
    locked = lock_editable(programme)
    _check_programme(spec, acting_user)
    before = {
        **snapshot(locked, _PROGRAMME_FIELDS),
        "coordinating_units": sorted(locked.coordinating_units.values_list("pk", flat=True)),
    }
    for name in ("kind", "title", "source_decision", "goals", "period_start", "period_end"):
        setattr(locked, name, getattr(spec, name))
    locked.owner_unit, locked.focal_agency = spec.owner_unit, spec.focal_agency
    locked.save()
    locked.coordinating_units.set(spec.coordinating_units)
    after = {
        **snapshot(locked, _PROGRAMME_FIELDS),
        "coordinating_units": sorted(u.pk for u in spec.coordinating_units),
    }
    record(
        "programme.update",
        locked,
        acting_user=acting_user,
        unit=locked.owner_unit,
        before=before,
        after=after,
    )
    return locked


# --- The tree -------------------------------------------------------------------------------


@dataclass
class NodeSpec:
    kind: str
    title: str
    code: str = ""
    description: str = ""
    is_focus: bool = False
    is_key: bool = False
    is_breakthrough: bool = False
    lead_unit: Unit | None = None
    coordinating_units: Sequence[Unit] = ()
    responsible: Person | None = None
    start_on: datetime.date | None = None
    due_on: datetime.date | None = None
    staff: int | None = None
    weight: Decimal = Decimal(1)


_ALLOWED_PARENTS: Mapping[str, tuple[str | None, ...]] = {
    NodeKind.FIELD: (None,),
    NodeKind.ITEM: (NodeKind.FIELD, NodeKind.ITEM),
    NodeKind.TASK: (NodeKind.FIELD, NodeKind.ITEM, NodeKind.TASK),
}

_NODE_FIELDS = (
    "kind",
    "code",
    "title",
    "description",
    "is_focus",
    "is_key",
    "is_breakthrough",
    "lead_unit",
    "responsible",
    "start_on",
    "due_on",
    "staff",
    "weight",
    "parent",
)


def _check_node(
    spec: NodeSpec,
    parent: Node | None,
    programme: Programme,
    user: AnyUser,
    node: Node | None = None,
) -> None:
    spec.title = _required(spec.title, _("tên"))
    spec.code, spec.description = _clean(spec.code)[:32], _clean(spec.description)
    if spec.kind not in NodeKind.values:
        raise ValidationError(_("Không có loại mục “%(k)s”.") % {"k": spec.kind})
    parent_kind = parent.kind if parent is not None else None
    if parent_kind not in _ALLOWED_PARENTS[spec.kind]:
        kind_label = NodeKind(spec.kind).label
        if parent is None:
            raise ValidationError(
                _("%(kind)s phải thuộc một lĩnh vực hoặc một nội dung.") % {"kind": kind_label}
            )
        raise ValidationError(
            _("%(kind)s không đặt dưới %(parent)s “%(title)s” được.")
            % {"kind": kind_label, "parent": NodeKind(parent.kind).label, "title": parent.title}
        )
    if parent is not None and parent.programme_id != programme.pk:
        raise ValidationError(_("Mục cha thuộc chương trình khác."))
    if parent is not None and parent.depth + 1 >= MAX_DEPTH:
        raise ValidationError(_("Cây nhiệm vụ sâu quá %(n)s cấp.") % {"n": MAX_DEPTH})
    _check_period(spec.start_on, spec.due_on, spec.title)
    if programme.period_start and spec.start_on and spec.start_on < programme.period_start:
        raise ValidationError(
            _("“%(t)s” bắt đầu %(d)s, trước thời gian của chương trình (từ %(p)s).")
            % {"t": spec.title, "d": dmy(spec.start_on), "p": dmy(programme.period_start)}
        )
    if programme.period_end and spec.due_on and spec.due_on > programme.period_end:
        raise ValidationError(
            _("“%(t)s” có hạn %(d)s, sau thời gian của chương trình (đến %(p)s).")
            % {"t": spec.title, "d": dmy(spec.due_on), "p": dmy(programme.period_end)}
        )
    if spec.weight is None or spec.weight <= 0:
        raise ValidationError(_("Trọng số phải lớn hơn 0."))
    if spec.staff is not None and spec.staff < 0:
        raise ValidationError(_("Nhân lực không được âm."))
    # Units and a person the node already names stay, seen or not (a focal agency's officer
    # adjusts the dates of a task another province body co-ordinates); new ones must be seen.
    named: set[int | None] = set()
    named_person = None
    if node is not None:
        named = {node.lead_unit_id, *node.coordinating_units.values_list("pk", flat=True)}
        named_person = node.responsible_id
    _check_units_visible(
        user,
        [u for u in (spec.lead_unit, *spec.coordinating_units) if u is None or u.pk not in named],
    )
    if spec.responsible is None or spec.responsible.pk != named_person:
        _check_person_visible(user, spec.responsible)
    if node is not None:
        outside = [
            m
            for m in node.milestones.all()
            if (spec.start_on and m.due_on < spec.start_on)
            or (spec.due_on and m.due_on > spec.due_on)
        ]
        if outside:
            raise ValidationError(
                _("Mốc “%(m)s” (%(d)s) nằm ngoài thời gian mới của nhiệm vụ; hãy sửa mốc trước.")
                % {"m": outside[0].title, "d": dmy(outside[0].due_on)}
            )


def node_path(parent: Node | None, order: int, pk: int) -> str:
    """A node's materialised path: its parent's, then its place among its siblings and its id
    ("/000001.12/000003.40/"). Sorting by path is tree order — a parent before its children,
    siblings in their order (ids alone would put "/11/" before "/6/")."""
    return f"{parent.path if parent else '/'}{order:06d}.{pk}/"


def _next_code(programme: Programme, parent: Node | None, order: int) -> str:
    if parent is None:
        return str(order)
    return f"{parent.code}.{order}" if parent.code else str(order)


@transaction.atomic
def do_add_node(
    programme: Programme,
    spec: NodeSpec,
    *,
    parent: Node | None = None,
    is_sample: bool = False,
    acting_user: AnyUser,
) -> Node:
    locked = lock_editable(programme)
    _check_node(spec, parent, locked, acting_user)
    siblings = Node.objects.filter(programme=locked, parent=parent)
    order = (siblings.aggregate(m=Max("order"))["m"] or 0) + 1
    node = Node.objects.create(
        programme=locked,
        parent=parent,
        depth=parent.depth + 1 if parent else 0,
        path="",
        order=order,
        kind=spec.kind,
        code=spec.code or _next_code(locked, parent, order),
        title=spec.title,
        description=spec.description,
        is_focus=spec.is_focus,
        is_key=spec.is_key,
        is_breakthrough=spec.is_breakthrough,
        lead_unit=spec.lead_unit,
        responsible=spec.responsible,
        start_on=spec.start_on,
        due_on=spec.due_on,
        staff=spec.staff,
        weight=spec.weight,
        is_sample=is_sample,
    )
    node.path = node_path(parent, order, node.pk)
    node.save(update_fields=["path"])
    node.coordinating_units.set(spec.coordinating_units)
    record(
        "programme.node.create",
        node,
        acting_user=acting_user,
        unit=locked.owner_unit,
        after={**snapshot(node, _NODE_FIELDS), "programme": locked.pk},
    )
    return node


@transaction.atomic
def do_update_node(node: Node, spec: NodeSpec, *, acting_user: AnyUser, reason: str = "") -> Node:
    """A node's values changed. Once the programme is approved (or running) this is an
    adjustment: ``reason`` is required and recorded, the kind stays (the tree's shape is the
    Board's) and the baseline keeps the values approved."""
    programme = lock_editable(node.programme, reason=reason)
    current = Node.objects.select_related("parent").get(pk=node.pk)
    if spec.kind != current.kind and is_adjustment(programme):
        raise ValidationError(
            _(
                "Chương trình đã phê duyệt: không đổi loại mục được; thay đổi cơ cấu kế hoạch "
                "phải theo một quyết định mới của Ban Thường vụ."
            )
        )
    if spec.kind != current.kind and current.children.exists():
        raise ValidationError(_("Mục đã có mục con; không đổi loại được."))
    _check_node(spec, current.parent, programme, acting_user, node=current)
    if is_adjustment(programme) and current.kind == NodeKind.TASK:
        _check_still_complete(
            current, due_on=spec.due_on, responsible=spec.responsible, staff=spec.staff
        )
    before = {
        **snapshot(current, _NODE_FIELDS),
        "coordinating_units": sorted(current.coordinating_units.values_list("pk", flat=True)),
    }
    for name in (
        "kind",
        "title",
        "description",
        "is_focus",
        "is_key",
        "is_breakthrough",
        "lead_unit",
        "responsible",
        "start_on",
        "due_on",
        "staff",
        "weight",
    ):
        setattr(current, name, getattr(spec, name))
    current.code = spec.code or current.code
    current.save()
    current.coordinating_units.set(spec.coordinating_units)
    _record_plan_change(
        "node.update",
        current,
        programme,
        reason=reason,
        acting_user=acting_user,
        before=before,
        after={
            **snapshot(current, _NODE_FIELDS),
            "coordinating_units": sorted(u.pk for u in spec.coordinating_units),
        },
    )
    return current


@transaction.atomic
def do_move_node(node: Node, new_parent: Node | None, *, acting_user: AnyUser) -> Node:
    """Put a node (with its subtree) under another parent of the same programme; a node under
    itself or one of its descendants would make a cycle and is refused."""
    programme = lock_editable(node.programme)
    current = Node.objects.get(pk=node.pk)
    if new_parent is not None and new_parent.path.startswith(current.path):
        raise ValidationError(
            _("Không chuyển “%(t)s” vào chính nó hoặc một mục con của nó được (vòng lặp).")
            % {"t": current.title}
        )
    spec = NodeSpec(kind=current.kind, title=current.title)
    if (new_parent.kind if new_parent else None) not in _ALLOWED_PARENTS[current.kind]:
        _check_node(spec, new_parent, programme, acting_user)  # raises the message
    if new_parent is not None and new_parent.programme_id != programme.pk:
        raise ValidationError(_("Mục cha thuộc chương trình khác."))
    old_path, old_parent = current.path, current.parent_id
    new_order = (
        Node.objects.filter(programme=programme, parent=new_parent).aggregate(m=Max("order"))["m"]
        or 0
    ) + 1
    new_path = node_path(new_parent, new_order, current.pk)
    shift = (new_parent.depth + 1 if new_parent else 0) - current.depth
    subtree = list(Node.objects.filter(programme=programme, path__startswith=old_path))
    if max(n.depth for n in subtree) + shift >= MAX_DEPTH:
        raise ValidationError(_("Cây nhiệm vụ sâu quá %(n)s cấp.") % {"n": MAX_DEPTH})
    for n in subtree:
        n.path = new_path + n.path[len(old_path) :]
        n.depth += shift
    current_in_subtree = next(n for n in subtree if n.pk == current.pk)
    current_in_subtree.parent, current_in_subtree.order = new_parent, new_order
    Node.objects.bulk_update(subtree, ["path", "depth", "parent", "order"])
    record(
        "programme.node.move",
        current,
        acting_user=acting_user,
        unit=programme.owner_unit,
        before={"parent": old_parent},
        after={"parent": new_parent.pk if new_parent else None},
    )
    return current_in_subtree


@transaction.atomic
def do_remove_node(node: Node, *, acting_user: AnyUser) -> None:
    """Delete a node of a programme still being written, with its subtree (nothing was ever
    reported on it: a draft has no reports)."""
    programme = lock_editable(node.programme)
    subtree = Node.objects.filter(programme=programme, path__startswith=node.path)
    removed = list(subtree.order_by("-depth").values_list("pk", "title"))
    before = snapshot(node, _NODE_FIELDS)
    for pk, _title in removed:  # children first (parent is PROTECT)
        Node.objects.filter(pk=pk).delete()
    record(
        "programme.node.remove",
        programme,
        acting_user=acting_user,
        unit=programme.owner_unit,
        before={**before, "node": node.pk, "subtree": [pk for pk, _t in removed]},
    )


# The fields a batch of node changes may set (the Excel task table's editable columns).
BATCH_FIELDS = (
    "code",
    "title",
    "is_focus",
    "is_key",
    "is_breakthrough",
    "lead_unit",
    "responsible",
    "start_on",
    "due_on",
    "staff",
    "weight",
)
_BATCH_FOREIGN_KEYS = ("lead_unit", "responsible")


@dataclass
class NodeNow:
    """A node as ``do_apply_node_changes`` reads it under the programme's lock: ``values`` holds
    ``BATCH_FIELDS`` (the two foreign keys as ids), ``money`` a source's lines (id, amount)."""

    pk: int
    kind: str
    parent_id: int | None
    description: str
    values: dict[str, Any]
    lead_unit_name: str
    responsible_name: str
    responsible_unit_name: str
    coordinating: list[int] = field(default_factory=list)
    money: dict[str, list[tuple[int, Decimal]]] = field(default_factory=dict)
    milestones: list[tuple[str, datetime.date]] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.values['code']} {self.values['title']}".strip()

    def snapshot(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """What ``snapshot(node, _NODE_FIELDS)`` records of the node with ``values``, and its
        co-ordinating units, as ``do_update_node`` records them."""
        own = {"kind": self.kind, "description": self.description, "parent": self.parent_id}
        plain = _PLAIN_TYPES
        data = {
            name: own[name]
            if name in own
            else (value if (value := values[name]).__class__ in plain else _plain(value))
            for name in _NODE_FIELDS
        }
        data["coordinating_units"] = sorted(self.coordinating)
        return data


_PLAIN_TYPES = frozenset((bool, int, float, str, type(None)))


def _plain(value: Any) -> Any:
    """A value as ``audit.snapshot`` records it (a date as ISO text, a decimal as text)."""
    if value.__class__ in _PLAIN_TYPES:
        return value
    if isinstance(value, bool | int | float | str):
        return value
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


_NODES_NOW = RowsByIds(
    lambda ids: (
        Node.objects.filter(pk__in=ids)
        .order_by()
        .values_list(
            "pk",
            "programme_id",
            "kind",
            "parent_id",
            "description",
            *(f"{name}_id" if name in _BATCH_FOREIGN_KEYS else name for name in BATCH_FIELDS),
            "lead_unit__name",
            "responsible__full_name",
            "responsible__unit__name",
        )
    )
)
_COORDINATING_NOW = RowsByIds(
    lambda ids: (
        Node.coordinating_units.through.objects.filter(node_id__in=ids)
        .order_by()
        .values_list("node_id", "unit_id")
    )
)
_MONEY_NOW = RowsByIds(
    lambda ids: BudgetLine.objects.filter(node_id__in=ids).values_list(
        "node_id", "source", "pk", "amount"
    )
)
# In the roadmap's order (due date, then id): the first outside is the one named.
_MILESTONES_NOW = RowsByIds(
    lambda ids: Milestone.objects.filter(node_id__in=ids).values_list("node_id", "title", "due_on")
)
_UNIT_PATHS = RowsByIds(lambda ids: Unit.objects.filter(pk__in=ids).values_list("id", "path"))
_PERSON_UNITS = RowsByIds(
    lambda ids: Person.objects.filter(pk__in=ids).values_list("id", "unit_id", "unit__path")
)
_WEIGHT_PLACES = Decimal("0.01")  # Node.weight's decimal places


def _as_decimal(value: Any) -> Decimal:
    """A decimal column's value as the cursor gives it (SQLite: an int or a float)."""
    if isinstance(value, Decimal):
        return value
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def _nodes_now(programme: Programme, ids: set[int]) -> dict[int, NodeNow]:
    """The nodes ``ids`` of ``programme``, their co-ordinating units, money and milestones: four
    reads compiled once, whatever their number; values as the ORM gives them."""
    weight_at = 5 + BATCH_FIELDS.index("weight")
    nodes = {}
    for row in _NODES_NOW(ids):
        if row[1] != programme.pk:
            continue
        values = dict(zip(BATCH_FIELDS, row[5:16], strict=True))
        values["weight"] = _as_decimal(row[weight_at]).quantize(_WEIGHT_PLACES)
        nodes[row[0]] = NodeNow(
            pk=row[0],
            kind=row[2],
            parent_id=row[3],
            description=row[4],
            values=values,
            lead_unit_name=row[16] or "",
            responsible_name=row[17] or "",
            responsible_unit_name=row[18] or "",
        )
    if not nodes:
        return nodes
    for node_id, unit_id in _COORDINATING_NOW(nodes):
        nodes[node_id].coordinating.append(unit_id)
    for node_id, source, line_id, amount in _MONEY_NOW(nodes):
        nodes[node_id].money.setdefault(source, []).append((line_id, _as_decimal(amount)))
    for node_id, title, due_on in _MILESTONES_NOW(nodes):
        nodes[node_id].milestones.append((title, due_on))
    return nodes


@transaction.atomic
def do_apply_node_changes(
    programme: Programme,
    changes: Mapping[int, Mapping[str, Any]],
    *,
    money: Mapping[int, Mapping[str, Any]] | None = None,
    acting_user: AnyUser,
    check: Callable[[Mapping[int, NodeNow]], None] | None = None,
) -> int:
    """Many nodes of one plan changed at once, as the Excel task table's import confirms them.

    ``changes`` maps a node's id to new values of ``BATCH_FIELDS`` (units and people by id);
    ``money`` a task's id to a source's new amount (None: no money from it), as
    ``do_set_budget`` sets it. Everything is checked first, as ``do_update_node`` and
    ``do_set_budget`` check one node, on data read once — the first refusal names its node and
    nothing is written; then a few statements write every node, whatever their number, with
    one audit event per changed node (and per source of money set), as those actions record
    them. ``check`` sees the nodes as read under the lock before anything else (a caller's test
    that they are still what it showed). The number of audit events written."""
    locked = lock_editable(programme)
    money = money or {}
    nodes = _nodes_now(locked, set(changes) | set(money))
    if check is not None:
        check(nodes)
    for node_id in (*changes, *money):
        if node_id not in nodes:
            raise ValidationError(_("Không tìm thấy mục này."))
    merged = {node_id: {**nodes[node_id].values, **new} for node_id, new in changes.items() if new}
    units, people = _units_and_people(nodes, merged)
    scope = scope_for(acting_user)
    for node_id, values in merged.items():
        try:
            _check_batch_node(locked, nodes[node_id], values, scope, units, people)
        except ValidationError as exc:
            raise _naming(nodes[node_id], exc) from None
    lines_to_add: list[BudgetLine] = []
    lines_to_change: list[tuple[Decimal, int]] = []
    lines_to_remove: list[int] = []
    money_set: list[tuple[int, str, Decimal | None, Decimal | None]] = []
    for node_id, by_source in money.items():
        now = nodes[node_id]
        for source, amount in by_source.items():
            try:
                value, line = _check_batch_money(now, merged.get(node_id), source, amount)
            except ValidationError as exc:
                raise _naming(now, exc) from None
            if line is None and value is not None:
                lines_to_add.append(BudgetLine(node_id=node_id, source=source, amount=value))
            elif line is not None and value is None:
                lines_to_remove.append(line[0])
            elif line is not None and value is not None and line[1] != value:
                lines_to_change.append((value, line[0]))
            else:
                continue
            money_set.append((node_id, source, line[1] if line else None, value))
    _update_nodes(merged, {name for new in changes.values() for name in new})
    if lines_to_add:
        BudgetLine.objects.bulk_create(lines_to_add)
    if lines_to_change:
        BudgetLine.objects.bulk_update(
            [BudgetLine(pk=pk, amount=value) for value, pk in lines_to_change], ["amount"]
        )
    if lines_to_remove:
        BudgetLine.objects.filter(pk__in=lines_to_remove).delete()
    return _record_batch(locked, nodes, merged, money_set, acting_user)


def _naming(node: NodeNow, exc: ValidationError) -> ValidationError:
    return ValidationError(_("Mục “%(n)s”: %(m)s") % {"n": str(node), "m": " ".join(exc.messages)})


def _units_and_people(
    nodes: Mapping[int, NodeNow], merged: Mapping[int, Mapping[str, Any]]
) -> tuple[dict[int, Unit], dict[int, Person]]:
    """The units and people the changed nodes name (lead, co-ordinating, responsible) with
    their paths, each read once, for the checks ``do_update_node`` makes of one node."""
    unit_ids = {v["lead_unit"] for v in merged.values()}
    unit_ids.update(unit for node_id in merged for unit in nodes[node_id].coordinating)
    person_ids = {v["responsible"] for v in merged.values()}
    unit_ids.discard(None)
    person_ids.discard(None)
    units = {pk: Unit(pk=pk, path=path) for pk, path in _UNIT_PATHS(unit_ids)} if unit_ids else {}
    people = {}
    for pk, unit_id, path in _PERSON_UNITS(person_ids) if person_ids else ():
        person = people[pk] = Person(pk=pk, unit_id=unit_id)
        person.unit = Unit(pk=unit_id, path=path)
    return units, people


def _check_batch_node(
    programme: Programme,
    now: NodeNow,
    values: dict[str, Any],
    scope: Scope,
    units: Mapping[int, Unit],
    people: Mapping[int, Person],
) -> None:
    """What ``_check_node`` checks of a node whose kind and parent stay, with the same
    messages; ``values`` cleaned in place (text normalised as ``_clean`` does, word by word)."""
    values["title"] = title = normalize_text(values["title"] or "")
    if not title:
        raise ValidationError(_("Hãy nhập %(f)s.") % {"f": _("tên")})
    values["code"] = normalize_text(values["code"] or "")[:32] or now.values["code"]
    start, due = values["start_on"], values["due_on"]
    _check_period(start, due, title)
    if programme.period_start and start and start < programme.period_start:
        raise ValidationError(
            _("“%(t)s” bắt đầu %(d)s, trước thời gian của chương trình (từ %(p)s).")
            % {"t": title, "d": dmy(start), "p": dmy(programme.period_start)}
        )
    if programme.period_end and due and due > programme.period_end:
        raise ValidationError(
            _("“%(t)s” có hạn %(d)s, sau thời gian của chương trình (đến %(p)s).")
            % {"t": title, "d": dmy(due), "p": dmy(programme.period_end)}
        )
    if values["weight"] is None or values["weight"] <= 0:
        raise ValidationError(_("Trọng số phải lớn hơn 0."))
    if values["staff"] is not None and values["staff"] < 0:
        raise ValidationError(_("Nhân lực không được âm."))
    # As ``_check_node``: what the node already names stays; a new unit or person must be seen
    # (a batch never changes the co-ordinating units).
    unit_id = values["lead_unit"]
    if unit_id is not None and unit_id != now.values["lead_unit"]:
        unit = units.get(unit_id)
        if unit is None or not scope.can_view(unit):
            raise ValidationError(_("Không tìm thấy đơn vị này."))
    person_id = values["responsible"]
    if person_id is not None and person_id != now.values["responsible"]:
        person = people.get(person_id)
        if person is None or not scope.can_view(person.unit):
            raise ValidationError(_("Không tìm thấy người này."))
    outside = [
        (name, day)
        for name, day in now.milestones
        if (start and day < start) or (due and day > due)
    ]
    if outside:
        raise ValidationError(
            _("Mốc “%(m)s” (%(d)s) nằm ngoài thời gian mới của nhiệm vụ; hãy sửa mốc trước.")
            % {"m": outside[0][0], "d": dmy(outside[0][1])}
        )


def _check_batch_money(
    now: NodeNow, values: Mapping[str, Any] | None, source: str, amount: Any
) -> tuple[Decimal | None, tuple[int, Decimal] | None]:
    """What ``do_set_budget`` checks: the amount (None: none) and the source's one line."""
    if now.kind != NodeKind.TASK:
        raise ValidationError(_("Chỉ nhiệm vụ mới có mốc tiến độ, kinh phí và chỉ tiêu."))
    if source not in FundingSource.values:
        raise ValidationError(_("Không có nguồn vốn “%(s)s”.") % {"s": source})
    value = None if amount in (None, "") else parse_money(amount)
    lines = now.money.get(source, [])
    if len(lines) > 1:
        raise ValidationError(
            _(
                "Kinh phí nguồn “%(s)s” của “%(t)s” chia thành %(n)s dòng theo năm; hãy sửa từng "
                "dòng trên trang nhiệm vụ."
            )
            % {
                "s": FundingSource(source).label,
                "t": (values or now.values)["title"],
                "n": len(lines),
            }
        )
    return value, lines[0] if lines else None


def _update_nodes(merged: Mapping[int, Mapping[str, Any]], names: set[str]) -> None:
    """One UPDATE of the fields ``names`` run over every changed node (``executemany``: one
    statement whatever their number; ``bulk_update`` builds a CASE per row and field, most of
    an import's time)."""
    if not merged or not names:
        return
    ops, quote = connection.ops, connection.ops.quote_name
    weight = cast("models.DecimalField[Any, Any]", Node._meta.get_field("weight"))
    adapt: dict[str, Callable[[Any], Any]] = {
        "start_on": ops.adapt_datefield_value,
        "due_on": ops.adapt_datefield_value,
        "weight": lambda v: ops.adapt_decimalfield_value(
            v, weight.max_digits, weight.decimal_places
        ),
    }
    written = [name for name in BATCH_FIELDS if name in names]
    assignments = ", ".join(
        f"{quote(name + '_id' if name in _BATCH_FOREIGN_KEYS else name)} = %s" for name in written
    )
    # Table and columns come from the model's meta and BATCH_FIELDS, never from input.
    sql = f"UPDATE {quote(Node._meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"  # noqa: S608
    rows = [
        [adapt[name](values[name]) if name in adapt else values[name] for name in written]
        + [node_id]
        for node_id, values in merged.items()
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _record_batch(
    programme: Programme,
    nodes: Mapping[int, NodeNow],
    merged: Mapping[int, Mapping[str, Any]],
    money_set: Sequence[tuple[int, str, Decimal | None, Decimal | None]],
    acting_user: AnyUser,
) -> int:
    """The events ``do_update_node`` and ``do_set_budget`` record (the fields ``record``
    writes), node by node, as plain rows (``bulk_create`` prepares every field of every event
    through the ORM: half the time of confirming an import); their number."""
    actor = user_or_none(acting_user)
    actor_name = actor.get_username() if actor is not None else ""
    unit = programme.owner_unit
    target_type = Node._meta.label
    stamp = timezone.now()
    as_json = connection.ops.adapt_json_value

    def event(node_id: int, action: str, before: Any, after: Any) -> tuple[Any, ...]:
        values = merged.get(node_id) or nodes[node_id].values
        return (
            stamp,
            actor.pk if actor is not None else None,
            actor_name,
            action,
            target_type,
            str(node_id),
            f"{values['code']} {values['title']}".strip()[:255],
            unit.pk,
            unit.path,
            unit.province_id,
            as_json(before, None),
            as_json(after, None),
        )

    money_events: dict[int, list[tuple[Any, ...]]] = {}
    for node_id, source, old, new in money_set:
        money_events.setdefault(node_id, []).append(
            event(
                node_id,
                "programme.budget.set",
                {"source": source, "amount": str(old) if old is not None else None},
                {"source": source, "amount": str(new) if new is not None else None},
            )
        )
    events: list[tuple[Any, ...]] = []
    for node_id in dict.fromkeys((*merged, *money_events)):
        if node_id in merged:
            now = nodes[node_id]
            events.append(
                event(
                    node_id,
                    "programme.node.update",
                    now.snapshot(now.values),
                    now.snapshot(merged[node_id]),
                )
            )
        events.extend(money_events.get(node_id, ()))
    insert_rows(AuditEvent, _EVENT_FIELDS, events)
    return len(events)


_EVENT_FIELDS = (
    "created_at",
    "actor_id",
    "actor_name",
    "action",
    "target_type",
    "target_id",
    "target_repr",
    "unit_id",
    "unit_path",
    "province_id",
    "before",
    "after",
)


# --- Roadmap, money, indicators ---------------------------------------------------------------


def _check_task(node: Node) -> None:
    if node.kind != NodeKind.TASK:
        raise ValidationError(_("Chỉ nhiệm vụ mới có mốc tiến độ, kinh phí và chỉ tiêu."))


def _check_milestone_date(node: Node, due_on: datetime.date) -> None:
    if (node.start_on and due_on < node.start_on) or (node.due_on and due_on > node.due_on):
        raise ValidationError(
            _("Mốc ngày %(d)s nằm ngoài thời gian của nhiệm vụ (%(s)s – %(e)s).")
            % {"d": dmy(due_on), "s": dmy(node.start_on) or "…", "e": dmy(node.due_on) or "…"}
        )


@transaction.atomic
def do_add_milestone(
    node: Node, *, title: str, due_on: datetime.date, acting_user: AnyUser, reason: str = ""
) -> Milestone:
    """A step added to a task's roadmap (after approval: an adjustment, with its reason)."""
    programme = lock_editable(node.programme, reason=reason)
    node = Node.objects.get(pk=node.pk)
    _check_task(node)
    title = _required(title, _("tên mốc"))
    _check_milestone_date(node, due_on)
    milestone = Milestone.objects.create(node=node, title=title, due_on=due_on)
    _record_plan_change(
        "milestone.create",
        node,
        programme,
        reason=reason,
        acting_user=acting_user,
        after={"milestone": milestone.pk, "title": title, "due_on": due_on.isoformat()},
    )
    return milestone


def _check_not_reached(milestone: Milestone, programme: Programme) -> None:
    """A milestone reached is history: an adjustment neither moves nor removes it."""
    if is_adjustment(programme) and milestone.done_on is not None:
        raise ValidationError(
            _("Mốc “%(m)s” đã hoàn thành ngày %(d)s; không điều chỉnh được.")
            % {"m": milestone.title, "d": dmy(milestone.done_on)}
        )


@transaction.atomic
def do_update_milestone(
    milestone: Milestone,
    *,
    title: str,
    due_on: datetime.date,
    acting_user: AnyUser,
    reason: str = "",
) -> Milestone:
    """A step of the roadmap renamed or moved (after approval: an adjustment, with its reason;
    a milestone already reached stays as it was)."""
    programme = lock_editable(milestone.node.programme, reason=reason)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    _check_not_reached(milestone, programme)
    node = Node.objects.get(pk=milestone.node_id)
    title = _required(title, _("tên mốc"))
    _check_milestone_date(node, due_on)
    before = {"title": milestone.title, "due_on": milestone.due_on.isoformat()}
    milestone.title, milestone.due_on = title, due_on
    milestone.save(update_fields=["title", "due_on"])
    _record_plan_change(
        "milestone.update",
        node,
        programme,
        reason=reason,
        acting_user=acting_user,
        before={**before, "milestone": milestone.pk},
        after={"milestone": milestone.pk, "title": title, "due_on": due_on.isoformat()},
    )
    return milestone


@transaction.atomic
def do_remove_milestone(milestone: Milestone, *, acting_user: AnyUser, reason: str = "") -> None:
    """A step taken off the roadmap (after approval: an adjustment, with its reason; a
    milestone already reached stays)."""
    programme = lock_editable(milestone.node.programme, reason=reason)
    node = milestone.node
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    _check_not_reached(milestone, programme)
    before = {"milestone": milestone.pk, "title": milestone.title}
    if is_adjustment(programme):
        _check_still_complete(Node.objects.get(pk=milestone.node_id), milestone_gone=milestone.pk)
        before["due_on"] = milestone.due_on.isoformat()
    milestone.delete()
    _record_plan_change(
        "milestone.remove",
        node,
        programme,
        reason=reason,
        acting_user=acting_user,
        before=before,
    )


@transaction.atomic
def do_mark_milestone_done(
    milestone: Milestone, *, done_on: datetime.date, acting_user: AnyUser
) -> Milestone:
    """A milestone reached (after approval: the roadmap's dates stay as approved)."""
    locked = (
        Milestone.objects.select_for_update(of=("self",))
        .select_related("node__programme")
        .get(pk=milestone.pk)
    )
    if locked.node.programme.state not in (ProgrammeState.APPROVED, ProgrammeState.IN_PROGRESS):
        raise ValidationError(_("Chỉ ghi nhận mốc hoàn thành khi chương trình đang thực hiện."))
    if locked.done_on is not None:
        raise ValidationError(_("Mốc này đã hoàn thành ngày %(d)s.") % {"d": dmy(locked.done_on)})
    if done_on > timezone.localdate():
        raise ValidationError(_("Ngày hoàn thành không được sau hôm nay."))
    locked.done_on = done_on
    locked.save(update_fields=["done_on"])
    record(
        "programme.milestone.done",
        locked.node,
        acting_user=acting_user,
        unit=locked.node.lead_unit,
        after={"milestone": locked.pk, "done_on": done_on.isoformat()},
    )
    return locked


@transaction.atomic
def do_add_budget_line(
    node: Node,
    *,
    source: str,
    amount: Any,
    year: int | None = None,
    note: str = "",
    acting_user: AnyUser,
    reason: str = "",
) -> BudgetLine:
    """Money a task plans from a source (after approval: an adjustment, with its reason)."""
    programme = lock_editable(node.programme, reason=reason)
    node = Node.objects.get(pk=node.pk)
    _check_task(node)
    if source not in FundingSource.values:
        raise ValidationError(_("Không có nguồn vốn “%(s)s”.") % {"s": source})
    value = parse_money(amount)
    if year is not None and not (1900 < year < 2200):
        raise ValidationError(_("Năm %(y)s không hợp lệ.") % {"y": year})
    line = BudgetLine.objects.create(
        node=node, source=source, year=year, amount=value, note=_clean(note)[:255]
    )
    _record_plan_change(
        "budget.create",
        node,
        programme,
        reason=reason,
        acting_user=acting_user,
        after={"line": line.pk, "source": source, "year": year, "amount": str(value)},
    )
    return line


@transaction.atomic
def do_remove_budget_line(line: BudgetLine, *, acting_user: AnyUser, reason: str = "") -> None:
    """A line of money removed (after approval: an adjustment, with its reason)."""
    programme = lock_editable(line.node.programme, reason=reason)
    before = {"line": line.pk, "source": line.source, "year": line.year, "amount": str(line.amount)}
    node = line.node
    if is_adjustment(programme):
        _check_still_complete(Node.objects.get(pk=node.pk), money_gone=[line.pk])
    line.delete()
    _record_plan_change(
        "budget.remove",
        node,
        programme,
        reason=reason,
        acting_user=acting_user,
        before=before,
    )


@transaction.atomic
def do_set_budget(
    node: Node, source: str, amount: Any, *, acting_user: AnyUser, reason: str = ""
) -> None:
    """A task's money from one source set to ``amount`` (None or "": none from that source), as
    the Excel task table edits it: the source's one line is changed, created or removed. A
    source planned year by year (several lines) is changed line by line on the task's page.
    After approval: an adjustment, with its reason."""
    programme = lock_editable(node.programme, reason=reason)
    node = Node.objects.get(pk=node.pk)
    _check_task(node)
    if source not in FundingSource.values:
        raise ValidationError(_("Không có nguồn vốn “%(s)s”.") % {"s": source})
    value = None if amount in (None, "") else parse_money(amount)
    lines = list(BudgetLine.objects.select_for_update().filter(node=node, source=source))
    if len(lines) > 1:
        raise ValidationError(
            _(
                "Kinh phí nguồn “%(s)s” của “%(t)s” chia thành %(n)s dòng theo năm; hãy sửa từng "
                "dòng trên trang nhiệm vụ."
            )
            % {"s": FundingSource(source).label, "t": node.title, "n": len(lines)}
        )
    line = lines[0] if lines else None
    before = str(line.amount) if line is not None else None
    if is_adjustment(programme) and line is not None and not value:
        _check_still_complete(node, money_gone=[line.pk])
    if line is None and value is not None:
        line = BudgetLine.objects.create(node=node, source=source, amount=value)
    elif line is not None and value is None:
        line.delete()
    elif line is not None and value is not None and line.amount != value:
        line.amount = value
        line.save(update_fields=["amount"])
    else:
        return
    _record_plan_change(
        "budget.set",
        node,
        programme,
        reason=reason,
        acting_user=acting_user,
        before={"source": source, "amount": before},
        after={"source": source, "amount": str(value) if value is not None else None},
    )


@dataclass
class IndicatorSpec:
    name: str
    unit_of_measure: str
    baseline_value: Decimal | None = None
    baseline_year: int | None = None
    targets: Mapping[int, Decimal] = field(default_factory=dict)
    gazetteer_indicator_id: int | None = None
    gazetteer_place_id: int | None = None


@transaction.atomic
def do_add_indicator(node: Node, spec: IndicatorSpec, *, acting_user: AnyUser) -> Indicator:
    programme = lock_editable(node.programme)
    node = Node.objects.get(pk=node.pk)
    _check_task(node)
    name = _required(spec.name, _("tên chỉ tiêu"))
    unit_of_measure = _required(spec.unit_of_measure, _("đơn vị tính"))
    if (spec.gazetteer_indicator_id is None) != (spec.gazetteer_place_id is None):
        raise ValidationError(_("Chỉ tiêu lấy số liệu Địa chí cần cả chỉ tiêu và địa danh."))
    indicator = Indicator.objects.create(
        node=node,
        name=name,
        unit_of_measure=unit_of_measure,
        baseline_value=spec.baseline_value,
        baseline_year=spec.baseline_year,
        gazetteer_indicator_id=spec.gazetteer_indicator_id,
        gazetteer_place_id=spec.gazetteer_place_id,
    )
    IndicatorTarget.objects.bulk_create(
        IndicatorTarget(indicator=indicator, year=year, value=value)
        for year, value in sorted(spec.targets.items())
    )
    record(
        "programme.indicator.create",
        node,
        acting_user=acting_user,
        unit=programme.owner_unit,
        after={
            "indicator": indicator.pk,
            "name": name,
            "targets": {str(y): str(v) for y, v in sorted(spec.targets.items())},
        },
    )
    return indicator


@transaction.atomic
def do_set_indicator_targets(
    indicator: Indicator,
    targets: Mapping[int, Decimal],
    *,
    acting_user: AnyUser,
    reason: str = "",
) -> Indicator:
    """An indicator's yearly targets replaced by ``targets`` (year → value); after approval an
    adjustment, with its reason (the baseline keeps the targets approved). Nothing changed:
    nothing written."""
    programme = lock_editable(indicator.node.programme, reason=reason)
    locked = Indicator.objects.select_for_update().select_related("node").get(pk=indicator.pk)
    for year, value in targets.items():
        if not 1900 < year < 2200:
            raise ValidationError(_("Năm %(y)s không hợp lệ.") % {"y": year})
        if not Decimal(value).is_finite():
            raise ValidationError(_("Mục tiêu năm %(y)s không phải là số.") % {"y": year})
    before = {str(t.year): str(t.value.normalize()) for t in locked.targets.all()}
    after = {str(y): str(Decimal(v).normalize()) for y, v in sorted(targets.items())}
    if before == after:
        return locked
    IndicatorTarget.objects.filter(indicator=locked).delete()
    IndicatorTarget.objects.bulk_create(
        IndicatorTarget(indicator=locked, year=year, value=value)
        for year, value in sorted(targets.items())
    )
    _record_plan_change(
        "indicator.targets",
        locked.node,
        programme,
        reason=reason,
        acting_user=acting_user,
        before={"indicator": locked.pk, "name": locked.name, "targets": before},
        after={"indicator": locked.pk, "name": locked.name, "targets": after},
    )
    return locked


@transaction.atomic
def do_remove_indicator(indicator: Indicator, *, acting_user: AnyUser) -> None:
    """Remove an indicator (and its yearly targets) from a task of a programme still being
    written (a draft has no reports, so no measured value points at it)."""
    programme = lock_editable(indicator.node.programme)
    before = {"indicator": indicator.pk, "name": indicator.name}
    node = indicator.node
    indicator.delete()
    record(
        "programme.indicator.remove",
        node,
        acting_user=acting_user,
        unit=programme.owner_unit,
        before=before,
    )


# --- The Board draft, approval and the baseline ------------------------------------------------


@transaction.atomic
def do_create_programme_draft(
    programme: Programme,
    *,
    submitting_unit: Unit,
    issuing_unit: Unit,
    doc_type: str = "KH",
    is_sample: bool = False,
    acting_user: AnyUser,
) -> Draft:
    """The Board draft that carries the programme through meetings (one per programme)."""
    from tinhuy.meetings.actions import do_create_draft
    from tinhuy.meetings.models import DraftKind

    locked = lock_editable(programme)
    if locked.draft_id is not None:
        raise ValidationError(_("Chương trình này đã có dự thảo trình Ban Thường vụ."))
    draft = do_create_draft(
        kind=DraftKind.PROGRAMME,
        title=locked.title,
        doc_type=doc_type,
        submitting_unit=submitting_unit,
        issuing_unit=issuing_unit,
        is_sample=is_sample,
        acting_user=acting_user,
    )
    locked.draft = draft
    locked.save(update_fields=["draft"])
    record(
        "programme.draft",
        locked,
        acting_user=acting_user,
        unit=locked.owner_unit,
        after={"draft": draft.pk},
    )
    return draft


_STATE_OF_DRAFT = {
    "writing": ProgrammeState.DRAFT,
    "revising": ProgrammeState.DRAFT,
    "submitted": ProgrammeState.SUBMITTED,
    "approved": ProgrammeState.SUBMITTED,  # the Board agreed; approved when issued
    "issued": ProgrammeState.APPROVED,
    "withdrawn": ProgrammeState.CANCELLED,
}


def sync_with_draft(programme: Programme, draft: Draft) -> None:
    """Called by the meeting machinery (inside its transaction) when the draft's state changed:
    the programme follows; issuing approves it and freezes its baseline."""
    new_state = _STATE_OF_DRAFT[draft.state]
    if programme.state == new_state:
        return
    if programme.state not in (ProgrammeState.DRAFT, ProgrammeState.SUBMITTED):
        return  # running, completed or cancelled: the draft's story is over
    before = programme.state
    programme.state = new_state
    programme.save(update_fields=["state"])
    if new_state == ProgrammeState.APPROVED:
        take_baseline(programme, draft.register_entry)
    record(
        "programme.state",
        programme,
        acting_user=None,
        unit=programme.owner_unit,
        before={"state": before},
        after={"state": new_state, "draft_state": draft.state},
    )


def take_baseline(programme: Programme, register_entry: Any = None) -> Baseline:
    """Freeze the plan as approved: one row per node, its dates, weight, own money by source,
    roadmap and targets. Never rewritten (a new plan needs a new decision)."""
    if Baseline.objects.filter(programme=programme).exists():
        raise ValidationError(_("Chương trình đã có kế hoạch gốc."))
    nodes = list(
        Node.objects.filter(programme=programme).prefetch_related(
            "budget_lines", "milestones", "indicators__targets"
        )
    )
    rows = []
    total = Decimal(0)
    for node in nodes:
        by_source: dict[str, Decimal] = {}
        for line in node.budget_lines.all():
            by_source[line.source] = by_source.get(line.source, Decimal(0)) + line.amount
        own = sum(by_source.values(), Decimal(0))
        total += own
        rows.append(
            BaselineNode(
                node=node,
                title=str(node),
                start_on=node.start_on,
                due_on=node.due_on,
                weight=node.weight,
                budget=own,
                budget_by_source={k: str(v) for k, v in sorted(by_source.items())},
                milestones=[
                    {"title": m.title, "due_on": m.due_on.isoformat()}
                    for m in node.milestones.all()
                ],
                targets=[
                    {"indicator": i.name, "year": t.year, "value": str(t.value)}
                    for i in node.indicators.all()
                    for t in i.targets.all()
                ],
            )
        )
    baseline = Baseline.objects.create(
        programme=programme,
        taken_at=timezone.now(),
        register_entry=register_entry,
        budget_total=total,
    )
    for row in rows:
        row.baseline = baseline
    BaselineNode.objects.bulk_create(rows)
    return baseline


@transaction.atomic
def do_finish_programme(programme: Programme, *, state: str, reason: str, acting_user: AnyUser):
    """Close a running programme: completed, or cancelled (with the reason)."""
    locked = Programme.objects.select_for_update().get(pk=programme.pk)
    if state not in (ProgrammeState.COMPLETED, ProgrammeState.CANCELLED):
        raise ValidationError(_("Chỉ kết thúc chương trình bằng hoàn thành hoặc hủy."))
    if locked.state in (ProgrammeState.COMPLETED, ProgrammeState.CANCELLED):
        raise ValidationError(_("Chương trình đã kết thúc."))
    reason = _clean(reason)
    if state == ProgrammeState.CANCELLED and not reason:
        raise ValidationError(_("Hãy ghi lý do hủy chương trình."))
    if state == ProgrammeState.COMPLETED and locked.state not in (
        ProgrammeState.APPROVED,
        ProgrammeState.IN_PROGRESS,
    ):
        raise ValidationError(_("Chương trình chưa được phê duyệt, chưa hoàn thành được."))
    before = locked.state
    locked.state = state
    locked.save(update_fields=["state"])
    record(
        "programme.finish",
        locked,
        acting_user=acting_user,
        unit=locked.owner_unit,
        before={"state": before},
        after={"state": state, "reason": reason},
    )
    return locked


# --- Reporting ------------------------------------------------------------------------------


@transaction.atomic
def do_open_cycle(
    programme: Programme,
    *,
    frequency: str,
    period_start: datetime.date,
    period_end: datetime.date,
    due_on: datetime.date,
    acting_user: AnyUser,
) -> ReportingCycle:
    locked = Programme.objects.select_for_update().get(pk=programme.pk)
    if locked.state not in (ProgrammeState.APPROVED, ProgrammeState.IN_PROGRESS):
        raise ValidationError(_("Chỉ mở kỳ báo cáo cho chương trình đang thực hiện."))
    if frequency not in Frequency.values:
        raise ValidationError(_("Không có kỳ báo cáo “%(f)s”.") % {"f": frequency})
    _check_period(period_start, period_end, _("Kỳ báo cáo"))
    if due_on < period_end:
        raise ValidationError(
            _("Hạn báo cáo %(d)s trước khi kỳ báo cáo kết thúc (%(e)s).")
            % {"d": dmy(due_on), "e": dmy(period_end)}
        )
    overlap = ReportingCycle.objects.filter(
        programme=locked, period_start__lte=period_end, period_end__gte=period_start
    ).first()
    if overlap is not None:
        raise ValidationError(_("Kỳ báo cáo trùng với kỳ %(c)s đã có.") % {"c": str(overlap)})
    cycle = ReportingCycle.objects.create(
        programme=locked,
        frequency=frequency,
        period_start=period_start,
        period_end=period_end,
        due_on=due_on,
    )
    record(
        "programme.cycle.open",
        locked,
        acting_user=acting_user,
        unit=locked.owner_unit,
        after=snapshot(cycle, ("frequency", "period_start", "period_end", "due_on")),
    )
    return cycle


@transaction.atomic
def do_close_cycle(cycle: ReportingCycle, *, acting_user: AnyUser) -> ReportingCycle:
    """Lock a cycle: its reports can no longer be sent or changed."""
    locked = (
        ReportingCycle.objects.select_for_update(of=("self",))
        .select_related("programme")
        .get(pk=cycle.pk)
    )
    if locked.closed_at is not None:
        raise ValidationError(_("Kỳ báo cáo đã khóa sổ."))
    locked.closed_at, locked.closed_by = timezone.now(), user_or_none(acting_user)
    locked.save(update_fields=["closed_at", "closed_by"])
    record(
        "programme.cycle.close",
        locked.programme,
        acting_user=acting_user,
        unit=locked.programme.owner_unit,
        after={"cycle": locked.pk},
    )
    return locked


@dataclass
class ReportSpec:
    status: str
    progress: int | None = None
    narrative: str = ""
    spent: Any = None
    indicator_values: Mapping[int, Decimal] = field(default_factory=dict)  # indicator id → value


@transaction.atomic
def do_report(
    node: Node,
    cycle: ReportingCycle,
    spec: ReportSpec,
    *,
    at: datetime.datetime | None = None,
    acting_user: AnyUser,
) -> ProgressReport:
    """A task's report for a cycle (sent again while the cycle is open, it replaces the first,
    both in the audit log). The task's status and progress become the latest cycle's."""
    locked_cycle = ReportingCycle.objects.select_for_update().get(pk=cycle.pk)
    task = Node.objects.select_related("programme", "lead_unit").get(pk=node.pk)
    if task.programme_id != locked_cycle.programme_id:
        raise ValidationError(_("Kỳ báo cáo thuộc chương trình khác."))
    _check_task(task)
    if locked_cycle.closed_at is not None:
        raise ValidationError(
            _("Kỳ báo cáo %(c)s đã khóa sổ; không gửi hoặc sửa báo cáo được.")
            % {"c": str(locked_cycle)}
        )
    if task.programme.state not in (ProgrammeState.APPROVED, ProgrammeState.IN_PROGRESS):
        raise ValidationError(_("Chương trình chưa được phê duyệt hoặc đã kết thúc."))
    if task.lead_unit is None:
        raise ValidationError(_("Nhiệm vụ chưa có đơn vị chủ trì."))
    if spec.status not in NodeStatus.values:
        raise ValidationError(_("Không có tình trạng “%(s)s”.") % {"s": spec.status})
    progress = spec.progress
    if progress is None:
        progress = STATUS_PROGRESS.get(NodeStatus(spec.status))
        if progress is None:
            raise ValidationError(_("Hãy nhập tiến độ (%)."))
    if not 0 <= progress <= 100:
        raise ValidationError(_("Tiến độ phải từ 0 đến 100%."))
    if spec.status == NodeStatus.DONE and progress != 100:
        raise ValidationError(_("Nhiệm vụ đã hoàn thành thì tiến độ là 100%."))
    spent = (
        parse_money(spec.spent, _("Kinh phí đã giải ngân"))
        if spec.spent not in (None, "")
        else None
    )
    indicators = {i.pk: i for i in task.indicators.all()}
    for indicator_id in spec.indicator_values:
        if indicator_id not in indicators:
            raise ValidationError(_("Chỉ tiêu không thuộc nhiệm vụ này."))
    existing = ProgressReport.objects.filter(cycle=locked_cycle, node=task).first()
    before = None
    if existing is None:
        report = ProgressReport(cycle=locked_cycle, node=task)
    else:
        report = existing
        before = snapshot(existing, ("status", "progress", "narrative", "spent"))
    report.unit = task.lead_unit
    report.status, report.progress = spec.status, progress
    report.narrative, report.spent = _clean(spec.narrative), spent
    report.submitted_by, report.submitted_at = user_or_none(acting_user), at or timezone.now()
    report.save()
    for indicator_id, value in spec.indicator_values.items():
        IndicatorValue.objects.update_or_create(
            report=report, indicator_id=indicator_id, defaults={"value": value}
        )
    latest_cycle = (
        ProgressReport.objects.filter(node=task)
        .order_by("-cycle__period_start")
        .values_list("cycle_id", flat=True)
        .first()
    )
    if latest_cycle == locked_cycle.pk:
        task.status, task.progress = spec.status, progress
        task.save(update_fields=["status", "progress"])
    if task.programme.state == ProgrammeState.APPROVED:
        Programme.objects.filter(pk=task.programme_id).update(state=ProgrammeState.IN_PROGRESS)
    record(
        "programme.report",
        task,
        acting_user=acting_user,
        unit=task.lead_unit,
        before=before,
        after={
            **snapshot(report, ("status", "progress", "narrative", "spent")),
            "cycle": locked_cycle.pk,
            "values": {str(k): str(v) for k, v in spec.indicator_values.items()},
        },
    )
    return report


@transaction.atomic
def do_attach_to_report(
    report: ProgressReport, *, name: str, content: bytes, content_type: str, acting_user: AnyUser
) -> ReportAttachment:
    cycle = ReportingCycle.objects.select_for_update().get(pk=report.cycle_id)
    if cycle.closed_at is not None:
        raise ValidationError(_("Kỳ báo cáo đã khóa sổ; không thêm tài liệu được."))
    attachment = keep_file(
        ReportAttachment(report=report),
        name=name,
        content=content,
        content_type=content_type,
        uploaded_by=user_or_none(acting_user),
    )
    record(
        "programme.report.attach",
        report.node,
        acting_user=acting_user,
        unit=report.unit,
        after={"attachment": attachment.pk, "name": attachment.name, "size": attachment.size},
    )
    return attachment


@transaction.atomic
def do_send_programme_reminders(*, as_of: datetime.date, acting_user: AnyUser | None) -> Any:
    """E-mail each lead unit its late reports and overdue tasks not yet reminded of for this
    as-of date (of the programmes the acting user sees; all of them for the command), and write
    one audit event listing what was sent. What is sent is read by
    ``reminders.plan_run`` (``--dry-run`` prints the same); the mail leaves after the commit."""
    from tinhuy import reminders as shared
    from tinhuy.programs import reminders

    scope = scope_for(acting_user) if acting_user is not None else shared.EVERYTHING
    outcome = reminders.plan_run(as_of=as_of, scope=scope)
    kinds = list(reminders.Kind)
    record(
        reminders.AUDIT_ACTION,
        reminders.run_target(),
        acting_user=acting_user,
        after={
            "as_of": as_of.isoformat(),
            "counts": {
                **{str(kind): len(outcome.keys(kind)) for kind in kinds},
                "emails": outcome.emails,
                "already_sent": len(outcome.already_sent),
                "no_recipients": len(outcome.no_recipients),
            },
            "sent": shared.sent_record({str(kind): outcome.keys(kind) for kind in kinds}),
        },
    )
    shared.send_after_commit((r.subject, r.text, r.recipients) for r in outcome.to_send)
    return outcome


# --- Hand-over ------------------------------------------------------------------------------

_FINISHED = (NodeStatus.DONE, NodeStatus.CANCELLED)
_ENDED_PROGRAMMES = (ProgrammeState.COMPLETED, ProgrammeState.CANCELLED)


@transaction.atomic
def do_hand_over(
    from_unit: Unit,
    to_unit: Unit,
    *,
    effective_on: datetime.date,
    reason: str,
    acting_user: AnyUser,
) -> HandOver:
    """Move a unit's open work to its successor in one audited action: the tasks it leads that
    are not done (with their milestones and reports), the programmes it is focal agency of and
    its co-ordinating roles — in programmes not ended. Each moved node keeps who led it before
    (``NodeHandOver``), and its reports keep the unit that sent them."""
    if from_unit.pk == to_unit.pk:
        raise ValidationError(_("Đơn vị kế thừa phải khác đơn vị bàn giao."))
    if not from_unit.successors.filter(pk=to_unit.pk).exists():
        raise ValidationError(
            _("%(to)s không phải là đơn vị kế thừa của %(from)s.")
            % {"to": to_unit.name, "from": from_unit.name}
        )
    reason = _required(reason, _("lý do bàn giao"))
    nodes = list(
        Node.objects.select_for_update()
        .filter(lead_unit=from_unit)
        .exclude(status__in=_FINISHED)
        .exclude(programme__state__in=_ENDED_PROGRAMMES)
    )
    coordinated = list(
        Node.coordinating_units.through.objects.filter(unit=from_unit)
        .exclude(node__status__in=_FINISHED)
        .exclude(node__programme__state__in=_ENDED_PROGRAMMES)
    )
    programmes = list(
        Programme.objects.select_for_update()
        .filter(focal_agency=from_unit)
        .exclude(state__in=_ENDED_PROGRAMMES)
    )
    if not (nodes or coordinated or programmes):
        raise ValidationError(
            _("%(u)s không còn nhiệm vụ nào đang thực hiện để bàn giao.") % {"u": from_unit.name}
        )
    hand_over = HandOver.objects.create(
        from_unit=from_unit,
        to_unit=to_unit,
        effective_on=effective_on,
        reason=reason,
        moved={
            "lead": [n.pk for n in nodes],
            "coordinating": [c.node_id for c in coordinated],
            "focal": [p.pk for p in programmes],
        },
        done_by=user_or_none(acting_user),
    )
    NodeHandOver.objects.bulk_create(
        [NodeHandOver(hand_over=hand_over, node=n, role="lead") for n in nodes]
        + [
            NodeHandOver(hand_over=hand_over, node_id=c.node_id, role="coordinating")
            for c in coordinated
        ]
    )
    led = [n.pk for n in nodes]
    Node.objects.filter(pk__in=led).update(lead_unit=to_unit)
    through = Node.coordinating_units.through
    # The successor does not co-ordinate what it now leads (it may have co-ordinated it).
    through.objects.filter(node_id__in=led, unit=to_unit).delete()
    already = set(
        through.objects.filter(
            unit=to_unit, node_id__in=[c.node_id for c in coordinated]
        ).values_list("node_id", flat=True)
    ) | set(
        Node.objects.filter(pk__in=[c.node_id for c in coordinated], lead_unit=to_unit).values_list(
            "pk", flat=True
        )
    )
    through.objects.bulk_create(
        [through(node_id=c.node_id, unit=to_unit) for c in coordinated if c.node_id not in already]
    )
    through.objects.filter(pk__in=[c.pk for c in coordinated]).delete()
    Programme.objects.filter(pk__in=[p.pk for p in programmes]).update(focal_agency=to_unit)
    # Likewise for a programme's co-ordinating units: the successor takes the ceased unit's
    # place, but not beside itself as focal agency.
    joint = Programme.coordinating_units.through
    for row in joint.objects.filter(unit=from_unit).exclude(programme__state__in=_ENDED_PROGRAMMES):
        is_focal = Programme.objects.filter(pk=row.programme_id, focal_agency=to_unit).exists()
        has_it = joint.objects.filter(programme_id=row.programme_id, unit=to_unit).exists()
        if not (is_focal or has_it):
            joint.objects.create(programme_id=row.programme_id, unit=to_unit)
        row.delete()
    joint.objects.filter(programme_id__in=[p.pk for p in programmes], unit=to_unit).delete()
    record(
        "programme.hand_over",
        hand_over,
        acting_user=acting_user,
        unit=to_unit,
        before={"unit": from_unit.pk, "name": from_unit.name},
        after={"unit": to_unit.pk, "name": to_unit.name, **hand_over.moved},
    )
    return hand_over


# --- Delegations (R5) -------------------------------------------------------------------------


@dataclass
class DelegationSpec:
    kind: str
    title: str
    from_unit: Unit
    to_unit: Unit
    scope: str = ""
    legal_basis: str = ""
    effective_on: datetime.date | None = None
    state: str = DelegationState.PROPOSED
    programme: Programme | None = None


@transaction.atomic
def do_create_delegation(
    spec: DelegationSpec, *, is_sample: bool = False, acting_user: AnyUser
) -> Delegation:
    if spec.kind not in DelegationKind.values:
        raise ValidationError(_("Không có loại “%(k)s”.") % {"k": spec.kind})
    if spec.state not in DelegationState.values:
        raise ValidationError(_("Không có trạng thái “%(s)s”.") % {"s": spec.state})
    title = _required(spec.title, _("nội dung"))
    _check_units_visible(acting_user, [spec.from_unit, spec.to_unit])
    if spec.state == DelegationState.IN_EFFECT and spec.effective_on is None:
        raise ValidationError(_("Phân cấp đã có hiệu lực cần ngày hiệu lực."))
    delegation = Delegation.objects.create(
        kind=spec.kind,
        title=title,
        scope=_clean(spec.scope),
        from_unit=spec.from_unit,
        to_unit=spec.to_unit,
        legal_basis=_clean(spec.legal_basis)[:500],
        effective_on=spec.effective_on,
        state=spec.state,
        programme=spec.programme,
        is_sample=is_sample,
    )
    record(
        "delegation.create",
        delegation,
        acting_user=acting_user,
        unit=spec.to_unit,
        after=snapshot(
            delegation,
            ("kind", "title", "from_unit", "to_unit", "legal_basis", "effective_on", "state"),
        ),
    )
    return delegation


@transaction.atomic
def do_set_delegation_state(
    delegation: Delegation,
    *,
    state: str,
    effective_on: datetime.date | None = None,
    legal_basis: str = "",
    acting_user: AnyUser,
) -> Delegation:
    locked = Delegation.objects.select_for_update().get(pk=delegation.pk)
    if state not in DelegationState.values:
        raise ValidationError(_("Không có trạng thái “%(s)s”.") % {"s": state})
    effective_on = effective_on or locked.effective_on
    if state == DelegationState.IN_EFFECT and effective_on is None:
        raise ValidationError(_("Phân cấp đã có hiệu lực cần ngày hiệu lực."))
    before = snapshot(locked, ("state", "effective_on", "legal_basis"))
    locked.state, locked.effective_on = state, effective_on
    if legal_basis:
        locked.legal_basis = _clean(legal_basis)[:500]
    locked.save(update_fields=["state", "effective_on", "legal_basis"])
    record(
        "delegation.state",
        locked,
        acting_user=acting_user,
        unit=locked.to_unit,
        before=before,
        after=snapshot(locked, ("state", "effective_on", "legal_basis")),
    )
    return locked
