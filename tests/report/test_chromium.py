"""The report in real headless Chromium: charts render, model markup stays text.

Needs Debian's `chromium` and `chromium-driver` (.ci/run installs them).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from PIL import Image

from globeval.report.html import ReportOptions, build_report
from tests.synthetic_runs import SCRIPT_RESPONSE, report_runs

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,2200",
)


def _binary(*names: str) -> str:
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    pytest.fail(f"{' or '.join(names)} not found: apt-get install chromium chromium-driver")


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    root = tmp_path_factory.mktemp("chromium")
    output = root / "report.html"
    build_report(
        report_runs(root / "runs"),
        output,
        ReportOptions(n_resamples=200, samples_per_language=100),
    )
    options = Options()
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={root / 'profile'}")
    options.binary_location = _binary("chromium", "chromium-browser", "google-chrome")
    driver = webdriver.Chrome(service=Service(_binary("chromedriver")), options=options)
    try:
        driver.get(output.as_uri())
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if driver.execute_script("return document.readyState") == "complete":
                break
            time.sleep(0.2)
        driver.root = root  # type: ignore[attr-defined]
        yield driver
    finally:
        driver.quit()


def test_charts_render(page: Any) -> None:
    plots = page.execute_script("return document.querySelectorAll('.js-plotly-plot').length")
    svgs = page.execute_script(
        "return document.querySelectorAll('.js-plotly-plot .main-svg').length"
    )
    divs = page.execute_script("return document.querySelectorAll('.plotly-graph-div').length")
    assert plots == divs >= 15  # every figure became a plot
    assert svgs >= plots
    assert (
        page.execute_script("return document.querySelectorAll('.heatmaplayer image').length") >= 1
    )
    assert page.execute_script("return document.querySelectorAll('.bars path').length") > 50
    external = page.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
        ".filter(n => n.startsWith('http'))"
    )
    assert external == []


def test_screenshot_shows_charts(page: Any) -> None:
    page.execute_script("document.getElementById('overview').scrollIntoView()")
    path = page.root / "overview.png"
    page.save_screenshot(str(path))
    rgb = np.asarray(Image.open(path).convert("RGB"), dtype=np.int16)
    colourful = (rgb.max(axis=2) - rgb.min(axis=2)) > 60
    # a blank or unstyled page is white and grey; the heatmap and bars are colour
    assert colourful.mean() > 0.03


def test_a_script_in_a_response_is_shown_as_text_and_never_run(page: Any) -> None:
    assert page.execute_script("return window.__pwned === undefined")
    page.execute_script(
        "const box = document.getElementById('f-text'); box.value = 'window.__pwned = 1';"
        "box.dispatchEvent(new Event('input'));"
    )
    rows = page.execute_script("return document.querySelectorAll('#sample-body tr.item').length")
    assert rows == 1
    cells = page.execute_script(
        "return Array.from(document.querySelectorAll('#sample-body tr.item td')).map(c => c.textContent)"
    )
    assert SCRIPT_RESPONSE in cells
    page.execute_script("document.querySelector('#sample-body tr.item').click()")
    shown = page.execute_script(
        "return Array.from(document.querySelectorAll('#sample-body pre')).map(p => p.textContent)"
    )
    assert SCRIPT_RESPONSE in shown
    assert (
        page.execute_script(
            "return document.querySelectorAll('#browser script, #browser img').length"
        )
        == 0
    )
    assert page.execute_script("return window.__pwned === undefined")


def test_filters_narrow_the_samples(page: Any) -> None:
    page.execute_script(
        "const box = document.getElementById('f-text'); box.value = '';"
        "box.dispatchEvent(new Event('input'));"
        "const s = document.getElementById('f-status'); s.value = 'format_error';"
        "s.dispatchEvent(new Event('change'));"
    )
    count = page.execute_script("return document.getElementById('f-count').textContent")
    assert count == "3 matching"  # sw item 99 in each of the three runs
    page.execute_script(
        "const s = document.getElementById('f-status'); s.value = '';"
        "s.dispatchEvent(new Event('change'));"
    )
    assert (
        page.execute_script("return document.getElementById('f-count').textContent")
        == "2400 matching"
    )
