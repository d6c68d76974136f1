"""The embedded store: one SQLite file, safe for the console's and the webhook's threads.

One module per port (``reference``, ``edits``, ``allocations``, ``rejections``, ``history``,
``tokens``, ``folders``), each a part built on the shared ``database.SqliteDatabase``;
``SqliteStore`` assembles them into a ``services.ports.Store``.

Every write runs in a ``BEGIN IMMEDIATE`` transaction; one that changes a decision's inputs
also moves the data version, so a cached snapshot sees the change and a decision made on older
data is refused (audit entries, sync runs, tokens and bookings leave it). Editable rows
(closures, overrides, settings) carry a version column for optimistic concurrency.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from integrations.sqlite.adviser_edits import SqliteAdviserEdits
from integrations.sqlite.allocations import SqliteAllocations
from integrations.sqlite.database import SqliteDatabase
from integrations.sqlite.edits import SqliteEdits
from integrations.sqlite.folders import SqliteFolders
from integrations.sqlite.history import SqliteHistory
from integrations.sqlite.reference import SqliteReference
from integrations.sqlite.rejections import SqliteRejections
from integrations.sqlite.tokens import SqliteTokens
from integrations.sqlite.trends import SqliteTrends
from integrations.store_rules import utcnow
from services.ports import ComposedStore


class SqliteStore(ComposedStore):
    """A ``services.ports.Store`` in a local SQLite file (created, with its folder, if missing).

    ``close()`` closes every thread's connection; the file stays for the next start.
    """

    def __init__(self, path: str | Path, clock: Callable[[], dt.datetime] = utcnow) -> None:
        database = SqliteDatabase(path)
        super().__init__(
            reference=SqliteReference(database),
            edits=SqliteEdits(database, clock),
            allocations=SqliteAllocations(database, clock),
            rejections=SqliteRejections(database, clock),
            history=SqliteHistory(database),
            tokens=SqliteTokens(database),
            health=database,
            adviser_edits=SqliteAdviserEdits(database, clock),
            trends=SqliteTrends(database),
            folders=SqliteFolders(database),
        )
        self.database = database

    @property
    def path(self) -> Path:
        return self.database.path

    def close(self) -> None:
        self.database.close()

    def open_connections(self) -> int:
        return self.database.open_connections()
