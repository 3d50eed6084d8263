"""Word (.docx) bytes -> article text, laid out the way `bot.article` reads it.

One job: the body of a Word file in document order (python-docx): paragraphs
separated by blank lines, heading-styled paragraphs marked `# ` (they become
sections), the Title-styled paragraph first, and each table row as one line of
its cells joined by " | ". Page headers, footers and comments are not article
text and are left out. The file's core properties (title, created) are kept for
when the text itself has no title or date line.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

# Built-in heading styles are named "Heading 1".. in the file whatever the UI language;
# a localised copy of them is "标题 1".
_HEADING_STYLE = re.compile(r"^(heading|标题)\s*\d$", re.I)
CELL_SEPARATOR = " | "


@dataclass
class DocxText:
    text: str             # paragraphs separated by blank lines; headings start with "# "
    title: str = ""       # the file's core property `title`
    date: str = ""        # the file's core property `created`, as YYYY-MM-DD


def read(data: bytes) -> DocxText:
    """The article text of a .docx file. Raises ValueError with a reason."""
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
        blocks, title = [], ""
        for item in document.iter_inner_content():
            if isinstance(item, Table):
                blocks += _table_rows(item)
                continue
            text = item.text.strip()
            if not text:
                continue
            style = (item.style.name if item.style is not None else "") or ""
            if style == "Title" and not title:
                title = text
            elif _HEADING_STYLE.match(style) or style == "Title":
                blocks.append("# " + " ".join(text.split()))
            else:
                blocks.append(text)
        props = document.core_properties
        created = props.created
    except Exception as e:   # a damaged or foreign file fails anywhere in the zip/XML stack
        raise ValueError(f"not a readable Word (.docx) file ({type(e).__name__}: {e})"[:200]) from None
    return DocxText("\n\n".join(([title] if title else []) + blocks),
                    (props.title or "").strip(), created.strftime("%Y-%m-%d") if created else "")


def _table_rows(table) -> list[str]:
    """One line per row: its cells' text (a merged cell once) joined by the separator."""
    rows = []
    for row in table.rows:
        cells, last = [], None
        for cell in row.cells:
            if cell._tc is last:        # a merged cell appears once per grid column it spans
                continue
            last = cell._tc
            cells.append(" ".join(cell.text.split()))
        if any(cells):
            rows.append(CELL_SEPARATOR.join(cells))
    return rows
