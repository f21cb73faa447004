"""What README.md shows a user: its shell commands, Python snippets and command templates.

``tests/test_readme.py`` runs what this module extracts, so a changed README is a changed test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"

_FENCE = re.compile(r"^```(\w*)\s*$")
_FILE = re.compile(r"^<!--\s*file:\s*(\S+)\s*-->$")


@dataclass(frozen=True)
class Block:
    """A fenced code block of the README: its language, first line number and text."""

    language: str
    line: int
    text: str
    file: str | None = None  # named by a ``<!-- file: NAME -->`` line just above the fence


def blocks(text: str | None = None) -> list[Block]:
    """Every fenced code block, in order."""
    lines = (README.read_text(encoding="utf-8") if text is None else text).splitlines()
    found: list[Block] = []
    language, start, body, file = None, 0, [], None
    previous = ""
    for number, line in enumerate(lines, start=1):
        fence = _FENCE.match(line)
        if fence and language is None:
            language, start, body = fence.group(1) or "text", number + 1, []
            named = _FILE.match(previous.strip())
            file = named.group(1) if named else None
        elif line.strip() == "```" and language is not None:
            found.append(Block(language, start, "\n".join(body), file))
            language = None
        elif language is not None:
            body.append(line)
        if line.strip():
            previous = line
    return found


def files(text: str | None = None) -> dict[str, str]:
    """The example files the README shows, by name."""
    return {b.file: b.text + "\n" for b in blocks(text) if b.file}


def shell_commands(text: str | None = None) -> list[tuple[int, str]]:
    """Each command of the README's ``bash`` blocks, continuation lines joined, comments dropped."""
    commands = []
    for block in blocks(text):
        if block.language not in ("bash", "sh", "shell", "console"):
            continue
        pending, first = "", block.line
        for offset, raw in enumerate(block.text.splitlines()):
            line = raw.rstrip()
            if not pending:
                first = block.line + offset
            if line.endswith("\\"):
                pending += line[:-1] + " "
                continue
            command = _without_comment(pending + line).strip()
            pending = ""
            if command:
                commands.append((first, command))
    return commands


def python_snippets(text: str | None = None) -> list[Block]:
    """The README's ``python`` blocks."""
    return [b for b in blocks(text) if b.language == "python"]


def command_templates(text: str | None = None) -> list[list[str]]:
    """The ``levelscope`` command lines the README quotes inline (in backticks), as words.

    Templates name placeholders in capitals (``AREA``, ``CODE``) and optional parts in brackets;
    the test checks that their commands and options exist.
    """
    source = README.read_text(encoding="utf-8") if text is None else text
    found = []
    for quoted in re.findall(r"`([^`\n]+)`", source):
        words = quoted.replace("[", " ").replace("]", " ").split()
        if words and words[0] == "levelscope" and len(words) > 1:
            found.append(words[1:])
    # the command table names commands without the program name
    for row in re.findall(r"^\| ((?:`[^`]+`,? ?)+) \|", source, flags=re.MULTILINE):
        for quoted in re.findall(r"`([^`]+)`", row):
            words = quoted.replace("[", " ").replace("]", " ").split()
            if words and re.fullmatch(r"[a-z]+", words[0]):
                found.append(words)
    return found


def _without_comment(line: str) -> str:
    """``line`` up to a ``#`` that starts a comment (not one inside quotes or a word)."""
    quote = None
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1].isspace()):
            return line[:index]
    return line
