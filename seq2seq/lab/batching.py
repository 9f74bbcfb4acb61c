"""Sentences from many clients, decoded together: one `translate_batch` per short window.

A room of students typing sends one sentence at a time each; decoding them one
by one would queue every student behind the others, while one batch of 32
sentences costs little more than one sentence. So each run has a `Batcher`: a
request adds its sentences to the pending ones of its kind of decoding (a beam
width, say) and waits; a few milliseconds after the first of them arrives,
everything pending of that kind goes to the model in one call, on the run's own
worker thread, so the event loop keeps answering other clients while the model
works.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

# Long enough to gather the requests of a room typing at once, short beside the
# tens of milliseconds a batch takes to decode.
WINDOW_SECONDS = 0.005


@dataclass
class _Pending:
    sentences: list[Any] = field(default_factory=list)
    futures: list[asyncio.Future] = field(default_factory=list)


class Batcher:
    """Gathers sentences per kind of decoding and hands each gathering to ``translate_batch``.

    ``translate_batch(sentences, kind)`` returns one result per sentence, in
    order; ``kind`` is anything hashable that the sentences decoded together
    share (a beam width, or a beam width and the questions asked), and a
    "sentence" may carry what is asked of it. It runs on one worker thread, so
    calls to it never overlap (a model is not shared between threads).
    """

    def __init__(
        self,
        translate_batch: Callable[[Sequence[Any], Any], list[Any]],
        window: float = WINDOW_SECONDS,
    ):
        self._translate_batch = translate_batch
        self._window = window
        self._pending: dict[Hashable, _Pending] = {}
        self._wake = asyncio.Event()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="decode")
        self._task: asyncio.Task | None = None

    async def translate(self, sentences: Sequence[Any], kind: Hashable) -> list[Any]:
        """The results of ``sentences``, decoded in a batch with whatever else of their
        ``kind`` is pending."""
        if self._task is None:
            self._task = asyncio.create_task(self._run())
        loop = asyncio.get_running_loop()
        pending = self._pending.setdefault(kind, _Pending())
        futures = [loop.create_future() for _ in sentences]
        pending.sentences.extend(sentences)
        pending.futures.extend(futures)
        self._wake.set()
        return list(await asyncio.gather(*futures))

    async def close(self) -> None:
        """Stop gathering; sentences still pending are cancelled."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        for pending in self._pending.values():
            for future in pending.futures:
                future.cancel()
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._wake.wait()
            await asyncio.sleep(self._window)
            self._wake.clear()
            gathered, self._pending = self._pending, {}
            for kind, pending in gathered.items():
                try:
                    results = await loop.run_in_executor(
                        self._executor, self._translate_batch, pending.sentences, kind
                    )
                except Exception as error:  # handed to every request of the batch
                    for future in pending.futures:
                        if not future.done():
                            future.set_exception(error)
                    continue
                for future, result in zip(pending.futures, results):
                    if not future.done():  # its client may have gone and cancelled it
                        future.set_result(result)
