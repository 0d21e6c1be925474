"""HTTP for ``graphkit push``: one store, credentials only in answer to its challenge, messages a person can act on.

httpx does the work: it answers Basic and Digest challenges, keeps the connect and read
timeouts apart, and tells a connection that failed from a request that got no answer.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import urllib.parse
from collections.abc import Callable, Generator, Iterator

import httpx

from ..errors import StoreError, StoreOutcomeUnknown
from .defaults import PASSWORD_ENV

_CHUNK = 1 << 16

Progress = Callable[[int, int], None]


def public_url(url: str) -> str:
    """The URL as messages show it: without query string and credentials."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def check_url(url: str) -> str:
    """Return ``url`` if httpx, which sends the requests, reads it as a URL; else raise ``StoreError``.

    Examples
    --------
    >>> check_url("http://127.0.0.1:7878/store")
    'http://127.0.0.1:7878/store'
    >>> check_url("http://127.0.0.1:7878/st\\nore")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graphkit.errors.StoreError: endpoint 'http://127.0.0.1:7878/st\\nore' is not a URL (Invalid non-printable ASCII...
    """
    try:
        httpx.URL(url).host  # noqa: B018 - the host is decoded (IDNA) when first read
    except (httpx.InvalidURL, ValueError) as err:  # ValueError: idna's on a host name it refuses
        raise StoreError(f"endpoint {url!r} is not a URL ({err})") from err
    return url


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _offered(response: httpx.Response) -> list[str]:
    """The authentication schemes a 401 answer offers, as the store spells them, in its order.

    Only the first of each ``WWW-Authenticate`` header: httpx's Digest reads no other.
    """
    values = response.headers.get_list("WWW-Authenticate")
    return [_printable(value.split(None, 1)[0]) for value in values if value.strip()]


def _printable(text: str) -> str:
    """The store's text as a message may show it on a terminal: control characters become spaces."""
    return "".join(c if c.isprintable() else " " for c in text)


class _ChallengeAuth(httpx.Auth):
    """Credentials only in answer to the store's challenge, in the scheme it names (Digest first).

    Virtuoso answers Basic credentials sent up front with 401 and no challenge, so the first
    request goes without; once a challenge has named the scheme, later requests answer it at once.
    """

    def __init__(self, user: str, password: str) -> None:
        self.schemes: dict[str, httpx.Auth] = {
            "digest": httpx.DigestAuth(user, password),
            "basic": httpx.BasicAuth(user, password),
        }
        self.chosen: httpx.Auth | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        challenge = None
        if self.chosen is None:
            challenge = yield request
            offered = {scheme.lower() for scheme in _offered(challenge)}
            name = next((s for s in self.schemes if s in offered), None)
            if challenge.status_code != 401 or name is None:
                return
            self.chosen = self.schemes[name]
        flow = self.chosen.auth_flow(request)
        try:
            request = next(flow)
            if challenge is not None and "Authorization" not in request.headers:
                request = flow.send(challenge)  # Digest answers the challenge already received
            while True:
                request = flow.send((yield request))
        except StopIteration:
            return
        except (httpx.ProtocolError, NotImplementedError, KeyError) as err:
            # httpx's Digest on a challenge without a nonce, with qop=auth-int only, or an unknown algorithm
            raise StoreError(
                f"{public_url(str(request.url))}: the store's Digest challenge cannot be answered"
                " (graphkit answers qop=auth with MD5, SHA, SHA-256 or SHA-512)"
            ) from err


class _Body:
    """A request body sent in chunks, reporting progress; iterable again for an answer to a challenge."""

    def __init__(self, data: bytes, progress: Progress | None) -> None:
        self.data, self.progress = data, progress
        #: The last pass went through to the end: only a whole request can be applied.
        self.sent = False

    def __iter__(self) -> Iterator[bytes]:
        self.sent = False
        total = len(self.data)
        for start in range(0, total, _CHUNK):
            chunk = self.data[start : start + _CHUNK]
            yield chunk  # resumed once the chunk is written
            if self.progress is not None:
                self.progress(start + len(chunk), total)
        if not total and self.progress is not None:
            self.progress(0, 0)
        self.sent = True


