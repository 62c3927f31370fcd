"""What the command line prints never carries control sequences found in archived text.

Archived pages and documents are written by strangers. A report text holding
``ESC ] 52 ; c ; …`` would write the reader's clipboard when printed; other sequences
retitle the window, move the cursor to forge lines, or hide text. ``nianbao`` therefore
prints through :class:`SafeStream` (installed on stdout and stderr by ``nianbao.cli.main``,
for every command): every escape sequence, every C0 control but tab and newline (a
carriage return only before a newline, as CSV line ends), DEL, every C1 control and the
bidirectional overrides are removed on the way out. The archive itself (WARC and SQL)
keeps the text exactly as captured.

nianbao's own styling (search highlights, diff colours) cannot be written as raw escape
sequences then; it is written with :func:`style`, whose markers carry a random tag of
this process that no archived text can contain, and become ANSI styles only here.
"""

from __future__ import annotations

import re
import secrets
from typing import Any, TextIO

_TAG = secrets.token_hex(8)
_MARK = re.compile("\x00" + _TAG + r":([0-9;]*)\x00")

# Whole sequences first, so that their payloads (a clipboard's base64, a window title)
# do not litter the output: string controls (OSC, DCS, SOS, PM, APC) up to their
# terminator (BEL, ST) on the same line (without one, only the introducer goes: the rest
# is plain text, and a write may hold several records), CSI with its parameters, other
# ESC forms.
_SEQUENCES = re.compile(
    r"(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])(?:[^\n\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c))?"
    r"|(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]?",
)
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|\r(?!\n)")


def clean(text: str) -> str:
    """``text`` without escape sequences and control characters (tab and newline kept)."""
    if not _needs_cleaning(text):
        return text
    return _CONTROLS.sub("", _SEQUENCES.sub("", text))


def _needs_cleaning(text: str) -> bool:
    return _CONTROLS.search(text) is not None


def begin(sgr: str) -> str:
    """Start an ANSI style (SGR parameters such as ``"1;33"``), once printed through
    :class:`SafeStream`. Callers style only their own words, after deciding colour."""
    return f"\x00{_TAG}:{sgr}\x00"


def end() -> str:
    """End the style :func:`begin` started."""
    return begin("0")


def style(text: str, sgr: str) -> str:
    """``text`` in an ANSI style (see :func:`begin`)."""
    return begin(sgr) + text + end()


class SafeStream:
    """A text stream that writes :func:`clean` text to the stream it wraps."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    @property
    def wrapped(self) -> TextIO:
        return self._stream

    def write(self, text: str) -> int:
        if "\x00" in text:
            parts = _MARK.split(text)
            # split gives text, codes, text, codes, …: clean the texts, style the codes
            out = [clean(part) if i % 2 == 0 else f"\x1b[{part}m" for i, part in enumerate(parts)]
            self._stream.write("".join(out))
        else:
            self._stream.write(clean(text))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        # flush, isatty, fileno, encoding, errors, closed, close…: the wrapped stream's
        return getattr(self._stream, name)


def install() -> None:
    """Print through :class:`SafeStream` from now on (stdout and stderr of this process)."""
    import sys

    if not isinstance(sys.stdout, SafeStream):
        sys.stdout = SafeStream(sys.stdout)
    if not isinstance(sys.stderr, SafeStream):
        sys.stderr = SafeStream(sys.stderr)
