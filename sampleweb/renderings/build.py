"""Render reports through every recipe (format × template/tool) and write the ground truth.

A *recipe* is one way a report reaches the web: a page family, a docx made by python-docx or
by LibreOffice from HTML/odt, a doc/wps converted by LibreOffice, a PDF from LibreOffice,
reportlab or fpdf2, an OFD package, a text or Markdown export, a workbook, a scan at some dpi.
:func:`build` renders a pool of reports through the recipes (each recipe takes
``per_recipe`` reports of the pool, chosen by the seed) and writes ``manifest.json``: one
ground-truth record per file (see :func:`truth_record`). Deterministic per seed.
"""

from __future__ import annotations

import itertools
import json
import random
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sampleweb.renderings import fixed, html_pages, office, textual
from sampleweb.renderings.content import (
    OWN_LABELS,
    SHARED,
    check_report,
    freeform_report,
    real_value_reports,
    seed_reports,
    synthetic_report,
)
from sampleweb.renderings.model import Block, CellValue, Kind, Para, Report, Table

GENERATOR_VERSION = "1"


@dataclass
class Output:
    """One file a recipe produced (before LibreOffice steps, ``path`` may be pending)."""

    path: Path
    fmt: str
    family: str
    tool: str
    url: str
    content_type: str | None = None
    blocks: list[Block] | None = None
    details: dict[str, str] = field(default_factory=dict)


@dataclass
class Conversion:
    """A LibreOffice step: convert ``source`` with ``target`` into ``dest`` (then ``after``)."""

    source: Path
    target: str
    dest: Path
    infilter: str | None = None
    after: Conversion | None = None


@dataclass
class Recipe:
    name: str
    fmt: str
    family: str
    tool: str
    render: Callable[[Report, random.Random, Path, str], tuple[list[Output], list[Conversion]]]
    reports: str = "any"
    """``any``, ``tables`` (reports with standard tables only), ``keyed`` (reports whose cells
    carry their keys: synthetic and real-values, needed to split pages)."""


HTML_IN = "HTML (StarWriter)"
DOCX = "docx:MS Word 2007 XML"
DOC = "doc:MS Word 97"
ODT = "odt:writer8"
PDF = "pdf:writer_pdf_Export"
TXT = "txt:Text (encoded):UTF8"
XLS = "xls:MS Excel 97"


def _url(report: Report, name: str) -> str:
    return f"https://www.example.gov.cn/attach/0/{report.rid}/{name}"


# ---------------------------------------------------------------- recipes


def _html(
    family: str, charset: str = "utf-8"
) -> Callable[[Report, random.Random, Path, str], tuple[list[Output], list[Conversion]]]:
    def render(
        report: Report, rng: random.Random, out: Path, stem: str
    ) -> tuple[list[Output], list[Conversion]]:
        outputs = []
        pages = html_pages.render_family(report, family, rng, charset=charset)
        for number, page in enumerate(pages):
            ext = {"jpaas": "json", "jsonp": "js"}.get(family, "html")
            suffix = f"_{number}" if len(pages) > 1 and number else ""
            path = out / f"{stem}{suffix}.{ext}"
            path.write_bytes(page.data)
            outputs.append(
                Output(
                    path,
                    "html",
                    family,
                    "hand-written template",
                    page.url,
                    page.content_type,
                    page.blocks,
                    page.details,
                )
            )
        return outputs, []

    return render


def _docx(
    variant: str,
) -> Callable[[Report, random.Random, Path, str], tuple[list[Output], list[Conversion]]]:
    def render(
        report: Report, rng: random.Random, out: Path, stem: str
    ) -> tuple[list[Output], list[Conversion]]:
        path = out / f"{stem}.docx"
        office.write_docx(report, path, rng, variant)
        return [Output(path, "docx", f"python-docx/{variant}", "python-docx", _url(report, path.name),
                       "application/vnd.openxmlformats-officedocument.wordprocessingml.document")], []  # fmt: skip

    return render


