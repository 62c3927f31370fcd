"""The oracle: walks each site along its truth's own steps with plain HTTP (urllib),
executing nothing, and reports every way the truth and the served web disagree.

It proves the truth is self-consistent: every step answers with the status and media type
the truth says, every response contains what leads to the next steps, every expected
report document is fetched, and the look-alikes are really served. Anti-bot challenges are
answered with the cookie the challenge script computes (`families.waf.solve`, the Python
twin of the script); flaky sites are retried as a polite crawler would.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from email.message import Message

from sampleweb.render import sniff_media_type
from sampleweb.variants.model import SiteTruth, Step, StepKind

RETRIES = 6


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@dataclass
class Answer:
    status: int
    headers: Message
    body: bytes

    @property
    def media(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()


@dataclass
class Walk:
    site: str
    problems: list[str] = field(default_factory=list)
    requests: int = 0
    fetched_docs: set[str] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.problems


class SiteWalker:
    def __init__(self, site: SiteTruth, *, timeout: float = 2.0) -> None:
        self.site = site
        # a short timeout only where the site stalls on purpose (and is retried there)
        self.timeout = timeout if site.flaky else max(timeout, 15.0)
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )
        self.walk = Walk(site.site)
        self._last = 0.0

    def _pace(self) -> None:
        if self.site.burst_limit is None:
            return
        gap = 1.0 / max(1, self.site.burst_limit - 1)
        wait = self._last + gap - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last = time.monotonic()

    def send(self, method: str, url: str, body: bytes, headers: dict[str, str]) -> Answer:
        """One request, retried on 5xx, resets and timeouts when the site is flaky."""
        last_error = ""
        for _attempt in range(RETRIES if self.site.flaky else 1):
            self._pace()
            self.walk.requests += 1
            request = urllib.request.Request(
                url, data=body if method == "POST" else None, headers=headers, method=method
            )
            try:
                with self.opener.open(request, timeout=self.timeout) as response:
                    answer = Answer(response.status, response.headers, response.read())
            except urllib.error.HTTPError as error:
                answer = Answer(error.code, error.headers, error.read())
            except (
                urllib.error.URLError,
                http.client.HTTPException,
                ConnectionError,
                TimeoutError,
            ) as error:
                last_error = f"{type(error).__name__}: {error}"
                continue
            if self.site.flaky and answer.status in (500, 502, 503, 504):
                last_error = f"status {answer.status}"
                continue
            return answer
        raise ConnectionError(f"{method} {url}: no answer ({last_error})")

    def fetch(self, step: Step) -> Answer:
        headers = {"User-Agent": "Mozilla/5.0 (oracle)", **dict(step.headers)}
        answer = self.send(step.method, step.url, step.body, headers)
        if step.status in (412, 521):
            return answer  # the truth expects the challenge here
        for _round in range(3):
            if not (self.site.challenge and answer.status in (412, 521)):
                break
            # the challenge cookie expired: answer the challenge again, then retry
            self.solve(answer, step.url)
            answer = self.send(step.method, step.url, step.body, headers)
        return answer

    def solve(self, answer: Answer, url: str) -> None:
        from sampleweb.variants.families import waf

        for name, value in waf.solve(answer.status, answer.body, self.jar, url).items():
            self.jar.set_cookie(_cookie(url, name, value))

    def check(self, step: Step, answer: Answer) -> None:
        problem = self.walk.problems.append
        where = f"{self.site.site} {step.key}"
        if answer.status != step.status:
            problem(f"{where}: status {answer.status}, expected {step.status}")
            return
        if step.location is not None and answer.headers.get("Location") != step.location:
            problem(f"{where}: Location {answer.headers.get('Location')!r} != {step.location!r}")
        if step.kind == StepKind.REPORT and step.encoding is None:
            sniffed = sniff_media_type(answer.body)
            if sniffed != step.media:
                problem(f"{where}: document is {sniffed}, expected {step.media}")
        elif step.media and not answer.media.startswith(step.media):
            problem(f"{where}: Content-Type {answer.media!r}, expected {step.media!r}")
        if step.encoding is not None and step.status < 300:
            try:
                text = answer.body.decode(step.encoding)
            except UnicodeDecodeError as error:
                problem(f"{where}: does not decode as {step.encoding}: {error}")
                return
            for token in step.reveals:
                if token not in text:
                    problem(f"{where}: does not contain {token!r}")
        if step.doc is not None and step.kind == StepKind.REPORT and answer.status == 200:
            self.walk.fetched_docs.add(step.doc)

    def run(self, *, decoys: bool = True) -> Walk:
        for step in self.site.steps:
            try:
                answer = self.fetch(step)
            except ConnectionError as error:
                self.walk.problems.append(f"{self.site.site} {step.key}: {error}")
                continue
            self.check(step, answer)
            if step.kind == StepKind.CHALLENGE:
                self.solve(answer, step.url)
        expected = {d.url for d in self.site.expected_documents}
        missing = expected - self.walk.fetched_docs
        for url in sorted(missing):
            self.walk.problems.append(f"{self.site.site}: expected document never fetched: {url}")
        if decoys:
            for decoy in self.site.decoys:
                step = Step("GET", decoy.url, StepKind.NAV)
                try:
                    answer = self.fetch(step)
                except ConnectionError as error:
                    self.walk.problems.append(f"{self.site.site} decoy {decoy.url}: {error}")
                    continue
                text = _text(answer.body)
                shown = (decoy.title[:8], _percent_u(decoy.title[:8]))
                if answer.status != 200 or not any(t in text for t in shown):
                    self.walk.problems.append(
                        f"{self.site.site} decoy {decoy.url}: status {answer.status} "
                        f"or title {decoy.title!r} missing"
                    )
        return self.walk


def _percent_u(text: str) -> str:
    return "".join(c if ord(c) < 128 else f"%u{ord(c):04X}" for c in text)


def _text(body: bytes) -> str:
    for codec in ("utf-8", "gb18030"):
        try:
            return body.decode(codec)
        except UnicodeDecodeError:
            continue
    return body.decode("latin-1")


def _cookie(url: str, name: str, value: str) -> http.cookiejar.Cookie:
    host = urllib.parse.urlparse(url).hostname or ""
    return http.cookiejar.Cookie(
        0,
        name,
        value,
        None,
        False,
        host,
        False,
        False,
        "/",
        True,
        False,
        None,
        False,
        None,
        None,
        {},
    )


def walk_site(site: SiteTruth, *, timeout: float = 2.0, decoys: bool = True) -> Walk:
    return SiteWalker(site, timeout=timeout).run(decoys=decoys)
