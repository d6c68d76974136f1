"""Office closures: public holidays, shutdowns, closures for some advisers or some regions."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from console import auth, handle, holidays_import, quick_add
from console.editing_page import EditorPage, render
from console.editor_diff import EditorSlot

ORDER = ("start", "end", "description", "scope", "advisers", "regions")
COLUMNS = {
    "start": st.column_config.DateColumn("Start", required=True, format="YYYY-MM-DD"),
    "end": st.column_config.DateColumn(
        "End", format="YYYY-MM-DD", help="Last closed day; leave empty for a single day."
    ),
    "description": st.column_config.TextColumn("Description"),
    "scope": st.column_config.TextColumn(
        "Applies to", disabled=True, help="Worked out from the advisers and regions columns."
    ),
    "advisers": st.column_config.TextColumn(
        "Advisers", help="Names or emails, separated by commas. Empty (and no regions) = everyone."
    ),
    "regions": st.column_config.TextColumn(
        "Regions", help="Region codes such as NSW, VIC, separated by commas."
    ),
}


def scope_of(row: pd.Series) -> str:
    advisers = [n for n in str(row["advisers"] or "").split(",") if n.strip()]
    if advisers:
        return f"{len(advisers)} adviser{'s' if len(advisers) != 1 else ''}"
    return f"Regions {row['regions']}" if str(row["regions"] or "").strip() else "Everyone"


def with_scope(frame: pd.DataFrame) -> pd.DataFrame:
    scoped = frame.copy()
    scoped["scope"] = [scope_of(r) for _, r in frame.iterrows()] if len(frame) else []
    return scoped


user = auth.current_user()  # before anything else: see console.navigation
svc = handle.services()
st.title("Office closures")
st.caption(
    "Closed days count as unavailable for everyone they apply to: everyone, some advisers, "
    "or the advisers of some regions."
)
page = EditorPage(
    slot=EditorSlot("closures"),
    noun="closure",
    load=lambda: with_scope(svc.editing.closures_frame()),
    save=lambda edits: svc.editing.save_closures(edits, actor=user.actor, is_editor=user.is_editor),
    columns=COLUMNS,
    order=ORDER,
    describe=lambda row: f"{row.get('description') or 'closure'} from {row.get('start')}",
)
render(page, user.is_editor)

if user.is_editor:
    names = sorted((a.name for a in svc.browsing.advisers()), key=str.casefold)
    quick_add.closure_form(page, names, svc.browsing.regions(), svc.today())
    config = handle.settings()
    with st.expander("Import public holidays"):
        holidays_import.render(
            page,
            preview=svc.editing.holiday_closures,
            save=lambda found: svc.editing.import_holidays(found, user.actor, user.is_editor),
            country=config.get("HOLIDAYS_COUNTRY") or "AU",
            subdivision=config.get("HOLIDAYS_SUBDIVISION") or "",
            year=svc.today().year,
        )

st.subheader("Recent changes")
st.dataframe(svc.history.audit_frame("closures", limit=20), hide_index=True)
