"""The lab's web application: the page, its files and the JSON API, on FastAPI.

- ``GET /``: the page (``static/index.html``; its script and style are files of their own).
- ``GET /docs``: the API's OpenAPI page (Swagger UI, served from this machine).
- ``GET /api/runs``: the runs served, with their scores and settings, and the limits.
- ``GET /api/colours``: viz's colour map as evenly spaced (background, text) stops.
- ``POST /api/translate``: sentences → attention records, the n best of a beam each.
- ``POST /api/picture?format=png|svg|gif``: a record (or a sentence) drawn by `viz`.

A run without attention (``--attention none``) translates like any other; its
records have no weights (``"weights": null``, record version 2), and a picture
of one is refused with a sentence saying that the model has no attention.

Every refusal is JSON, ``{"error": "...", "limit": "..."}`` where a limit was
passed (or ``"run"`` for a run not served), with a 4xx status, or 500 where the
server itself failed; no answer shows a traceback. Runs are chosen by the name
they were served under, never by a path from the request.
"""

from __future__ import annotations

import asyncio
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
from seq2seq.pictures import Picture, draw_all, slug
from seq2seq.text import normalize

STATIC = Path(__file__).parent / "static"
# Each download: the file name's suffix, as the command line names it, and the viz function.
PICTURES = {
    "png": ("heatmap.png", "plot_heatmap", "image/png"),
    "svg": ("heatmap.svg", "plot_heatmap", "image/svg+xml"),
    "gif": ("attention.gif", "animate_attention", "image/gif"),
}


@dataclass
class LabRun:
    """One run served: its name in requests, its `Translator`, and what ``/api/runs`` says."""

    name: str
    translator: Any  # seq2seq.inference.Translator, or anything with its translate_batch
    metrics: dict[str, Any]
    settings: dict[str, Any]


class TranslateRequest(BaseModel):
    sentences: list[str] = Field(description="the sentences to translate, as typed")
    run: str | None = Field(None, description="a run's name (from /api/runs); optional with one")
    beam: int = Field(1, description="beam width; 1 decodes greedily; the records hold the n best")


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

    async def translate(self, sentences: list[str], run_name: str | None, beam: int) -> list[dict]:
        """The attention records of ``sentences``, decoded with whatever else is pending."""
        run = _choose_run(self._by_name, run_name)
        self.limits.check_beam(beam)
        for sentence in sentences:
            self.limits.check_words(_token_count(sentence))
        translations = await self._batchers[run.name].translate(sentences, beam)
        model = {"run": run.name, "beam_width": beam, **_model_facts(run)}
        return [_record(t, sentence, model) for t, sentence in zip(translations, sentences)]

    async def picture(self, request: PictureRequest, kind: str) -> Response:
        """The picture of a record, or of a sentence translated, as a file to download."""
        if (request.record is None) == (request.sentence is None):
            raise UserError("Give either a record or a sentence to draw, not both or neither.")
        if request.record is not None:
            record = _read_record(request.record, self.limits)
        else:
            record = (await self.translate([request.sentence], request.run, request.beam))[0]
        if record["weights"] is None:
            from viz._validate import NO_ATTENTION

            raise UserError(f"There is no picture to draw: {NO_ATTENTION}.")
        name, function, media_type = PICTURES[kind]
        stem = slug(record.get("sentence") or " ".join(record["source_tokens"]))
        body = await asyncio.get_running_loop().run_in_executor(
            self._drawing, _draw, function, record, name
        )
        headers = {"Content-Disposition": f'attachment; filename="{stem}.{name}"'}
        return Response(body, media_type=media_type, headers=headers)


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
        records = await lab.translate(request.sentences, request.run, request.beam)
        return JSONResponse({"records": records})

    @app.post("/api/picture", summary="A record, or a sentence translated, drawn by viz")
    async def picture(
        request: PictureRequest,
        kind: Literal["png", "svg", "gif"] = Query("png", alias="format"),
    ) -> Response:
        return await lab.picture(request, kind)


def _decoder(translator):
    """``translate_batch`` with the beam's every hypothesis kept, for the page to show."""
    return lambda sentences, beam: translator.translate_batch(sentences, beam, n_best=beam)


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


def _token_count(sentence: str) -> int:
    normalized = normalize(sentence)
    if not normalized:
        raise UserError("A sentence is empty; give at least one word to translate.")
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

    with tempfile.TemporaryDirectory(prefix="lab-picture-") as folder:
        path = Path(folder) / name
        draw_all([Picture(path, function, (AttentionRecord.from_json(record),), {})])
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
