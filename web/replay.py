"""Replay of archived pages as they were captured: pywb, on another origin than the app.

``nianbao serve`` starts pywb's ``wayback`` (installed by scripts/bootstrap in
``.venv-pywb``) as a child process on the replay host and port. Its one collection,
``archive``, reads the archive's WARC files in place; its index is the app's CDX
endpoint (``/api/v1/cdx``), answered from the archive's SQL index of captures — so the
index is current the moment a crawl commits a capture, with nothing to rebuild.

Archived pages are hostile: they never run in the app's origin. The replay server is
another origin (another port, and by default another loopback address, so not even
cookies are shared), and every replayed page comes with a Content-Security-Policy
``sandbox`` (without ``allow-same-origin``): it runs in an opaque origin of its own,
cannot read any cookie or storage, and cannot script the app's window.
"""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
from datetime import datetime
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

import yaml

from web.evidence import timestamp14

COLLECTION = "archive"
REPLAY_CSP = (
    "sandbox allow-scripts allow-forms allow-popups; "
    "default-src 'self' 'unsafe-inline' 'unsafe-eval' data: blob:; "
    "form-action 'self'; frame-ancestors *"
)


class ReplayError(RuntimeError):
    """The replay server could not be started; the message says why."""


def replay_link(base_url: str, url: str, captured_at: datetime) -> str:
    """The replay URL of a capture (pywb picks the capture closest to the time)."""
    return f"{base_url.rstrip('/')}/{COLLECTION}/{timestamp14(captured_at)}/{url}"


def config(cdx_url: str, warc_dir: Path) -> dict[str, object]:
    return {
        "debug": False,
        "framed_replay": False,
        "enable_memento": True,
        "redirect_to_exact": True,
        "csp-header": REPLAY_CSP,
        "collections": {
            COLLECTION: {
                "index": f"cdxj+{cdx_url}",
                "archive_paths": str(warc_dir.resolve()) + os.sep,
            }
        },
    }


class ReplayServer:
    """pywb's ``wayback`` in a child process; use as a context manager."""

    def __init__(
        self,
        command: str,
        *,
        cdx_url: str,
        warc_dir: Path,
        host: str,
        port: int,
        startup_timeout: float = 60.0,
    ) -> None:
        self.command = command
        self.cdx_url = cdx_url
        self.warc_dir = warc_dir
        self.host = host
        self.port = port
        self.startup_timeout = startup_timeout
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> ReplayServer:
        if self.port == 0:
            self.port = free_port(self.host)
        self.warc_dir.mkdir(parents=True, exist_ok=True)
        self._tmp = tempfile.TemporaryDirectory(prefix="nianbao-replay-")
        folder = Path(self._tmp.name)
        (folder / "config.yaml").write_text(
            yaml.safe_dump(config(self.cdx_url, self.warc_dir)), encoding="utf-8"
        )
        log = open(folder / "wayback.log", "wb")  # noqa: SIM115 - closed with the process
        try:
            self._proc = subprocess.Popen(
                [self.command, "--bind", self.host, "--port", str(self.port), "--threads", "8"],
                cwd=folder,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                preexec_fn=_die_with_parent,
            )
        except OSError as exc:
            log.close()
            raise ReplayError(f"cannot start pywb ({self.command}): {exc.strerror}") from exc
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                log.close()
                tail = (folder / "wayback.log").read_text(errors="replace")[-800:]
                raise ReplayError(f"pywb exited with status {self._proc.returncode}: {tail}")
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5):
                    log.close()
                    return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise ReplayError(f"pywb did not listen on {self.url} within {self.startup_timeout:.0f} s")

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _die_with_parent() -> None:
    """In the child: ask Linux to end it when the process that started it dies, however
    that one ends (the replay server must not outlive the reading room)."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: stop() still ends it
        pass


def free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def replay_host_for(app_host: str) -> str:
    """Another loopback address for a loopback app (cookies are per host, not per
    port); the app's own host otherwise."""
    if app_host in ("127.0.0.1", "localhost"):
        return "127.0.0.2"
    return app_host


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
