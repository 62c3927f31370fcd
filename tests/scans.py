"""Scanned renderings of report PDFs: pages rendered to grey images at a given dpi, with
scanner noise (speckles, a slight tilt, uneven grey), saved as image-only PDFs; and the
benchmark's own scans (``benchmarks/extract_generalisation.py --recipes scan-200``) cut
to a few pages."""

from __future__ import annotations

import io
import random
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageFilter

from sampleweb.renderings import fixed
from sampleweb.renderings.build import report_pool
from sampleweb.renderings.model import Report


def scan_pdf(
    pdf: bytes, dpi: int = 200, noise: float = 0.02, tilt: float = 0.3, seed: int = 0
) -> bytes:
    """An image-only PDF of ``pdf`` as a scanner at ``dpi`` would make it."""
    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)
    document = pdfium.PdfDocument(pdf)
    images: list[Image.Image] = []
    for index in range(len(document)):
        page = document[index]
        image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
        page.close()
        if tilt:
            image = image.rotate(
                rng.uniform(-tilt, tilt), fillcolor=255, resample=Image.Resampling.BICUBIC
            )
        pixels: np.ndarray = np.asarray(image, dtype=np.float32)
        pixels = pixels * nprng.uniform(0.93, 1.0) + nprng.normal(0, 6, pixels.shape)
        speckles = nprng.random(pixels.shape) < noise * 0.01
        pixels[speckles] = 60
        image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
        image = image.filter(ImageFilter.GaussianBlur(0.4))
        images.append(image)
    document.close()
    out = io.BytesIO()
    images[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return out.getvalue()


def benchmark_scan(
    seed: int, rid: str, keep: list[int], tmp: Path, dpi: int = 200
) -> tuple[Report, bytes]:
    """The benchmark's scan of report ``rid`` of ``seed`` at ``dpi`` (recipe
    ``scan-<dpi>``, made as ``benchmarks/extract_generalisation.py --seed <seed>`` makes
    it), cut to pages ``keep``."""
    pool = report_pool(seed, 10, 3, seeds=True, real=True)  # the benchmark's
    report = next(r for r in pool if r.rid == rid)
    stem = f"{rid}-scan-{dpi}"
    rng = random.Random(f"{seed}|{stem}")
    pages, _ = fixed.fixed_pages(report, rng, ruled=rng.random() < 0.85)
    path = tmp / f"{stem}.pdf"
    fixed.write_scan(pages, path, rng, dpi)
    source = pdfium.PdfDocument(path.read_bytes())
    out = pdfium.PdfDocument.new()
    out.import_pages(source, keep)
    buffer = io.BytesIO()
    out.save(buffer)
    return report, buffer.getvalue()
