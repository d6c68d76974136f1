"""Hypothesis strategies for what a confused or hostile sender might POST to the webhook."""

from __future__ import annotations

import json

from hypothesis import strategies as st

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
# Ids far from the ones other tests use, so a payload that happens to be valid books a stranger.
odd_ids = st.integers(min_value=10**12, max_value=10**15) | st.text(max_size=6) | scalars
field_names = st.sampled_from(
    ["service_package", "household_type", "agreement_start_date", "renewal_service_package"]
)
field_values = scalars | st.sampled_from(["Series A", "seed", "1774310400000", "2026-13-01", ""])
workflow_like = st.fixed_dictionaries(
    {
        "object": st.fixed_dictionaries(
            {
                "objectType": st.sampled_from(["DEAL", "deal", "TICKET"]) | scalars,
                "objectId": odd_ids,
            }
        ),
        "fields": st.dictionaries(field_names, field_values) | json_values,
    }
)
batch_like = st.lists(
    st.fixed_dictionaries(
        {
            "subscriptionType": st.sampled_from(["deal.creation", "deal.deletion"]) | scalars,
            "objectId": odd_ids,
        }
    )
    | json_values,
    max_size=3,
)
payloads = (
    workflow_like.map(lambda v: json.dumps(v).encode())
    | batch_like.map(lambda v: json.dumps(v).encode())
    | json_values.map(lambda v: json.dumps(v).encode())
    | st.binary(max_size=64)
)
