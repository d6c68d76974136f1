"""``svc.folders``: the Client folders feature — queueing, draining and retrying the folders
outbox (``services.folders``), what the console shows of it, and the Box settings.

Box is *on* when its secrets are configured (``settings.box_configured``: bootstrap then
builds a ``FolderHost``); on demo data a demo Box stands in. While Box is off nothing is
queued, the drain is recorded as skipped, and the Settings page says so.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import pandas as pd

from services import folders
from services.context import Context
from services.editing import require_editor
from services.errors import BadRequest, ConfigurationError, Conflict
from services.folder_records import (
    FOLDER_GAVE_UP,
    FOLDER_PENDING,
    FOLDER_PROVISIONED,
    STEP_WORDS,
    BoxItem,
    BoxSettings,
    FolderRecord,
)
from services.folders import DealReader, Provisioned, Provisioner
from services.ports import DealLinks
from services.records import AuditEntry

ROLES = (
    "editor",
    "viewer",
    "previewer",
    "uploader",
    "previewer uploader",
    "viewer uploader",
    "co-owner",
)
_BOX_ID = re.compile(r"\d{1,20}")
_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
_SCOPE = re.compile(r"enterprise(_\d+)?|global")
_PROPERTY = re.compile(r"[a-z0-9_]{1,100}")
MISSING_LIMIT = 200  # folders in the parent checked for metadata in one look

FOLDER_COLUMNS = ["deal_id", "status", "step", "adviser", "folder", "url", "attempts",
                  "last_error", "updated"]  # fmt: skip


@dataclass(frozen=True)
class MissingMetadata:
    """A folder in the clients parent without the metadata template, and its deal if known."""

    folder: BoxItem
    deal_id: str | None


def status_words(record: FolderRecord, now: dt.datetime) -> str:
    if record.status == FOLDER_PROVISIONED:
        return "Ready"
    if record.status == FOLDER_GAVE_UP:
        return "Needs fixing" if record.needs_fix else "Gave up after retries"
    if folders.leased(record, now):
        return "Being made now"
    if record.attempts:
        return f"Retrying (attempt {record.attempts + 1} of {folders.MAX_ATTEMPTS})"
    return "Waiting"


def check_box_settings(box: BoxSettings) -> BoxSettings:
    """The settings' shape, before asking Box: ``BadRequest`` naming the field."""
    box = replace(box, **{k: str(v).strip() for k, v in vars(box).items()})
    problems = []
    for label, value in (("Template folder id", box.template_folder_id),
                         ("Clients parent folder id", box.parent_folder_id)):  # fmt: skip
        if not _BOX_ID.fullmatch(value):
            problems.append(f"{label} must be a Box folder id (digits, from the folder's URL)")
    if box.template_folder_id and box.template_folder_id == box.parent_folder_id:
        problems.append("the template and the clients parent must be different folders")
    if not _SCOPE.fullmatch(box.metadata_scope):
        problems.append("Metadata scope must be 'enterprise' or 'enterprise_<id>'")
    if not _KEY.fullmatch(box.metadata_template):
        problems.append("Metadata template key must be the template's key, e.g. clientFolder")
    for label, role in (("Client role", box.client_role), ("Adviser role", box.adviser_role)):
        if role not in ROLES:
            problems.append(f"{label} must be one of {', '.join(ROLES)}")
    for label, prop in (("Folder link property", box.url_property),
                        ("Deal name property", box.name_property),
                        ("Client email property", box.email_property)):  # fmt: skip
        if not _PROPERTY.fullmatch(prop):
            problems.append(f"{label} must be a HubSpot internal property name (a-z, 0-9, _)")
    if "/" in box.shared_subfolder or "\\" in box.shared_subfolder:
        problems.append("Subfolder to share is a folder name inside the template, not a path")
    if problems:
        raise BadRequest("; ".join(problems))
    return box


