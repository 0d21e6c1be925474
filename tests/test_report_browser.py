"""The problems report page in a real browser: 10,000 problems filtered, grouped, sorted, and a link to the map.

Without a browser these tests skip, except in CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import time

import pytest

import graphkit
from benchmarks.report_bench import generated_problems
from graphkit.model import Problem
from graphkit.report.page import to_report_page
from graphkit.view import to_html

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    library = graphkit.load_library()
    problems = generated_problems(sorted(library.graph))
    problems.append(
        Problem(
            "zz-last.md", "dangling-reference", "error", "related names 'gap-analyss'; did you mean 'gap-analysis'?",
            target="gap-analyss", suggestion="gap-analysis",
        )
    )  # fmt: skip
    page = to_report_page(problems, title="<b>Ten thousand</b>", files=715, patterns=37, slugs=library.graph)
    (folder / "problems.html").write_text(page, encoding="utf-8")
    (folder / "map.html").write_text(to_html(library.graph, title="Sample"), encoding="utf-8")
    return folder


@pytest.fixture
def report(browser, site):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: requests.append(r.url))
    started = time.perf_counter()
    page.goto((site / "problems.html").as_uri())
    page.wait_for_selector("body[data-ready='1']", timeout=30_000)
    page.opened_in = time.perf_counter() - started
    yield page
    assert errors == []
    assert [u for u in requests if not u.startswith("file://")] == []
    assert page.evaluate("window.__pwned") is None
    context.close()


def status(page) -> str:
    return page.text_content("#gkr-status")


def wait_status(page, text: str) -> None:
    from playwright.sync_api import expect  # the page's policy refuses wait_for_function's eval

    expect(page.locator("#gkr-status")).to_have_text(text)


def rows(page) -> list[list[str]]:
    """The rows drawn, top to bottom: each cell's text."""
    return page.evaluate(
        "Array.from(document.querySelectorAll('#gkr-spacer > div'))"
        ".sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))"
        ".map(r => Array.from(r.children).map(c => c.textContent))"
    )


def test_the_page_opens_fast_and_draws_only_what_is_in_view(report):
    assert status(report) == "All 10001 problems."
    # navigation to a ready page; the benchmark (benchmarks/report_bench.py) measures it at leisure
    assert report.opened_in < 5, report.opened_in
    drawn = rows(report)
    assert 10 < len(drawn) < 60
    assert drawn[0] == ["folder/5s-methodology-0000.md", "1", "error", "dangling-reference", "5s-methodology",
                        "problem 0: '5s-methodology' lists 'x-0' <img src=x onerror=window.__pwned=1>"]  # fmt: skip
    assert report.title() == "Problems: <b>Ten thousand</b>"
    report.evaluate("document.getElementById('gkr-scroll').scrollTop = 5000 * 44")
    report.wait_for_timeout(200)  # the page draws on the next animation frame
    tops = report.evaluate(
        "Array.from(document.querySelectorAll('#gkr-spacer > div')).map(r => parseFloat(r.style.top))"
    )
    assert min(tops) == (5000 - 10) * 44 and len(tops) < 60  # still only the rows in view, and a few around


def test_filter_by_kind_severity_and_text(report):
    report.select_option("#gkr-kind", "invalid-yaml")
    wait_status(report, "2000 of 10001 problems.")
    assert {r[3] for r in rows(report)} == {"invalid-yaml"}
    report.select_option("#gkr-kind", "")
    report.select_option("#gkr-severity", "warning")
    assert status(report) == "6000 of 10001 problems."
    report.fill("#gkr-text", "x-4244'")  # an invalid-yaml error
    wait_status(report, "0 of 10001 problems.")
    assert report.is_visible("#gkr-empty")
    report.select_option("#gkr-severity", "")
    assert status(report) == "1 of 10001 problems."
    [row] = rows(report)
    slugs = sorted(graphkit.load_library().graph)
    assert row[0] == f"folder/{slugs[303 % 37]}-0303.md" and row[2:4] == ["error", "invalid-yaml"]
    report.fill("#gkr-text", "gap-analyss")
    from playwright.sync_api import expect

    expect(report.locator("#gkr-spacer .gkr-message")).to_have_text(
        "related names 'gap-analyss'; did you mean 'gap-analysis'? gap-analysis"
    )
    assert report.text_content("#gkr-spacer .gkr-suggestion") == "gap-analysis"
    assert report.get_attribute("#gkr-spacer .gkr-suggestion", "href") == "map.html#p=gap-analysis"
    assert status(report) == "1 of 10001 problems."


