"""The static page: runs exported to a folder whose page runs the model in the browser.

``python -m seq2seq export --run RUN [--run RUN2] --web DIR`` writes::

    DIR/index.html                 the lab's page, the same file `serve` sends
    DIR/static/                    its script, styles and the model in JavaScript
    DIR/runs/NAME/weights.bin.gz   the run's weights, every array one after another
    DIR/runs/NAME/vocabulary.json.gz   its source and target vocabularies
    DIR/manifest.json              format, runs (settings, scores, arrays), sha256 of each file
                                   (of a .gz file, of its packed and of its unpacked bytes)

The page's JavaScript (``seq2seq/lab/static/model/``) mirrors this package file for
file: ``text.js``, ``attention.js``, ``model.js``, ``inference.js``, ``translation.js``,
``whatif.js``.
A parity test in headless Chromium holds it to `Translator.translate_batch`.

Weights travel as float32 rounded to `MANTISSA_BITS` of the 23 bits of their
mantissa (a relative change of at most 2^-(MANTISSA_BITS+1)), their bytes
regrouped by position (all first bytes, then all second bytes, ...) and
gzipped: the zeroed low bits and the few exponents then compress, which a
float32 file's interleaved bytes do not. Browsers gunzip natively
(``DecompressionStream``), so the page needs no library for it. A host may send a
``.gz`` file with ``Content-Encoding: gzip``, and the browser then hands the page the
unpacked bytes: the manifest keeps the sha256 of both forms, and the page checks
whichever it received.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import hashlib
import http.server
import json
import shutil
import threading
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from seq2seq.errors import UserError

FORMAT = "seq2seq-web"
VERSION = 1
MANIFEST = "manifest.json"
WEIGHTS = "weights.bin.gz"
VOCABULARY = "vocabulary.json.gz"
# The attention the page's model computes (attention.js's scores, or none: the encoder's
# summary as every step's context). A run with any other is refused at export, naming it.
PAGE_SCORES = ("additive", "dot", "general", "scaled_dot", "none")
PAGE_ENCODERS = ("gru", "lstm")
# Of float32's 23 mantissa bits, those kept: a weight moves by at most 2^-17 of itself.
MANTISSA_BITS = 16
# The page's files, from seq2seq/lab/static, as the page names them.
PAGE_FILES = (
    "lab.js",
    "lab.css",
    "backend.js",
    "address.js",
    "dom.js",
    "heatmap.js",
    "pictures.js",
    "questions.js",
    "model/text.js",
    "model/attention.js",
    "model/model.js",
    "model/inference.js",
    "model/translation.js",
    "model/whatif.js",
    "model/arrays.js",
    "model/sha256.js",
    "model/simd.js",
)
# index.html names the back end the page talks to; the export's page runs the model itself.
SERVER_BACK_END = '<meta name="backend" content="server">'
BROWSER_BACK_END = '<meta name="backend" content="browser">'


def export_web(runs: Sequence[Path], out: Path, overwrite: bool = False) -> Path:
    """Write the static page for ``runs`` to ``out`` and return ``out``.

    Written to a temporary folder beside ``out`` and renamed into place, so
    ``out`` never holds half a page; an ``out`` that is not empty is replaced
    only with ``overwrite``. `UserError` for a run the page cannot run.
    """
    from seq2seq.export import _check_out, _move_into_place
    from seq2seq.lab.server import run_names

    out = Path(out)
    _check_out(out, overwrite)
    names = run_names(runs)
    exported = [_exported_run(Path(path), name) for path, name in zip(runs, names)]
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(f".{out.name}.partial-{uuid.uuid4().hex[:8]}")
    try:
        temporary.mkdir()
        _write_page(temporary)
        for run in exported:
            _write_run(temporary, run)
        _write_manifest(temporary, exported)
        _move_into_place(temporary, out)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    return out


def summary(out: Path) -> str:
    """What the export wrote, its download size, and how to open it."""
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    total = sum(facts["bytes"] for facts in manifest["files"].values())
    runs = ", ".join(run["name"] for run in manifest["runs"])
    return (
        f"Static page written to {out} (runs {runs}; {total / 1e6:.1f} MB to download).\n"
        f"Open it through any web server, e.g. python -m http.server -d {out} "
        "and http://127.0.0.1:8000/ (a page opened as a file cannot load its modules)."
    )


# --- what a run becomes -------------------------------------------------------------


def _exported_run(path: Path, name: str) -> dict[str, Any]:
    """A run loaded and checked: its name, settings, scores, vocabularies and arrays."""
    from seq2seq import artifacts
    from seq2seq.inference import Translator
    from seq2seq.lab.server import SHOWN_METRICS, SHOWN_SETTINGS

    translator = Translator.load(path)
    model = translator.model
    refusal = page_refusal(model)
    if refusal:
        raise UserError(f"{path}: the page cannot run this model: {refusal}.")
    metrics = artifacts.read_json(path / artifacts.METRICS)
    metrics = metrics if isinstance(metrics, dict) else {}
    config = translator.config.to_dict() if translator.config else {}
    settings = {key: config[key] for key in SHOWN_SETTINGS if key in config}
    return {
        "name": name,
        "settings": settings | model.settings,
        "metrics": {key: metrics[key] for key in SHOWN_METRICS if key in metrics},
        "vocabulary": {
            "source": [str(token) for token in translator.source_vocabulary],
            "target": [str(token) for token in translator.target_vocabulary],
        },
        "arrays": model_arrays(model),
    }


def page_refusal(model) -> str | None:
    """Why the page's forward pass cannot run ``model``, or None when it can."""
    settings = model.settings
    if settings["attention"] not in PAGE_SCORES:
        return (
            f"its attention is {settings['attention']!r}, and the page computes "
            f"{', '.join(PAGE_SCORES)}"
        )
    if settings["encoder"] not in PAGE_ENCODERS:
        return (
            f"its encoder is {settings['encoder']!r}, and the page runs {', '.join(PAGE_ENCODERS)}"
        )
    if model.dtype_policy.compute_dtype != "float32":
        return f"it computes in {model.dtype_policy.compute_dtype}, and the page in float32"
    cells = [rnn.forward_layer.cell for rnn in model.encoder.rnns]
    cells += [rnn.backward_layer.cell for rnn in model.encoder.rnns]
    cells += [rnn.cell for rnn in model.decoder.rnns]
    for cell in cells:
        config = cell.get_config()
        expected = {"activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": True}
        if "reset_after" in config:
            expected["reset_after"] = True
        for key, value in expected.items():
            if config.get(key) != value:
                return (
                    f"a recurrent cell has {key}={config.get(key)!r}, and the page runs {value!r}"
                )
    return None


