"""Every stored record as a JSON-ready dict and back, so all stores save records the same way.

Dates are ISO strings, datetimes aware ISO strings in UTC in one format (a naive datetime is
taken to be UTC already, as every record documents its datetimes as UTC; range queries in
SQLite and Firestore compare these strings), frozensets sorted lists and tuples lists.
``x_from_dict(x_to_dict(r)) == r`` for every record ``r``. Reading builds every record through
its constructor, so its ``__post_init__`` checks stored data too (``InvalidInput``); keys a
record does not know are ignored, and keys an older console did not write take the field's
default.

The conversion is cattrs's (https://catt.rs): it generates one plain function per record class
from its fields, and the few rules below are hooks. Chosen over msgspec and pydantic's
``TypeAdapter``: both write ``datetime`` themselves (``…Z``, local offsets kept) with no hook
for the stored ``+00:00`` form, and wrap ``InvalidInput`` in their own ``ValidationError``.
cattrs is typed (mypy --strict clean), maintained by the attrs project, writes as fast as the
hand-written code it replaced and reads within a microsecond or so a record (CONTRIBUTING.md,
"Stored records", has the numbers).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from types import UnionType
from typing import TYPE_CHECKING, Any, Literal, TypeVar, get_args, get_origin, get_type_hints

import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from allocation import (
    Adviser,
    Closure,
    Leave,
    Meeting,
    MeetingTable,
    Override,
    PendingDeal,
    Rules,
)
from services import explanation
from services.folder_records import BoxSettings, FolderRecord
from services.records import (
    DEFAULT_HOUSEHOLD_TYPES,
    DEFAULT_SERVICE_PACKAGES,
    AdviserEdit,
    AllocationRecord,
    AuditEntry,
    ConsoleSettings,
    OutlookDay,
    RejectedDelivery,
    SyncRun,
)

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Json = dict[str, Any]
R = TypeVar("R", bound="DataclassInstance")

# --- scalar helpers ------------------------------------------------------------------------


def date_out(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def date_in(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def datetime_out(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.utcoffset() is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat()


def datetime_in(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    parsed = dt.datetime.fromisoformat(value)
    if parsed.utcoffset() is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def _datetime(value: str) -> dt.datetime:
    parsed = datetime_in(value)
    assert parsed is not None
    return parsed


# --- the converter -------------------------------------------------------------------------

# detailed_validation=False: a missing key or a bad date raises as plain Python does (KeyError,
# ValueError), and the records' own InvalidInput is never wrapped in a cattrs error group.
_converter = cattrs.Converter(detailed_validation=False)


def _kept(value: Any, _: Any) -> Any:
    return value


def _number(value: Any, _: Any) -> Any:
    # A whole number stored as a JSON int stays an int, so a record read and saved again
    # stores the same bytes.
    return value if isinstance(value, int | float) else float(value)


def _of(origin: Any) -> Callable[[Any], bool]:
    return lambda t: get_origin(t) is origin


def _optional(t: Any) -> Callable[[Any, Any], Any]:
    # cattrs's own looks the inner type's hook up on every value; this looks it up once.
    [inner] = [arg for arg in get_args(t) if arg is not type(None)]
    hook = _converter.get_structure_hook(inner)
    if hook is _kept:
        return _kept
    return lambda v, _: None if v is None else hook(v, inner)


# Strings and statuses reach the constructor as stored (str(None) would invent "None").
_converter.register_structure_hook(str, _kept)
_converter.register_structure_hook_func(_of(Literal), _kept)
_converter.register_structure_hook(float, _number)
_converter.register_structure_hook_factory(
    lambda t: isinstance(t, UnionType) and len(get_args(t)) == 2 and type(None) in get_args(t),
    _optional,
)
_converter.register_unstructure_hook(dt.datetime, datetime_out)
_converter.register_structure_hook(dt.datetime, lambda v, _: _datetime(v))
_converter.register_unstructure_hook(dt.date, dt.date.isoformat)
_converter.register_structure_hook(dt.date, lambda v, _: dt.date.fromisoformat(v))
# Sorted, so equal records store identically; a stored null is an empty set or tuple.
_converter.register_unstructure_hook_func(_of(frozenset), sorted)
_converter.register_structure_hook_func(_of(frozenset), lambda v, _: frozenset(v or ()))
_converter.register_unstructure_hook_func(_of(tuple), list)
_converter.register_structure_hook_func(_of(tuple), lambda v, _: tuple(v or ()))
# Free-form JSON (audit before/after) is kept as it is.
_converter.register_unstructure_hook_func(lambda t: t == dict[str, Any], lambda v: v)
_converter.register_structure_hook_func(lambda t: t == dict[str, Any], _kept)


def _codec(
    cls: type[R], **fields: Any
) -> tuple[Callable[[R], Json], Callable[[Mapping[str, Any]], R]]:
    """``cls``'s to-dict and from-dict functions, with ``fields``'s overrides."""
    unstructure = make_dict_unstructure_fn(cls, _converter, **fields)
    structure = make_dict_structure_fn(cls, _converter, **fields)
    _converter.register_unstructure_hook(cls, unstructure)
    _converter.register_structure_hook(cls, structure)
    # A field that may be None but has no default reads as None when a row lacks it.
    hints = get_type_hints(cls)
    nullable = {
        f.name: None
        for f in dataclasses.fields(cls)
        if f.default is f.default_factory is dataclasses.MISSING
        and type(None) in get_args(hints[f.name])
    }
    if nullable:
        return unstructure, lambda d: structure({**nullable, **d})
    return unstructure, structure  # cattrs's structure hooks take the class as optional


def _fields_out(fields: Mapping[str, str]) -> list[Json]:
    # A list, not a map: what arrived may name fields no store takes as a key ("", "__x__"),
    # and of small maps, as Firestore refuses arrays inside arrays.
    return [{"name": k, "value": v} for k, v in fields.items()]


def _fields_in(value: Any, _: Any) -> dict[str, str]:
    pairs = (
        value.items()
        if isinstance(value, Mapping)
        else ((item.get("name"), item.get("value")) for item in value or ())
    )
    return {str(k): str(v) for k, v in pairs}


def _or_default(default: tuple[str, ...]) -> Any:
    # Settings saved before the catalogue was a setting have none: the defaults apply.
    return override(struct_hook=lambda v, _: tuple(v or default))


# --- core records --------------------------------------------------------------------------

adviser_to_dict, adviser_from_dict = _codec(Adviser)
meeting_to_dict, meeting_from_dict = _codec(Meeting)
leave_to_dict, leave_from_dict = _codec(Leave)
closure_to_dict, closure_from_dict = _codec(Closure)
override_to_dict, override_from_dict = _codec(Override)
pending_to_dict, pending_from_dict = _codec(PendingDeal)
adviser_edit_to_dict, adviser_edit_from_dict = _codec(AdviserEdit)
# Missing keys take the core's defaults, so settings saved by an older console load.
rules_to_dict, rules_from_dict = _codec(Rules)


def meeting_table_from_dicts(rows: Iterable[Mapping[str, Any]]) -> MeetingTable:
    """Stored meetings as columns, with no ``Meeting`` object made on the way."""
    ordered = sorted(rows, key=lambda r: str(r["id"]))
    return MeetingTable.from_columns(
        [r["id"] for r in ordered],
        [r["adviser_id"] for r in ordered],
        [int(_datetime(r["start"]).timestamp()) for r in ordered],
        [r["kind"] for r in ordered],
        [r.get("deal_id") for r in ordered],
    )


# --- console records -----------------------------------------------------------------------

box_settings_to_dict, box_settings_from_dict = _codec(BoxSettings)
settings_to_dict, settings_from_dict = _codec(
    ConsoleSettings,
    rules=override(struct_hook=lambda v, _: rules_from_dict(v or {})),
    service_packages=_or_default(DEFAULT_SERVICE_PACKAGES),
    household_types=_or_default(DEFAULT_HOUSEHOLD_TYPES),
    box=override(struct_hook=lambda v, _: box_settings_from_dict(v or {})),
)
allocation_to_dict, allocation_from_dict = _codec(
    AllocationRecord,
    # Packed text, lazily unpacked when read; records written before packing hold a list.
    explanation=override(
        unstruct_hook=explanation.packed_text, struct_hook=lambda v, _: explanation.stored(v)
    ),
    version=override(omit=True),  # the store's, kept beside the record, never inside it
)
rejection_to_dict, rejection_from_dict = _codec(
    RejectedDelivery, fields=override(unstruct_hook=_fields_out, struct_hook=_fields_in)
)
audit_to_dict, audit_from_dict = _codec(AuditEntry)
sync_run_to_dict, sync_run_from_dict = _codec(SyncRun)
outlook_day_to_dict, outlook_day_from_dict = _codec(OutlookDay)
folder_to_dict, folder_from_dict = _codec(FolderRecord, version=override(omit=True))
