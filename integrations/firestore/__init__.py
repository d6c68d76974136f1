"""The production store on Google Cloud Firestore (``CONSOLE_STORE=firestore://<project>``).

One module per port (``reference``, ``edits``, ``allocations``, ``rejections``, ``history``,
``tokens``, ``folders``), each a part built on the shared ``client.FirestoreClient``;
``FirestoreStore`` assembles them into a ``services.ports.Store``, whose promises the shared
store contract checks.

Every commit that changes a decision's input also writes ``meta/version``, whose update time is
the ``data_version``: a warm cache checks freshness with one document read. Nothing uses a
read-write transaction (the emulator's pessimistic locks make contended ones wait seconds):
bookings, edits, re-assignments and sync starts are commits with ``last_update_time``
preconditions, so the loser of a race is refused at once. The client library honours
``FIRESTORE_EMULATOR_HOST`` on its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from google.cloud import firestore

from integrations.firestore.adviser_edits import FirestoreAdviserEdits
from integrations.firestore.allocations import FirestoreAllocations
from integrations.firestore.client import CallBudget, FirestoreClient
from integrations.firestore.edits import FirestoreEdits
from integrations.firestore.folders import FirestoreFolders
from integrations.firestore.history import FirestoreHistory
from integrations.firestore.reference import FirestoreReference
from integrations.firestore.rejections import FirestoreRejections
from integrations.firestore.tokens import FirestoreTokens
from integrations.firestore.trends import FirestoreTrends
from integrations.store_rules import utcnow
from services.ports import ComposedStore


class FirestoreStore(ComposedStore):
    """A ``services.ports.Store`` in one Firestore database; builds its client on first use."""

    def __init__(
        self,
        project_id: str,
        client: firestore.Client | None = None,
        *,
        clock: Callable[[], dt.datetime] = utcnow,
        patience: float | None = None,
    ) -> None:
        """``patience``: seconds any one call may take, retries included (default 15)."""
        budget = CallBudget.within(patience) if patience is not None else None
        shared = FirestoreClient(project_id, client, budget)
        super().__init__(
            reference=FirestoreReference(shared),
            edits=FirestoreEdits(shared, clock),
            allocations=FirestoreAllocations(shared, clock),
            rejections=FirestoreRejections(shared, clock),
            history=FirestoreHistory(shared),
            tokens=FirestoreTokens(shared),
            health=shared,
            adviser_edits=FirestoreAdviserEdits(shared, clock),
            trends=FirestoreTrends(shared),
            folders=FirestoreFolders(shared),
        )
        self.client = shared

    @property
    def project_id(self) -> str:
        return self.client.project_id

    @property
    def budget(self) -> CallBudget:
        return self.client.budget

    def reachable(self) -> bool:
        return self.client.reachable()
