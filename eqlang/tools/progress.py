"""Progress on standard error: takes how many steps a long run has, gives a function to call
after each step, which draws a bar (tqdm's) when standard error is a terminal.

Silent when standard error is a file or a pipe (a log, a test's captured output), and for
runs short enough that a bar would only flicker: it shows after the first second.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def progress_bar(total: int, unit: str) -> Iterator[Callable[[object], None]]:
    """A bar of ``total`` steps counted in ``unit`` (``organization``), on a terminal only;
    the function it gives advances it by one step. The bar is cleared when done."""
    stream = sys.stderr
    shown = total > 1 and hasattr(stream, "isatty") and stream.isatty()
    if not shown:
        yield lambda _step: None
        return
    from tqdm import tqdm  # only when there is a terminal to draw on

    with tqdm(total=total, unit=f" {unit}", file=stream, delay=1.0, leave=False,
              dynamic_ncols=True) as bar:
        yield lambda _step: bar.update(1)
