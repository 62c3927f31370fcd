"""Regenerate assets/generated/ with LibreOffice: `python -m sampleweb.build_assets`.

Run only when GENERATED_SPECS or the synthetic text generator changes; the outputs are kept
in the repository.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from sampleweb.assets_files import GENERATED, GENERATED_SPECS
from sampleweb.render import docx_bytes, xlsx_from_text
from sampleweb.texts import synth_report

_FILTERS = {"pdf": "pdf", "doc": "doc:MS Word 97", "xls": "xls:MS Excel 97"}


def main() -> int:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        print("libreoffice (soffice) not found", file=sys.stderr)
        return 1
    GENERATED.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for spec in GENERATED_SPECS:
            text = synth_report(spec.agency, spec.year, spec.seed).text
            if spec.fmt == "xls":
                source = work / f"{spec.stem}.xlsx"
                source.write_bytes(xlsx_from_text(text))
            else:
                source = work / f"{spec.stem}.docx"
                source.write_bytes(docx_bytes(text))
            subprocess.run(
                [
                    soffice,
                    f"-env:UserInstallation=file://{work}/profile",
                    "--headless",
                    "--convert-to",
                    _FILTERS[spec.fmt],
                    "--outdir",
                    str(work),
                    str(source),
                ],
                check=True,
                capture_output=True,
                timeout=180,
            )
            shutil.copyfile(work / f"{spec.stem}.{spec.fmt}", spec.path)
            print(spec.path, spec.path.stat().st_size)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
