"""Text from manifests and stage files made safe for a Markdown table on GitHub.

Values come from pull requests: HTML in them (`</details>`) would break the comment's folding,
a pipe would end the cell, a newline the row, and a backtick the code span around it. Control
characters (an ESC sequence, a bidi override) are shown as escapes, as in the terminal reports.
"""

from __future__ import annotations

import html

from model.printable import escape_controls


def _flat(text: str, limit: int | None) -> str:
    return escape_controls(text.replace("\r", " ").replace("\n", " ").replace("\t", " ")[:limit])


def cell(text: str | None, limit: int | None = None) -> str:
    """A plain table cell: HTML shown as text, one line, pipes escaped, cut at limit characters."""
    if text is None:
        return "—"
    return html.escape(_flat(text, limit), quote=False).replace("|", "\\|")


def code(text: str, limit: int | None = None) -> str:
    """A code span that a backtick in the text cannot end (GitHub shows what is inside as is)."""
    flat = _flat(text, limit).replace("|", "\\|")
    return f"`` {flat} ``" if "`" in flat else f"`{flat}`"
