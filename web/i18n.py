"""The interface's languages: Chinese by default, English on request.

Message ids are English; ``web/locale/<lang>/LC_MESSAGES/messages.po`` holds the
translations (gettext catalogues, read with Babel at start-up). Templates use ``_()``
and ``{% trans %}`` (Jinja's i18n extension); Python code marks strings with ``_`` and
``N_`` (for texts translated later, at rendering). ``tests/test_web_i18n.py`` checks that
every message of the templates and of ``web/`` has a Chinese translation.
"""

from __future__ import annotations

import gettext
from contextvars import ContextVar
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("zh", "en")
DEFAULT = "zh"
HTML_LANG = {"zh": "zh-CN", "en": "en"}

current: ContextVar[str] = ContextVar("nianbao_lang", default=DEFAULT)


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The catalogue of ``lang`` (English: the message ids themselves)."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if lang == "en" or not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def _(message: str) -> str:
    """Translate into the current request's language."""
    return translations(current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current.get()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a message for the catalogue; translated where it is shown."""
    return message


def pick(lang: str | None) -> str:
    return lang if lang in LANGUAGES else DEFAULT
