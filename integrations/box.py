"""Box (``services.ports.FolderHost``): a small client on the project's HTTP policy.

Server-to-server auth is Box's Client Credentials Grant: the app's client id and secret are
exchanged at ``/oauth2/token`` for an hour-long token acting as the enterprise's service
account (``box_subject_type=enterprise``) or one user (``user``). The token is cached per
process and fetched again a minute before it runs out, or when Box answers 401.

Why not Box's SDK (``box-sdk-gen``, which installs and can be pointed at a loopback server):
it retries with a policy of its own (its own sleeps, no deadline, no cap on a hostile
``Retry-After``), raises its own error tree, and we call six endpoints. See docs/box.md.

Everything Box says that a person must fix (a missing template, a folder the service account
cannot see, a bad email) is raised as ``UpstreamRejected`` naming what to fix; Box being
down is ``UpstreamUnavailable`` (after the policy's retries); a reply of the wrong shape is
``MalformedReply``. The secret and the token never reach a log line or an error.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import requests

from integrations.http import DEFAULT_ATTEMPTS, DEFAULT_TIMEOUT, make_session, send
from services.errors import MalformedReply, Unauthorized, UpstreamRejected
from services.folder_records import BoxItem

API_BASE = "https://api.box.com"
APP_URL = "https://app.box.com/folder/"
PAGE = 1000  # Box's largest page of folder items
TOKEN_MARGIN = 60.0  # seconds before expiry a token is renewed
SUBJECT_TYPES = ("enterprise", "user")
# What Box answers that the caller reads rather than raises.
_READ = frozenset({400, 404, 409})


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _code(response: requests.Response) -> str:
    return str(_json(response).get("code") or "")


def _message(response: requests.Response) -> str:
    text = _json(response).get("message")
    return f" ({str(text)[:200]})" if text else ""


def _item(body: Any, what: str) -> BoxItem:
    if not isinstance(body, Mapping) or not body.get("id"):
        raise MalformedReply(f"Box answered {what} without an item id")
    return BoxItem(str(body["id"]), str(body.get("name") or ""), str(body.get("type") or ""))


def _conflict(response: requests.Response) -> BoxItem | None:
    """The item a 409 ``item_name_in_use`` names (a list for folders, an object for files)."""
    conflicts = (_json(response).get("context_info") or {}).get("conflicts")
    if isinstance(conflicts, list):
        conflicts = conflicts[0] if conflicts else None
    return _item(conflicts, "a name conflict") if isinstance(conflicts, Mapping) else None


class BoxClient:
    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        subject_type: str,
        subject_id: str,
        api_base: str = API_BASE,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        attempts: int = DEFAULT_ATTEMPTS,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if subject_type not in SUBJECT_TYPES:
            raise ValueError(f"box_subject_type must be one of {SUBJECT_TYPES}")
        self._credentials = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
            "box_subject_type": subject_type,
            "box_subject_id": subject_id,
        }
        self._base = api_base.rstrip("/")
        self._session = session or make_session("Box")
        self._policy: dict[str, Any] = {"sleep": sleep, "attempts": attempts, "timeout": timeout}
        self._clock = clock
        self._lock = threading.Lock()
        self._token: tuple[str, float] | None = None  # (access token, monotonic expiry)

    # -- auth --------------------------------------------------------------------------------

    def _access_token(self) -> str:
        with self._lock:
            if self._token is not None and self._token[1] - TOKEN_MARGIN > self._clock():
                return self._token[0]
            reply = send(
                self._session, "POST", f"{self._base}/oauth2/token", data=self._credentials,
                **self._policy,
            )  # fmt: skip
            token = reply.get("access_token") if isinstance(reply, dict) else None
            if not isinstance(token, str) or not token:
                raise MalformedReply("Box's token endpoint answered without an access token")
            lifetime = reply.get("expires_in")
            seconds = float(lifetime) if isinstance(lifetime, int | float) else 3600.0
            self._token = (token, self._clock() + seconds)
            return token

    def _forget_token(self) -> None:
        with self._lock:
            self._token = None

    def _call(self, method: str, path: str, **options: Any) -> requests.Response:
        """One API call; a 401 fetches a new token and tries once more."""
        for first in (True, False):
            headers = {"Authorization": f"Bearer {self._access_token()}"}
            headers |= options.pop("headers", {})
            try:
                response: requests.Response = send(
                    self._session, method, f"{self._base}/2.0{path}", headers=headers,
                    expect_json=False, accept=_READ, **options, **self._policy,
                )  # fmt: skip
                return response
            except Unauthorized:
                self._forget_token()
                if not first:
                    raise
                options["headers"] = {k: v for k, v in headers.items() if k != "Authorization"}
        raise AssertionError("unreachable")  # pragma: no cover

    # -- folders -----------------------------------------------------------------------------

    def folder(self, folder_id: str, what: str = "folder") -> BoxItem:
        """A folder the service account can see, or ``UpstreamRejected`` saying so."""
        response = self._call("GET", f"/folders/{folder_id}", params={"fields": "id,name,type"})
        if response.status_code == 404:
            raise _invisible(folder_id, what)
        self._refused(response, f"reading the {what} {folder_id}")
        return _item(_json(response), f"folder {folder_id}")

    def items(self, folder_id: str, what: str = "folder") -> Iterator[BoxItem]:
        """Every item in a folder, a page at a time (marker paging; offset when Box answers
        with offsets)."""
        params: dict[str, Any] = {"fields": "id,name,type", "limit": PAGE, "usemarker": "true"}
        while True:
            response = self._call("GET", f"/folders/{folder_id}/items", params=dict(params))
            if response.status_code == 404:
                raise _invisible(folder_id, what)
            self._refused(response, f"listing folder {folder_id}")
            body = _json(response)
            entries = body.get("entries")
            if not isinstance(entries, list):
                raise MalformedReply(f"Box listed folder {folder_id} without entries")
            yield from (_item(e, f"folder {folder_id}'s items") for e in entries)
            if body.get("next_marker"):
                params["marker"] = body["next_marker"]
            elif "next_marker" not in body and isinstance(body.get("total_count"), int):
                offset = int(body.get("offset") or 0) + len(entries)
                if not entries or offset >= body["total_count"]:
                    return
                params.pop("usemarker", None)
                params["offset"] = offset
            else:
                return

    def find_folder(self, parent_id: str, name: str, what: str = "folder") -> BoxItem | None:
        """The folder named ``name`` in the parent (Box compares names case-insensitively)."""
        wanted = name.casefold()
        found = (i for i in self.items(parent_id, what) if i.type == "folder")
        return next((i for i in found if i.name.casefold() == wanted), None)

    def copy_folder(self, source_id: str, parent_id: str, name: str) -> BoxItem:
        """Copy the template; a folder of that name already there is the one wanted (a
        replay, or a copy whose answer was lost), never a reason to make ``name (1)``."""
        body = {"name": name, "parent": {"id": parent_id}}
        response = self._call("POST", f"/folders/{source_id}/copy", json=body)
        if response.status_code == 409 and _code(response) == "item_name_in_use":
            found = _conflict(response) or self.find_folder(parent_id, name)
            if found is None:
                raise MalformedReply(f"Box said {name!r} is in use but names no such item")
            return found
        if response.status_code == 404:
            self.folder(parent_id, "clients parent folder")  # raises when the parent is the cause
            raise UpstreamRejected(
                f"the template folder (Box folder {source_id}) does not exist or the Box "
                "service account cannot see it: share it with the service account"
            )
        self._refused(response, f"copying the template into folder {parent_id}")
        return _item(_json(response), "the folder copy")

    # -- metadata ----------------------------------------------------------------------------

    def check_template(self, scope: str, template: str) -> None:
        response = self._call("GET", f"/metadata_templates/{scope}/{template}/schema")
        if response.status_code in (400, 404):
            raise UpstreamRejected(_no_template(scope, template))
        self._refused(response, "reading the metadata template")

    def metadata(self, folder_id: str, scope: str, template: str) -> dict[str, Any] | None:
        """The folder's instance of the template, or None when it has none."""
        path = f"/folders/{folder_id}/metadata/{scope}/{template}"
        response = self._call("GET", path)
        if response.status_code == 404:
            return None
        self._refused(response, f"reading folder {folder_id}'s metadata")
        return _json(response)

    def tag(self, folder_id: str, scope: str, template: str, values: Mapping[str, Any]) -> None:
        """Apply the template's values; an instance already there is updated, not refused."""
        path = f"/folders/{folder_id}/metadata/{scope}/{template}"
        response = self._call("POST", path, json=dict(values))
        if response.status_code == 201 or response.status_code == 200:
            return
        if response.status_code == 409:
            held = self.metadata(folder_id, scope, template) or {}
            ops = [
                {"op": "replace" if key in held else "add", "path": f"/{key}", "value": value}
                for key, value in values.items()
                if held.get(key) != value
            ]
            if ops:
                update = self._call(
                    "PUT", path, json=ops, headers={"Content-Type": "application/json-patch+json"}
                )
                self._refused(update, f"updating folder {folder_id}'s metadata")
            return
        if response.status_code == 404:
            self.folder(folder_id, "client folder")
            raise UpstreamRejected(_no_template(scope, template))
        self._refused(response, f"tagging folder {folder_id}")

    # -- sharing -----------------------------------------------------------------------------

    def share(self, folder_id: str, email: str, role: str) -> bool:
        """Invite ``email`` with ``role``; False when they are a collaborator already."""
        body = {
            "item": {"type": "folder", "id": folder_id},
            "accessible_by": {"type": "user", "login": email},
            "role": role,
        }
        response = self._call("POST", "/collaborations", json=body)
        if response.status_code in (400, 409) and _code(response) == "user_already_collaborator":
            return False
        if response.status_code == 400:
            raise UpstreamRejected(
                f"Box would not invite {email} as {role}{_message(response)}: check the address"
            )
        if response.status_code == 404:
            self.folder(folder_id, "folder to share")
        self._refused(response, f"sharing folder {folder_id}")
        return True

    def unshare(self, folder_id: str, email: str) -> bool:
        """Remove ``email``'s collaboration on the folder (an accepted one, or an invitation
        still pending); False when they had none."""
        wanted = email.casefold()
        found = [c for c in self._collaborations(folder_id) if _login(c).casefold() == wanted]
        for collaboration in found:
            response = self._call("DELETE", f"/collaborations/{collaboration['id']}")
            if response.status_code != 404:  # 404: removed meanwhile, which is what we want
                self._refused(response, f"removing {email} from folder {folder_id}")
        return bool(found)

    def _collaborations(self, folder_id: str) -> Iterator[dict[str, Any]]:
        params: dict[str, Any] = {"fields": "id,accessible_by,invite_email,role", "limit": PAGE}
        while True:
            path = f"/folders/{folder_id}/collaborations"
            response = self._call("GET", path, params=dict(params))
            if response.status_code == 404:
                raise _invisible(folder_id, "client folder")
            self._refused(response, f"listing folder {folder_id}'s collaborators")
            body = _json(response)
            entries = body.get("entries")
            if not isinstance(entries, list) or not all(
                isinstance(e, dict) and e.get("id") for e in entries
            ):
                raise MalformedReply(f"Box listed folder {folder_id}'s collaborators unreadably")
            yield from entries
            if not body.get("next_marker"):
                return
            params["marker"] = body["next_marker"]

    def folder_url(self, folder_id: str) -> str:
        return f"{APP_URL}{folder_id}"

    # -- errors ------------------------------------------------------------------------------

    @staticmethod
    def _refused(response: requests.Response, doing: str) -> None:
        if response.status_code >= 400:
            raise UpstreamRejected(
                f"Box refused {doing} (HTTP {response.status_code}{_message(response)})"
            )


def _login(collaboration: Mapping[str, Any]) -> str:
    """Whom a collaboration is with: the user's login, or the address invited (pending)."""
    user = collaboration.get("accessible_by")
    login = user.get("login") if isinstance(user, dict) else None
    return str(login or collaboration.get("invite_email") or "")


def _invisible(folder_id: str, what: str) -> UpstreamRejected:
    return UpstreamRejected(
        f"the {what} (Box folder {folder_id}) does not exist or the Box service account "
        "cannot see it: share it with the service account as editor"
    )


def _no_template(scope: str, template: str) -> str:
    return (
        f"the metadata template {scope}/{template} does not exist in Box: create it in the Admin "
        "Console (Content → Metadata) or correct the template key in Settings"
    )