class ClientFolders:
    def __init__(
        self, context: Context, deals: DealReader | None = None, links: DealLinks | None = None
    ) -> None:
        self._context = context
        self._deals = deals
        self._links = links

    @property
    def configured(self) -> bool:
        """Box's secrets are set (or the demo Box stands in)."""
        return self._context.box is not None

    def box_settings(self) -> BoxSettings:
        return self._context.console_settings().value.box

    # -- the outbox --------------------------------------------------------------------------

    def provisioner(self) -> Provisioner:
        context = self._context
        if context.box is None:
            raise ConfigurationError(
                "Box is not configured (BOX_CLIENT_ID, BOX_CLIENT_SECRET, BOX_ENTERPRISE_ID)"
            )
        box = self.box_settings()
        if not box.complete:
            raise BadRequest(
                "the Box settings are incomplete: set the template folder, the clients parent "
                "folder and the metadata template on the Settings page"
            )
        return Provisioner(
            context.store, context.box, box, self._deals, self._links, context.notifier,
            context.now,
        )  # fmt: skip

    def drain(self) -> Provisioned:
        """The scheduled drain (``sync writebacks``): due folders, and any allocation missed."""
        return self.provisioner().drain()

    def retry(self, deal_id: str | None = None, *, actor: str, is_editor: bool) -> Provisioned:
        """A person's Retry: one deal's folder, or every pending and given-up one, now."""
        require_editor(is_editor, actor, "client folders")
        context = self._context
        if deal_id is not None and context.store.folders.get_folder(deal_id) is None:
            raise BadRequest(f"deal {deal_id} has no client folder queued")
        done = self.provisioner().drain(deal_id, forced=True)
        entry = AuditEntry(context.now(), actor, "folders.retry", "box_folders", deal_id or "all")
        context.store.append_audit(
            replace(entry, after={"done": done.done, "failed": done.failed, "busy": done.skipped})
        )
        return done

    # -- what the console shows --------------------------------------------------------------

    def records(self, status: str | None = None) -> list[FolderRecord]:
        return self._context.store.folders.list_folders(status=status)

    def counts(self) -> dict[str, int]:
        records = self.records()
        now = self._context.now()
        failed = [r for r in records if r.status == FOLDER_GAVE_UP]
        return {
            "ready": sum(r.status == FOLDER_PROVISIONED for r in records),
            "waiting": sum(r.status == FOLDER_PENDING for r in records),
            "failed": len(failed),
            "busy": sum(folders.leased(r, now) for r in records),
        }

    def frame(self, records: Sequence[FolderRecord]) -> pd.DataFrame:
        """One row per deal, in words: what is done, the link, what went wrong."""
        context = self._context
        now, zone = context.now(), context.rules().zone
        names = {a.id: a.name for a in context.store.list_advisers()}
        rows = [
            {
                "deal_id": r.deal_id,
                "status": status_words(r, now),
                "step": STEP_WORDS.get(r.step, r.step),
                "adviser": names.get(r.adviser_id or "", r.adviser_id or ""),
                "folder": r.folder_name,
                "url": r.folder_url or None,
                "attempts": r.attempts,
                "last_error": r.last_error or "",
                "updated": (r.updated_at or r.queued_at).astimezone(zone).replace(tzinfo=None),
            }
            for r in records
        ]
        return pd.DataFrame(rows, columns=FOLDER_COLUMNS)

    def missing_metadata(self) -> list[MissingMetadata]:
        """Folders in the clients parent that lack the metadata template (the first
        ``MISSING_LIMIT``), with the deal each belongs to when we made it."""
        provisioner = self.provisioner()
        box = provisioner.settings
        by_folder = {r.folder_id: r.deal_id for r in self.records() if r.folder_id}
        missing = []
        for n, item in enumerate(
            provisioner.host.items(box.parent_folder_id, "clients parent folder")
        ):
            if n >= MISSING_LIMIT:
                break
            if item.type != "folder":
                continue
            found = provisioner.host.metadata(item.id, box.metadata_scope, box.metadata_template)
            if found is None:
                missing.append(MissingMetadata(item, by_folder.get(item.id)))
        return missing

    def tag_missing(
        self, missing: Sequence[MissingMetadata], *, actor: str, is_editor: bool
    ) -> Provisioned:
        """Tag every listed folder we made (its deal known): its record steps back to
        ``copied`` and is worked at once. Folders of unknown deals are left for a person."""
        require_editor(is_editor, actor, "client folders")
        store = self._context.store
        deal_ids = [m.deal_id for m in missing if m.deal_id]
        for deal_id in deal_ids:
            record = store.folders.get_folder(deal_id)
            if record is None or folders.leased(record, self._context.now()):
                continue
            back = replace(record, step="copied", status=FOLDER_PENDING, attempts=0,
                           needs_fix=False, next_attempt_at=None)  # fmt: skip
            try:
                store.folders.update_folder(back)
            except Conflict:
                continue
        provisioner = self.provisioner()
        done = [provisioner.drain(deal_id, forced=True) for deal_id in deal_ids]
        return Provisioned(
            done=sum(d.done for d in done),
            failed=sum(d.failed for d in done),
            gave_up=sum(d.gave_up for d in done),
            skipped=sum(d.skipped for d in done),
            errors=tuple(e for d in done for e in d.errors),
        )

    # -- settings ----------------------------------------------------------------------------

    def save_box_settings(
        self, box: BoxSettings, version: str, *, actor: str, is_editor: bool
    ) -> BoxSettings:
        """Check the settings' shape, then with Box itself (the folders and the template exist
        and the service account sees them); only then save them. Nothing is saved on error."""
        require_editor(is_editor, actor, "settings")
        box = check_box_settings(box)
        host = self._context.box
        if host is None:
            raise ConfigurationError(
                "Box is not configured (BOX_CLIENT_ID, BOX_CLIENT_SECRET, BOX_ENTERPRISE_ID): "
                "set the secrets first, then these settings are checked against Box"
            )
        host.folder(box.template_folder_id, "template folder")
        host.folder(box.parent_folder_id, "clients parent folder")
        host.check_template(box.metadata_scope, box.metadata_template)
        if (
            box.shared_subfolder
            and host.find_folder(box.template_folder_id, box.shared_subfolder) is None
        ):
            raise BadRequest(
                f"the template folder has no subfolder named {box.shared_subfolder!r} to share"
            )
        store = self._context.store
        stored = store.get_settings()
        if stored.version != version:
            raise Conflict("the settings were changed by someone else meanwhile; reload")
        store.save_settings(replace(stored.value, box=box), version, actor)
        return box
