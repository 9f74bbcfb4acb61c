"""The lab's web application: the page, its files and the JSON API, on FastAPI.

- ``GET /``: the page (``static/index.html``; its script and style are files of their own).
- ``GET /docs``: the API's OpenAPI page (Swagger UI, served from this machine).
- ``GET /api/runs``: the runs served, with their scores and settings, and the limits.
- ``GET /api/colours``: viz's colour map as evenly spaced (background, text) stops.
- ``POST /api/translate``: sentences → attention records, the n best of a beam each;
  with ``alternatives`` each step's most probable words, and for one sentence a
  question (``prefix``, ``hide``, ``point``: `seq2seq.whatif`) or a translation to
  read (``reference``), answered as records of version 2 (`viz.record`).
- ``POST /api/picture?format=png|svg|gif``: a record (or a sentence) drawn by `viz`.

A run without attention (``--attention none``) translates like any other; its
records have no weights (``"weights": null``, record version 2), and a picture
of one is refused with a sentence saying that the model has no attention.

Every refusal is JSON, ``{"error": "...", "limit": "..."}`` where a limit was
passed (or ``"run"`` for a run not served, or the field of a question that the
sentence cannot take: ``"prefix"``, ``"hide"``, ``"point"``), with a 4xx status,
or 500 where the server itself failed; no answer shows a traceback. Runs are chosen by the name
they were served under, never by a path from the request.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException
from swagger_ui_bundle import swagger_ui_path

from seq2seq.errors import UserError
from seq2seq.lab.batching import WINDOW_SECONDS, Batcher
from seq2seq.lab.limits import (
    DEFAULT_LIMITS,
    BodyLimit,
    LimitExceeded,
    Limits,
    SecurityHeaders,
)
from seq2seq.pictures import slug
from seq2seq.text import normalize

STATIC = Path(__file__).parent / "static"
# The downloads: each format's kind of picture (`viz.kinds`, which names its function
# and media type), as ``translate`` writes it.
DOWNLOADS = {"png": "heatmap", "svg": "heatmap", "gif": "attention"}
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass
class LabRun:
    """One run served: its name in requests, its `Translator`, and what ``/api/runs`` says."""

    name: str
    translator: Any  # seq2seq.inference.Translator, or anything with its translate_batch
    metrics: dict[str, Any]
    settings: dict[str, Any]


class PointRequest(BaseModel):
    step: int = Field(description="the step (a row of the weights, from 0)")
    source: int | str = Field(description="the source token read there: its position or word")


class TranslateRequest(BaseModel):
    sentences: list[str] = Field(description="the sentences to translate, as typed")
    run: str | None = Field(None, description="a run's name (from /api/runs); optional with one")
    beam: int = Field(1, description="beam width; 1 decodes greedily; the records hold the n best")
    alternatives: int = Field(
        0, description="how many most probable words of every step the records hold (0: none)"
    )
    prefix: str | list[str] | None = Field(
        None, description="one sentence only: the words its translation must start with"
    )
    hide: list[int | str] = Field(
        [],
        description="one sentence only: source tokens (positions from 0, or words) hidden "
        "from the attention at every step",
    )
    point: list[PointRequest] = Field(
        [], description="one sentence only: steps at which the attention reads one source token"
    )
    reference: str | None = Field(
        None,
        description="one sentence only: your translation of it, read by the model (teacher "
        "forcing); the record holds it, its attention and each word's probability and rank",
    )

    def asks(self) -> bool:
        """Whether this asks a question of one sentence (not only alternatives)."""
        return bool(self.prefix or self.hide or self.point) or self.reference is not None


@dataclass(frozen=True)
class Decoding:
    """What the sentences decoded in one batch share: the beam, the alternatives, and
    whether they are steered (`seq2seq.whatif`) or translations to read."""

    beam: int
    alternatives: int = 0
    steered: bool = False
    reading: bool = False


class PictureRequest(BaseModel):
    record: dict[str, Any] | None = Field(None, description="an attention record to draw")
    sentence: str | None = Field(None, description="or a sentence to translate and draw")
    run: str | None = None
    beam: int = 1


class Lab:
    """The runs served, each with its `Batcher`, and the work behind the API's answers."""

    def __init__(self, runs: list[LabRun], limits: Limits, window: float):
        self.runs = runs
        self.limits = limits
        self._by_name = {run.name: run for run in runs}
        self._window = window
        self._batchers: dict[str, Batcher] = {}
        # matplotlib's rc_context changes process-wide settings: pictures are drawn one at a time.
        self._drawing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="draw")

    async def start(self) -> None:
        """Make the batchers; they need the event loop the app runs on."""
        for run in self.runs:
            self._batchers[run.name] = Batcher(_decoder(run.translator), self._window)

    async def stop(self) -> None:
        for batcher in self._batchers.values():
            await batcher.close()
        self._drawing.shutdown(wait=False, cancel_futures=True)

    async def translate(self, request: TranslateRequest) -> list[dict]:
        """The attention records of the request's sentences, each answering what it asks,
        decoded with whatever else of its kind is pending."""
        run = _choose_run(self._by_name, request.run)
        sentences, beam = request.sentences, request.beam
        self.limits.check_beam(beam)
        self.limits.check_alternatives(request.alternatives)
        for sentence in sentences:
            self.limits.check_words(_token_count(sentence))
        if request.asks() and len(sentences) != 1:
            raise LimitExceeded(
                f"A question (prefix, hide, point, reference) is asked of one sentence; "
                f"'sentences' holds {len(sentences)}.",
                "sentences",
            )
        kind, items = self._asked(run, request)
        translations = await self._batchers[run.name].translate(items, kind)
        model = {"run": run.name, "beam_width": kind.beam, **_model_facts(run)}
        return [_record(t, sentence, model) for t, sentence in zip(translations, sentences)]

    def _asked(self, run: LabRun, request: TranslateRequest) -> tuple[Decoding, list[tuple]]:
        """The kind of decoding the request needs, and its sentences each with its question
        (checked here, so that a bad one fails its request alone, not a batch)."""
        from seq2seq.whatif import WhatIf, WhatIfError

        sentences = request.sentences
        if request.reference is not None:
            self.limits.check_prefix(_token_count(request.reference, "reference"), "reference")
            kind = Decoding(1, request.alternatives, reading=True)
            return kind, [(sentences[0], request.reference)]
        what_if = WhatIf(
            request.prefix, request.hide, [(point.step, point.source) for point in request.point]
        )
        if not what_if:
            return Decoding(request.beam, request.alternatives), [(s, None) for s in sentences]
        prefix = request.prefix or ""
        prefix = prefix if isinstance(prefix, str) else " ".join(prefix)
        self.limits.check_prefix(len(normalize(prefix).split()))
        try:
            steering = run.translator.steer(sentences[0], what_if)
        except WhatIfError as error:
            raise LimitExceeded(str(error), error.option) from None
        kind = Decoding(request.beam, request.alternatives, steered=True)
        return kind, [(sentences[0], steering)]

    async def picture(self, request: PictureRequest, extension: str) -> Response:
        """The picture of a record, or of a sentence translated, as a file to download."""
        from viz.kinds import KINDS, MEDIA_TYPES

        if (request.record is None) == (request.sentence is None):
            raise UserError("Give either a record or a sentence to draw, not both or neither.")
        if request.record is not None:
            record = _read_record(request.record, self.limits)
        else:
            asked = TranslateRequest(
                sentences=[request.sentence], run=request.run, beam=request.beam
            )
            record = (await self.translate(asked))[0]
        if record["weights"] is None:
            from viz._validate import NO_ATTENTION

            raise UserError(f"There is no picture to draw: {NO_ATTENTION}.")
        kind = KINDS[DOWNLOADS[extension]]
        name = f"{kind.name}.{extension}"
        stem = slug(record.get("sentence") or " ".join(record["source_tokens"]))
        body = await asyncio.get_running_loop().run_in_executor(
            self._drawing, _draw, kind.draw, record, name
        )
        headers = {"Content-Disposition": f'attachment; filename="{stem}.{name}"'}
        return Response(body, media_type=MEDIA_TYPES[extension], headers=headers)


