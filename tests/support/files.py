"""Files for the upload tests, made in the tests (no binary fixtures): pictures and a PDF."""

from __future__ import annotations

import io

from PIL import Image

__all__ = ["PDF", "png", "gif"]

#: The smallest PDF the content checks accept: the header at offset 0, one empty page.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def png(width: int = 40, height: int = 30, color: str = "teal") -> bytes:
    """A real PNG of one colour."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format="PNG")
    return out.getvalue()


def gif() -> bytes:
    """A real 16 x 16 GIF."""
    out = io.BytesIO()
    Image.new("P", (16, 16), 3).save(out, format="GIF")
    return out.getvalue()
