from apps.core.html import clean


def test_clean_keeps_simple_formatting_and_safe_links() -> None:
    html = '<p>Thank you <strong>Sam</strong></p><ul><li>one</li></ul><a href="https://nhs.example/x">more</a>'
    out = clean(html)
    assert "<p>Thank you <strong>Sam</strong></p>" in out
    assert "<ul><li>one</li></ul>" in out
    assert 'href="https://nhs.example/x"' in out
    assert 'rel="nofollow noopener noreferrer ugc"' in out


def test_clean_removes_scripts_handlers_and_dangerous_links() -> None:
    out = clean(
        '<p onclick="x()">hi</p><script>alert(1)</script><a href="javascript:alert(1)">x</a>'
        '<img src=x onerror=alert(1)><iframe src="https://evil.example"></iframe>'
    )
    assert "script" not in out
    assert "onclick" not in out
    assert "javascript:" not in out
    assert "<img" not in out
    assert "<iframe" not in out
    assert "<p>hi</p>" in out


def test_pages_may_have_headings_but_responses_may_not() -> None:
    from apps.core.html import render, render_page

    assert (
        render_page("# Top\n\n## Part\n\n#### Deep")
        == "<h2>Top</h2>\n<h2>Part</h2>\n<h3>Deep</h3>\n"
    )
    assert render("## Part").strip() == "<p>## Part</p>"
    assert "<script>" not in render_page("## Hi\n\n<script>alert(1)</script>")