def model_arrays(model) -> list[tuple[str, np.ndarray]]:
    """Every weight of the model, named as the page's model.js reads it, in a fixed order.

    Kernels keep Keras' layout ``(inputs, outputs)``; a GRU's bias is ``(2, 3U)``
    (input and recurrent rows, Keras' ``reset_after``), an LSTM's ``(4U,)``.
    """
    encoder, decoder = model.encoder, model.decoder
    arrays = [("encoder.embedding", encoder.embedding.embeddings)]
    for index, rnn in enumerate(encoder.rnns):
        for direction, layer in (("forward", rnn.forward_layer), ("backward", rnn.backward_layer)):
            arrays += _cell_arrays(f"encoder.rnns.{index}.{direction}", layer.cell)
    arrays.append(("decoder.embedding", decoder.embedding.embeddings))
    for index, bridge in enumerate(decoder.bridges):
        arrays += _dense_arrays(f"decoder.bridges.{index}", bridge)
    for index, rnn in enumerate(decoder.rnns):
        arrays += _cell_arrays(f"decoder.rnns.{index}", rnn.cell)
    attention = decoder.attention  # None: a model without attention
    if attention is not None and attention.score == "additive":
        arrays += [
            ("decoder.attention.query_kernel", attention.query_kernel),
            ("decoder.attention.key_kernel", attention.key_kernel),
            ("decoder.attention.v", attention.v),
        ]
    elif attention is not None and attention.score == "general":
        arrays.append(("decoder.attention.kernel", attention.kernel))
    arrays += _dense_arrays("decoder.combine", decoder.combine)
    if decoder.tie_embeddings:
        arrays.append(("decoder.output_bias", decoder.output_bias))
    else:
        arrays += _dense_arrays("decoder.project", decoder.project)
    return [(name, np.asarray(variable, dtype=np.float32)) for name, variable in arrays]


def _cell_arrays(prefix: str, cell) -> list[tuple[str, Any]]:
    return [
        (f"{prefix}.kernel", cell.kernel),
        (f"{prefix}.recurrent_kernel", cell.recurrent_kernel),
        (f"{prefix}.bias", cell.bias),
    ]


def _dense_arrays(prefix: str, dense) -> list[tuple[str, Any]]:
    return [(f"{prefix}.kernel", dense.kernel), (f"{prefix}.bias", dense.bias)]


# --- how arrays travel ----------------------------------------------------------------


def encode_arrays(arrays: Sequence[np.ndarray], mantissa_bits: int = MANTISSA_BITS) -> bytes:
    """The arrays as one gzip file: float32 rounded to ``mantissa_bits``, bytes by position.

    The page's arrays.js undoes it (`decode_arrays` here, for tests).
    """
    values = np.concatenate([np.ravel(a).astype("<f4") for a in arrays]) if arrays else []
    bits = np.asarray(values, dtype="<f4").view("<u4")
    dropped = 23 - mantissa_bits
    if dropped > 0:
        # Round to nearest, ties to even: add half the dropped part (less one if the kept
        # part is even), then clear it. A carry into the exponent is the right rounding too.
        kept_lowest = (bits >> np.uint32(dropped)) & np.uint32(1)
        half = np.uint32((1 << (dropped - 1)) - 1) + kept_lowest
        bits = (bits + half) & np.uint32(~((1 << dropped) - 1) & 0xFFFFFFFF)
    planes = bits.view(np.uint8).reshape(-1, 4).T  # (4, N): byte 0 of every value, then byte 1 ...
    return gzip.compress(planes.tobytes(), compresslevel=9, mtime=0)


