"""A room's worth of users on the lab: many clients translating at once, against one client.

    python benchmarks/serve_load.py --run runs/reference --clients 32 --duration 30

Starts ``python -m seq2seq serve`` on a free loopback port (a real uvicorn
process) and, for each beam width of ``--beams``: one client sending the run's
held-out sentences one after another for ``--single-duration`` seconds, then
``--clients`` clients (one aiohttp session, asyncio) each sending one sentence
at a time for ``--duration`` seconds. Each request is ``POST /api/translate`` with one
sentence; every answer is checked to hold one record of that sentence.

Bars, per beam width: no errors; the 95th percentile of the latencies of the
many clients at most 150 ms; their throughput (sentences a second) at least 5
times the single client's. The server's resident memory after everything
within 10 % of what it was after a warm-up of 5 s of the many clients at each
beam width (the first batches trace the decoding loops and grow TensorFlow's
memory pools to their working size).

Then a hostile mix for ``--hostile-duration`` seconds: ``--clients`` clients
each sending, one after another, sentences and records whose tokens are words
of thousands of letters, mathtext (``$5-$10``, ``$\\frac{a}$``), markup,
control characters, right-to-left overrides and emoji with joiners, half to
``/api/translate`` and half to ``/api/picture`` (PNG, SVG or GIF). Bars: no
answer is a 500 or anything but a picture or a JSON refusal naming its limit,
and the server's resident memory never grows by more than 500 MiB over what it
was before (it draws one picture at a time). ``--only-hostile`` runs this part alone.

The clients share the server's machine, so they are written to cost it little:
aiohttp parses HTTP in C, about 0.16 ms of CPU a request here, where httpx
(pure Python) took 2.6 ms and, at 32 clients, a quarter of the machine, enough
to triple the 95th percentile it measured.

With ``--questions``, the clients instead ask the questions of `seq2seq.whatif`
(each step's alternatives, a forced prefix, a hidden word, a pointed step, and
their sentence's reference translation to read), one kind of question after
another in turns, greedily, beside the same requests asking nothing (the
baseline, measured in the same turns); the bar is the same 95th percentile, per
kind, and no errors.

Prints a table on stderr and one JSON object on stdout, on one line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import select
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from benchmarks.common import machine, print_table  # noqa: E402
from seq2seq import artifacts  # noqa: E402

P95_BAR_SECONDS = 0.150
SPEEDUP_BAR = 5.0
MEMORY_GROWTH_BAR = 0.10
HOSTILE_GROWTH_BAR_MB = 500.0
# A picture waits for the others before it: the hostile clients wait as long as it takes.
HOSTILE_TIMEOUT_SECONDS = 600.0
HOSTILE_WORDS = [
    "$5-$10",
    "$\\frac{a}$",
    "$x^2_i$",
    "<script>alert(1)</script>",
    "</text>",
    "&amp;",
    "%&_^{}#~\\",
    "\u202eevil",
    "שלום",
    "مرحبا",
    "👨\u200d👩\u200d👧\u200d👦",
    "e\u0301\u0301\u0301",
    "tab\there",
    "\x1b[31m",
]
WARM_UP_SECONDS = 5.0
REQUEST_TIMEOUT_SECONDS = 10.0
START_TIMEOUT_SECONDS = 180.0
# No client sends more than this, whatever the duration: every loop is bounded in count too.
MAX_REQUESTS_PER_CLIENT = 100_000


def main() -> int:
    arguments = _parser().parse_args()
    if arguments.questions:
        return _questions_main(arguments)
    sentences = [pair.source for pair in artifacts.read_test_pairs(arguments.run)]
    port = _free_port()
    server = _start_server(arguments.run, port)
    url = f"http://127.0.0.1:{port}/api/translate"
    results: dict[str, float] = {}
    try:
        # The first request of a width traces its decoding loop, and the first full batches
        # grow TensorFlow's memory pools to their working size: both before "before".
        for beam in arguments.beams:
            asyncio.run(_clients(url, sentences, arguments.clients, WARM_UP_SECONDS, beam))
        rss_before = _rss_bytes(server.pid)
        for beam in [] if arguments.only_hostile else arguments.beams:
            single = asyncio.run(_clients(url, sentences, 1, arguments.single_duration, beam))
            cpu_before = _cpu_seconds(server.pid), time.process_time()
            many = asyncio.run(
                _clients(url, sentences, arguments.clients, arguments.duration, beam)
            )
            results |= _measures(f"beam{beam}", single, many)
            elapsed = many["elapsed"][0]
            results[f"beam{beam}_server_cores"] = (
                _cpu_seconds(server.pid) - cpu_before[0]
            ) / elapsed
            results[f"beam{beam}_client_cores"] = (time.process_time() - cpu_before[1]) / elapsed
        rss_after = _rss_bytes(server.pid)
        if arguments.hostile_duration > 0:
            base = f"http://127.0.0.1:{port}"
            results |= asyncio.run(
                _hostile(base, server.pid, arguments.clients, arguments.hostile_duration)
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    results["server_rss_before_mb"] = rss_before / 2**20
    results["server_rss_after_mb"] = rss_after / 2**20
    results["server_rss_growth"] = rss_after / rss_before - 1
    passed = _report(arguments, results)
    return 0 if passed else 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", type=Path, default=ROOT / "runs" / "reference")
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients (32)")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load (30)")
    parser.add_argument(
        "--single-duration", type=float, default=10.0, help="seconds of the one client (10)"
    )
    parser.add_argument(
        "--hostile-duration", type=float, default=30.0, help="seconds of the hostile mix (30)"
    )
    parser.add_argument(
        "--only-hostile", action="store_true", help="the warm-up and the hostile mix alone"
    )
    parser.add_argument(
        "--beams",
        type=lambda text: [int(width) for width in text.split(",")],
        default=[1, 4],
        help="beam widths, comma-separated (1,4)",
    )
    parser.add_argument(
        "--questions", action="store_true", help="ask each kind of question instead (see above)"
    )
    return parser


async def _clients(
    url: str, sentences: list[str], clients: int, duration: float, beam: int
) -> dict[str, list]:
    """``clients`` clients sending one sentence at a time for ``duration`` seconds."""
    bodies = [{"sentences": [sentence], "beam": beam} for sentence in sentences]
    return await _asking_clients(url, bodies, clients, duration)


async def _hostile(base: str, pid: int, clients: int, duration: float) -> dict[str, float]:
    """``clients`` clients sending hostile sentences and records for ``duration`` seconds."""
    answers: dict[str, int] = {"answered": 0, "refused": 0, "server_error": 0, "wrong": 0}
    rss_before = _rss_bytes(pid)
    peak = rss_before
    deadline = time.perf_counter() + duration
    connector = aiohttp.TCPConnector(limit=clients)
    timeout = aiohttp.ClientTimeout(total=HOSTILE_TIMEOUT_SECONDS)
    headers = {"content-type": "application/json"}
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def post(path: str, body: dict) -> tuple[int, bytes, str]:
            # Escaped JSON, as a browser's JSON.stringify sends it.
            async with session.post(base + path, data=json.dumps(body), headers=headers) as answer:
                return answer.status, await answer.read(), answer.content_type

        async def one_client(number: int) -> None:
            for count in range(MAX_REQUESTS_PER_CLIENT):
                if time.perf_counter() >= deadline:
                    return
                sentence, tokens = _hostile_sentence(number * 7919 + count)
                try:
                    if count % 2 == 0:
                        status, body, kind = await post("/api/translate", {"sentences": [sentence]})
                        answers[_judge(status, body, kind, "application/json")] += 1
                        continue
                    extension = ("png", "svg", "gif")[(number + count) % 3]
                    picture = {"sentence": sentence}
                    if count % 4 == 1:
                        status, body, kind = await post("/api/translate", {"sentences": [sentence]})
                        if status == 200:
                            [record] = json.loads(body)["records"]
                            record["target_tokens"][: len(tokens)] = tokens
                            picture = {"record": record}
                    status, body, kind = await post(f"/api/picture?format={extension}", picture)
                    answers[_judge(status, body, kind, "image/")] += 1
                except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                    answers["wrong"] += 1
                    print(f"hostile client {number}: {error!r}", file=sys.stderr)

        async def watch_memory() -> None:
            nonlocal peak
            while True:
                peak = max(peak, _rss_bytes(pid))
                await asyncio.sleep(0.1)

        started = time.perf_counter()
        watcher = asyncio.create_task(watch_memory())
        await asyncio.gather(*(one_client(number) for number in range(clients)))
        watcher.cancel()
        elapsed = time.perf_counter() - started
    return {
        "hostile_requests": float(sum(answers.values())),
        "hostile_answered": float(answers["answered"]),
        "hostile_refused": float(answers["refused"]),
        "hostile_500s": float(answers["server_error"]),
        "hostile_wrong": float(answers["wrong"]),
        "hostile_seconds": elapsed,
        "hostile_rss_before_mb": rss_before / 2**20,
        "hostile_rss_peak_mb": peak / 2**20,
        "hostile_rss_growth_mb": (peak - rss_before) / 2**20,
    }


def _hostile_sentence(seed: int) -> tuple[str, list[str]]:
    """A sentence holding a hostile word or two, and hostile tokens for a record."""
    import random

    rng = random.Random(seed)
    long_word = "".join(rng.choice("abcdefghijklmnopqrstuvwxyzñé") for _ in range(5000))
    words = [*rng.sample(HOSTILE_WORDS, 2), long_word[: rng.choice([40, 500, 5000])]]
    rng.shuffle(words)
    return f"I paid {' '.join(words)} for it.", words


def _judge(status: int, body: bytes, kind: str, expected: str) -> str:
    """Which answer: the picture (or records) asked for, a JSON refusal, a 500, or wrong."""
    if status >= 500:
        print(f"server error {status}: {body[:200]!r}", file=sys.stderr)
        return "server_error"
    if status == 200 and kind.startswith(expected):
        return "answered"
    if 400 <= status < 500 and kind == "application/json" and "error" in json.loads(body):
        return "refused"
    print(f"unexpected answer {status} {kind}: {body[:200]!r}", file=sys.stderr)
    return "wrong"


def _measures(prefix: str, single: dict, many: dict) -> dict[str, float]:
    def rate(run: dict) -> float:
        return len(run["latencies"]) / run["elapsed"][0]

    many_latencies = sorted(many["latencies"])
    return {
        f"{prefix}_errors": float(len(single["errors"]) + len(many["errors"])),
        f"{prefix}_single_sentences_per_s": rate(single),
        f"{prefix}_single_p50_ms": 1000 * statistics.median(single["latencies"]),
        f"{prefix}_many_sentences_per_s": rate(many),
        f"{prefix}_many_p50_ms": 1000 * statistics.median(many_latencies),
        f"{prefix}_many_p95_ms": 1000 * _percentile(many_latencies, 0.95),
        f"{prefix}_speedup": rate(many) / rate(single),
    }


def _percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _report(arguments: argparse.Namespace, results: dict[str, float]) -> bool:
    bars = {"server_rss_growth": ("<=", MEMORY_GROWTH_BAR)}
    if arguments.hostile_duration > 0:
        bars |= {
            "hostile_500s": ("<=", 0),
            "hostile_wrong": ("<=", 0),
            "hostile_rss_growth_mb": ("<=", HOSTILE_GROWTH_BAR_MB),
        }
    for beam in [] if arguments.only_hostile else arguments.beams:
        bars |= {
            f"beam{beam}_errors": ("<=", 0),
            f"beam{beam}_many_p95_ms": ("<=", 1000 * P95_BAR_SECONDS),
            f"beam{beam}_speedup": (">=", SPEEDUP_BAR),
        }
    stdout, sys.stdout = sys.stdout, sys.stderr
    try:
        load = [] if arguments.only_hostile else [f"for {arguments.duration:g} s"]
        if arguments.hostile_duration > 0:
            load.append(f"hostile for {arguments.hostile_duration:g} s")
        print(f"\n{machine()}; {arguments.clients} clients {', then '.join(load)}")
        passed = print_table(results, bars)
    finally:
        sys.stdout = stdout
    setup = {key: str(value) for key, value in vars(arguments).items()}
    print(json.dumps({**results, "passed": passed, "setup": setup}))
    return passed


# --- questions ------------------------------------------------------------------------

QUESTION_ROUNDS = 3
# Each kind of question, as the fields a request adds for one held-out pair; "plain"
# asks nothing, the baseline measured beside them under the same load.
QUESTIONS = {
    "plain": lambda pair: {},
    "alternatives": lambda pair: {"alternatives": 5},
    "prefix": lambda pair: {"prefix": " ".join(pair.target.split()[:2])},
    "hide": lambda pair: {"hide": [0]},
    "point": lambda pair: {"point": [{"step": 1, "source": 0}]},
    "reference": lambda pair: {"reference": pair.target},
}


def _questions_main(arguments: argparse.Namespace) -> int:
    """``--questions``: each kind of question from many clients; p95 and errors per kind.

    The kinds take turns, ``QUESTION_ROUNDS`` bursts each of a share of ``--duration``,
    so that other work on the machine weighs on them alike.
    """
    pairs = [pair for pair in artifacts.read_test_pairs(arguments.run) if len(pair.source) > 1]
    port = _free_port()
    server = _start_server(arguments.run, port)
    url = f"http://127.0.0.1:{port}/api/translate"
    bodies = {
        name: [{"sentences": [pair.source], **fields(pair)} for pair in pairs]
        for name, fields in QUESTIONS.items()
    }
    runs: dict[str, list[dict]] = {name: [] for name in QUESTIONS}
    try:
        for name in QUESTIONS:  # traces each kind's loop, grows the memory pools
            asyncio.run(_asking_clients(url, bodies[name], arguments.clients, WARM_UP_SECONDS))
        for _ in range(QUESTION_ROUNDS):
            for name in QUESTIONS:
                burst = arguments.duration / QUESTION_ROUNDS
                runs[name].append(
                    asyncio.run(_asking_clients(url, bodies[name], arguments.clients, burst))
                )
    finally:
        server.terminate()
        server.wait(timeout=30)
    results: dict[str, float] = {}
    for name, bursts in runs.items():
        latencies = sorted(latency for burst in bursts for latency in burst["latencies"])
        results |= {
            f"{name}_errors": float(sum(len(burst["errors"]) for burst in bursts)),
            f"{name}_sentences_per_s": len(latencies) / sum(b["elapsed"][0] for b in bursts),
            f"{name}_p50_ms": 1000 * statistics.median(latencies),
            f"{name}_p95_ms": 1000 * _percentile(latencies, 0.95),
        }
    for name in QUESTIONS:
        results[f"{name}_p95_over_plain"] = results[f"{name}_p95_ms"] / results["plain_p95_ms"]
    bars = {f"{name}_errors": ("<=", 0) for name in QUESTIONS}
    bars |= {f"{name}_p95_ms": ("<=", 1000 * P95_BAR_SECONDS) for name in QUESTIONS}
    stdout, sys.stdout = sys.stdout, sys.stderr
    try:
        print(
            f"\n{machine()}; {arguments.clients} clients, {arguments.duration:g} s a kind "
            f"in {QUESTION_ROUNDS} turns"
        )
        passed = print_table(results, bars)
    finally:
        sys.stdout = stdout
    print(json.dumps({**results, "passed": passed, "clients": arguments.clients}))
    return 0 if passed else 1


async def _asking_clients(
    url: str, bodies: list[dict], clients: int, duration: float
) -> dict[str, list]:
    """``clients`` clients sending one of ``bodies`` at a time for ``duration`` seconds;
    an answer counts when it is one record of the sentence asked about."""
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.perf_counter() + duration
    connector = aiohttp.TCPConnector(limit=clients)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def one_client(number: int) -> None:
            for count in range(MAX_REQUESTS_PER_CLIENT):
                if time.perf_counter() >= deadline:
                    return
                body = bodies[(number * 7919 + count) % len(bodies)]
                started = time.perf_counter()
                try:
                    async with session.post(url, json=body) as response:
                        text = await response.text()
                    records = json.loads(text)["records"] if response.status == 200 else []
                    if len(records) != 1 or records[0]["sentence"] != body["sentences"][0]:
                        errors.append(f"{response.status}: {text[:200]}")
                        continue
                except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
                    errors.append(repr(error))
                    continue
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(one_client(number) for number in range(clients)))
        elapsed = time.perf_counter() - started
    return {"latencies": latencies, "errors": errors, "elapsed": [elapsed]}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_server(run: Path, port: int) -> subprocess.Popen:
    """``python -m seq2seq serve`` on loopback, once it has printed its address."""
    command = [sys.executable, "-m", "seq2seq", "serve", "--run", str(run), "--port", str(port)]
    environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, env=environment)
    ready, _, _ = select.select([server.stdout], [], [], START_TIMEOUT_SECONDS)
    line = server.stdout.readline() if ready else ""
    if "http://127.0.0.1" not in line:
        server.kill()
        raise SystemExit(f"the server did not start within {START_TIMEOUT_SECONDS:.0f} s: {line!r}")
    return server


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of process ``pid`` so far, all its threads (Linux's /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_bytes(pid: int) -> int:
    """The resident memory of process ``pid`` (Linux's /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


if __name__ == "__main__":
    sys.exit(main())