def _via_lo(
    fmt: str, family: str, start: str, steps: list[tuple[str, str]], content_type: str
) -> Callable[[Report, random.Random, Path, str], tuple[list[Output], list[Conversion]]]:
    """A file made by LibreOffice from ``start`` (``html``, ``docx``, ``xlsx``) through
    ``steps`` ((LibreOffice target, extension), …); the last extension is renamed to ``fmt``'s."""

    def render(
        report: Report, rng: random.Random, out: Path, stem: str
    ) -> tuple[list[Output], list[Conversion]]:
        work = out / ".work"
        work.mkdir(exist_ok=True)
        source = work / f"{stem}.{start}"
        if start == "html":
            office.write_html_for_office(report, source, rng)
        elif start == "docx":
            office.write_docx(report, source, rng, rng.choice(["merged", "merged", "nested"]))
        elif start == "xlsx":
            office.write_xlsx(report, source, rng)
        final_ext = {"wps": "wps", "txt": "txt"}.get(fmt, steps[-1][1])
        dest = out / f"{stem}.{final_ext}"
        conversion: Conversion | None = None
        previous = source
        chain: list[Conversion] = []
        for index, (target, ext) in enumerate(steps):
            last = index == len(steps) - 1
            step_dest = dest if last else work / f"{stem}.{ext}"
            step = Conversion(
                previous, target, step_dest, HTML_IN if previous.suffix == ".html" else None
            )
            chain.append(step)
            previous = step_dest
        for a, b in itertools.pairwise(chain):
            a.after = b
        conversion = chain[0]
        return [
            Output(
                dest,
                fmt,
                family,
                "LibreOffice " + " → ".join([start, *(e for _, e in steps)]),
                _url(report, dest.name),
                content_type,
            )
        ], [conversion]

    return render


def _xlsx(
    report: Report, rng: random.Random, out: Path, stem: str
) -> tuple[list[Output], list[Conversion]]:
    path = out / f"{stem}.xlsx"
    office.write_xlsx(report, path, rng)
    return [Output(path, "xlsx", "openpyxl", "openpyxl", _url(report, path.name))], []


def _text(
    style: str,
) -> Callable[[Report, random.Random, Path, str], tuple[list[Output], list[Conversion]]]:
    def render(
        report: Report, rng: random.Random, out: Path, stem: str
    ) -> tuple[list[Output], list[Conversion]]:
        path = out / f"{stem}.txt"
        encoding = "utf-8" if rng.random() < 0.8 else "gb18030"
        path.write_bytes(textual.to_text(report, rng, style).encode(encoding))
        return [
            Output(
                path,
                "txt",
                f"text/{style}",
                "export",
                _url(report, path.name),
                None,
                None,
                {"charset": encoding},
            )
        ], []

    return render


def _markdown(
    report: Report, rng: random.Random, out: Path, stem: str
) -> tuple[list[Output], list[Conversion]]:
    path = out / f"{stem}.md"
    path.write_text(textual.to_markdown(report, rng), encoding="utf-8")
    return [Output(path, "md", "markdown/gfm", "export", _url(report, path.name))], []


def _pdf(
    tool: str,
) -> Callable[[Report, random.Random, Path, str], tuple[list[Output], list[Conversion]]]:
    def render(
        report: Report, rng: random.Random, out: Path, stem: str
    ) -> tuple[list[Output], list[Conversion]]:
        path = out / f"{stem}.pdf"
        details: dict[str, str] = {}
        if tool.startswith("platypus"):
            landscape = tool.endswith("landscape")
            ruled = not tool.endswith("unruled")
            cell_pt = fixed.pdf_platypus(report, path, rng, landscape=landscape, ruled=ruled)
            details = {
                "landscape": str(landscape),
                "ruled": str(ruled),
                "repeat_header": "True",
                "cell_pt": str(cell_pt),
            }
        else:
            ruled = tool != "canvas-unruled"
            pages, options = fixed.fixed_pages(report, rng, ruled=ruled)
            if tool == "fpdf2":
                fixed.pdf_fpdf(pages, path, report)
            else:
                fixed.pdf_canvas(pages, path, report, glyphs=tool == "canvas-glyphs")
            details = {
                "landscape": str(options.landscape),
                "ruled": str(ruled),
                "repeat_header": str(options.repeat_header),
                "pages": str(len(pages)),
            }
        producer = "fpdf2" if tool == "fpdf2" else "reportlab"
        return [
            Output(
                path,
                "pdf",
                f"{producer}/{tool}",
                producer,
                _url(report, path.name),
                "application/pdf",
                None,
                details,
            )
        ], []

    return render