def decode_arrays(data: bytes, shapes: Sequence[tuple[int, ...]]) -> list[np.ndarray]:
    """The arrays of `encode_arrays`' file, given their shapes."""
    planes = np.frombuffer(gzip.decompress(data), np.uint8).reshape(4, -1)
    values = np.ascontiguousarray(planes.T).view("<f4").ravel()
    arrays, offset = [], 0
    for shape in shapes:
        size = int(np.prod(shape))
        arrays.append(values[offset : offset + size].reshape(shape))
        offset += size
    return arrays


# --- writing the folder ----------------------------------------------------------------


def _write_page(folder: Path) -> None:
    from seq2seq.lab.app import STATIC

    index = (STATIC / "index.html").read_text(encoding="utf-8")
    if SERVER_BACK_END not in index:
        raise RuntimeError(f"index.html lacks {SERVER_BACK_END}")
    (folder / "index.html").write_text(
        index.replace(SERVER_BACK_END, BROWSER_BACK_END), encoding="utf-8"
    )
    for name in PAGE_FILES:
        target = folder / "static" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(STATIC / name, target)


def _write_run(folder: Path, run: dict[str, Any]) -> None:
    run_folder = folder / "runs" / run["name"]
    run_folder.mkdir(parents=True)
    arrays = [array for _, array in run["arrays"]]
    (run_folder / WEIGHTS).write_bytes(encode_arrays(arrays))
    vocabulary = json.dumps(run["vocabulary"], ensure_ascii=False).encode("utf-8")
    (run_folder / VOCABULARY).write_bytes(gzip.compress(vocabulary, compresslevel=9, mtime=0))


def _write_manifest(folder: Path, runs: list[dict[str, Any]]) -> None:
    from seq2seq.lab.limits import DEFAULT_LIMITS
    from viz.style import colour_stops, get_style

    files = {
        path.relative_to(folder).as_posix(): _file_facts(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "runs": [
            {
                "name": run["name"],
                "settings": run["settings"],
                "metrics": run["metrics"],
                "weights": f"runs/{run['name']}/{WEIGHTS}",
                "vocabulary": f"runs/{run['name']}/{VOCABULARY}",
                "encoding": {"float": "float32", "mantissa_bits": MANTISSA_BITS},
                "arrays": [
                    {"name": name, "shape": list(array.shape)} for name, array in run["arrays"]
                ],
            }
            for run in runs
        ],
        "limits": {
            "max_words": DEFAULT_LIMITS.max_words,
            "max_beam": DEFAULT_LIMITS.max_beam,
            "max_alternatives": DEFAULT_LIMITS.max_alternatives,
        },
        "colours": colour_stops(get_style("projector")),
        "files": files,
    }
    text = json.dumps(manifest, indent=1, ensure_ascii=False) + "\n"
    (folder / MANIFEST).write_text(text, encoding="utf-8")


def _file_facts(path: Path) -> dict[str, Any]:
    """A file's size and sha256, and of a .gz file those of its unpacked bytes too."""
    data = path.read_bytes()
    facts: dict[str, Any] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    if path.suffix == ".gz":
        unpacked = gzip.decompress(data)
        facts["gunzipped"] = {
            "bytes": len(unpacked),
            "sha256": hashlib.sha256(unpacked).hexdigest(),
        }
    return facts


# --- serving it, as a static host would ---------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


class _GzipEncodingHandler(_QuietHandler):
    """Sends each ``.gz`` file as its unpacked content, ``Content-Encoding: gzip``."""

    def guess_type(self, path):
        path = str(path)
        return super().guess_type(path[: -len(".gz")] if path.endswith(".gz") else path)

    def end_headers(self):
        if self.path.split("?")[0].endswith(".gz"):
            self.send_header("Content-Encoding", "gzip")
        super().end_headers()


@contextlib.contextmanager
def serve_folder(folder: Path, port: int = 0, gzip_encoding: bool = False) -> Iterator[str]:
    """``folder`` served over loopback HTTP as a static host serves it; yields its URL.

    Python's own ``http.server``, as ``python -m http.server`` runs it from a USB stick.
    With ``gzip_encoding``, as hosts that mark ``.gz`` files ``Content-Encoding: gzip``.
    """
    chosen = _GzipEncodingHandler if gzip_encoding else _QuietHandler
    handler = functools.partial(chosen, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
