"""Messages that cross screens: each says what happened, in the past tense."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message


@dataclass
class AnalysisProgressed(Message):
    what: str
    done: int
    total: int

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, AnalysisProgressed)


@dataclass
class AnalysisFinished(Message):
    analysis: Any


@dataclass
class GenerationFinished(Message):
    result: Any


@dataclass
class ValidationFinished(Message):
    result: Any


@dataclass
class ProjectChanged(Message):
    """apply or rollback rewrote the migrations folder: the state must be read again."""

    what: str


@dataclass
class WorkFailed(Message):
    """A worker failed with an error a user can act on."""

    title: str
    message: str = ""
    file: str = ""
    line: int = 0
