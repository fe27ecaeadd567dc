"""A local HTTP server that replays a folder of recorded pages (tests and the demo).

Paths map to files (``/a/b/`` -> ``a/b/index.html``). ``_routes.json`` in the folder
maps a path with its query (``"/api?a=1&b=2"``, query order ignored) or a plain path
to a response::

    {"/x?id=1": {"file": "x.json", "status": 200, "headers": {"Retry-After": "1"},
                 "delay": 0.5, "gzip": true, "body": "inline text",
                 "redirect": "/elsewhere", "first": {"status": 429, "headers": {...}},
                 "repeat": 1048576, "gzip_bomb": 104857600}}

``first`` is served on the first request only (429 once, then 200). ``repeat`` serves
the body that many times (big pages without big files). ``gzip_bomb`` serves that many
zero bytes, gzip-compressed (a few KB on the wire). Binds 127.0.0.1 only.

Conditional requests, as real news servers answer them: a 200 carries an ``ETag`` (hash
of the body) and, for files, ``Last-Modified`` (the file's mtime); a request whose
``If-None-Match`` matches, or (without one) whose ``If-Modified-Since`` is not older than
the file, gets ``304 Not Modified`` with no body. ``ReplayServer(validators=False)`` or a
route's ``"validators": false`` serves no validators at all (servers that only allow a
content-hash check). ``delay`` on the server slows every request (kill-mid-crawl tests);
``statuses`` counts answers per (path, status).

    python -m crawler.replay FOLDER [--port N]
"""

from __future__ import annotations

import argparse
import functools
import gzip
import hashlib
import io
import json
import mimetypes
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from email.utils import formatdate, parsedate_to_datetime
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".gz": "application/gzip",
    ".css": "text/css; charset=utf-8",
    ".js": "application/javascript; charset=utf-8",
}


def content_type(path: str, head: bytes = b"") -> str:
    """By extension; extensionless files (XenForo's ``page-2``) are sniffed for HTML."""
    suffix = Path(path).suffix.lower()
    if not suffix or suffix not in CONTENT_TYPES and not mimetypes.guess_type(path)[0]:
        start = head[:512].lstrip().lower()
        if start.startswith((b"<!doctype html", b"<html")):
            return "text/html; charset=utf-8"
        if start.startswith(b"<?xml"):
            return "application/xml; charset=utf-8"
        if start.startswith((b"{", b"[")):
            return "application/json; charset=utf-8"
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"


def _route_key(path: str, query: str) -> str:
    q = sorted(parse_qsl(query, keep_blank_values=True))
    return f"{path}?{urlencode(q)}" if q else path


def _gzip_bytes(data: bytes) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9, mtime=0) as fh:
        fh.write(data)
    return buf.getvalue()


@functools.lru_cache(maxsize=4)
def _gzip_zeros(size: int) -> bytes:
    buf = io.BytesIO()
    chunk = b"\0" * (1 << 20)
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9, mtime=0) as fh:
        left = size
        while left > 0:
            fh.write(chunk[: min(left, len(chunk))])
            left -= len(chunk)
    return buf.getvalue()


