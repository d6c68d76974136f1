"""Every page shows the firm's data as text (issue 9): names, pods, regions, packages and
households from HubSpot, closure descriptions and override notes from editors, and errors
from HubSpot, Employment Hero and syncs carry markdown and HTML here, and no page draws a link,
an image or HTML from them — each page shows them literally instead.

Each test opens one page script with AppTest on a small firm whose data is hostile, reads every
string Streamlit renders as markdown the way a browser would (``tests/app/markdown_view.py``),
and checks the Plotly figures' text too.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd
from streamlit.testing.v1 import AppTest

from console import state
from console.holidays_import import COUNTRY
from console.preview_view import candidate_words
from console.text import chart_text, plain
from services.console_edits import start_connect
from services.errors import UpstreamRejected, UpstreamUnavailable
from services.records import EditBatch
from tests.app.firm import EDITOR_USER, NOW, Firm, page, small_firm
from tests.app.markdown_view import (
    chart_strings,
    drawn_markup,
    markdown_sources,
    page_text,
    shown,
)


def payload(field: str) -> str:
    """Markdown and HTML an attacker could put in ``field``, marked with the field's name."""
    return (
        f"![{field}](http://attacker/{field}.png) [Reconnect {field}](http://attacker/{field}) "
        f'<img src="http://attacker/{field}.gif"> <a href="http://attacker/a">{field}</a> '
        f"**{field}** :red[{field}] http://attacker/{field}/bare"
    )


NAME = payload("name")
POD = payload("pod")
REGION = payload("region")
PACKAGE = payload("package")
HOUSEHOLD = payload("household")
DEAL_PACKAGE = payload("deal-package")
DEAL_HOUSEHOLD = payload("deal-household")
NOTE = payload("allocation-note")
CLOSURE = payload("closure")
OVERRIDE_NOTE = payload("override-note")
SYNC_ACTOR = payload("sync-actor")
SYNC_ERROR = payload("sync-error")
HUBSPOT_ERROR = payload("hubspot-error")
EH_ERROR = payload("employment-hero-error")


def hostile_firm() -> Firm:
    """The small firm, with hostile text in every field that reaches a page."""
    firm = small_firm()
    store = firm.store
    dana, *others = store.list_advisers()
    assert dana.id == "dana"
    dana = dataclasses.replace(
        dana,
        name=NAME,
        pod_type=POD,
        region=REGION,
        service_packages=dana.service_packages | {PACKAGE},
        household_types=frozenset({"Couple", "Single", HOUSEHOLD}),
    )
    store.replace_advisers([dana, *others])
    for record in store.list_allocations():
        changed = dataclasses.replace(
            record, service_package=DEAL_PACKAGE, household_type=DEAL_HOUSEHOLD, note=NOTE
        )
        if record.last_error:
            changed = dataclasses.replace(changed, last_error=HUBSPOT_ERROR)
        store.update_allocation(changed, actor="system")
    [shutdown] = store.list_closures()
    closure = dataclasses.replace(
        shutdown.value, description=CLOSURE, adviser_ids=frozenset({"dana"})
    )
    store.save_closures(EditBatch(updated=((closure, shutdown.version),)), "seed")
    [gus_override] = store.list_overrides()
    store.set_override_note(gus_override.value.id, OVERRIDE_NOTE)
    run = store.start_sync("leave", SYNC_ACTOR, NOW)
    store.finish_sync(dataclasses.replace(run, status="failed", errors=(SYNC_ERROR,)))
    return firm


def opened(script: str, firm: Firm, **kw: Any) -> AppTest:
    at = page(script, firm, **kw).run()
    assert not at.exception, at.exception
    return at


def table_text(at: AppTest) -> str:
    return " | ".join(
        str(cell) for table in at.dataframe for cell in table.value.astype(str).to_numpy().ravel()
    )


def assert_shown_as_text(at: AppTest, *in_markdown: str, in_tables: tuple[str, ...] = ()) -> None:
    """Nothing the page renders as markdown draws a link, image or HTML; ``in_markdown``
    values are read literally in it, and ``in_tables`` in its tables."""
    drawn = [(where, found) for where, md in markdown_sources(at) for found in drawn_markup(md)]
    assert drawn == []
    text = page_text(at)
    for value in in_markdown:
        assert value in text, value
    tables = table_text(at)
    for value in in_tables:
        assert value in tables, value


def assert_charts_show_tags_as_text(at: AppTest, *names: str) -> None:
    strings = chart_strings(at)
    assert strings, "the page drew no chart"
    assert not [s for s in strings if "<img" in s or "<a href" in s]
    for name in names:
        assert chart_text(name) in strings, name


def test_availability() -> None:
    at = opened("pages/availability.py", hostile_firm())

    assert_shown_as_text(at, in_tables=(NAME, POD, REGION))
    assert_charts_show_tags_as_text(at, NAME)


