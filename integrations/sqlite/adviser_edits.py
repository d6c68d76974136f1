"""What the firm sets per adviser on the Advisers page, in the SQLite file: versioned rows in
``adviser_edits``, saved all-or-nothing and audited like closures (the same batch code)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable

from integrations.sqlite import database as db
from integrations.sqlite.edits import SqliteEdits
from services import codec
from services.records import AdviserEdit, EditBatch, Versioned

TABLE = "adviser_edits"


class SqliteAdviserEdits:
    """``services.ports.AdviserEdits`` in the SQLite file."""

    def __init__(self, database: db.SqliteDatabase, clock: Callable[[], dt.datetime]) -> None:
        self._db = database
        self._batches = SqliteEdits(database, clock)  # closures' batch saving, reused

    def list_adviser_edits(self) -> list[Versioned[AdviserEdit]]:
        rows = self._db.query(f"SELECT id, version, data FROM {TABLE} ORDER BY id")
        return self._db.skipped.decode("adviser edit", rows, self._read, _id)

    def _read(self, row: sqlite3.Row) -> Versioned[AdviserEdit]:
        edit = codec.adviser_edit_from_dict(db.loads(row["data"]))
        return Versioned(edit, self._db.version_text(row["version"]))

    def save_adviser_edits(self, batch: EditBatch[AdviserEdit], actor: str) -> None:
        self._batches._save_batch("adviser", TABLE, batch, actor, codec.adviser_edit_to_dict)


def _id(row: sqlite3.Row) -> object:
    return row["id"]
