"""A small Box on 127.0.0.1 (real HTTP, real sockets) for the Box client's and the client
folders' black-box tests, with Box's request and reply shapes:

- ``POST /oauth2/token`` (form: ``grant_type=client_credentials``, ``client_id``,
  ``client_secret``, ``box_subject_type=enterprise|user``, ``box_subject_id``) →
  ``{"access_token", "expires_in", "token_type": "bearer", …}`` or 400 ``invalid_client``;
- ``GET /2.0/folders/{id}``; ``GET /2.0/folders/{id}/items`` with ``offset``/``limit`` paging
  (``total_count``) or marker paging (``usemarker=true`` → ``next_marker``);
- ``POST /2.0/folders/{id}/copy`` → 201 the copy (its subfolders copied too), or 409
  ``item_name_in_use`` whose ``context_info.conflicts`` names the folder holding the name;
- ``GET|POST|PUT /2.0/folders/{id}/metadata/{scope}/{template}`` (POST: 409
  ``tuple_already_exists`` when there is one; PUT: a JSON-Patch list) and
  ``GET /2.0/metadata_templates/{scope}/{template}/schema``;
- ``POST /2.0/collaborations`` → 201, 400 ``user_already_collaborator``, or 400
  ``bad_request`` for a login that is not an email address. A login in ``users`` (a Box user)
  is collaborated at once (``accessible_by.login``); anyone else is invited (``status``
  pending, ``accessible_by`` null, ``invite_email``), as Box does for people without an account;
- ``GET /2.0/folders/{id}/collaborations`` (marker paging: ``limit``, ``marker`` →
  ``next_marker``) and ``DELETE /2.0/collaborations/{id}`` → 204, or 404.

Errors are Box's client-error object (``type``, ``status``, ``code``, ``message``,
``request_id``, ``help_url``). Scriptable misbehaviour: ``fail(path_part, status, times,
retry_after)`` (429 / 5xx), ``down`` (every call 503), ``revoke_tokens()`` (the next call 401).
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

CLIENT_ID = "box-client-id"
CLIENT_SECRET = "box-client-secret"  # the fake's own, not a real secret
ENTERPRISE_ID = "918273"
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_FOLDER = re.compile(r"^/2\.0/folders/(\d+)$")
_ITEMS = re.compile(r"^/2\.0/folders/(\d+)/items$")
_COPY = re.compile(r"^/2\.0/folders/(\d+)/copy$")
_METADATA = re.compile(r"^/2\.0/folders/(\d+)/metadata/([\w-]+)/(\w+)$")
_COLLABORATORS = re.compile(r"^/2\.0/folders/(\d+)/collaborations$")
_COLLABORATION = re.compile(r"^/2\.0/collaborations/(\d+)$")
_SCHEMA = re.compile(r"^/2\.0/metadata_templates/([\w-]+)/(\w+)/schema$")


Reply = tuple[int, Any, dict[str, str]]


@dataclass
class Failure:
    path_part: str  # fails requests whose path contains this ("" = any)
    status: int = 503
    times: int = 1
    retry_after: str | None = None


@dataclass
class Folder:
    id: str
    name: str
    parent_id: str | None
    visible: bool = True  # False: exists, but the service account is not a collaborator


@dataclass
class _State:
    folders: dict[str, Folder] = field(default_factory=dict)
    metadata: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    templates: set[tuple[str, str]] = field(default_factory=set)
    collaborations: list[dict[str, Any]] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    failures: list[Failure] = field(default_factory=list)
    log: list[tuple[str, str, int]] = field(default_factory=list)  # method, path, status
    copies: int = 0  # successful copies made
    token_requests: int = 0
    lock: threading.RLock = field(default_factory=threading.RLock)


def _error(status: int, code: str, message: str, **context: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "error",
        "status": status,
        "code": code,
        "help_url": "http://developers.box.com/docs/#errors",
        "message": message,
        "request_id": uuid.uuid4().hex[:12],
    }
    if context:
        body["context_info"] = context
    return body


def _login(collaboration: dict[str, Any]) -> str:
    user = collaboration.get("accessible_by")
    return str((user or {}).get("login") or collaboration.get("invite_email") or "")


def _scope(scope: str) -> str:
    """``enterprise`` is Box's alias for the app's own ``enterprise_<id>`` scope."""
    return f"enterprise_{ENTERPRISE_ID}" if scope == "enterprise" else scope


class FakeBoxServer:
    def __init__(self, page_limit: int = 1000, token_lifetime: int = 3600) -> None:
        self.state = _State()
        self.page_limit = page_limit  # the largest page the fake hands out
        self.token_lifetime = token_lifetime
        self.users: set[str] = set()  # logins with a Box account (others are invited)
        self.marker_paging = True  # False: answer with offsets even when asked for markers
        self.down = threading.Event()
        self._ids = itertools.count(1000)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.add_folder("0", "All Files", None)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> FakeBoxServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- arranging ---------------------------------------------------------------------------

    def add_folder(
        self, folder_id: str | None, name: str, parent_id: str | None, visible: bool = True
    ) -> str:
        with self.state.lock:
            folder_id = folder_id or str(next(self._ids))
            self.state.folders[folder_id] = Folder(folder_id, name, parent_id, visible)
            return folder_id

    def add_template(self, scope: str, key: str) -> None:
        with self.state.lock:
            self.state.templates.add((_scope(scope), key))

    def fail(
        self, path_part: str, status: int = 503, times: int = 1, retry_after: str | None = None
    ) -> None:
        with self.state.lock:
            self.state.failures.append(Failure(path_part, status, times, retry_after))

    def revoke_tokens(self) -> None:
        with self.state.lock:
            self.state.tokens.clear()

    # -- reading -----------------------------------------------------------------------------

    def children(self, parent_id: str) -> list[Folder]:
        with self.state.lock:
            return [f for f in self.state.folders.values() if f.parent_id == parent_id]

    def metadata_of(self, folder_id: str, scope: str, key: str) -> dict[str, Any] | None:
        with self.state.lock:
            return self.state.metadata.get((folder_id, _scope(scope), key))

    def collaborators(self, folder_id: str) -> dict[str, str]:
        """Login → role of the folder's collaborators."""
        with self.state.lock:
            return {
                _login(c): c["role"]
                for c in self.state.collaborations
                if c["item"]["id"] == folder_id
            }

    def calls(self, method: str, path_part: str) -> int:
        with self.state.lock:
            return sum(1 for m, p, _ in self.state.log if m == method and path_part in p)

    # -- the API -----------------------------------------------------------------------------

    def _answer(self, method: str, path: str, query: dict[str, str], body: Any, auth: str) -> Reply:
        state = self.state
        with state.lock:
            if self.down.is_set():
                return 503, _error(503, "unavailable", "Unavailable"), {}
            for failure in state.failures:
                if failure.times > 0 and failure.path_part in path:
                    failure.times -= 1
                    headers = {"Retry-After": failure.retry_after} if failure.retry_after else {}
                    code = "rate_limit_exceeded" if failure.status == 429 else "internal_error"
                    return failure.status, _error(failure.status, code, "Try again"), headers
            if path == "/oauth2/token":
                return self._token(body)
            if auth.removeprefix("Bearer ") not in state.tokens:
                return 401, {}, {"WWW-Authenticate": 'Bearer error="invalid_token"'}
            return self._route(method, path, query, body)

    def _token(self, form: dict[str, str]) -> Reply:
        self.state.token_requests += 1
        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type", "error_description": "Grant"}, {}
        if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            return 400, {"error": "invalid_client", "error_description": "The client "
                         "credentials are invalid"}, {}  # fmt: skip
        subject = form.get("box_subject_type")
        if subject not in ("enterprise", "user") or not form.get("box_subject_id"):
            return 400, {"error": "invalid_request", "error_description": "Subject"}, {}
        token = uuid.uuid4().hex
        self.state.tokens.add(token)
        reply = {"access_token": token, "expires_in": self.token_lifetime, "restricted_to": [],
                 "token_type": "bearer"}  # fmt: skip
        return 200, reply, {}

    def _route(self, method: str, path: str, query: dict[str, str], body: Any) -> Reply:
        for pattern, methods, handler in (
            (_FOLDER, ("GET",), self._get_folder),
            (_ITEMS, ("GET",), self._items),
            (_COPY, ("POST",), self._copy),
            (_METADATA, ("GET", "POST", "PUT"), self._metadata),
            (_SCHEMA, ("GET",), self._schema),
            (_COLLABORATORS, ("GET",), self._collaborators),
            (_COLLABORATION, ("DELETE",), self._uncollaborate),
        ):
            match = pattern.match(path)
            if match and method in methods:
                return handler(method, match.groups(), query, body)
        if path == "/2.0/collaborations" and method == "POST":
            return self._collaborate(body)
        return 404, _error(404, "not_found", "Not Found"), {}

    def _visible(self, folder_id: str) -> Folder | None:
        folder = self.state.folders.get(folder_id)
        return folder if folder is not None and folder.visible else None

    def _mini(self, folder: Folder) -> dict[str, Any]:
        return {"type": "folder", "id": folder.id, "sequence_id": "0", "etag": "0",
                "name": folder.name}  # fmt: skip

    def _full(self, folder: Folder) -> dict[str, Any]:
        parent = self.state.folders.get(folder.parent_id or "")
        return {**self._mini(folder), "parent": self._mini(parent) if parent else None,
                "item_status": "active"}  # fmt: skip

    def _get_folder(self, _: str, ids: tuple[str, ...], *__: Any) -> Reply:
        folder = self._visible(ids[0])
        if folder is None:
            return 404, _error(404, "not_found", "Not Found"), {}
        return 200, self._full(folder), {}

    def _items(self, _: str, ids: tuple[str, ...], query: dict[str, str], __: Any) -> Reply:
        if self._visible(ids[0]) is None:
            return 404, _error(404, "not_found", "Not Found"), {}
        entries = sorted(self.children(ids[0]), key=lambda f: f.id)
        limit = min(int(query.get("limit", "100")), self.page_limit)
        if query.get("usemarker") == "true" and self.marker_paging:
            start = int(query.get("marker") or 0)
            page = entries[start : start + limit]
            more = start + limit < len(entries)
            marker = str(start + limit) if more else None
            return 200, {"entries": [self._mini(f) for f in page], "limit": limit,
                         "next_marker": marker}, {}  # fmt: skip
        offset = int(query.get("offset", "0"))
        page = entries[offset : offset + limit]
        return 200, {"total_count": len(entries), "entries": [self._mini(f) for f in page],
                     "offset": offset, "limit": limit,
                     "order": [{"by": "type", "direction": "ASC"}]}, {}  # fmt: skip

    def _copy(self, _: str, ids: tuple[str, ...], __: Any, body: Any) -> Reply:
        source = self._visible(ids[0])
        parent_id = str((body.get("parent") or {}).get("id", ""))
        parent = self._visible(parent_id)
        if source is None or parent is None:
            return 404, _error(404, "not_found", "Not Found"), {}
        name = str(body.get("name") or source.name)
        for held in self.children(parent_id):
            if held.name.casefold() == name.casefold():
                conflict = {"conflicts": [self._mini(held)]}
                return 409, _error(409, "item_name_in_use", "Item with the same name already "
                                   "exists", **conflict), {}  # fmt: skip
        copy = self._copy_tree(source, parent_id, name)
        self.state.copies += 1
        return 201, self._full(copy), {}

    def _copy_tree(self, source: Folder, parent_id: str, name: str) -> Folder:
        copy_id = self.add_folder(None, name, parent_id)
        for child in self.children(source.id):
            self._copy_tree(child, copy_id, child.name)
        return self.state.folders[copy_id]

    def _schema(self, _: str, ids: tuple[str, ...], *__: Any) -> Reply:
        scope, key = _scope(ids[0]), ids[1]
        if (scope, key) not in self.state.templates:
            return 404, _error(404, "not_found", "Template not found"), {}
        fields = [{"type": "string", "key": k, "displayName": k} for k in
                  ("dealId", "adviser", "servicePackage", "householdType")]  # fmt: skip
        fields += [{"type": "date", "key": k, "displayName": k}
                   for k in ("agreementStart", "allocationWeek")]  # fmt: skip
        return 200, {"templateKey": key, "scope": scope, "displayName": key, "hidden": False,
                     "fields": fields, "id": uuid.uuid4().hex}, {}  # fmt: skip

    def _metadata(self, method: str, ids: tuple[str, ...], _: Any, body: Any) -> Reply:
        folder_id, scope, key = ids[0], _scope(ids[1]), ids[2]
        if self._visible(folder_id) is None:
            return 404, _error(404, "not_found", "Not Found"), {}
        held = self.state.metadata.get((folder_id, scope, key))
        if (scope, key) not in self.state.templates:
            return 404, _error(404, "instance_tuple_not_found", "Template not found"), {}
        if method == "GET":
            if held is None:
                return 404, _error(404, "instance_not_found", "Instance not found"), {}
            return 200, held, {}
        if method == "POST":
            if held is not None:
                return 409, _error(409, "tuple_already_exists", "A resource with this value "
                                   "already exists"), {}  # fmt: skip
            instance = {**body, "$parent": f"folder_{folder_id}", "$template": key,
                        "$scope": scope, "$version": 0, "$id": uuid.uuid4().hex}  # fmt: skip
            self.state.metadata[(folder_id, scope, key)] = instance
            return 201, instance, {}
        if held is None:
            return 404, _error(404, "instance_not_found", "Instance not found"), {}
        for op in body:
            field_name = str(op["path"]).lstrip("/")
            if op["op"] == "replace" and field_name not in held:
                return 400, _error(400, "bad_request", f"No value at {op['path']}"), {}
            held[field_name] = op["value"]
        held["$version"] = int(held.get("$version", 0)) + 1
        return 200, held, {}

    def _collaborate(self, body: Any) -> Reply:
        folder_id = str(body.get("item", {}).get("id", ""))
        login = str(body.get("accessible_by", {}).get("login", ""))
        if self._visible(folder_id) is None:
            return 404, _error(404, "not_found", "Not Found"), {}
        if not _EMAIL.fullmatch(login):
            return 400, _error(400, "bad_request", f"Invalid value '{login}'. 'login' must be "
                               "a valid email address"), {}  # fmt: skip
        if login.casefold() in {k.casefold() for k in self.collaborators(folder_id)}:
            return 400, _error(400, "user_already_collaborator",
                               "User is already a collaborator"), {}  # fmt: skip
        user = login.casefold() in {u.casefold() for u in self.users}
        collaboration = {"type": "collaboration", "id": str(next(self._ids)),
                         "item": {"type": "folder", "id": folder_id},
                         "accessible_by": {"type": "user", "login": login} if user else None,
                         "invite_email": None if user else login, "role": body.get("role"),
                         "status": "accepted" if user else "pending"}  # fmt: skip
        self.state.collaborations.append(collaboration)
        return 201, collaboration, {}

    def _collaborators(self, _: str, ids: tuple[str, ...], query: dict[str, str], __: Any) -> Reply:
        if self._visible(ids[0]) is None:
            return 404, _error(404, "not_found", "Not Found"), {}
        entries = [c for c in self.state.collaborations if c["item"]["id"] == ids[0]]
        limit = min(int(query.get("limit", "100")), self.page_limit)
        start = int(query.get("marker") or 0)
        more = start + limit < len(entries)
        return 200, {"entries": entries[start : start + limit], "limit": limit,
                     "next_marker": str(start + limit) if more else None}, {}  # fmt: skip

    def _uncollaborate(self, _: str, ids: tuple[str, ...], *__: Any) -> Reply:
        held = self.state.collaborations
        kept = [c for c in held if c["id"] != ids[0]]
        if len(kept) == len(held):
            return 404, _error(404, "not_found", "Not Found"), {}
        self.state.collaborations[:] = kept
        return 204, {}, {}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        box = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: Any) -> None:
                pass

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                kind = self.headers.get("Content-Type") or ""
                if "x-www-form-urlencoded" in kind:
                    body: Any = {k: v[-1] for k, v in parse_qs(raw.decode()).items()}
                else:
                    body = json.loads(raw) if raw else {}
                auth = self.headers.get("Authorization") or ""
                status, reply, headers = box._answer(self.command, parts.path, query, body, auth)
                with box.state.lock:
                    box.state.log.append((self.command, parts.path, status))
                empty = status == 204 or (status == 401 and reply == {})
                payload = b"" if empty else json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _serve  # noqa: N815 - http.server's names

        return Handler
