"""Every write to the organisation: one ``do_*`` function per use case, audited."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction

from tinhuy.audit.actions import record, snapshot, user_or_none
from tinhuy.audit.models import AuditEvent
from tinhuy.org import versions
from tinhuy.org.models import Level, Membership, Person, Structure, Unit
from tinhuy.org.provinces import province_of

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    AnyUser = User | AnonymousUser | None

UNIT_FIELDS = ("structure", "code", "name", "kind", "level", "parent", "path", "is_sample")
HEADCOUNT_FIELDS = ("headcount", "headcount_is_sample")


@dataclass(frozen=True)
class LevelSpec:
    code: str
    name: str


@dataclass(frozen=True)
class UnitSpec:
    """One unit to create; ``parent_code`` names a unit of the same batch or already stored."""

    code: str
    name: str
    level_code: str
    kind: str
    parent_code: str | None = None
    is_sample: bool = False
    headcount: int | None = None  # its Party members, when the file gives them


@transaction.atomic
def do_create_structure(
    *,
    code: str,
    name: str,
    levels: Sequence[LevelSpec],
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
    description: str = "",
    roll_up_by_part: bool = False,
    acting_user: AnyUser,
) -> Structure:
    """``roll_up_by_part``: a structure of many provinces (the units right below its top), set
    here because it cannot change once the structure has units (``Structure.clean``)."""
    structure = Structure.objects.create(
        code=code,
        name=name,
        valid_from=valid_from,
        valid_to=valid_to,
        description=description,
        roll_up_by_part=roll_up_by_part,
    )
    Level.objects.bulk_create(
        Level(structure=structure, order=order, code=spec.code, name=spec.name)
        for order, spec in enumerate(levels, start=1)
    )
    record(
        "structure.create",
        structure,
        acting_user=acting_user,
        after={
            **snapshot(structure, ("code", "name", "valid_from", "valid_to", "roll_up_by_part")),
            "levels": [spec.name for spec in levels],
        },
    )
    return structure


@transaction.atomic
def do_create_units(
    structure: Structure, specs: Sequence[UnitSpec], *, acting_user: AnyUser, source: str = ""
) -> list[Unit]:
    """Create many units at once, parents before children, with one audit event per unit.

    The caller has validated the batch (``tinhuy.org.importing`` does, row by row); here a bad
    parent or level is a programming error and raises ``KeyError``.
    """
    levels = {level.code: level for level in structure.levels.all()}
    existing = {
        u.code: u
        for u in Unit.objects.filter(structure=structure).only(
            "id", "code", "path", "depth", "province"
        )
    }
    pending = list(specs)
    created: list[Unit] = []
    # Create generation by generation so every parent has its primary key (and path) in time.
    while pending:
        ready = [s for s in pending if s.parent_code is None or s.parent_code in existing]
        if not ready:
            raise KeyError(
                f"Unknown or cyclic parents: {sorted({str(s.parent_code) for s in pending})}"
            )
        batch = []
        for spec in ready:
            parent = existing[spec.parent_code] if spec.parent_code else None
            unit = Unit(
                structure=structure,
                code=spec.code,
                name=spec.name,
                kind=spec.kind,
                level=levels[spec.level_code],
                parent=parent,
                depth=parent.depth + 1 if parent else 0,
                is_sample=spec.is_sample,
                headcount=spec.headcount,
                path="",
                # Until the path is known below: a province's top is its own province, not
                # known before the insert, which the deferred foreign key check lets pass.
                province_id=parent.province_id if parent else 0,
            )
            unit.set_derived_fields()
            batch.append(unit)
        Unit.objects.bulk_create(batch, batch_size=500)
        for unit in batch:
            unit.path = f"{unit.parent.path if unit.parent else '/'}{unit.pk}/"
            unit.province_id = province_of(unit.path, structure.roll_up_by_part)
            existing[unit.code] = unit
        Unit.objects.bulk_update(batch, ["path", "province"], batch_size=500)
        created.extend(batch)
        ready_codes = {s.code for s in ready}
        pending = [s for s in pending if s.code not in ready_codes]
    versions.bump(structure.pk, None)  # new units: every part's roll-ups change
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=user_or_none(acting_user),
                actor_name=_actor_name(acting_user),
                action="unit.create",
                target_type=Unit._meta.label,
                target_id=str(unit.pk),
                target_repr=unit.name[:255],
                unit=unit,
                unit_path=unit.path,
                province_id=unit.province_id,
                after={
                    **snapshot(unit, UNIT_FIELDS),
                    **({"headcount": unit.headcount} if unit.headcount is not None else {}),
                    **({"source": source} if source else {}),
                },
            )
            for unit in created
        ],
        batch_size=500,
    )
    return created


def _actor_name(user: AnyUser) -> str:
    actor = user_or_none(user)
    return actor.get_username() if actor is not None else ""


@transaction.atomic
def do_create_unit(
    structure: Structure,
    *,
    code: str,
    name: str,
    level_code: str,
    kind: str,
    parent: Unit | None = None,
    is_sample: bool = False,
    acting_user: AnyUser,
) -> Unit:
    spec = UnitSpec(code, name, level_code, kind, parent.code if parent else None, is_sample)
    return do_create_units(structure, [spec], acting_user=acting_user)[0]


@transaction.atomic
def do_rename_unit(unit: Unit, *, name: str, acting_user: AnyUser) -> Unit:
    before = snapshot(unit, ("name",))
    unit.name = name
    unit.save(update_fields=["name"])
    record(
        "unit.rename",
        unit,
        acting_user=acting_user,
        unit=unit,
        before=before,
        after=snapshot(unit, ("name",)),
    )
    return unit


@transaction.atomic
def do_set_headcount(
    unit: Unit, *, headcount: int | None, is_sample: bool = False, acting_user: AnyUser
) -> Unit:
    """Record how many Party members a unit has (None: not known). Campaign figures count
    them as the people a unit's conference must reach until a member list or a report says
    otherwise; ``is_sample`` marks the demo's invented numbers."""
    if headcount is not None and headcount < 0:
        raise ValueError("A headcount cannot be negative.")
    before = snapshot(unit, HEADCOUNT_FIELDS)
    unit.headcount, unit.headcount_is_sample = headcount, is_sample and headcount is not None
    unit.save(update_fields=list(HEADCOUNT_FIELDS))
    record(
        "unit.set_headcount",
        unit,
        acting_user=acting_user,
        unit=unit,
        reaches_below=False,  # the unit's own figure only
        before=before,
        after=snapshot(unit, HEADCOUNT_FIELDS),
    )
    return unit


