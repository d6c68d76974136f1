"""Office closures: public holidays, shutdowns, closures for some advisers or some regions."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from console import auth, closure_rows, handle, holidays_import, quick_add, text
from console.editing_page import EditorPage, render
from console.editor_diff import EditorSlot
from console.text import plain

ORDER = ("start", "end", "description", "scope", "advisers", "regions")
COLUMNS = {
    "start": st.column_config.DateColumn("Start", required=True, format=text.DATE_FORMAT),
    "end": st.column_config.DateColumn(
        "End", format=text.DATE_FORMAT, help="Last closed day; leave empty for a single day."
    ),
    "description": st.column_config.TextColumn("Description"),
    "scope": st.column_config.TextColumn(
        "Applies to", disabled=True, help="Worked out from the advisers and regions columns."
    ),
    "advisers": st.column_config.TextColumn(
        "Advisers", help="Names or emails, separated by commas. Empty (and no regions) = everyone."
    ),
}


def scope_of(row: pd.Series) -> str:
    advisers = [n for n in str(row["advisers"] or "").split(",") if n.strip()]
    if advisers:
        return f"{len(advisers)} adviser{'s' if len(advisers) != 1 else ''}"
    regions = closure_rows.regions_words(row["regions"])
    return f"Regions {regions}" if regions else "Everyone"


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
today = svc.today()
slot = EditorSlot("closures")
show_past = st.toggle(
    "Show past closures", key=closure_rows.SHOW_PAST, bind="query-params",
    help="Closures that are over are hidden unless this is on (it is kept in the URL).",
)  # fmt: skip
closure_rows.follow_past_choice(slot, show_past)
page = EditorPage(
    slot=slot,
    noun="closure",
    load=lambda: closure_rows.upcoming_first(
        with_scope(closure_rows.with_region_lists(svc.editing.closures_frame())), today, show_past
    ),
    save=lambda edits: svc.editing.save_closures(edits, actor=user.actor, is_editor=user.is_editor),
    columns={**COLUMNS, "regions": closure_rows.regions_column(svc.browsing.regions())},
    order=ORDER,
    describe=lambda row: f"{row.get('description') or 'closure'} from {text.day(row.get('start'))}",
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
            today=today,
            reach=svc.quality.closures_reaching_nobody,
        )

nobody = svc.quality.closures_reaching_nobody()
if nobody:
    st.warning(f"{plain(nobody)}: set the advisers' regions on the Advisers page.")

st.subheader("Recent changes")
st.dataframe(svc.history.audit_frame("closures", limit=20), hide_index=True)
