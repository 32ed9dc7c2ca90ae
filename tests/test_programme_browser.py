"""The programme view's HTML page in a real browser (headless Chromium):
it renders, its charts are labelled for screen readers, its text meets
WCAG AA contrast, and a screenshot of it is saved for the docs.

Skipped when Chromium or its driver is missing, unless
``QIFEVAL_REQUIRE_BROWSER=1`` makes that a failure.
"""

from __future__ import annotations

import re
from pathlib import Path

from qifeval import programme
from qifeval.fictional import fictional_evaluations
from qifeval.programmes import programme_html

from .browser import SCREENSHOTS
from .browser import driver as driver  # the fixture


def _luminance(rgb: tuple[float, ...]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _rgb(css: str) -> tuple[float, ...]:
    return tuple(float(x) for x in re.findall(r"[\d.]+", css)[:3])


def test_the_programme_page_in_a_browser(driver: object, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    view = programme(fictional_evaluations())
    page = tmp_path / "programme.html"
    page.write_text(programme_html(view), encoding="utf-8")
    driver.get(page.as_uri())  # type: ignore[attr-defined]
    assert driver.title == "Programme view: 32 partnerships"  # type: ignore[attr-defined]

    charts = driver.find_elements(By.CSS_SELECTOR, "svg.chart")  # type: ignore[attr-defined]
    assert len(charts) == len(view.groups[0].indicators) == 22
    for chart in charts:
        assert chart.get_attribute("role") == "img"
        labelled = chart.get_attribute("aria-labelledby").split()
        for element_id in labelled:
            label = driver.find_element(By.ID, element_id)  # type: ignore[attr-defined]
            assert label.get_attribute("textContent").strip()
        # every bar carries its figures as text, not only its length and colour
        values = chart.find_elements(By.CSS_SELECTOR, "text.value")
        assert len(values) >= 6
        box = chart.rect
        assert box["width"] > 200 and box["height"] > 150

    # Text against its background: WCAG AA (4.5:1) for body text, table
    # headings and the charts' labels.
    pairs = driver.execute_script(  # type: ignore[attr-defined]
        """
        const out = [];
        for (const sel of ['body', 'thead th', 'td', 'svg.chart text.value',
                           'svg.chart text.national', 'svg.chart text.grade']) {
          const el = document.querySelector(sel);
          const style = getComputedStyle(el);
          let bg = el, colour = 'rgba(0, 0, 0, 0)';
          while (bg && (colour === 'rgba(0, 0, 0, 0)' || colour === 'transparent')) {
            colour = getComputedStyle(bg).backgroundColor; bg = bg.parentElement;
          }
          out.push([sel, sel.startsWith('svg') ? style.fill : style.color, colour]);
        }
        return out;
        """
    )
    for selector, fg, bg in pairs:
        ratio = _contrast(_rgb(fg), _rgb(bg) if "0, 0, 0, 0" not in bg else (255, 255, 255))
        assert ratio >= 4.5, (selector, fg, bg, ratio)

    # The page fits its width: no horizontal scrolling at 1280 pixels.
    width = driver.execute_script("return document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    assert width <= 1280

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / "programme.png"
    assert driver.save_screenshot(str(shot))  # type: ignore[attr-defined]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    driver.execute_script("arguments[0].scrollIntoView()", charts[0])  # type: ignore[attr-defined]
    shot = SCREENSHOTS / "programme-charts.png"
    assert driver.save_screenshot(str(shot))  # type: ignore[attr-defined]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
