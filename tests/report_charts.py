"""What a report's charts say at their top and foot, to check that each is drawn whole in its PDF.

A chart is drawn by the page's script before Chromium prints; one cut off at a page's edge, or
not drawn at all, leaves its title or its x-axis title out of the PDF's text.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter


def squeeze(text: str) -> str:
    """Text without ligatures or whitespace, for comparing across line breaks."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def chart_texts(html: str) -> list[str]:
    """The title and x-axis title of every chart a report's HTML draws (its top and its foot)."""
    texts = []
    for figure in re.findall(r'<script type="application/json" id="[^"]+-data">(.*?)</script>', html, re.S):
        layout = json.loads(figure.replace("<\\/", "</"))["layout"]
        for part in (layout.get("title"), layout.get("xaxis", {}).get("title")):
            text = part.get("text") if isinstance(part, dict) else part
            if text:
                texts.append(str(text).replace("<br>", " "))
    return texts


def charts_missing(html: str, pdf_text: str) -> list[str]:
    """The chart titles and axis titles of ``html`` that its PDF's text holds fewer times than
    the charts use them (empty when every chart is printed whole)."""
    text = squeeze(pdf_text)
    wanted = Counter(squeeze(t) for t in chart_texts(html))
    return [label for label, times in wanted.items() if text.count(label) < times]
