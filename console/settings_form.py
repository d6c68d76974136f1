"""The Settings page's two forms: the allocation rules and the console policy.

Each form hands the use case only the fields that changed, with the version it *showed*
(kept in session state until a save or a conflict starts a new generation of the forms), so a
change someone else made meanwhile is a clear conflict rather than a silent overwrite or a
form that quietly re-draws with their values. Problems come back per field, with its label.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd
import streamlit as st

from console import widgets
from console.text import plain
from services import words
from services.errors import Conflict, Forbidden, RowProblem, ValidationFailed
from services.records import ConsoleSettings, Versioned

Save = Callable[[Mapping[str, Any], str], object]
LABELS = words.SETTING_LABELS
# The firm's catalogue: its order is the order the pages offer, so a reorder is a change.
CATALOGUE_FIELDS = ("service_packages", "household_types")
POLICY_FIELDS = (
    "editors",
    "allowed_emails",
    "allowed_domains",
    "writeback_property",
    "stale_after_hours",
    "outlook_target_weeks",
    "outlook_alerts",
    "outlook_min_places",
    *CATALOGUE_FIELDS,
)
RULE_FIELDS = tuple(k for k in LABELS if k not in POLICY_FIELDS)
PROBLEMS = "settings.problems"
SHOWN = "settings.shown"
GENERATION = "settings.generation"


def problem_words(problem: RowProblem) -> str:
    """'Buffer weeks must not be negative', 'Timezone: unknown timezone …' — the field's
    label, never an internal key such as ``buffer_weeks``."""
    key = (problem.column or "").split("[")[0]
    message = problem.message
    if not key:  # the core's own check names the field in its message: word it by its label
        key = next((k for k in LABELS if k in message), "")
        message = message.removeprefix("rules: ")
        if key and message.startswith(key):
            return LABELS[key] + message[len(key) :]
        message = message.replace(key, LABELS[key].lower()) if key else message
    label = LABELS.get(key, "Settings")
    detail = (problem.column or "")[len(key) :] if problem.column else ""
    if message.startswith("must "):
        return f"{label}{detail} {message}"
    return f"{label}{detail}: {message}"


def changed(current: Mapping[str, Any], submitted: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in submitted.items() if _differs(k, current.get(k), v)}


def _differs(key: str, before: Any, after: Any) -> bool:
    ordered = key in CATALOGUE_FIELDS
    return bool(_comparable(before, ordered) != _comparable(after, ordered))


def _comparable(value: Any, ordered: bool = False) -> Any:
    if isinstance(value, Mapping):
        return sorted((str(k), float(v)) for k, v in value.items())
    if isinstance(value, frozenset | set | tuple | list):
        names = [str(v) for v in value]
        return names if ordered else sorted(names)
    return value


def names(text: str) -> tuple[str, ...]:
    """Names typed one per line or separated by commas."""
    return tuple(n.strip() for n in text.replace("\n", ",").split(",") if n.strip())


def mapping_frame(values: Mapping[str, float], name: str) -> pd.DataFrame:
    return pd.DataFrame({name: list(values), "value": [float(v) for v in values.values()]})


def frame_mapping(frame: pd.DataFrame, name: str) -> dict[str, Any]:
    """The edited table back as name → value; rows without a name are dropped."""
    rows = frame.to_dict("records")
    return {str(r[name]).strip(): r["value"] for r in rows if str(r[name] or "").strip()}


def generation() -> int:
    return int(st.session_state.get(GENERATION, 0))


def shown(load: Callable[[], Versioned[ConsoleSettings]]) -> Versioned[ConsoleSettings]:
    """The settings this generation of the forms shows: read once, kept until a reset."""
    kept = st.session_state.get(SHOWN)
    if kept is not None and kept[0] == generation():
        return kept[1]  # type: ignore[no-any-return]
    fresh = load()
    st.session_state[SHOWN] = (generation(), fresh)
    return fresh


def reset() -> None:
    st.session_state[GENERATION] = generation() + 1
    st.session_state.pop(SHOWN, None)


def submit(
    save: Save, current: Mapping[str, Any], submitted: Mapping[str, Any], version: str
) -> None:
    """Save what changed; the outcome is a flash, problems are kept for the field list."""
    changes = changed(current, submitted)
    if not changes:
        st.info("Nothing changed, so nothing was saved.")
        return
    try:
        save(changes, version)
    except ValidationFailed as failed:
        st.session_state[PROBLEMS] = [problem_words(p) for p in failed.problems]
        st.rerun()  # same generation: the values typed stay in the form
    except (Conflict, Forbidden) as refused:
        widgets.flash(f"Nothing was saved: {refused}", "error")
        reset()  # show the latest values; the message says what happened
        st.rerun()
    reset()
    names = ", ".join(LABELS.get(k, k) for k in changes)
    widgets.flash(f"Saved: {names}.")
    st.rerun()


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {v:g}" for k, v in value.items()) or "—"
    if isinstance(value, frozenset | set | tuple | list):
        return ", ".join(sorted(str(v) for v in value)) or "—"
    return str(value)


def read_only_rules(settings: ConsoleSettings) -> pd.DataFrame:
    rules = settings.rules
    rows = [{"setting": LABELS[k], "value": _shown(getattr(rules, k))} for k in RULE_FIELDS]
    return pd.DataFrame(rows, columns=["setting", "value"])


def read_only_policy(settings: ConsoleSettings) -> pd.DataFrame:
    rows = [{"setting": LABELS[k], "value": _shown(getattr(settings, k))} for k in POLICY_FIELDS]
    return pd.DataFrame(rows, columns=["setting", "value"])


def show_problems() -> None:
    problems = st.session_state.pop(PROBLEMS, None)
    if problems:
        st.error("Nothing was saved:\n\n" + "\n".join(f"- {plain(p)}" for p in problems))


def rules_form(stored: Versioned[ConsoleSettings], save: Save) -> None:
    rules = stored.value.rules
    with st.form(f"settings.rules.{generation()}"):
        left, right = st.columns(2)
        values: dict[str, Any] = {
            "buffer_weeks": left.number_input(LABELS["buffer_weeks"], value=rules.buffer_weeks),
            "horizon_weeks": left.number_input(LABELS["horizon_weeks"], value=rules.horizon_weeks),
            "weekly_max_new": left.number_input(
                LABELS["weekly_max_new"], value=rules.weekly_max_new
            ),
            "default_monthly_limit": left.number_input(
                LABELS["default_monthly_limit"], value=float(rules.default_monthly_limit)
            ),
            "burst_weeks": left.number_input(LABELS["burst_weeks"], value=float(rules.burst_weeks)),
            "prestart_weeks": right.number_input(
                LABELS["prestart_weeks"], value=rules.prestart_weeks
            ),
            "agreement_lag_weeks": right.number_input(
                LABELS["agreement_lag_weeks"], value=rules.agreement_lag_weeks
            ),
            "history_weeks": right.number_input(LABELS["history_weeks"], value=rules.history_weeks),
            "timezone": right.text_input(LABELS["timezone"], value=rules.timezone),
            "household_exempt_packages": right.text_input(
                LABELS["household_exempt_packages"],
                value=", ".join(sorted(rules.household_exempt_packages)),
                help="Packages any household type may take, separated by commas.",
            ),
        }
        pods = _mapping_editor("pod_monthly_limits", rules.pod_monthly_limits, "pod")
        weights = _mapping_editor("meeting_weights", rules.meeting_weights, "meeting")
        asked = st.form_submit_button("Save allocation rules", type="primary")
    if asked:
        values["household_exempt_packages"] = names(values["household_exempt_packages"])
        values["pod_monthly_limits"] = frame_mapping(pods, "pod")
        values["meeting_weights"] = frame_mapping(weights, "meeting")
        current = {k: getattr(rules, k) for k in values}
        submit(save, current, values, stored.version)


def _mapping_editor(field: str, values: Mapping[str, float], name: str) -> pd.DataFrame:
    st.write(LABELS[field])
    # The editor's output is read as this form's value; its input is always the stored setting.
    edited: pd.DataFrame = st.data_editor(
        mapping_frame(values, name),
        key=f"settings.{field}.{generation()}",
        num_rows="dynamic",
        hide_index=True,
        column_config={"value": st.column_config.NumberColumn("value", required=True)},
    )
    return edited


def policy_form(stored: Versioned[ConsoleSettings], save: Save) -> None:
    policy = stored.value
    with st.form(f"settings.policy.{generation()}"):
        values: dict[str, Any] = {
            "editors": st.text_area(
                LABELS["editors"], value="\n".join(policy.editors), help="One email per line."
            ),
            "allowed_emails": st.text_area(
                LABELS["allowed_emails"], value="\n".join(policy.allowed_emails)
            ),
            "allowed_domains": st.text_input(
                LABELS["allowed_domains"], value=", ".join(policy.allowed_domains)
            ),
            "writeback_property": st.text_input(
                LABELS["writeback_property"],
                value=policy.writeback_property,
                help="`advisor` (today) or `hubspot_owner_id`.",
            ),
            "stale_after_hours": st.number_input(
                LABELS["stale_after_hours"], value=policy.stale_after_hours
            ),
            "outlook_target_weeks": st.number_input(
                LABELS["outlook_target_weeks"],
                value=policy.outlook_target_weeks,
                help="The longest a new client should wait from the week their deal arrives "
                "to the week they can start; the Outlook page flags a segment going past it.",
            ),
            "outlook_alerts": st.checkbox(
                LABELS["outlook_alerts"],
                value=policy.outlook_alerts,
                help="The daily job (`python -m cli outlook`) posts to Google Chat, once a day "
                "per segment and condition, and a digest on Mondays. Demo data never alerts "
                "unless the job is run with --alerts.",
            ),
            "outlook_min_places": st.number_input(
                LABELS["outlook_min_places"], value=policy.outlook_min_places
            ),
            "service_packages": st.text_area(
                LABELS["service_packages"],
                value="\n".join(policy.service_packages),
                help="One per line, in the order pages offer them. A deal's package must be "
                "listed here or offered by an adviser; otherwise the webhook refuses it.",
            ),
            "household_types": st.text_area(
                LABELS["household_types"],
                value="\n".join(policy.household_types),
                help="One per line, in the order pages offer them.",
            ),
        }
        asked = st.form_submit_button("Save console policy")
    if asked:
        current = {k: getattr(policy, k) for k in values}
        for key in ("editors", "allowed_emails", "allowed_domains", *CATALOGUE_FIELDS):
            values[key] = names(values[key])
        submit(save, current, values, stored.version)
