"""Binary attachment files of the sample web.

Two sources:
- `assets/generated/`: legacy binary formats (pdf, doc, xls) of synthetic reports, converted
  once by LibreOffice with `python -m sampleweb.build_assets` and kept in the repository so
  serving needs nothing but the standard library;
- `assets/reports/`: renderings of the seed and real reports made by the extraction team
  (seedNNN.docx/.doc/.wps/.pdf/.xlsx, real PDFs, manifest.json). Used when present.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sampleweb.texts import synth_report

ASSETS = Path(__file__).parent / "assets"
GENERATED = ASSETS / "generated"
REPORTS = ASSETS / "reports"


@dataclass(frozen=True)
class GeneratedSpec:
    stem: str
    agency: str
    year: int
    seed: int
    fmt: str  # pdf | doc | xls: the real format LibreOffice writes

    @property
    def path(self) -> Path:
        return GENERATED / f"{self.stem}.{self.fmt}"


GENERATED_SPECS: tuple[GeneratedSpec, ...] = (
    GeneratedSpec("langao-czj-2020", "岚皋县财政局", 2020, 11, "pdf"),
    GeneratedSpec("langao-jtj-2020", "岚皋县教育体育局", 2020, 12, "doc"),
    GeneratedSpec("langao-mzj-2020", "岚皋县民政局", 2020, 13, "doc"),
    GeneratedSpec("langao-tjj-2020", "岚皋县统计局", 2020, 14, "xls"),
    GeneratedSpec("langao-wjj-2020", "岚皋县卫生健康局", 2020, 15, "xls"),
    GeneratedSpec("ninghai-nyj-2020", "宁海县农业农村局", 2020, 21, "pdf"),
)


def generated(stem: str) -> bytes:
    for spec in GENERATED_SPECS:
        if spec.stem == stem:
            if not spec.path.exists():
                raise FileNotFoundError(
                    f"{spec.path} missing: run `python -m sampleweb.build_assets` (needs libreoffice)"
                )
            return spec.path.read_bytes()
    raise KeyError(f"no generated asset {stem!r}")


def generated_text(stem: str) -> str:
    for spec in GENERATED_SPECS:
        if spec.stem == stem:
            return synth_report(spec.agency, spec.year, spec.seed).text
    raise KeyError(f"no generated asset {stem!r}")


def report_asset(name: str) -> bytes | None:
    """A file of assets/reports (e.g. "seed001.pdf") when the extraction team provided it."""
    path = REPORTS / name
    if path.is_file():
        return path.read_bytes()
    return None


def report_manifest() -> list[dict[str, object]]:
    path = REPORTS / "manifest.json"
    if not path.is_file():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data = data.get("files") or data.get("reports") or []
    return [d for d in data if isinstance(d, dict)]