class Client:
    """HTTP requests to one store, with the error messages a person can act on."""

    def __init__(self, url: str, user: str | None, password: str | None, timeout: float, connect: float) -> None:
        self.url, self.user, self.timeout, self.connect = url, user, timeout, connect
        self.http = httpx.Client(
            auth=_ChallengeAuth(user, password or "") if user is not None else None,
            timeout=httpx.Timeout(timeout, connect=connect),
            # A proxy from the environment must not see requests to this machine's own stores.
            trust_env=not _is_loopback(httpx.URL(url).host),
            headers={"User-Agent": "graphkit"},
            follow_redirects=False,  # a redirect would re-send the body and credentials elsewhere
        )

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.close()

    def probe(self, url: str) -> None:
        """A ``HEAD`` request: any answer but 401 will do (many stores answer 404 or 405)."""
        try:
            response = self.http.send(self.http.build_request("HEAD", url))
        except httpx.HTTPError as err:
            raise self._failed(err, url, None, "HEAD", self.timeout) from err
        if response.status_code == 401:
            raise StoreError(self._refused(response))

    def send(
        self,
        method: str,
        url: str,
        data: bytes,
        content_type: str,
        what: str,
        progress: Progress | None = None,
        timeout: float | None = None,
    ) -> None:
        """Send one request; ``what`` names it in the message when it got no answer."""
        wait = timeout or self.timeout
        body = _Body(data, progress)
        headers = {"Content-Type": content_type, "Content-Length": str(len(data))}
        request = self.http.build_request(
            method, url, content=body, headers=headers, timeout=httpx.Timeout(wait, connect=self.connect)
        )
        try:
            response = self.http.send(request, stream=True)
        except httpx.HTTPError as err:
            raise self._failed(err, url, body, what, wait) from err
        try:
            try:
                response.read()
            except httpx.HTTPError:
                pass  # the status is the answer; the text only goes into a message
            if response.status_code == 504 and body.sent:
                raise StoreOutcomeUnknown(
                    f"{public_url(url)}: {what} sent, a gateway answered HTTP 504 Gateway Timeout"
                    "; the store behind it may still apply it"
                )
            if not response.is_success:
                raise StoreError(self._refused(response))
        finally:
            response.close()

    def _failed(self, err: httpx.HTTPError, url: str, body: _Body | None, what: str, wait: float) -> StoreError:
        where = public_url(url)
        if isinstance(err, httpx.ConnectTimeout):
            return StoreError(f"cannot reach {where} (no connection within {self.connect:g} s)")
        if isinstance(err, (httpx.ConnectError, httpx.ProxyError)):
            return StoreError(f"cannot reach {where} ({_reason(err)})")
        if body is not None and body.sent:
            if isinstance(err, httpx.TimeoutException):
                how = f"no answer within {wait:g} s"
            else:
                how = f"the connection broke before an answer ({_reason(err)})"
            return StoreOutcomeUnknown(f"{where}: {what} sent, {how}; the store may still apply it")
        if isinstance(err, httpx.WriteTimeout):
            return StoreError(f"{where}: the store took no more of the request for {wait:g} s")
        if isinstance(err, httpx.TimeoutException):
            return StoreError(f"{where}: no answer within {wait:g} s")
        return StoreError(f"{where}: the connection broke before an answer ({_reason(err)})")

    def _refused(self, response: httpx.Response) -> str:
        where = public_url(str(response.request.url))
        status = f"HTTP {response.status_code}"
        if response.is_redirect:
            target = response.url.join(response.headers["Location"])
            return f"{where}: redirected to {_printable(public_url(str(target)))} (give that URL as the endpoint)"
        if response.status_code == 401:
            if self.user is None:
                return f"{where}: authentication needed ({status}; pass --user NAME and set {PASSWORD_ENV})"
            offered = ", ".join(_offered(response))
            if "Authorization" not in response.request.headers and offered:
                return f"{where}: the store asks for {offered} authentication (graphkit answers Basic or Digest)"
            return f"{where}: the store refused user {self.user!r} ({status}; check the password in {PASSWORD_ENV})"
        text = _short_text(response)
        hint = ""
        if response.status_code in (404, 405, 415):
            hint = "; is this the store's endpoint for this protocol? see graphkit push --help"
        reason = f"{status} {_printable(response.reason_phrase)}" if response.reason_phrase else status
        return f"{where}: the store refused the request ({reason}{': ' + text if text else ''}{hint})"


def _short_text(response: httpx.Response) -> str:
    try:
        raw = response.content[:4096]
    except httpx.ResponseNotRead:
        return ""
    text = raw.decode("utf-8", errors="replace")
    if "html" in (response.headers.get("Content-Type") or "").lower():
        text = re.sub(r"(?s)<(script|style)\b.*?</\1>|<[^>]*>", " ", text)
    text = " ".join(_printable(text).split())
    return text if len(text) <= 200 else text[:199] + "…"


def _reason(err: BaseException) -> str:
    """What went wrong, in a few words: the operating system's reason where there is one."""
    cause: BaseException = err
    while (cause.__cause__ or cause.__context__) is not None:  # httpx -> httpcore -> the OSError
        cause = cause.__cause__ or cause.__context__  # type: ignore[assignment]
    if isinstance(cause, ConnectionRefusedError):
        return "connection refused"
    if isinstance(cause, socket.gaierror):
        return "unknown host"
    if isinstance(cause, OSError) and cause.strerror:
        return cause.strerror.lower()
    return str(err).rstrip(".") or type(err).__name__
