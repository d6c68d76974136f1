"""Values set on the Advisers page laid over the synced advisers (``services.adviser_edits``).

Pure, so the snapshot loader and the syncs can use it without the page's use cases."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from allocation import Adviser
from services.records import AdviserEdit


def merged(advisers: Sequence[Adviser], edits: Sequence[AdviserEdit]) -> list[Adviser]:
    """The advisers as decisions read them: each value set here over the synced one."""
    by_id = {e.adviser_id: e for e in edits}
    return [apply_edit(a, by_id[a.id]) if a.id in by_id else a for a in advisers]


def apply_edit(adviser: Adviser, edit: AdviserEdit) -> Adviser:
    changes: dict[str, Any] = {}
    for field in ("region", "pod_type", "monthly_limit", "end_date"):
        value = getattr(edit, field)
        if value is not None:
            changes[field] = value
    return dataclasses.replace(adviser, **changes) if changes else adviser


def aliases(advisers: Sequence[Adviser], edits: Sequence[AdviserEdit]) -> dict[str, str]:
    """Employment Hero emails (folded) → adviser id: each adviser's own email, and the alias
    set here when their Employment Hero account uses another."""
    found = {a.email.strip().casefold(): a.id for a in advisers if a.email}
    known = {a.id for a in advisers}
    for edit in edits:
        if edit.eh_email and edit.adviser_id in known:
            found[edit.eh_email.strip().casefold()] = edit.adviser_id
    return found
