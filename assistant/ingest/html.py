"""Saved web pages (.html, .htm): the article's main text and its metadata.

The main text comes from trafilatura, a maintained extractor built for news
pages (it drops navigation, sidebars, comments and share widgets, and keeps
paragraphs; in the published comparisons it leads on precision among open
extractors), with comments and tables left out. The extracted text is the
article's text: quotes and offsets point into it, not into the HTML.

Metadata: the title, site name, author and canonical URL trafilatura reads
from the page's head; the publication date from htmldate in its fast mode
(meta tags, structured data, the URL) -- its text-scanning mode is off,
because a date merely mentioned in the page is not the publication date.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.ingest.metadata import meta_date
from assistant.types import PubDate

__all__ = ["HTML_SUFFIXES", "PageText", "read_page"]

HTML_SUFFIXES = (".html", ".htm")


@dataclass(frozen=True)
class PageText:
    """What a saved page holds: its main text (None when no article text was found) and metadata."""

    text: str | None
    title: str | None = None
    outlet: str | None = None
    author: str | None = None
    url: str | None = None
    date: PubDate | None = None


def read_page(html: str) -> PageText:
    """The main text and metadata of the page ``html``."""
    import logging

    import trafilatura
    from htmldate import find_date

    for name in ("trafilatura", "htmldate"):  # their warnings about odd markup are not the user's business
        logging.getLogger(name).setLevel(logging.ERROR)
    text = trafilatura.extract(
        html, output_format="txt", include_comments=False, include_tables=False, include_images=False, with_metadata=False, deduplicate=True
    )
    meta = trafilatura.extract_metadata(html)
    try:
        found = find_date(html, extensive_search=False, original_date=True, outputformat="%Y-%m-%d")
    except Exception:  # noqa: BLE001 -- htmldate on broken markup: no date rather than no article
        found = None
    date = None
    if found:
        try:
            date = meta_date(found)
        except ValueError:
            date = None
    return PageText(
        text=text if text and text.strip() else None,
        title=getattr(meta, "title", None) or None,
        outlet=getattr(meta, "sitename", None) or None,
        author=getattr(meta, "author", None) or None,
        url=getattr(meta, "url", None) or None,
        date=date,
    )
