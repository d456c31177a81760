"""The only network code: one HTTP session with retries, timeouts, a User-Agent and a size cap."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from feedmaker import PROJECT_URL, __version__
from feedmaker.errors import FetchError

USER_AGENT = f"feedmaker/{__version__} (+{PROJECT_URL})"
MAX_BYTES = 20 * 1024 * 1024
RETRY_STATUSES = (429, 500, 502, 503, 504)


@dataclass(frozen=True)
class Response:
    """A fetched body with the final URL (after redirects) and the response headers."""

    url: str
    body: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


class Fetcher:
    """Fetches http(s) and file:// URLs; one instance per run, shared by all sources."""

    def __init__(self, *, timeout: tuple[float, float] = (10.0, 30.0), retries: int = 3,
                 backoff: float = 1.0, max_bytes: int = MAX_BYTES,
                 user_agent: str = USER_AGENT) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        retry = Retry(total=retries, connect=retries, read=retries, status=retries,
                      backoff_factor=backoff, status_forcelist=RETRY_STATUSES,
                      allowed_methods=frozenset({"GET", "HEAD"}),
                      respect_retry_after_header=True, raise_on_status=False)
        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def __call__(self, url: str) -> Response:
        """Fetch one URL; raise FetchError naming the URL on any failure."""
        scheme = urlsplit(url).scheme
        if scheme == "file":
            return self._read_file(url)
        if scheme not in ("http", "https"):
            raise FetchError(f"{url}: unsupported URL scheme {scheme!r}")
        try:
            with self.session.get(url, timeout=self.timeout, stream=True) as response:
                if response.status_code >= 400:
                    raise FetchError(f"{url}: HTTP {response.status_code} {response.reason}")
                body = self._read_capped(url, response)
                return Response(url=response.url, body=body, status=response.status_code,
                                headers=dict(response.headers))
        except requests.RequestException as exc:
            raise FetchError(f"{url}: {_describe(exc)}") from exc

    def _read_capped(self, url: str, response: requests.Response) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(f"{url}: response of {declared} bytes exceeds the "
                             f"{self.max_bytes}-byte limit")
        chunks, size = [], 0
        for chunk in response.iter_content(chunk_size=65536):
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(f"{url}: response exceeds the {self.max_bytes}-byte limit")
            chunks.append(chunk)
        return b"".join(chunks)

    def _read_file(self, url: str) -> Response:
        path = Path(unquote(urlsplit(url).path))
        try:
            size = path.stat().st_size
            if size > self.max_bytes:
                raise FetchError(f"{url}: file of {size} bytes exceeds the "
                                 f"{self.max_bytes}-byte limit")
            return Response(url=url, body=path.read_bytes())
        except OSError as exc:
            raise FetchError(f"{url}: {exc.strerror or exc}") from exc

    def close(self) -> None:
        """Release pooled connections."""
        self.session.close()


def _describe(exc: requests.RequestException) -> str:
    if isinstance(exc, requests.exceptions.RetryError):
        return "gave up after retries: " + str(exc.args[0].reason if exc.args else exc)
    if isinstance(exc, requests.Timeout):
        return "timed out"
    if isinstance(exc, requests.ConnectionError):
        return "connection failed: " + str(exc.args[0] if exc.args else exc)
    return str(exc)