def _ofd(
    mode: str, rules: bool
) -> Callable[[Report, random.Random, Path, str], tuple[list[Output], list[Conversion]]]:
    def render(
        report: Report, rng: random.Random, out: Path, stem: str
    ) -> tuple[list[Output], list[Conversion]]:
        path = out / f"{stem}.ofd"
        pages, options = fixed.fixed_pages(report, rng, ruled=True)
        fixed.write_ofd(pages, path, report, rng, mode=mode, rules=rules)
        details = {
            "text_objects": mode,
            "rules": str(rules),
            "landscape": str(options.landscape),
            "pages": str(len(pages)),
        }
        return [
            Output(
                path,
                "ofd",
                f"ofd/{mode}{'+rules' if rules else ''}",
                "nianbao OFD writer",
                _url(report, path.name),
                "application/ofd",
                None,
                details,
            )
        ], []

    return render


def _scan(
    dpi: int,
) -> Callable[[Report, random.Random, Path, str], tuple[list[Output], list[Conversion]]]:
    def render(
        report: Report, rng: random.Random, out: Path, stem: str
    ) -> tuple[list[Output], list[Conversion]]:
        path = out / f"{stem}.pdf"
        pages, _ = fixed.fixed_pages(report, rng, ruled=rng.random() < 0.85)
        details = fixed.write_scan(pages, path, rng, dpi)
        details["pages"] = str(len(pages))
        return [
            Output(
                path,
                "scan",
                f"scan/{dpi}dpi",
                "Pillow + img2pdf",
                _url(report, path.name),
                "application/pdf",
                None,
                details,
            )
        ], []

    return render


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
RECIPES: list[Recipe] = [
    *[
        Recipe(f"html-{f}", "html", f, "template", _html(f), "keyed" if f == "paged" else "any")
        for f in html_pages.FAMILIES
    ],
    Recipe("html-trs-gbk", "html", "trs", "template", _html("trs", "gbk")),
    Recipe(
        "html-nested-layout-gb18030",
        "html",
        "nested-layout",
        "template",
        _html("nested-layout", "gb18030"),
    ),
    Recipe("html-word-aspnet-gbk", "html", "word-aspnet", "template", _html("word-aspnet", "gbk")),
    Recipe("docx-merged", "docx", "python-docx/merged", "python-docx", _docx("merged")),
    Recipe("docx-nested", "docx", "python-docx/nested", "python-docx", _docx("nested")),
    Recipe("docx-textbox", "docx", "python-docx/textbox", "python-docx", _docx("textbox")),
    Recipe(
        "docx-lo-html",
        "docx",
        "libreoffice/html",
        "LibreOffice",
        _via_lo("docx", "libreoffice/html", "html", [(DOCX, "docx")], DOCX_TYPE),
    ),
    Recipe(
        "docx-lo-odt",
        "docx",
        "libreoffice/odt",
        "LibreOffice",
        _via_lo("docx", "libreoffice/odt", "html", [(ODT, "odt"), (DOCX, "docx")], DOCX_TYPE),
    ),
    Recipe(
        "doc-lo-docx",
        "doc",
        "libreoffice/docx",
        "LibreOffice",
        _via_lo("doc", "libreoffice/docx", "docx", [(DOC, "doc")], "application/msword"),
    ),
    Recipe(
        "doc-lo-html",
        "doc",
        "libreoffice/html",
        "LibreOffice",
        _via_lo("doc", "libreoffice/html", "html", [(DOC, "doc")], "application/msword"),
    ),
    Recipe(
        "wps-lo-docx",
        "wps",
        "libreoffice/docx",
        "LibreOffice",
        _via_lo("wps", "libreoffice/docx", "docx", [(DOC, "doc")], "application/octet-stream"),
    ),
    Recipe(
        "pdf-lo-docx",
        "pdf",
        "libreoffice/docx",
        "LibreOffice",
        _via_lo("pdf", "libreoffice/docx", "docx", [(PDF, "pdf")], "application/pdf"),
    ),
    Recipe(
        "pdf-lo-html",
        "pdf",
        "libreoffice/html",
        "LibreOffice",
        _via_lo("pdf", "libreoffice/html", "html", [(PDF, "pdf")], "application/pdf"),
    ),
    Recipe("pdf-platypus", "pdf", "reportlab/platypus", "reportlab", _pdf("platypus")),
    Recipe(
        "pdf-platypus-landscape",
        "pdf",
        "reportlab/platypus-landscape",
        "reportlab",
        _pdf("platypus-landscape"),
    ),
    Recipe(
        "pdf-platypus-unruled",
        "pdf",
        "reportlab/platypus-unruled",
        "reportlab",
        _pdf("platypus-unruled"),
    ),
    Recipe("pdf-canvas", "pdf", "reportlab/canvas", "reportlab", _pdf("canvas")),
    Recipe(
        "pdf-canvas-unruled", "pdf", "reportlab/canvas-unruled", "reportlab", _pdf("canvas-unruled")
    ),
    Recipe(
        "pdf-canvas-glyphs", "pdf", "reportlab/canvas-glyphs", "reportlab", _pdf("canvas-glyphs")
    ),
    Recipe("pdf-fpdf2", "pdf", "fpdf2/fpdf2", "fpdf2", _pdf("fpdf2")),
    Recipe("ofd-lines", "ofd", "ofd/lines+rules", "nianbao OFD writer", _ofd("lines", True)),
    Recipe("ofd-glyphs", "ofd", "ofd/glyphs", "nianbao OFD writer", _ofd("glyphs", False)),
    Recipe("ofd-runs", "ofd", "ofd/runs+rules", "nianbao OFD writer", _ofd("runs", True)),
    Recipe("ofd-page", "ofd", "ofd/page", "nianbao OFD writer", _ofd("page", False)),
    Recipe("txt-rows", "txt", "text/rows", "export", _text("rows")),
    Recipe("txt-cells", "txt", "text/cells", "export", _text("cells")),
    Recipe(
        "txt-lo-docx",
        "txt",
        "libreoffice/docx",
        "LibreOffice",
        _via_lo("txt", "libreoffice/docx", "docx", [(TXT, "txt")], "text/plain"),
    ),
    Recipe("md-gfm", "md", "markdown/gfm", "export", _markdown),
    Recipe("xlsx-openpyxl", "xlsx", "openpyxl", "openpyxl", _xlsx, "tables"),
    Recipe(
        "xls-lo-xlsx",
        "xls",
        "libreoffice/xlsx",
        "LibreOffice",
        _via_lo("xls", "libreoffice/xlsx", "xlsx", [(XLS, "xls")], "application/vnd.ms-excel"),
        "tables",
    ),
    Recipe("scan-150", "scan", "scan/150dpi", "Pillow + img2pdf", _scan(150)),
    Recipe("scan-200", "scan", "scan/200dpi", "Pillow + img2pdf", _scan(200)),
    Recipe("scan-300", "scan", "scan/300dpi", "Pillow + img2pdf", _scan(300)),
]
RECIPES_BY_NAME = {recipe.name: recipe for recipe in RECIPES}


