"""A progress bar for work that lasts more than a moment: tqdm's, on a terminal only.

Scoring a test split and drawing a report show one; drawing many pictures shows
`viz.batch`'s. Nothing is shown when stderr is not a terminal (a log, a pipe) or
when the work ends within `DELAY_SECONDS`.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator

DELAY_SECONDS = 1.0


@contextlib.contextmanager
def progress(total: int, unit: str, description: str) -> Iterator[Callable[..., object]]:
    """A bar of ``total`` ``unit``s; yields its ``update(n=1)``."""
    from tqdm import tqdm

    with tqdm(
        total=total,
        unit=unit,
        desc=description,
        delay=DELAY_SECONDS,
        disable=None,  # on a terminal only
        file=sys.stderr,
        dynamic_ncols=True,
    ) as bar:
        yield bar.update
