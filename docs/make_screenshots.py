"""Take the README's screenshots of the shared corpus with headless Chromium.

python docs/make_screenshots.py      # writes docs/map.png and docs/focus.png
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import graphkit  # noqa: E402
from graphkit.view import focus_graph, to_html  # noqa: E402

CORPUS = HERE.parent.parent / "shared" / "corpus" / "commons-os-patterns-2026-02-17" / "_patterns"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


def main() -> None:
    from playwright.sync_api import sync_playwright

    G = graphkit.load_library(CORPUS).graph
    pages = {
        "map": (to_html(G, title="Commons OS patterns"), ""),
        "focus": (
            to_html(focus_graph(G, "purpose-definition", 2), title="Commons OS patterns: Purpose Definition",
                    selected="purpose-definition", depth=1),
            "",
        ),
    }  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for name, (page_text, hash_) in pages.items():
            path = Path(tmp) / f"{name}.html"
            path.write_text(page_text, encoding="utf-8")
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto(path.as_uri() + hash_)
            page.wait_for_selector("body[data-drawn='1']")
            page.wait_for_timeout(1000)  # let the focus animation finish
            page.screenshot(path=str(HERE / f"{name}.png"))
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
