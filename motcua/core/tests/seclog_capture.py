"""A fixture that reads the security log as written: the real JsonLinesFormatter on the
`motcua.security` logger, each line parsed back from JSON."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest

from motcua.core.seclog import JsonLinesFormatter


class SecurityLines:
    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    def all(self) -> list[dict[str, Any]]:
        text = self.stream.getvalue()
        return [json.loads(line) for line in text.splitlines()]

    def __call__(self, event: str) -> list[dict[str, Any]]:
        return [line for line in self.all() if line["event"] == event]

    def clear(self) -> None:
        self.stream.seek(0)
        self.stream.truncate()


@pytest.fixture
def security_lines():
    logger = logging.getLogger("motcua.security")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLinesFormatter())
    level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        yield SecurityLines(stream)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
