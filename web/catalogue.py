"""The messages of the interface, as Babel extracts them from the templates and from the
``web`` package's Python (``_``, ``N_``, ``ngettext``) — for the catalogue and its test.

    .venv/bin/python -m web.catalogue          # lists messages missing from the zh catalogue
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

HERE = Path(__file__).resolve().parent
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "gettext": None}


def messages() -> set[str]:
    """Every message id (singular and plural forms) used by the interface."""
    found: set[str] = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(HERE),
        METHODS,
        keywords=KEYWORDS,
        options_map={"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}},
    ):
        if isinstance(message, tuple):
            found.update(m for m in message if m)
        elif message:
            found.add(message)
    return found


def missing(lang: str = "zh") -> list[str]:
    """Messages without a translation in ``lang``'s catalogue."""
    path = HERE / "locale" / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        catalog = read_po(fh)
    done: set[str] = set()
    for message in catalog:
        if not message.id or not message.string:
            continue
        if isinstance(message.id, str):
            done.add(message.id)
        elif all(message.string):
            done.update(message.id)
    return sorted(messages() - done)


if __name__ == "__main__":
    for message in missing():
        print(repr(message))
