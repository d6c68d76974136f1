"""Each deal's client folder (the Box provisioning outbox) in the SQLite file; bookkeeping, so
the data version stays."""

from __future__ import annotations

from dataclasses import replace

from integrations.sqlite import database as db
from services import codec
from services.errors import AlreadyRecorded, Conflict, NotFound
from services.folder_records import FolderRecord


class SqliteFolders:
    """``services.ports.Folders`` in the SQLite file."""

    def __init__(self, database: db.SqliteDatabase) -> None:
        self._db = database

    def get_folder(self, deal_id: str) -> FolderRecord | None:
        rows = self._db.query("SELECT data, version FROM box_folders WHERE deal_id = ?", (deal_id,))
        return _record(rows[0]["data"], rows[0]["version"]) if rows else None

    def list_folders(self, status: str | None = None, limit: int = 500) -> list[FolderRecord]:
        where, params = ("WHERE status = ?", [status]) if status is not None else ("", [])
        rows = self._db.query(
            f"SELECT data, version FROM box_folders {where} "
            "ORDER BY queued_key DESC, deal_id LIMIT ?",
            [*params, limit],
        )
        return [_record(r["data"], r["version"]) for r in rows]

    def add_folder(self, record: FolderRecord) -> FolderRecord:
        with self._db.write() as conn:
            held = conn.execute(
                "SELECT data, version FROM box_folders WHERE deal_id = ?", (record.deal_id,)
            ).fetchone()
            if held is not None:
                raise AlreadyRecorded(_record(held[0], held[1]))
            conn.execute(
                "INSERT INTO box_folders (deal_id, queued_key, status, version, data) "
                "VALUES (?, ?, ?, 1, ?)",
                (
                    record.deal_id,
                    db.time_key(record.queued_at),
                    record.status,
                    db.dumps(codec.folder_to_dict(record)),
                ),
            )
        return replace(record, version="1")

    def update_folder(self, record: FolderRecord) -> FolderRecord:
        with self._db.write() as conn:
            held = conn.execute(
                "SELECT version FROM box_folders WHERE deal_id = ?", (record.deal_id,)
            ).fetchone()
            if held is None:
                raise NotFound(f"deal {record.deal_id} has no client folder queued")
            if str(held[0]) != str(record.version):
                raise Conflict(f"deal {record.deal_id}'s client folder changed meanwhile")
            version = int(held[0]) + 1
            conn.execute(
                "UPDATE box_folders SET status = ?, version = ?, data = ? WHERE deal_id = ?",
                (record.status, version, db.dumps(codec.folder_to_dict(record)), record.deal_id),
            )
        return replace(record, version=str(version))


def _record(data: str, version: object) -> FolderRecord:
    return replace(codec.folder_from_dict(db.loads(data)), version=str(version))
