"""Screenshot the HTML shortlist in headless Chromium: the picture in the README (``docs/shortlist.png``).

    .venv/bin/python scripts/screenshot_report.py                  # run the demo, write docs/shortlist.png
    .venv/bin/python scripts/screenshot_report.py --lang en        # the same page in English
    .venv/bin/python scripts/screenshot_report.py out/shortlist.html --pdf /tmp/shortlist.pdf

With no HTML file, it ranks the shipped samples (``samples/offres`` against ``samples/candidatures``, as
``make demo`` does) and renders the page, in French by default (the users are French; ``--lang en``
for English). It needs Debian's ``chromium`` (``/usr/bin/chromium``, or the ``CHROMIUM`` environment
variable) and the ``playwright`` package (a test dependency); it never downloads a browser.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# No background traffic: this machine's network is closed, and the report must load nothing anyway.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def demo_html(folder: Path, cache_dir: Path | None, lang: str) -> Path:
    from matchstage.i18n import set_language, translations
    from matchstage.match import MatchOptions, match
    from matchstage.outputs.html_report import render_html

    set_language(lang)
    result = match([ROOT / "samples" / "offres"], ROOT / "samples" / "candidatures", MatchOptions(cache_dir=cache_dir))
    path = folder / "shortlist.html"
    path.write_text(render_html(result, translations=translations(), lang=lang), encoding="utf-8")
    return path


def shoot(html: Path, png: Path, *, width: int, height: int, pdf: Path | None) -> None:
    png.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(html.resolve().as_uri())
            page.screenshot(path=str(png))
            if pdf is not None:
                page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True)
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("html", nargs="?", type=Path, help="an HTML report (default: render the demo)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "shortlist.png", help="PNG to write")
    parser.add_argument("--width", type=int, default=1200)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--pdf", type=Path, help="also print the page to this A4 PDF")
    parser.add_argument("--cache-dir", type=Path, help="matchstage cache for the demo run (default: none)")
    parser.add_argument("--lang", choices=("fr", "en"), default="fr", help="language of the demo's page (default: fr)")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM}: no Chromium here (apt-get install chromium, or set CHROMIUM)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        html = args.html or demo_html(Path(tmp), args.cache_dir, args.lang)
        shoot(html, args.out, width=args.width, height=args.height, pdf=args.pdf)
    print(f"wrote {args.out}" + (f" and {args.pdf}" if args.pdf else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