def create_app(
    runs: list[LabRun], limits: Limits = DEFAULT_LIMITS, window: float = WINDOW_SECONDS
) -> FastAPI:
    """The lab serving ``runs`` (one or more, names unique) under ``limits``."""
    lab = Lab(runs, limits, window)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await lab.start()
        yield
        await lab.stop()

    app = FastAPI(
        title="Seeing attention: the lab",
        description="Translate sentences with the runs served and get their attention "
        "as records (rows of weights per target token), or drawn as pictures.",
        lifespan=lifespan,
        # FastAPI's own pages fetch Swagger UI from a CDN with an inline script; the
        # lab's /docs serves the same UI from the swagger-ui-bundle package instead.
        docs_url=None,
        redoc_url=None,
    )
    # Added last, so outermost: a refusal of the body limit gets the headers too.
    app.add_middleware(BodyLimit, max_bytes=limits.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    _add_error_handlers(app)
    _add_routes(app, lab)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/docs-assets", StaticFiles(directory=swagger_ui_path), name="docs-assets")
    return app


def _add_routes(app: FastAPI, lab: Lab) -> None:
    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/docs", include_in_schema=False)
    async def api_page() -> FileResponse:
        return FileResponse(STATIC / "docs.html")

    @app.get("/api/runs", summary="The runs served, their scores and settings, and the limits")
    async def list_runs() -> dict[str, Any]:
        runs = [
            {"name": run.name, "metrics": run.metrics, "settings": run.settings} for run in lab.runs
        ]
        return {"runs": runs, "limits": asdict(lab.limits)}

    @app.get("/api/colours", summary="viz's colour map: (background, text) stops, weight 0 to 1")
    async def colours() -> dict[str, Any]:
        from viz.style import colour_stops, get_style

        return {"stops": colour_stops(get_style("projector"))}

    # JSONResponse as is: FastAPI's own encoding walks every weight in Python, 8 ms for
    # a batch of 32 records of a beam of 4.
    @app.post(
        "/api/translate",
        summary="Sentences → attention records (the n best each)",
        response_class=JSONResponse,
    )
    async def translate(request: TranslateRequest) -> JSONResponse:
        lab.limits.check_sentences(len(request.sentences))
        records = await lab.translate(request)
        return JSONResponse({"records": records})

    @app.post("/api/picture", summary="A record, or a sentence translated, drawn by viz")
    async def picture(
        request: PictureRequest,
        extension: Literal[tuple(DOWNLOADS)] = Query("png", alias="format"),
    ) -> Response:
        return await lab.picture(request, extension)


def _decoder(translator):
    """Decoding of one gathering of (sentence, question) pairs of one `Decoding`: the
    beam's every hypothesis kept, for the page to show, or the translations read."""

    def decode(items: list[tuple], kind: Decoding) -> list:
        sentences = [sentence for sentence, _ in items]
        if kind.reading:
            references = [reference for _, reference in items]
            return translator.align(sentences, references, kind.alternatives)
        if not (kind.steered or kind.alternatives):
            return translator.translate_batch(sentences, kind.beam, n_best=kind.beam)
        return translator.translate_batch(
            sentences,
            kind.beam,
            n_best=kind.beam,
            what_if=[steering for _, steering in items] if kind.steered else None,
            alternatives=kind.alternatives,
        )

    return decode


def _choose_run(by_name: dict[str, LabRun], name: str | None) -> LabRun:
    if name is None:
        if len(by_name) == 1:
            return next(iter(by_name.values()))
        raise LimitExceeded(
            f"Several runs are served ({', '.join(by_name)}); name one in 'run'.", "run", 422
        )
    if name not in by_name:
        raise LimitExceeded(
            f"No run is served under the name {name!r}; the runs are {', '.join(by_name)}.",
            "run",
            404,
        )
    return by_name[name]


def _token_count(sentence: str, name: str = "sentence") -> int:
    surrogate = _LONE_SURROGATE.search(sentence)
    if surrogate:
        # JSON may escape one ("\ud800"), but it is half of a character, not text: the
        # record of such a sentence could not be sent back as UTF-8.
        raise UserError(
            f"A {name} holds \\u{ord(surrogate[0]):04x}, half of a UTF-16 pair, which is not "
            "a character; send the sentence as text."
        )
    normalized = normalize(sentence)
    if not normalized:
        raise UserError(f"A {name} is empty; give at least one word.")
    return normalized.count(" ") + 1


def _model_facts(run: LabRun) -> dict[str, Any]:
    return {key: run.settings[key] for key in ("attention", "encoder") if key in run.settings}


def _record(translation, sentence: str, model: dict[str, Any]) -> dict[str, Any]:
    from viz import AttentionRecord

    return AttentionRecord.of(translation, sentence=sentence, model=model).to_json()


def _read_record(data: dict[str, Any], limits: Limits) -> dict[str, Any]:
    """A record from a request, checked by viz and against the limits, as JSON again."""
    from viz import AttentionRecord, RecordError

    try:
        record = AttentionRecord.from_json(data)
    except RecordError as error:
        raise UserError(f"The record is not one: {error}.") from None
    limits.check_words(len(record.source_tokens))
    limits.check_target_length(len(record.target_tokens))
    return record.to_json()


def _draw(function: str, record: dict[str, Any], name: str) -> bytes:
    """The bytes of the picture ``viz.<function>`` draws of ``record`` into a file ``name``."""
    from viz import AttentionRecord
    from viz.batch import Picture, draw_one

    with tempfile.TemporaryDirectory(prefix="lab-picture-") as folder:
        path = Path(folder) / name
        draw_one(Picture(path, function, (AttentionRecord.from_json(record),), {}))
        return path.read_bytes()


def _add_error_handlers(app: FastAPI) -> None:
    """Every refusal as ``{"error": one sentence[, "limit": name]}``; never a traceback."""

    @app.exception_handler(LimitExceeded)
    async def limit_exceeded(request: Request, error: LimitExceeded) -> JSONResponse:
        return JSONResponse({"error": str(error), "limit": error.limit}, error.status)

    @app.exception_handler(UserError)
    async def user_error(request: Request, error: UserError) -> JSONResponse:
        return JSONResponse({"error": str(error)}, 422)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"] if part != "body") or "the body"
        return JSONResponse({"error": f"{where}: {first['msg']}."}, 422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        return JSONResponse({"error": str(error.detail)}, error.status_code, error.headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        return JSONResponse({"error": "The server failed on this request; see its log."}, 500)
