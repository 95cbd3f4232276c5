"""Headless Chromium for tests: a screenshot of a page, and measurements the page itself
takes once laid out (its width against the window's, its charts' boxes).

Chromium is Debian's package (``.ci/run`` installs it where missing). It runs with a fresh
profile and without the services that would reach out to the network, which are refused
here anyway.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

#: Letter paper's width at the 96 pixels per inch of CSS.
LETTER_WIDTH = 816

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync",
         "--hide-scrollbars", "--disable-extensions", "--mute-audio"]

#: Put in a copy of the page to measure it: the page itself has no script.
_PROBE = """<script>
(function () {
  var root = document.documentElement;
  var charts = Array.prototype.map.call(document.querySelectorAll("svg.chart"), function (s) {
    var box = s.getBoundingClientRect();
    return [Math.round(box.width), Math.round(box.height), s.querySelectorAll("path, use").length];
  });
  var wide = Array.prototype.filter.call(document.querySelectorAll("body *"), function (e) {
    return e.getBoundingClientRect().right > root.clientWidth + 1;
  }).map(function (e) { return e.tagName; });
  document.body.setAttribute("data-probe", JSON.stringify({
    scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, charts: charts,
    wide: wide.slice(0, 5), details: document.querySelectorAll("details").length}));
})();
</script>"""


def chromium() -> str:
    """The Chromium command; skipped where there is none, failed in CI where there must be."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs Debian's package")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return found


def _run(arguments: list[str], width: int, height: int) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="eqlang-chromium-") as profile:
        return subprocess.run(
            [chromium(), *FLAGS, f"--user-data-dir={profile}",
             f"--window-size={width},{height}", *arguments],
            capture_output=True, text=True, timeout=120, check=False)


def screenshot(page: Path, out: Path, width: int = LETTER_WIDTH, height: int = 1056
               ) -> tuple[int, int]:
    """Take a screenshot of ``page``; gives the PNG's width and height."""
    result = _run([f"--screenshot={out}", page.resolve().as_uri()], width, height)
    assert out.exists(), result.stderr[-2000:]
    return png_size(out.read_bytes())


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def measure(page: Path, width: int = LETTER_WIDTH) -> dict[str, Any]:
    """Lay out a copy of ``page`` with a probe script added, and give what it measured."""
    text = page.read_text(encoding="utf-8")
    assert "</body>" in text
    with tempfile.TemporaryDirectory(prefix="eqlang-probe-") as folder:
        copy = Path(folder) / page.name
        copy.write_text(text.replace("</body>", _PROBE + "</body>"), encoding="utf-8")
        result = _run(["--virtual-time-budget=3000", "--dump-dom", copy.as_uri()], width,
                      900)
    found = re.search(r'data-probe="([^"]*)"', result.stdout)
    assert found, f"the page was not laid out: {result.stderr[-2000:]}"
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))
