"""Re-extraction of archived versions from their WARC records (after a parser update)."""

from __future__ import annotations

from capture.extractor import extraction_columns
from capture.reader import read_payload, read_rendered
from storage.archive import Archive


def payload_of(archive: Archive, capture_id: int) -> tuple[bytes, str | None]:
    """The payload and Content-Type of a capture, read back from its WARC record (for a
    revisit, from the record it refers to)."""
    return read_payload(archive.warc_dir, archive.capture_location(capture_id))


def rendered_of(archive: Archive, capture_id: int) -> bytes | None:
    """The browser-rendered DOM kept with a capture's response, if any."""
    return read_rendered(archive.warc_dir, archive.capture_location(capture_id))


def reextract(archive: Archive, *, limit: int | None = None) -> tuple[int, int]:
    from extract import document

    done = errors = 0
    parser = document.PARSER_VERSION  # read now: the version of the code that runs
    for version_id, url, capture_id, _warc, _media in archive.versions_for_reextraction(parser):
        if limit is not None and done >= limit:
            break
        body, content_type = payload_of(archive, capture_id)
        rendered = rendered_of(archive, capture_id)
        ex = document.extract_document(
            body, url=url, media_type=content_type, rendered_html=rendered
        )
        if archive.add_extraction(version_id, extraction_columns(ex)):
            done += 1
            errors += ex.error is not None
    return done, errors
