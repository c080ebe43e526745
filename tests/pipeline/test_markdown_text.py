"""Values from pull requests cannot break the Markdown they are shown in (a comment's folding, a table)."""

from __future__ import annotations

from pipeline.reports.markdown_text import cell, code


def test_html_in_a_value_is_shown_as_text_not_markup():
    assert cell("</details><img src=x onerror=alert(1)>") == "&lt;/details&gt;&lt;img src=x onerror=alert(1)&gt;"
    assert cell("a & b") == "a &amp; b"


def test_a_value_stays_in_its_cell_and_its_row():
    assert cell("a|b\nc\r\nd") == "a\\|b c  d"
    assert cell(None) == "—"
    assert cell("x" * 500, 200) == "x" * 200 and cell("x" * 500) == "x" * 500


def test_a_backtick_cannot_end_the_code_span():
    assert code("spec.containers[agent].image") == "`spec.containers[agent].image`"
    assert code("data['a`b']") == "`` data['a`b'] ``"
    assert code("a|b") == "`a\\|b`"