# ---------------------------------------------------------------- ground truth


def _keys_in(report: Report, blocks: list[Block]) -> list[str]:
    tables = [b for b in blocks if isinstance(b, Table)]
    keyed = {c.key for t in tables for row in t.rows for c in row if c.key}
    if not keyed and not report.source.startswith("seed:"):
        return []
    scored = report.scored_keys()
    if report.source.startswith("seed:"):
        names = {t.name.split(".")[0] for t in tables}
        return [k for k in scored if k.split(".")[0] in names]
    return [
        k
        for k in scored
        if k in keyed or (k.endswith("_yuan") and k.replace("_yuan", "_raw") in keyed)
    ]


def truth_record(report: Report, output: Output, recipe: Recipe, root: Path) -> dict[str, object]:
    """The ground truth of one file.

    ``values``: every printed value by key (``null`` for a blank cell), the values the file
    must give back; ``derived``: spec values computed from printed ones (``t3.other.*`` of
    layout 2021 when only its sub-rows are printed); ``printed``: the cell texts;
    ``layout`` (``null`` for a page of a split article without table 二).
    """
    blocks = output.blocks if output.blocks is not None else report.blocks
    keys = _keys_in(report, blocks)
    values: dict[str, CellValue] = {k: report.values[k] for k in keys}
    derived: dict[str, CellValue] = {}
    if keys:
        derived = {
            k: v
            for k, v in report.values.items()
            if k not in report.printed and not k.endswith("_yuan") and k not in values
        }
    whole = output.blocks is None or len(blocks) == len(report.blocks)
    has_t2 = any(isinstance(b, Table) and b.name.startswith("t2") for b in blocks)
    if whole:
        sections = report.sections
    else:
        sections = sorted(
            {
                b.section
                for b in blocks
                if isinstance(b, Para) and b.kind == Kind.HEADING and b.section
            }
        )
    return {
        "file": str(output.path.relative_to(root)),
        "format": output.fmt,
        "family": output.family,
        "recipe": recipe.name,
        "tool": output.tool,
        "url": output.url,
        "content_type": output.content_type,
        "report": report.rid,
        "source": report.source,
        "agency": report.agency,
        "year": report.year,
        "title": report.title,
        "published_at": report.published_at,
        "layout": report.layout if (whole or has_t2 or report.layout == "none") else None,
        "sections": sections,
        "consistent": report.consistent,
        "values": values,
        "derived": derived,
        "printed": {k: report.printed[k] for k in keys if k in report.printed},
        "style": report.style,
        "details": output.details,
    }


