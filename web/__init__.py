"""The reading room: server-rendered pages and a JSON API over the archive.

A thin layer over the same Python API as the command line (``storage.archive.Archive``
and the query, audit and ops modules): no SQL here. ``nianbao serve`` runs it; see
``web.app.create_app`` for embedding it in another ASGI server.
"""
