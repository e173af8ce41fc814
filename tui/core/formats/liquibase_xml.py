"""A Liquibase XML changelog as a tree of elements that know their line (ElementTree's do not):
errors name the line of the change they are about, and a changeset's statements sit on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.parsers import expat


@dataclass
class Node:
    tag: str  # without its namespace
    attrs: dict[str, str]
    line: int
    children: list[Node] = field(default_factory=list)
    text: str = ""
    text_line: int = 0  # where its text starts
    end_line: int = 0  # the line of its closing tag
    source: str = ""  # a changeset's changelog, as the reader names it

    def get(self, name: str, default: str = "") -> str:
        return self.attrs.get(name, default)


class XmlError(ValueError):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def parse_xml(text: str) -> Node:
    """The root element. A DOCTYPE (and with it any entity) is refused: the caller checks first."""
    parser = expat.ParserCreate(namespace_separator="}")
    stack: list[Node] = []
    root: list[Node] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        node = Node(tag.rsplit("}", 1)[-1], {k.rsplit("}", 1)[-1]: v for k, v in attrs.items()}, parser.CurrentLineNumber)
        (stack[-1].children if stack else root).append(node)
        stack.append(node)

    def end(tag: str) -> None:
        stack.pop().end_line = parser.CurrentLineNumber

    def chars(data: str) -> None:
        if stack:
            node = stack[-1]
            if not node.text_line and data.strip():
                node.text_line = parser.CurrentLineNumber
            node.text += data

    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, chars
    try:
        parser.Parse(text, True)
    except expat.ExpatError as exc:
        raise XmlError(expat.ErrorString(exc.code), exc.lineno) from None
    if not root:
        raise XmlError("no root element", 1)
    return root[0]