# ---------------------------------------------------------------- the build


def report_pool(
    seed: int, synthetic: int, freeform: int, *, seeds: bool, real: bool
) -> list[Report]:
    pool: list[Report] = []
    for index in range(synthetic):
        pool.append(synthetic_report(seed, index, layout=("2019", "2021")[index % 2]))
    pool += [freeform_report(seed, index) for index in range(freeform)]
    if seeds:
        pool += seed_reports()
    if real:
        pool += real_value_reports(seed)
    for report in pool:
        check_report(report)
    return pool


def _eligible(recipe: Recipe, report: Report) -> bool:
    if recipe.reports == "keyed":
        return report.source in ("synthetic",) or report.source.startswith("real-values:")
    if recipe.reports == "tables":
        return report.layout != "none"
    return True


def _run_conversions(conversions: list[Conversion], log: Callable[[str], None]) -> None:
    stage = conversions
    while stage:
        groups: dict[tuple[str, str | None], list[Conversion]] = {}
        for conversion in stage:
            groups.setdefault((conversion.target, conversion.infilter), []).append(conversion)
        following: list[Conversion] = []
        for (target, infilter), items in groups.items():
            started = time.perf_counter()
            with_tmp = (
                items[0].dest.parent / ".work" / f"lo-{abs(hash((target, infilter))) % 10**8}"
            )
            produced = office.soffice_convert(
                [c.source for c in items], target, with_tmp, infilter=infilter
            )
            for conversion in items:
                shutil.move(str(produced[conversion.source]), conversion.dest)
                if conversion.after is not None:
                    following.append(conversion.after)
            log(f"soffice {target} ×{len(items)} in {time.perf_counter() - started:.1f}s")
        stage = following