def test_adviser_schedule() -> None:
    at = opened("pages/schedule.py", hostile_firm(), adviser="dana")

    assert_shown_as_text(at, POD, REGION, PACKAGE, HOUSEHOLD)


def test_closures_and_the_holiday_import_error() -> None:
    firm = hostile_firm()
    at = opened("pages/closures.py", firm)
    country = payload("country")

    at.text_input(key=COUNTRY).input(country)
    next(b for b in at.button if b.label == "Preview holidays").click().run()

    assert not at.exception
    assert_shown_as_text(at, country.upper(), in_tables=(CLOSURE, NAME))  # codes are upper case


def test_capacity_overrides() -> None:
    at = opened("pages/overrides.py", hostile_firm())

    assert_shown_as_text(at, in_tables=(OVERRIDE_NOTE,))


def test_allocation_preview() -> None:
    at = opened("pages/preview.py", hostile_firm())

    at.selectbox(key="preview.package").select(PACKAGE)
    at.button[0].click().run()  # the form's Preview button

    assert not at.exception
    assert_shown_as_text(at, f"{NAME} would take it", f"{NAME}: ", in_tables=(NAME,))
    assert any(e.label.endswith("blocked week(s)") for e in at.expander)
    # The pod left the ranking table for the selected row's sentence (AppTest cannot select
    # a row, so the sentence is checked as the page would render it).
    row = at.dataframe[0].value.iloc[0].to_dict() | {"pod": POD}
    sentence = plain(candidate_words(pd.Series(row)))
    assert drawn_markup(sentence) == []
    assert POD in shown(sentence)


def test_allocations_explanations_queues_and_a_reassignment() -> None:
    firm = hostile_firm()
    at = opened("pages/allocations.py", firm)

    at.selectbox(key=state.AL_DEAL).select("D-100").run()
    assert_shown_as_text(
        at, DEAL_PACKAGE, DEAL_HOUSEHOLD, NOTE, in_tables=(HUBSPOT_ERROR, DEAL_PACKAGE)
    )

    reassign = "allocations.unallocated.reassign"
    at.segmented_control(key=state.AL_VIEW).set_value("unallocated").run()
    at.selectbox(key=f"{reassign}.adviser").select("dana").run()
    at.text_input(key=f"{reassign}.reason").input(payload("reason"))
    at.checkbox(key=f"{reassign}.confirm").check()  # Dana does not offer the hostile package
    at.button(key=f"{reassign}.go").click().run()

    assert not at.exception
    assert firm.store.get_allocation("D-102").adviser_id == "dana"
    assert_shown_as_text(at, f"re-assigned to {NAME} from the week of")
    at.segmented_control(key=state.AL_VIEW).set_value("writebacks").run()
    assert_shown_as_text(at, HUBSPOT_ERROR)  # each last error in full, as text
    at.segmented_control(key=state.AL_VIEW).set_value("monthly").run()
    assert_charts_show_tags_as_text(at, NAME)  # the monthly chart's legend


def test_sync_failures_and_a_sync_already_running() -> None:
    firm = hostile_firm()

    def unreachable() -> list[Any]:
        raise UpstreamUnavailable(SYNC_ERROR)

    firm.crm.fetch_advisers = unreachable  # type: ignore[method-assign]
    firm.store.start_sync("hubspot_meetings", SYNC_ACTOR, NOW)  # still running
    at = opened("pages/sync.py", firm)

    at.button(key="sync.hubspot_advisers").click().run()
    assert not at.exception
    assert_shown_as_text(at, f"HubSpot advisers failed: {SYNC_ERROR}", in_tables=(SYNC_ERROR,))

    at.button(key="sync.hubspot_meetings").click().run()
    assert not at.exception
    assert_shown_as_text(at, f"started by {SYNC_ACTOR}")


class RefusingEmploymentHero:
    """Employment Hero refusing the code with a message of its own."""

    def authorization_url(self, state: str) -> tuple[str, str]:
        return f"https://oauth.example/authorize?state={state}", "verifier"

    def exchange_code(self, code: str, code_verifier: str) -> None:
        raise UpstreamRejected(EH_ERROR)

    def connected(self) -> bool:
        return False


def test_settings_and_an_employment_hero_refusal() -> None:
    firm = hostile_firm()
    client = RefusingEmploymentHero()
    firm.services.leave_source = client  # type: ignore[assignment]
    started = start_connect(
        client, store=firm.store, actor=EDITOR_USER.actor, is_editor=True, now=NOW
    )
    state_param = started.rsplit("state=", 1)[1]

    at = opened("pages/_settings.py", firm, code="the-code", state=state_param)

    assert_shown_as_text(at, EH_ERROR, in_tables=(SYNC_ERROR,))
