"""The static page: a run exported to a folder that runs the model in the browser.

``python -m seq2seq export --run RUN [--run RUN2] --web DIR`` writes the lab's page
and, for each run, its weights and vocabularies; the page's own JavaScript
(``seq2seq/lab/static/model/``) runs the encoder, the attention and the decoder
over them, with no server behind it.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@contextlib.contextmanager
def serve_folder(folder: Path, port: int = 0) -> Iterator[str]:
    """``folder`` served over loopback HTTP as a static host serves it; yields its URL.

    Python's own ``http.server``, as ``python -m http.server`` runs it from a USB stick.
    """
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
