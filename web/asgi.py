"""The app for an ASGI server started with an import string (``nianbao serve --workers N``
runs N processes of it): settings from the environment (``NIANBAO_DB``,
``NIANBAO_DATA_DIR``, ``NIANBAO_REPLAY_URL``, ``NIANBAO_ADMIN_TOKEN``, …).

    uvicorn --factory web.asgi:app
"""

from __future__ import annotations

from fastapi import FastAPI

from web.app import create_app
from web.settings import WebSettings


def app() -> FastAPI:
    return create_app(settings=WebSettings.from_env())
