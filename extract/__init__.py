"""Documents → text, metadata, the three statistical tables, consistency checks."""

from extract.document import PARSER_VERSION, extract_document
from extract.text import read_document

__all__ = ["PARSER_VERSION", "extract_document", "read_document"]
