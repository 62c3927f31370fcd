"""A generator of report renderings with variation and ground truth (issue 11).

From report contents with known values (synthetic reports in layouts 2019 and 2021, free-form
reports of 2008-2018, the hand-labelled seeds, the values of the real labelled reports) it
renders documents as agencies and their tools produce them: CMS pages and templates no
selector list knows, bodies delivered as data, docx/doc/wps/pdf from python-docx,
LibreOffice, reportlab and fpdf2, OFD packages, text and Markdown exports, workbooks, and
scanned image-only PDFs; every file with its ground truth (``manifest.json``).

    python -m sampleweb.renderings --out DIR [--seed N] [--per-recipe K]
"""

from sampleweb.renderings.build import GENERATOR_VERSION, RECIPES, build, load_manifest

__all__ = ["GENERATOR_VERSION", "RECIPES", "build", "load_manifest"]
