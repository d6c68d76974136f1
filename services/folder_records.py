"""The stored record of one deal's client folder in Box, and the Box settings ops edit.

A ``FolderRecord`` is the provisioning outbox entry for its deal (as an ``AllocationRecord``
is the write-back's): created when the deal is allocated, advanced one step at a time
(``copied`` → ``tagged`` → ``shared`` → ``linked``), claimed with a lease by whoever works on
it, and retried with backoff until it is done or given up on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

FolderStatus = Literal["pending", "provisioned", "gave_up"]
FOLDER_PENDING: FolderStatus = "pending"  # in the outbox: steps left to do
FOLDER_PROVISIONED: FolderStatus = "provisioned"  # every step done
FOLDER_GAVE_UP: FolderStatus = "gave_up"  # retries spent, or input a person must fix

# The steps in order; a record's ``step`` is the last one done ("" before the copy).
COPIED, TAGGED, SHARED, LINKED = "copied", "tagged", "shared", "linked"
# How far a folder got, as people read it (the console's Client folders view, Chat cards).
STEP_WORDS = {
    "": "Waiting to copy the template",
    "copied": "Copied; not tagged yet",
    "tagged": "Tagged; not shared yet",
    "shared": "Shared; link not in HubSpot yet",
    "linked": "Linked in HubSpot",
}
STEPS: tuple[str, ...] = (COPIED, TAGGED, SHARED, LINKED)


@dataclass(frozen=True)
class FolderRecord:
    """One deal's client folder (the store's id is ``deal_id``)."""

    deal_id: str
    queued_at: dt.datetime  # UTC; when the allocation asked for the folder
    adviser_id: str | None = None  # the adviser the folder is (to be) shared with as editor
    status: FolderStatus = FOLDER_PENDING
    step: str = ""  # the last step done
    folder_id: str | None = None
    folder_name: str = ""
    folder_url: str = ""
    attempts: int = 0  # attempts since the last success or a person's retry
    last_error: str | None = None
    # The error is about input a person must fix (no client email, a missing template...):
    # retrying on a timer will not help, so the record gives up at once and says what to fix.
    needs_fix: bool = False
    updated_at: dt.datetime | None = None
    lease_until: dt.datetime | None = None
    next_attempt_at: dt.datetime | None = None
    # The adviser address the folder is shared with as editor, so a re-assignment can remove
    # the previous adviser once the new one is added ("" until shared).
    shared_adviser: str = ""
    # The stored version this copy was read at (filled in by the store): every change is a
    # compare-and-set on it, so two workers never both advance the same deal.
    version: str = field(default="", compare=False)

    @property
    def steps_done(self) -> int:
        return STEPS.index(self.step) + 1 if self.step in STEPS else 0

    def done(self, step: str) -> bool:
        return self.steps_done >= STEPS.index(step) + 1


@dataclass(frozen=True)
class BoxSettings:
    """The Box section of the Settings page (ids are Box folder ids, digits)."""

    template_folder_id: str = ""  # the folder copied for every new client
    parent_folder_id: str = ""  # where client folders are created
    # The subfolder of the client folder shared with the client ("" = the client folder).
    shared_subfolder: str = ""
    metadata_scope: str = "enterprise"  # "enterprise" or "enterprise_<id>"
    metadata_template: str = ""  # the template key, e.g. "clientFolder"
    client_role: str = "viewer uploader"
    adviser_role: str = "editor"
    url_property: str = "box_folder_url"  # the HubSpot deal property the folder link goes to
    # HubSpot deal properties read for the folder's name and the client's email address(es).
    name_property: str = "dealname"
    email_property: str = "client_email"

    @property
    def complete(self) -> bool:
        return bool(self.template_folder_id and self.parent_folder_id and self.metadata_template)


@dataclass(frozen=True)
class BoxItem:
    """A folder as Box names it."""

    id: str
    name: str
    type: str = "folder"
