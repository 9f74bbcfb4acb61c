"""What a request may ask of the lab, and the headers and body checks that every answer gets."""

from __future__ import annotations

import json
from dataclasses import dataclass

from seq2seq.text import MAX_TOKENS

# The page may use its own files and nothing else: no inline script, no other origin.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; "
    "form-action 'none'"
)


class LimitExceeded(Exception):
    """A request over a limit (or naming an unknown run): one sentence, the limit's name."""

    def __init__(self, message: str, limit: str, status: int = 422):
        super().__init__(message)
        self.limit = limit
        self.status = status


@dataclass(frozen=True)
class Limits:
    """How much one request may ask; each is named in the error that refuses it."""

    max_body_bytes: int = 256 * 1024  # a record of 40 × 90 weights with 8 hypotheses fits
    max_sentences: int = 32
    max_words: int = 40  # tokens (words and punctuation) per sentence
    max_beam: int = 8
    max_alternatives: int = 10  # most probable words a step, for the page to offer

    def check_sentences(self, count: int) -> None:
        if count < 1:
            raise LimitExceeded("'sentences' is empty; give at least one sentence.", "sentences")
        if count > self.max_sentences:
            raise LimitExceeded(
                f"{count} sentences in one request; max_sentences is {self.max_sentences}.",
                "max_sentences",
            )

    def check_words(self, count: int) -> None:
        if count > min(self.max_words, MAX_TOKENS):
            raise LimitExceeded(
                f"A sentence has {count} words and punctuation marks; "
                f"max_words is {self.max_words}: split it into shorter sentences.",
                "max_words",
            )

    def check_target_length(self, count: int) -> None:
        # As long as decoding may run for the longest source allowed.
        longest = 2 * self.max_words + 10
        if count > longest:
            raise LimitExceeded(
                f"The record has {count} target tokens; at most {longest} "
                f"(2 × max_words + 10) are drawn.",
                "max_words",
            )

    def check_prefix(self, count: int, name: str = "prefix") -> None:
        """A forced prefix, or a translation to read, no longer than a translation may be."""
        longest = 2 * self.max_words + 10
        if count > longest:
            raise LimitExceeded(
                f"The {name} has {count:,} words and punctuation marks; a translation has at "
                f"most {longest} (2 × max_words + 10).",
                "max_words",
            )

    def check_alternatives(self, count: int) -> None:
        if not 0 <= count <= self.max_alternatives:
            raise LimitExceeded(
                f"'alternatives' is {count}; give from 0 to max_alternatives, "
                f"{self.max_alternatives}, words a step.",
                "max_alternatives",
            )

    def check_beam(self, beam: int) -> None:
        if not 1 <= beam <= self.max_beam:
            raise LimitExceeded(
                f"'beam' is {beam}; give a width from 1 to max_beam, {self.max_beam}.", "max_beam"
            )


DEFAULT_LIMITS = Limits()


class BodyLimit:
    """ASGI middleware: a request body over ``max_bytes`` gets 413 before the app reads it.

    Counted as it arrives, so a body sent in chunks, without a Content-Length, is
    held to the same limit.
    """

    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            return await self._refuse(send)
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None  # the client went away; nobody to answer
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_bytes:
                return await self._refuse(send)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replayed = False

        async def receive_body():
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        return await self.app(scope, receive_body, send)

    async def _refuse(self, send) -> None:
        message = (
            f"The request body is larger than max_body_bytes, {self.max_bytes:,} bytes; "
            "send fewer or shorter sentences."
        )
        content = json.dumps({"error": message, "limit": "max_body_bytes"}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(content)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": content})


class SecurityHeaders:
    """ASGI middleware: the Content-Security-Policy and friends on every answer."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                ]
            await send(message)

        return await self.app(scope, receive, send_with_headers)