def build(
    out: Path,
    seed: int,
    *,
    synthetic: int = 6,
    freeform: int = 2,
    per_recipe: int = 2,
    recipes: list[str] | None = None,
    seeds: bool = True,
    real: bool = True,
    originals: bool = False,
    log: Callable[[str], None] = lambda message: None,
) -> list[dict[str, object]]:
    """Render and write ``out/manifest.json``; return the ground-truth records. With
    ``originals`` the real labelled reports themselves (``shared/reports/real`` with the
    labels of ``tests/labels``) are copied in too, as family ``original``."""
    out.mkdir(parents=True, exist_ok=True)
    pool = report_pool(seed, synthetic, freeform, seeds=seeds, real=real)
    chosen = [RECIPES_BY_NAME[name] for name in recipes] if recipes else RECIPES
    rng = random.Random(f"build|{seed}")
    planned: list[tuple[Recipe, Report, Output]] = []
    conversions: list[Conversion] = []
    for recipe in chosen:
        eligible = [r for r in pool if _eligible(recipe, r)]
        picks = rng.sample(eligible, k=min(per_recipe, len(eligible)))
        for report in picks:
            stem = f"{report.rid}-{recipe.name}"
            started = time.perf_counter()
            outputs, steps = recipe.render(report, random.Random(f"{seed}|{stem}"), out, stem)
            planned += [(recipe, report, o) for o in outputs]
            conversions += steps
            log(f"{stem}: {len(outputs)} file(s) in {time.perf_counter() - started:.2f}s")
    _run_conversions(conversions, log)
    records = [truth_record(report, output, recipe, out) for recipe, report, output in planned]
    if originals:
        records += original_records(out)
    shutil.rmtree(out / ".work", ignore_errors=True)
    manifest = {"generator": GENERATOR_VERSION, "seed": seed, "renderings": records}
    (out / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return records


_MEDIA = {
    ".pdf": ("pdf", "application/pdf"),
    ".html": ("html", "text/html"),
    ".docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
}


def original_records(
    out: Path, real: Path = SHARED / "real", labels: Path = OWN_LABELS
) -> list[dict[str, object]]:
    """The real labelled reports as they were published, with their hand labels as truth
    (every labelled key counts; ``t3.other.*`` of layout 2021 is derived when the label
    notes say only the sub-rows are printed — here all keys are kept as values)."""
    records: list[dict[str, object]] = []
    (out / "original").mkdir(exist_ok=True)
    for label_path in sorted(labels.glob("*.json")):
        label = json.loads(label_path.read_text("utf-8"))
        source = real / label["source"]
        if not source.exists():
            continue
        fmt, media = _MEDIA.get(source.suffix, (source.suffix.lstrip("."), None))
        target = out / "original" / source.name
        shutil.copyfile(source, target)
        records.append({
            "file": str(target.relative_to(out)), "format": fmt, "family": "original", "recipe": "original",
            "tool": "as published", "url": f"https://www.example.gov.cn/original/{source.name}", "content_type": media,
            "report": f"original-{source.stem}", "source": f"original:{source.name}", "agency": label.get("agency_name"),
            "year": label.get("year"), "title": None, "published_at": label.get("published_at"), "layout": label["layout"],
            "sections": label.get("sections_present", []), "consistent": None, "values": label["values"], "derived": {},
            "printed": {}, "style": {}, "details": {},
        })  # fmt: skip
    return records


def load_manifest(out: Path) -> list[dict[str, object]]:
    data = json.loads((out / "manifest.json").read_text("utf-8"))
    records: list[dict[str, object]] = data["renderings"]
    return records
