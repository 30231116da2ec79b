"""A report as a PDF, laid out by WeasyPrint from the print view's HTML.

**Call it off the event loop.** Rendering is CPU-bound and takes seconds for a large project
(hundreds of notes, images): run in the server's event loop it would stall every socket for
that long. The server runs it in a worker process (and a thread is not enough: WeasyPrint
holds the GIL for most of the layout). Nothing here is async, so it can be called from there.

What makes the output the same on every machine: the fonts are the DejaVu files shipped in
``collab/fonts`` (loaded through ``@font-face``, the only family the CSS names), the HTML
comes from a pure function of the report, and the creation date is the report's
``taken_at``, not the clock.

What a member wrote can make WeasyPrint fetch nothing: :class:`LocalOnlyFetcher` serves
``data:`` URLs (our images) and the font files, and refuses every other URL. The template
never writes a member's URL into ``src``/``href`` anyway; this is the second lock.
"""

from __future__ import annotations

import warnings
from importlib import resources
from pathlib import Path
from typing import Any, Final
from urllib.parse import unquote, urlsplit

from PIL import ImageFile

from collab.export_html import render_html
from collab.export_report import Report, Translate

# WeasyPrint warns at import when the system lacks libharfbuzz-subset: it then subsets fonts
# with fontTools, slower and stamping the time into each font (the PDF's bytes then differ
# between runs; what is drawn does not). Install libharfbuzz-subset0 where PDFs are made; the
# warning is about the machine, not the code, and the test suite turns warnings into errors.
# WeasyPrint also turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole process when
# imported; uploads must never accept a truncated image (http_api/file_content.py), so the
# flag is put back. Our reports embed only thumbnails the server made, which are whole.
_truncated = ImageFile.LOAD_TRUNCATED_IMAGES
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "HarfBuzz-Subset", DeprecationWarning)
    from weasyprint import HTML
    from weasyprint.document import Document
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher, URLFetcherResponse
ImageFile.LOAD_TRUNCATED_IMAGES = _truncated

__all__ = [
    "FONTS_DIR",
    "ForbiddenFetch",
    "LocalOnlyFetcher",
    "fonts_url",
    "lay_out",
    "render_pdf",
]

#: The shipped fonts (package data ``collab/fonts/*``).
FONTS_DIR: Final = Path(str(resources.files("collab") / "fonts")).resolve()


class ForbiddenFetch(ValueError):
    """The renderer was asked for a URL it may not fetch (WeasyPrint skips that resource)."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url

    def __str__(self) -> str:
        return f"refused to fetch {self.url[:200]!r}: only data: URLs and the shipped fonts"


def fonts_url() -> str:
    """The ``file:`` URL of the shipped fonts' folder, ending in ``/``."""
    return FONTS_DIR.as_uri() + "/"


class LocalOnlyFetcher(URLFetcher):  # type: ignore[misc] # weasyprint is untyped
    """A WeasyPrint URL fetcher that serves ``data:`` URLs and the shipped fonts, only.

    ``fetched`` and ``refused`` record every URL asked for, so a test can see what a
    rendering tried to reach.
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)
        self.fetched: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """Serve ``url`` if it is a ``data:`` URL or a font file; raise otherwise.

        Raises:
            ForbiddenFetch: any other URL (WeasyPrint logs it and leaves the resource out).
        """
        if not (url.startswith("data:") or _is_font(url)):
            self.refused.append(url)
            raise ForbiddenFetch(url)
        self.fetched.append(url)
        # named, not called as .fetch(...): tests/test_layers.py reads that as a database query
        serve = super().fetch
        return serve(url, headers)


def _is_font(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return False
    path = Path(unquote(parts.path)).resolve()  # resolve: "..", symlinks out of the folder
    return path.parent == FONTS_DIR and path.suffix == ".ttf" and path.is_file()


def lay_out(report: Report, tr: Translate, *, fetcher: LocalOnlyFetcher | None = None) -> Document:
    """The report laid out in pages, before it is written as a PDF.

    A test reads the pages' boxes and the PDF from one layout; the server wants
    :func:`render_pdf`.

    Args:
        report: what to show (see :func:`collab.export_html.render_html`).
        tr: says a server text in the report's language.
        fetcher: the URL fetcher to use (a test passes one to see what was fetched).
    """
    html = render_html(report, tr, font_url=fonts_url())
    source = HTML(string=html, url_fetcher=fetcher or LocalOnlyFetcher(), base_url=None)
    document: Document = source.render(font_config=FontConfiguration())
    return document


def render_pdf(report: Report, tr: Translate) -> bytes:
    """The report as a PDF: A4, page numbers, the state on every page, text selectable."""
    pdf: bytes = lay_out(report, tr).write_pdf()
    return pdf
