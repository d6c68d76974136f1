"""A demo Box and the demo "HubSpot" deal fields it needs, so the Client folders page shows
realistic statuses with no Box account: most folders are made, some deals have no client email
or a malformed one (needs fixing), and some meet a Box that is briefly unavailable (retrying).

Kept in memory: a restarted console forgets the demo Box's folders, and the stored records
still read as they were (the demo Box accepts any folder id it is asked about).
"""

from __future__ import annotations

import itertools
import threading
import zlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from services.errors import UpstreamRejected, UpstreamUnavailable
from services.folder_records import BoxItem, BoxSettings

TEMPLATE, PARENT = "100", "200"
SUBFOLDERS = ("Client uploads", "Adviser notes", "Statements")
DEMO_SETTINGS = BoxSettings(
    template_folder_id=TEMPLATE,
    parent_folder_id=PARENT,
    shared_subfolder="Client uploads",
    metadata_scope="enterprise",
    metadata_template="clientFolder",
)


def _bucket(deal_id: str, size: int) -> int:
    return zlib.crc32(deal_id.encode()) % size


class DemoBox:
    """``services.ports.FolderHost`` in memory, behaving as Box does where it matters."""

    def __init__(self, hiccups: bool = True) -> None:
        """``hiccups``: some folders meet a Box briefly unavailable (once each)."""
        self._lock = threading.Lock()
        self._flaky = hiccups
        self._ids = itertools.count(5000)
        self._folders: dict[str, BoxItem] = {TEMPLATE: BoxItem(TEMPLATE, "Client template"),
                                             PARENT: BoxItem(PARENT, "Clients")}  # fmt: skip
        self._parents: dict[str, str] = {}
        self._metadata: dict[str, dict[str, Any]] = {}
        self._collaborators: dict[str, set[str]] = {}
        self._hiccups: set[str] = set()
        for name in SUBFOLDERS:
            self._add(name, TEMPLATE)

    def _add(self, name: str, parent: str) -> BoxItem:
        item = BoxItem(str(next(self._ids)), name)
        self._folders[item.id] = item
        self._parents[item.id] = parent
        return item

    def folder(self, folder_id: str, what: str = "folder") -> BoxItem:
        with self._lock:
            return self._folders.get(folder_id) or BoxItem(folder_id, f"Folder {folder_id}")

    def items(self, folder_id: str, what: str = "folder") -> Iterator[BoxItem]:
        with self._lock:
            found = [self._folders[i] for i, p in self._parents.items() if p == folder_id]
        yield from found

    def find_folder(self, parent_id: str, name: str, what: str = "folder") -> BoxItem | None:
        wanted = name.casefold()
        return next((i for i in self.items(parent_id) if i.name.casefold() == wanted), None)

    def copy_folder(self, source_id: str, parent_id: str, name: str) -> BoxItem:
        held = self.find_folder(parent_id, name)
        if held is not None:
            return held
        with self._lock:
            copy = self._add(name, parent_id)
            for child in [f for f, p in list(self._parents.items()) if p == source_id]:
                self._add(self._folders[child].name, copy.id)
        return copy

    def check_template(self, scope: str, template: str) -> None:
        if template != DEMO_SETTINGS.metadata_template:
            raise UpstreamRejected(f"the metadata template {scope}/{template} does not exist")

    def metadata(self, folder_id: str, scope: str, template: str) -> dict[str, Any] | None:
        with self._lock:
            return self._metadata.get(folder_id)

    def tag(self, folder_id: str, scope: str, template: str, values: Mapping[str, Any]) -> None:
        name = self.folder(folder_id).name
        if self._flaky and _bucket(name, 6) == 2 and folder_id not in self._hiccups:
            self._hiccups.add(folder_id)  # once: the next drain gets through
            raise UpstreamUnavailable("Box is unavailable: POST metadata failed 5 times (HTTP 503)")
        with self._lock:
            self._metadata[folder_id] = dict(values)

    def share(self, folder_id: str, email: str, role: str) -> bool:
        with self._lock:
            held = self._collaborators.setdefault(folder_id, set())
            new = email.casefold() not in held
            held.add(email.casefold())
            return new

    def unshare(self, folder_id: str, email: str) -> bool:
        with self._lock:
            held = self._collaborators.get(folder_id, set())
            had = email.casefold() in held
            held.discard(email.casefold())
            return had

    def collaborators(self, folder_id: str) -> set[str]:
        """Who the folder is shared with (lower-cased addresses): what the demo would show."""
        with self._lock:
            return set(self._collaborators.get(folder_id, set()))

    def folder_url(self, folder_id: str) -> str:
        return f"https://app.box.com/folder/{folder_id}"


class DemoDeals:
    """The demo "HubSpot": each deal's name and client email, some missing or malformed, and
    the folder link written nowhere."""

    def read_deal(self, deal_id: str, properties: Sequence[str]) -> dict[str, str | None]:
        name_prop, email_prop = [*properties, "dealname", "client_email"][:2]
        bucket = _bucket(deal_id, 6)
        email: str | None = f"client.{deal_id}@example.com"
        if bucket == 0:
            email = None
        elif bucket == 1:
            email = f"client.{deal_id}@example"
        return {name_prop: f"Household {deal_id.removeprefix('demo-')}", email_prop: email}

    def contact_emails(self, deal_id: str) -> list[str]:
        """None: a demo deal's client email is on the deal, or missing (a status to show)."""
        return []

    def write_deal_property(self, deal_id: str, name: str, value: str) -> None:
        """Taken, like the demo write-backs."""