class _Handler(BaseHTTPRequestHandler):
    server_version = "LangNgheReplay/1.0"
    protocol_version = "HTTP/1.1"
    #: Headers and body go out as two writes on a kept-alive connection: with Nagle's
    #: algorithm the body waits for the client's delayed ACK (40-200 ms per response).
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet by default
        if self.server.verbose:  # type: ignore[attr-defined]
            super().log_message(format, *args)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_GET(self) -> None:
        self._serve(head=False)

    def _serve(self, head: bool) -> None:
        srv = self.server
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        with srv.lock:  # type: ignore[attr-defined]
            srv.hits[path] = srv.hits.get(path, 0) + 1  # type: ignore[attr-defined]
        self._path = path
        if srv.delay:  # type: ignore[attr-defined]
            time.sleep(srv.delay)  # type: ignore[attr-defined]
        routes: dict[str, Any] = srv.current_routes()  # type: ignore[attr-defined]
        key = _route_key(path, parts.query)
        route = routes.get(key) or routes.get(path)
        if route is not None:
            if "first" in route:
                with srv.lock:  # type: ignore[attr-defined]
                    first_time = key not in srv.firsts_served  # type: ignore[attr-defined]
                    srv.firsts_served.add(key)  # type: ignore[attr-defined]
                if first_time:
                    route = {**route, **route["first"]}
                    route.pop("first", None)
            self._route(route, path, head)
            return
        self._file(path, head)

    def _resolve(self, path: str) -> Path | None:
        root: Path = self.server.root  # type: ignore[attr-defined]
        rel = path.lstrip("/")
        target = (root / rel).resolve()
        if root != target and root not in target.parents:
            return None
        if target.is_dir():
            target = target / "index.html"
        return target if target.is_file() else None

    def _file(self, path: str, head: bool) -> None:
        target = self._resolve(path)
        if target is None or target.name.startswith("_"):
            self._send(404, b"<html><body><h1>404 Not Found</h1></body></html>", {"Content-Type": "text/html; charset=utf-8"}, head)
            return
        body = target.read_bytes()
        headers = {"Content-Type": content_type(target.name, body)}
        if self.server.validators:  # type: ignore[attr-defined]
            headers.update(_validators(body, target.stat().st_mtime))
        if self._not_modified(headers, target.stat().st_mtime):
            self._send(304, b"", {k: v for k, v in headers.items() if k != "Content-Type"}, head=True)
            return
        self._send(200, body, headers, head)

    def _not_modified(self, validators: dict[str, str], mtime: float | None) -> bool:
        """RFC 9110: If-None-Match wins; If-Modified-Since only counts without it."""
        etag = validators.get("ETag")
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            return etag is not None and (inm.strip() == "*" or etag in [t.strip() for t in inm.split(",")])
        ims = self.headers.get("If-Modified-Since")
        if ims and mtime is not None and "Last-Modified" in validators:
            try:
                since = parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError, IndexError):
                return False
            return int(mtime) <= since
        return False

    def _route(self, route: dict[str, Any], path: str, head: bool) -> None:
        delay = float(route.get("delay", 0))
        if delay:
            time.sleep(delay)
        status = int(route.get("status", 200))
        headers = {str(k): str(v) for k, v in (route.get("headers") or {}).items()}
        if "redirect" in route:
            headers.setdefault("Location", route["redirect"])
            self._send(int(route.get("status", 302)), b"", headers, head)
            return
        if "gzip_bomb" in route:
            body = _gzip_zeros(int(route["gzip_bomb"]))  # cached: built once per size
            headers.setdefault("Content-Type", "text/html; charset=utf-8")
            headers["Content-Encoding"] = "gzip"
            self._send(status, body, headers, head)
            return
        mtime: float | None = None
        if "file" in route:
            target = self._resolve("/" + route["file"])
            if target is None:
                self._send(500, b"replay: route file missing", {"Content-Type": "text/plain"}, head)
                return
            body = target.read_bytes()
            mtime = target.stat().st_mtime
            headers.setdefault("Content-Type", content_type(target.name, body))
        else:
            body = str(route.get("body", "")).encode("utf-8")
            headers.setdefault("Content-Type", content_type(path) if Path(path).suffix else "text/html; charset=utf-8")
        if route.get("repeat"):
            body = body * int(route["repeat"])
        if status == 200 and self.server.validators and route.get("validators", True):  # type: ignore[attr-defined]
            validators = _validators(body, mtime)
            for key, value in validators.items():
                headers.setdefault(key, value)
            if self._not_modified(validators, mtime):
                self._send(304, b"", {k: v for k, v in validators.items()}, head=True)
                return
        if route.get("gzip"):
            body = _gzip_bytes(body)
            headers["Content-Encoding"] = "gzip"
        self._send(status, body, headers, head)

    def _send(self, status: int, body: bytes, headers: dict[str, str], head: bool) -> None:
        srv = self.server
        key = (getattr(self, "_path", ""), status)
        with srv.lock:  # type: ignore[attr-defined]
            srv.statuses[key] = srv.statuses.get(key, 0) + 1  # type: ignore[attr-defined]
        try:
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (size cap, timeout): that is the point of some routes


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away (killed crawler, size cap) is not worth a traceback."""
        import sys

        gone = isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError))
        if gone and not self.verbose:  # type: ignore[attr-defined]
            return
        super().handle_error(request, client_address)


def _validators(body: bytes, mtime: float | None) -> dict[str, str]:
    out = {"ETag": '"' + hashlib.sha1(body).hexdigest()[:20] + '"'}
    if mtime is not None:
        out["Last-Modified"] = formatdate(int(mtime), usegmt=True)
    return out


class ReplayServer:
    """Serve ``folder`` on 127.0.0.1. ``start()`` returns the base URL (no trailing slash).

    ``validators``: send ETag/Last-Modified and answer conditional requests with 304.
    ``delay``: seconds every request waits before it is answered.
    """

    def __init__(self, folder: Path | str, port: int = 0, verbose: bool = False,
                 validators: bool = True, delay: float = 0.0):
        self.folder = Path(folder).resolve()
        if not self.folder.is_dir():
            raise FileNotFoundError(f"replay folder {self.folder} does not exist")
        self.port = port
        self.verbose = verbose
        self.validators = validators
        self.delay = float(delay)
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._routes: dict[str, Any] = {}
        self._routes_mtime: tuple[int, int] | None = None
        self._routes_lock = threading.Lock()

    @property
    def hits(self) -> dict[str, int]:
        """Requests per path so far (tests use it to check robots.txt was obeyed)."""
        return dict(self._httpd.hits) if self._httpd else {}  # type: ignore[attr-defined]

    @property
    def statuses(self) -> dict[tuple[str, int], int]:
        """Answers per (path, status) so far, e.g. ``{("/a.html", 304): 1}``."""
        return dict(self._httpd.statuses) if self._httpd else {}  # type: ignore[attr-defined]

    def not_modified(self) -> int:
        """How many requests were answered 304 Not Modified."""
        return sum(n for (_, status), n in self.statuses.items() if status == 304)

    @property
    def base_url(self) -> str:
        assert self._httpd is not None, "server not started"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def _current_routes(self) -> dict[str, Any]:
        """The routes, re-read when ``_routes.json`` changes (sites are often built after start)."""
        path = self.folder / "_routes.json"
        try:
            stat = path.stat()
            mtime = (stat.st_mtime_ns, stat.st_size)
        except FileNotFoundError:
            return {}
        with self._routes_lock:
            if mtime != self._routes_mtime:
                self._routes = self._load_routes(path)
                self._routes_mtime = mtime
            return self._routes

    def _load_routes(self, path: Path) -> dict[str, Any]:
        raw = json.loads(path.read_text(encoding="utf-8"))
        out = {}
        for key, value in raw.items():
            parts = urlsplit(key)
            out[_route_key(unquote(parts.path), parts.query)] = value
        return out

    def start(self) -> str:
        httpd = _Server(("127.0.0.1", self.port), _Handler)
        httpd.daemon_threads = True
        httpd.root = self.folder  # type: ignore[attr-defined]
        httpd.current_routes = self._current_routes  # type: ignore[attr-defined]
        for route in self._current_routes().values():
            if "gzip_bomb" in route:
                _gzip_zeros(int(route["gzip_bomb"]))  # compress before the first request
        httpd.verbose = self.verbose  # type: ignore[attr-defined]
        httpd.hits = {}  # type: ignore[attr-defined]
        httpd.statuses = {}  # type: ignore[attr-defined]
        httpd.validators = self.validators  # type: ignore[attr-defined]
        httpd.delay = self.delay  # type: ignore[attr-defined]
        httpd.firsts_served = set()  # type: ignore[attr-defined]
        httpd.lock = threading.Lock()  # type: ignore[attr-defined]
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, name="replay-server", daemon=True)
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> "ReplayServer":
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.replay", description="Serve a folder of recorded pages on 127.0.0.1.")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--port", type=int, default=8800)
    parser.add_argument("--no-validators", action="store_true", help="send no ETag/Last-Modified, never 304")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds every request waits")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    server = ReplayServer(args.folder, port=args.port, verbose=args.verbose,
                          validators=not args.no_validators, delay=args.delay)
    print(f"serving {server.folder} at {server.start()}/ (Ctrl-C to stop)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