@transaction.atomic
def do_set_successors(unit: Unit, successors: Sequence[Unit], *, acting_user: AnyUser) -> None:
    """Record which units of a newer structure took over ``unit`` after a reorganisation."""
    before = sorted(unit.successors.values_list("pk", flat=True))
    unit.successors.set(successors)
    record(
        "unit.set_successors",
        unit,
        acting_user=acting_user,
        unit=unit,
        before={"successors": before},
        after={"successors": sorted(s.pk for s in successors)},
    )


@transaction.atomic
def do_set_unit_validity(
    unit: Unit,
    *,
    valid_from: datetime.date | None,
    valid_to: datetime.date | None,
    acting_user: AnyUser,
) -> Unit:
    """Record when a unit began and ceased (a department merged away, a district-level
    committee abolished): the unit stays, with its history, and its successors take over."""
    if valid_from and valid_to and valid_to < valid_from:
        raise ValueError("valid_to before valid_from")
    before = snapshot(unit, ("valid_from", "valid_to"))
    unit.valid_from, unit.valid_to = valid_from, valid_to
    unit.save(update_fields=["valid_from", "valid_to"])
    record(
        "unit.set_validity",
        unit,
        acting_user=acting_user,
        unit=unit,
        before=before,
        after=snapshot(unit, ("valid_from", "valid_to")),
    )
    return unit


@transaction.atomic
def do_add_person(
    unit: Unit, *, full_name: str, position: str = "", is_sample: bool = False, acting_user: AnyUser
) -> Person:
    person = Person.objects.create(
        unit=unit, full_name=full_name, position=position, is_sample=is_sample
    )
    record(
        "person.create",
        person,
        acting_user=acting_user,
        unit=unit,
        after=snapshot(person, ("full_name", "position", "unit", "is_sample")),
    )
    return person


@transaction.atomic
def do_grant_membership(user: User, unit: Unit, role: str, *, acting_user: AnyUser) -> Membership:
    membership, created = Membership.objects.get_or_create(user=user, unit=unit, role=role)
    if created:
        record(
            "membership.grant",
            membership,
            acting_user=acting_user,
            unit=unit,
            after=snapshot(membership, ("user", "unit", "role")),
        )
    return membership


@transaction.atomic
def do_revoke_membership(membership: Membership, *, acting_user: AnyUser) -> None:
    before = snapshot(membership, ("user", "unit", "role"))
    record(
        "membership.revoke",
        membership,
        acting_user=acting_user,
        unit=membership.unit,
        before=before,
    )
    membership.delete()
