"""In-memory fakes of the store's ports, keeping the same promises as the real adapters.

``InMemoryStore`` passes the store contract suite (tests/contract/store_contract.py), so unit
tests of the use cases can trust it: it refuses stale edits and duplicate or stale bookings,
applies a batch whole or not at all, and moves ``data_version`` exactly when a decision's
inputs change. It is laid out as the real stores are: one module per port (``reference``,
``edits``, ``allocations``, ``rejections``, ``history``, ``tokens``), each a part on the shared
``state.InMemoryState``, assembled here. The other ports' fakes are in ``tests.fake_ports``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from integrations.store_rules import utcnow
from services.ports import ComposedStore
from tests.fakes.adviser_edits import InMemoryAdviserEdits
from tests.fakes.allocations import InMemoryAllocations
from tests.fakes.edits import InMemoryEdits
from tests.fakes.folders import InMemoryFolders
from tests.fakes.history import InMemoryHistory
from tests.fakes.reference import InMemoryReference
from tests.fakes.rejections import InMemoryRejections
from tests.fakes.state import InMemoryState
from tests.fakes.tokens import InMemoryTokens
from tests.fakes.trends import InMemoryTrends


class InMemoryStore(ComposedStore):
    """A ``services.ports.Store`` held in dicts behind one lock."""

    def __init__(self, clock: Callable[[], dt.datetime] = utcnow) -> None:
        state = InMemoryState()
        super().__init__(
            reference=InMemoryReference(state),
            edits=InMemoryEdits(state, clock),
            allocations=InMemoryAllocations(state, clock),
            rejections=InMemoryRejections(state, clock),
            history=InMemoryHistory(state),
            tokens=InMemoryTokens(state),
            health=state,
            adviser_edits=InMemoryAdviserEdits(state, clock),
            trends=InMemoryTrends(state),
            folders=InMemoryFolders(state),
        )
        self.state = state
