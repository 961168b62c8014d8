"""The audit log in words: each event's before/after as labelled, readable changes.

``describe(events, scope)`` turns one page of events into rows a clerk can read: the action's
Vietnamese name, the kind of object, and per changed field "label: before → after" with dates
dd/mm/yyyy, yes/no, numbers with Vietnamese separators, choices by their label, and ids of
units, people and other named objects as names. Names are read in one query per kind of object
for the whole page. Units (and people, through their unit) outside the viewer's scope are never
named: they read exactly like an object that no longer exists.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhuy.audit.labels import (
    FIELD_ALIASES,
    FIELD_LABELS,
    HIDDEN_KEYS,
    ID_KEYS,
    NAME_FIELDS,
    action_label,
)
from tinhuy.audit.models import AuditEvent
from tinhuy.documents.numbers import format_number
from tinhuy.org.access import Scope

DASH = "—"
UNSEEN = "(không xem được)"  # an id outside the scope, or of an object removed since
LONG_TEXT = 400  # characters of a long text shown; the rest is cut with "…"
LONG_LIST = 20  # items of a long list shown; the rest counted


@dataclass
class Change:
    label: str
    before: str | None  # None: the key is not in "before" (a creation, or a count)
    after: str | None


@dataclass
class EventView:
    event: AuditEvent
    action: str
    target_kind: str
    changes: list[Change] = field(default_factory=list)


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _alias_field(spec: str) -> models.Field[Any, Any] | None:
    model_label, _dot, name = spec.rpartition(".")
    model = _model(model_label)
    if model is None:
        return None
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return found if isinstance(found, models.Field) else None


def field_for(action: str, target_type: str, key: str) -> models.Field[Any, Any] | None:
    """The model field a snapshot key stands for, if any (see ``tinhuy.audit.labels``)."""
    alias = FIELD_ALIASES.get(f"{action}:{key}")
    if alias:
        return _alias_field(alias)
    own = _own_field(target_type, key)
    # Only the model's own columns: a reverse relation's name ("entries", "rules") holds a
    # count or a list of dicts in a snapshot, not ids.
    if own is not None:
        return own
    alias = FIELD_ALIASES.get(key)
    return _alias_field(alias) if alias else None


def _own_field(target_type: str, key: str) -> models.Field[Any, Any] | None:
    model = _model(target_type)
    if model is None:
        return None
    try:
        found = model._meta.get_field(key)
    except FieldDoesNotExist:
        return None
    return found if isinstance(found, models.Field) and found.concrete else None


def key_label(action: str, target_type: str, key: str) -> str | None:
    """A key's Vietnamese label, or None when the registry does not know it: the target
    model's own field's verbose name, else the registry's label, else the aliased field's."""
    own = None if f"{action}:{key}" in FIELD_ALIASES else _own_field(target_type, key)
    # A field without a verbose name of its own gets Django's default (its name, in English).
    if own is not None and own.verbose_name != key.replace("_", " "):
        return str(own.verbose_name)
    label = FIELD_LABELS.get(key)
    if label is not None:
        return str(label)
    found = field_for(action, target_type, key)
    if found is not None and found.verbose_name != key.replace("_", " "):
        return str(found.verbose_name)
    return None


def hidden(target_type: str, key: str) -> bool:
    return key in HIDDEN_KEYS or f"{target_type}:{key}" in HIDDEN_KEYS


def _related_label(found: models.Field[Any, Any] | None, key: str = "") -> str | None:
    if found is None:
        return ID_KEYS.get(key)
    if not found.is_relation or found.related_model is None:
        return None
    related = found.related_model
    return related._meta.label if not isinstance(related, str) else related


def _ids(value: Any) -> list[int]:
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, int) and not isinstance(v, bool)]


class Names:
    """Names of the ids a page of events mentions: one query per kind of object."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.wanted: dict[str, set[int]] = defaultdict(set)
        self.known: dict[str, dict[int, str]] = {}

    def want(self, model_label: str, value: Any) -> None:
        if model_label in NAME_FIELDS:
            self.wanted[model_label].update(_ids(value))

    def load(self) -> None:
        for model_label, ids in self.wanted.items():
            model = _model(model_label)
            if model is None or not ids:
                continue
            rows = model._base_manager.filter(pk__in=ids).order_by()
            if model_label == "org.Unit":
                rows = rows.filter(self.scope.q())
            elif model_label == "org.Person":
                rows = rows.filter(self.scope.q("unit__"))
            elif model_label == "auth.User":
                if not self.scope.everything:
                    rows = rows.filter(memberships__unit__in=self.scope.units()).distinct()
            elif not self.scope.everything:
                # Other objects belong to units in ways the log does not record: only the
                # province office, who sees everything, reads their names.
                rows = rows.none()
            fields = NAME_FIELDS[model_label]
            if isinstance(fields, str):
                self.known[model_label] = dict(rows.values_list("pk", fields))
            else:
                self.known[model_label] = {
                    pk: _joined(values) for pk, *values in rows.values_list("pk", *fields)
                }

    def name(self, model_label: str, pk: int) -> str:
        if model_label not in NAME_FIELDS:
            return _("số %s") % pk  # an object without a name (a reporting cycle): its number
        return self.known.get(model_label, {}).get(pk, UNSEEN)


