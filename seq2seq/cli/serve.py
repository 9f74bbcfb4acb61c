"""``python -m seq2seq serve``: the lab, a page that translates as you type."""

from __future__ import annotations

import argparse

from seq2seq.cli.common import add_runs_argument


def add(commands) -> None:
    from seq2seq.lab.server import DEFAULT_HOST, DEFAULT_PORT

    serve = commands.add_parser(
        "serve",
        help="serve the lab: a page where you type sentences and see their attention",
        description="Load each run once and serve the lab: a page that translates as you "
        "type and draws the attention, step by step, with the beam's best hypotheses, and "
        "its JSON API (described at /docs). Serves until Ctrl-C.",
    )
    add_runs_argument(serve, "give --run again to serve more runs")
    serve.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default: {DEFAULT_HOST}, this computer only; "
        "0.0.0.0 lets anyone on the network in)",
    )
    serve.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT})"
    )
    serve.set_defaults(job=run)


def run(arguments: argparse.Namespace) -> None:
    from seq2seq.lab.server import serve

    serve(arguments.runs, arguments.host, arguments.port)
