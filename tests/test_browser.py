"""The example HTML report in a real browser: headless Chromium, driven by
Selenium, checked with axe-core, at a phone's width and a desktop's, and
printed to PDF.

Needs Chromium and its driver (Debian: ``chromium``, ``chromium-driver``;
or QIFEVAL_CHROMIUM and QIFEVAL_CHROMEDRIVER) and axe-core from the npm
registry (``npm install --prefix .cache/axe axe-core@4``, or QIFEVAL_AXE
naming ``axe.min.js``). Without them the tests are skipped, unless
QIFEVAL_REQUIRE_BROWSER=1 (as in CI), which makes a missing browser or
axe-core a failure.

The screenshots are written to docs/_build/screenshots/.
"""

from __future__ import annotations

import base64
import json
import os
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from qifeval import Grade
from qifeval._cli import main

from .browser import SCREENSHOTS, missing
from .browser import driver as driver  # the fixture
from .pdftext import pdf_pages_text

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
WIDTHS = (390, 1280)
LABELS = {int(g): g.label for g in Grade}


def _axe() -> str | None:
    given = os.environ.get("QIFEVAL_AXE")
    path = Path(given) if given else ROOT / ".cache/axe/node_modules/axe-core/axe.min.js"
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _make(out: Path, fmt: str) -> Path:
    """The example report in *fmt*, made as scripts/example.sh makes it,
    with the independent evaluation set beside it too."""
    collated = out / "collated.toml"
    if not collated.exists():
        assert main(["collate", str(EXAMPLES / "collation.toml"), "-o", str(collated)]) == 0
    page = out / f"report.{fmt}"
    code = main(
        [
            "evaluate",
            str(EXAMPLES / "findings.toml"),
            str(collated),
            "--previous",
            str(EXAMPLES / "findings-2024.toml"),
            "--plan",
            str(EXAMPLES / "plan-2024.toml"),
            "--independent",
            str(EXAMPLES / "independent-2026.toml"),
            "--format",
            fmt,
            "-o",
            str(page),
        ]
    )
    assert code == 0
    return page


@pytest.fixture(scope="module")
def example_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("example")


@pytest.fixture(scope="module")
def report(example_dir: Path) -> Path:
    return _make(example_dir, "html")


@pytest.fixture(scope="module")
def shown(example_dir: Path) -> dict[str, Any]:
    """The same report as JSON: what the page should show."""
    data: dict[str, Any] = json.loads(_make(example_dir, "json").read_text(encoding="utf-8"))
    return data


def _open(driver: Any, page: Path, width: int, height: int = 900) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    driver.get(page.as_uri())


def _indicator_ids(driver: Any) -> list[str]:
    ids: list[str] = driver.execute_script(
        "return [...document.querySelectorAll('tr.indicator')].map(r => r.dataset.qi)"
    )
    return ids


def test_the_page_is_standalone(report: Path) -> None:
    page = report.read_text(encoding="utf-8")
    assert "<script" not in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "@import" not in page and "<link" not in page


def test_axe_finds_no_serious_violation(driver: Any, report: Path) -> None:
    axe = _axe()
    if axe is None:
        missing("axe-core not found (npm install --prefix .cache/axe axe-core@4)")
    for width in WIDTHS:
        _open(driver, report, width)
        driver.execute_script(axe)
        violations = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']})"
            ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact,"
            " nodes: v.nodes.slice(0, 3).map(n => n.html)}))))"
            ".catch(e => done([{id: 'axe-error', impact: 'critical', nodes: [String(e)]}]));"
        )
        serious = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert serious == [], (width, serious)


@pytest.mark.parametrize("width", WIDTHS)
def test_every_indicator_row_is_visible_without_scrolling_sideways(
    driver: Any, report: Path, shown: dict[str, Any], width: int
) -> None:
    _open(driver, report, width)
    ids = _indicator_ids(driver)
    assert len(ids) == 22 and len(set(ids)) == 22
    scroll, client = driver.execute_script(
        "const d = document.documentElement; return [d.scrollWidth, d.clientWidth]"
    )
    assert scroll <= client, (scroll, client)
    for qi in ids:
        row = driver.find_element("id", f"row-{qi}")
        assert row.is_displayed(), qi
        box = driver.execute_script(
            "const r = arguments[0].getBoundingClientRect(); return [r.left, r.right, r.height]",
            row,
        )
        assert box[0] >= 0 and box[1] <= client and box[2] > 0, (qi, box)
    # Each graded indicator's row shows its grade (number and word) and its
    # trend in words; 5.2, graded nationally, its national chart.
    trend = shown["capacity"]["trend"]
    for i in shown["indicators"]:
        grade = i["grade"] if i["grade"] is not None else i["suggested_grade"]
        if grade is None:
            continue
        cells = driver.find_element("id", f"row-{i['qi']}").text
        assert f"{grade} {LABELS[grade]}" in cells, i["qi"]
        if i["qi"] in trend["improved"]:
            assert "\u25b2up from" in cells, i["qi"]
        elif i["qi"] in trend["declined"]:
            assert "\u25bcdown from" in cells, i["qi"]
        else:
            assert "same as before" in cells or "no previous grade" in cells, i["qi"]
    assert driver.find_element("css selector", "#row-5\\.2 svg").is_displayed()
    assert "National 2014-16 (5.2)" in driver.find_element("id", "row-5.2").text
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 1600, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    assert driver.save_screenshot(str(SCREENSHOTS / f"report-{width}.png"))


def _flat(text: str) -> str:
    """Text compared without white space or ligatures (print splits lines
    and may join "f" and "i" into one glyph)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def test_the_grid_prints_in_full_on_a4(driver: Any, report: Path) -> None:
    _open(driver, report, 1280)
    titles = driver.execute_script(
        "return [...document.querySelectorAll('tr.indicator th a')].map(a => a.textContent)"
    )
    assert len(titles) == 22
    pdf = base64.b64decode(
        driver.execute_cdp_cmd(
            "Page.printToPDF", {"printBackground": True, "preferCSSPageSize": True}
        )["data"]
    )
    pages = [_flat(t) for t in pdf_pages_text(pdf)]
    assert _flat("Joint self-evaluation 2026") in pages[0]
    # The grid starts on a page of its own and ends before the next section.
    start = next(i for i, t in enumerate(pages) if "Keyarea1:" in t)
    end = next(
        i
        for i in range(start, len(pages))
        if "Evidencewarnings" in pages[i] or "Capacityforimprovement(QI10)" in pages[i]
    )
    assert end > start
    grid = "".join(pages[start:end])
    for title in titles:
        assert _flat(title) in grid, title
    assert "Capacityforimprovement(QI10)" not in grid
