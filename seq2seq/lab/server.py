"""``python -m seq2seq serve``: load the runs once, bind the port, serve the lab until Ctrl-C."""

from __future__ import annotations

import ipaddress
import socket
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from seq2seq.errors import UserError
from seq2seq.lab.limits import DEFAULT_LIMITS, Limits

if TYPE_CHECKING:
    import uvicorn
    from fastapi import FastAPI

    from seq2seq.lab.app import LabRun

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
# Scores shown beside a run's name; the rest of metrics.json stays on the server.
SHOWN_METRICS = ("exact_match", "bleu", "chrf", "aer", "train_seconds", "epochs", "pairs")
SHOWN_SETTINGS = (
    "corpus",
    "attention",
    "encoder",
    "units",
    "embedding_dim",
    "encoder_layers",
    "decoder_layers",
    "epochs",
    "seed",
)
# Decoded twice at start (eagerly, then compiled: see `Translator._decoder`), so the first
# visitor does not wait a second for the greedy loop to be traced.
WARM_UP_SENTENCE = "warm up"


def serve(
    runs: Sequence[Path],
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    limits: Limits = DEFAULT_LIMITS,
) -> None:
    """Serve the lab on ``host:port`` for the runs in ``runs`` until Ctrl-C.

    The port is taken before the runs load, so a busy port is reported at once;
    both a busy port and a folder that is not a run raise `UserError`.
    """
    from seq2seq.lab.app import create_app

    listener = _bind(host, port)
    try:
        server = _server(create_app(load_runs(runs), limits))
        print(f"The lab is at {_url(listener)}  (Ctrl-C stops it)", flush=True)
        if not ipaddress.ip_address(listener.getsockname()[0]).is_loopback:
            print(
                f"Bound to {host}: anyone on this network can now open the lab and use its "
                f"models (at {_network_url(listener)}), not only this computer.",
                flush=True,
            )
        server.run(sockets=[listener])
    except KeyboardInterrupt:  # uvicorn raises the Ctrl-C again once it has shut down
        pass
    finally:
        listener.close()
    print("The lab has stopped.", file=sys.stderr)


class BackgroundLab:
    """The lab served from a thread of this process (a notebook, a test) until `stop`.

    ``url`` is where it answers. Loopback only, on a free port unless one is given.
    """

    def __init__(self, app: FastAPI, port: int = 0, timeout: float = 30.0):
        self._listener = _bind(DEFAULT_HOST, port)
        self.url = _url(self._listener)
        self._server = _server(app)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._listener]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the lab did not start within {timeout:.0f} s")
            time.sleep(0.05)

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the requests under way, then close the port."""
        self._server.should_exit = True
        self._thread.join(timeout)
        self._listener.close()


def _server(app: FastAPI) -> uvicorn.Server:
    import uvicorn

    # A client that keeps a connection open idle is let go after 5 s.
    return uvicorn.Server(uvicorn.Config(app, log_level="warning", timeout_keep_alive=5))


def load_runs(paths: Sequence[Path]) -> list[LabRun]:
    """Each run loaded once, named after its folder; `UserError` for a folder that is not one."""
    from seq2seq import artifacts
    from seq2seq.inference import Translator
    from seq2seq.lab.app import LabRun

    names = run_names(paths)
    runs = []
    for name, path in zip(names, paths):
        translator = Translator.load(path)
        for _ in range(2):
            translator.translate_batch([WARM_UP_SENTENCE])
        metrics = artifacts.read_json(Path(path) / artifacts.METRICS)
        metrics = metrics if isinstance(metrics, dict) else {}
        settings = translator.config.to_dict() if translator.config else {}
        runs.append(
            LabRun(
                name=name,
                translator=translator,
                metrics={key: metrics[key] for key in SHOWN_METRICS if key in metrics},
                settings={key: settings[key] for key in SHOWN_SETTINGS if key in settings},
            )
        )
    return runs


def run_names(paths: Sequence[Path]) -> list[str]:
    """Each run's name, its folder's; `UserError` where two folders share a name."""
    names = [Path(path).resolve().name for path in paths]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise UserError(
            f"Two --run folders are both named {repeated[0]!r}; the lab names runs after "
            "their folders, so rename or copy one."
        )
    return names


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``; `UserError` when it is taken or not this machine's."""
    if not 0 <= port <= 65535:
        raise UserError(f"--port {port} is not a port; give a number from 1 to 65535.")
    try:
        family = socket.AF_INET6 if ipaddress.ip_address(host).version == 6 else socket.AF_INET
    except ValueError:
        raise UserError(
            f"--host {host} is not an IP address; give 127.0.0.1 (this computer only) or "
            "0.0.0.0 (every network interface)."
        ) from None
    # Named TCP, asyncio turns Nagle's algorithm off on each connection (it checks the
    # protocol number); left on, a response's body, written after its headers, waits
    # for the client's delayed ACK: 40 ms added to every request on a kept-alive connection.
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(128)
    except OSError as error:
        listener.close()
        raise UserError(
            f"Cannot listen on {host}:{port} ({error.strerror}); is a lab already running "
            "there? Choose another with --port."
        ) from None
    return listener


def _network_url(listener: socket.socket) -> str:
    """The address others on the network open: this computer's own on its outgoing interface."""
    host, port = listener.getsockname()[:2]
    if host in ("0.0.0.0", "::"):
        # Connecting a UDP socket sends nothing: it only asks the kernel which interface
        # (and so which address of this computer) would carry traffic out.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            try:
                probe.connect(("192.0.2.1", 9))  # TEST-NET-1: documentation only, never routed
                host = probe.getsockname()[0]
            except OSError:  # no network at all
                host = socket.gethostname()
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def _url(listener: socket.socket) -> str:
    """The address to open: 0.0.0.0 and :: mean every interface, this computer's among them."""
    host, port = listener.getsockname()[:2]
    if host in ("0.0.0.0", "::"):
        host = "127.0.0.1"
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"
