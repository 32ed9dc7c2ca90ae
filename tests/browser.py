"""Headless Chromium for the browser tests, driven by Selenium.

Needs Chromium and its driver (Debian: ``chromium``, ``chromium-driver``; or
QIFEVAL_CHROMIUM and QIFEVAL_CHROMEDRIVER). Without them a test is skipped,
unless QIFEVAL_REQUIRE_BROWSER=1 (as in CI), which makes a missing browser a
failure.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "docs" / "_build" / "screenshots"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def missing(reason: str) -> NoReturn:
    """Skip the test for *reason*, or fail it when the browser is required."""
    if os.environ.get("QIFEVAL_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (QIFEVAL_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


def _tool(env: str, *names: str) -> str | None:
    given = os.environ.get(env)
    if given:
        return given if Path(given).is_file() else None
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    """A headless Chromium with a fresh profile, for one test module."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        missing("selenium is not installed (the test extra)")
    chromium = _tool("QIFEVAL_CHROMIUM", "chromium", "chromium-browser")
    chromedriver = _tool("QIFEVAL_CHROMEDRIVER", "chromedriver")
    if chromium is None or chromedriver is None:
        missing("Chromium or chromedriver not found (Debian: chromium, chromium-driver)")
    profile = tempfile.mkdtemp(prefix="qifeval-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (*FLAGS, f"--user-data-dir={profile}", "--window-size=1280,1800"):
        options.add_argument(flag)
    drv = webdriver.Chrome(service=Service(chromedriver), options=options)
    try:
        yield drv
    finally:
        drv.quit()
        shutil.rmtree(profile, ignore_errors=True)