def _joined(values: Sequence[Any]) -> str:
    """A name made of several fields: a period "01/07/2026–30/09/2026", an opinion's author and
    lines "Nguyễn Văn A, 7–7"."""
    texts = [v.strftime("%d/%m/%Y") if isinstance(v, datetime.date) else str(v)
             for v in values if v not in (None, "")]  # fmt: skip
    if len(texts) == 3:
        return f"{texts[0]}, {texts[1]}–{texts[2]}"
    return "–".join(texts)


def _format_date(text: str) -> str:
    try:
        return datetime.date.fromisoformat(text[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return text


def _format_datetime(text: str) -> str:
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        return text
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%d/%m/%Y %H:%M")


def _shorten(text: str) -> str:
    return text if len(text) <= LONG_TEXT else text[:LONG_TEXT].rstrip() + "…"


class Formatter:
    """Readable text for one snapshot value, given the field it belongs to (if known)."""

    def __init__(self, names: Names) -> None:
        self.names = names

    def value(self, found: models.Field[Any, Any] | None, value: Any, key: str = "") -> str:
        if value is None or value == "" or value == [] or value == {}:
            return DASH
        if key.endswith("year") and isinstance(value, int):
            return str(value)  # 2025, not 2.025
        related = _related_label(found, key)
        if related is not None and _ids(value):
            items = value if isinstance(value, list) else [value]
            return self._list(
                [
                    self.names.name(related, v) if isinstance(v, int) else self.plain(v)
                    for v in items
                ]
            )
        if found is not None and found.choices and isinstance(value, str | int):
            choices = dict(found.flatchoices)
            return str(choices.get(value, value))
        if isinstance(found, models.DateTimeField) and isinstance(value, str):
            return _format_datetime(value)
        if isinstance(found, models.DateField) and isinstance(value, str):
            return _format_date(value)
        if isinstance(found, models.DecimalField) and isinstance(value, str | int | float):
            return format_number(value)
        return self.plain(value)

    def plain(self, value: Any) -> str:
        """A value with no field to tell what it is: by its JSON type."""
        if value is None:
            return DASH
        if isinstance(value, bool):
            return _("có") if value else _("không")
        if isinstance(value, int | float | Decimal):
            return format_number(value)
        if isinstance(value, str):
            if len(value) == 10 and value[4] == "-" and value[7] == "-":
                return _format_date(value)
            return _shorten(value)
        if isinstance(value, list):
            return self._list([self.plain(v) for v in value]) if value else DASH
        if isinstance(value, dict):
            parts = [
                f"{FIELD_LABELS.get(k, k)}: {self._nested(k, v)}"
                for k, v in value.items()
                if k not in HIDDEN_KEYS
            ]
            return "; ".join(parts) if parts else DASH
        return _shorten(str(value))

    def _nested(self, key: str, value: Any) -> str:
        """A value inside a dict: a revised figure's "before"/"after" are numbers as text."""
        if key in {"before", "after"} and isinstance(value, str):
            return format_number(value)
        if key.endswith("year") and isinstance(value, int):
            return str(value)
        return self.plain(value)

    def _list(self, items: Sequence[str]) -> str:
        shown = ", ".join(items[:LONG_LIST])
        if len(items) > LONG_LIST:
            shown += " " + _("… và %(n)s mục khác") % {"n": format_number(len(items) - LONG_LIST)}
        return shown


def _target_kind(target_type: str) -> str:
    model = _model(target_type)
    return str(model._meta.verbose_name) if model is not None else target_type


def describe(events: Iterable[AuditEvent], scope: Scope) -> list[EventView]:
    """Readable rows for a page of events (see the module's docstring)."""
    events = list(events)
    names = Names(scope)
    keyed: list[tuple[AuditEvent, list[tuple[str, models.Field[Any, Any] | None]]]] = []
    for event in events:
        before = event.before if isinstance(event.before, dict) else {}
        after = event.after if isinstance(event.after, dict) else {}
        keys = list(dict.fromkeys([*before, *after]))
        fields = []
        for key in keys:
            if hidden(event.target_type, key):
                continue
            found = field_for(event.action, event.target_type, key)
            related = _related_label(found, key)
            if related is not None:
                names.want(related, before.get(key))
                names.want(related, after.get(key))
            fields.append((key, found))
        keyed.append((event, fields))
    names.load()
    formatter = Formatter(names)
    rows = []
    for event, fields in keyed:
        before = event.before if isinstance(event.before, dict) else {}
        after = event.after if isinstance(event.after, dict) else {}
        both = bool(before) and bool(after)
        changes = []
        for key, found in fields:
            if both and key in before and key in after and before[key] == after[key]:
                continue  # unchanged: only what changed is shown when both sides are known
            label = key_label(event.action, event.target_type, key) or key
            changes.append(
                Change(
                    label[:1].upper() + label[1:],
                    formatter.value(found, before[key], key) if key in before else None,
                    formatter.value(found, after[key], key) if key in after else None,
                )
            )
        rows.append(
            EventView(event, action_label(event.action), _target_kind(event.target_type), changes)
        )
    return rows