def test_group_by_file_and_kind_and_fold_a_group(report):
    report.select_option("#gkr-group", "kind")
    assert status(report) == "All 10001 problems, in 5 groups."
    first = rows(report)
    assert first[0] == ["▾ dangling-reference", "2001 problems"]
    report.click("div.gkr-group >> nth=0")
    assert rows(report)[:2] == [["▸ dangling-reference", "2001 problems"], ["▾ duplicate-id", "2000 problems"]]
    report.select_option("#gkr-group", "path")
    assert status(report) == "All 10001 problems, in 716 groups."
    assert rows(report)[0] == ["▾ folder/5s-methodology-0000.md", "14 problems"]


def test_sort_by_a_column_both_ways(report):
    report.click("#gkr-head button[data-sort='line']")
    assert report.get_attribute("#gkr-head button[data-sort='line']", "aria-sort") == "ascending"
    assert rows(report)[0][1] == ""  # the problem without a line first
    report.click("#gkr-head button[data-sort='line']")
    assert report.get_attribute("#gkr-head button[data-sort='line']", "aria-sort") == "descending"
    assert {r[1] for r in rows(report)[:10]} == {"40"}


def test_a_pattern_links_to_the_map(report):
    G = graphkit.load_library().graph
    slug = sorted(G)[17]
    report.fill("#gkr-text", "'x-17'")
    wait_status(report, "1 of 10001 problems.")
    link = report.locator("#gkr-spacer a")
    assert link.get_attribute("href") == f"map.html#p={slug}"
    link.click()
    report.wait_for_selector("body[data-drawn='1']", timeout=30_000)
    assert re.search(rf"/map\.html#p={slug}(&|$)", report.url), report.url  # the map adds its view to the address
    assert report.text_content("#gk-d-title") == G.nodes[slug]["title"]


def test_without_javascript_the_page_says_how_many_and_where_the_json_is(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto((site / "problems.html").as_uri())
    assert page.text_content("#gkr-status") == (
        "This page needs JavaScript to list them; the same report is in problems.json."
    )
    assert page.text_content("header .note").startswith("10001 problems (4001 errors, 6000 warnings) in 715 files")
    assert not page.is_visible("#gkr-table")
    context.close()


def test_the_page_allows_only_its_own_script(site):
    text = (site / "problems.html").read_text(encoding="utf-8")
    assert text.count("<script") == 2 and "onerror=window" not in text.split('id="gkr-data">')[0]
    policy = html.unescape(text.split('http-equiv="Content-Security-Policy" content="')[1].split('"')[0])
    script = text.split("<script>")[1].split("</script>")[0]
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    assert policy == (
        f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; img-src data:; "
        "connect-src 'none'; base-uri 'none'; form-action 'none'"
    )


def test_a_library_without_problems_says_so(browser, tmp_path):
    (tmp_path / "problems.html").write_text(to_report_page([], title="Clean", files=3, patterns=3), encoding="utf-8")
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((tmp_path / "problems.html").as_uri())
    page.wait_for_selector("body[data-ready='1']")
    assert page.text_content("#gkr-status") == "No problems."
    assert page.text_content("header .note").startswith("0 problems (0 errors, 0 warnings) in 3 files, 3 patterns")
    assert not page.is_visible("#gkr-table") and not page.is_visible("#gkr-controls")
    assert errors == []
    context.close()


def test_the_address_keeps_the_view(browser, site, report):
    report.select_option("#gkr-kind", "invalid-yaml")
    report.select_option("#gkr-group", "path")
    report.click("#gkr-head button[data-sort='line']")
    report.click("#gkr-head button[data-sort='line']")
    assert report.evaluate("location.hash") == "#kind=invalid-yaml&group=path&sort=-line"
    context = browser.new_context()
    again = context.new_page()
    again.goto((site / "problems.html").as_uri() + "#kind=invalid-yaml&group=path&sort=-line&q=%3Cb%3E")
    again.wait_for_selector("body[data-ready='1']")
    assert again.text_content("#gkr-status") == "0 of 10001 problems, in 0 groups."
    assert again.input_value("#gkr-text") == "<b>" and again.input_value("#gkr-kind") == "invalid-yaml"
    assert again.get_attribute("#gkr-head button[data-sort='line']", "aria-sort") == "descending"
    again.fill("#gkr-text", "")
    wait_status(again, "2000 of 10001 problems, in 715 groups.")
    assert again.evaluate("location.hash") == "#kind=invalid-yaml&group=path&sort=-line"
    context.close()
