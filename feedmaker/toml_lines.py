"""The line of every table, key and array item of a TOML text, so config errors can name it.

tomllib says where a syntax error is, but not where a valid value came from. This scans text
that tomllib has already accepted and records, for each path such as
`("topics", "vision", "any", 2)` or `("sources", 0, "url")`, the line it starts on.
"""

from __future__ import annotations

import contextlib
import re
import tomllib

Path = tuple[str | int, ...]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
# A string of each of TOML's four kinds; a multi-line one's content may end in one or two
# of its quotes.
_STRING = re.compile(r'"""(?:\\.|[^\\])*?"""(?!")'  # multi-line basic, escapes and all
                     r"|'''.*?'''(?!')"  # multi-line literal
                     r'|"(?:\\.|[^"\\])*"'  # basic
                     r"|'[^']*'", re.DOTALL)  # literal


def line_of(text: str, path: Path) -> int | None:
    """The 1-based line of `path` in valid TOML `text`, or of its nearest enclosing table,
    key or item that has one."""
    scanner = _Scanner(text)
    # Inline tables nested hundreds deep: the lines found before the scan ran out of stack.
    with contextlib.suppress(RecursionError):
        scanner.scan()
    lines = scanner.found
    for end in range(len(path), 0, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text.replace("\r\n", "\n")
        self.pos = 0
        self.found: dict[Path, int] = {}
        self.table_counts: dict[Path, int] = {}

    def note(self, path: Path) -> None:
        """Record that `path` starts on the current line, unless it started earlier."""
        self.found.setdefault(path, self.text.count("\n", 0, self.pos) + 1)

    def scan(self) -> dict[Path, int]:
        table: Path = ()
        while True:
            self.skip_blank(newlines=True)
            if self.pos >= len(self.text):
                return self.found
            if self.text[self.pos] == "[":
                array = self.text.startswith("[[", self.pos)  # [[sources]]: one more item
                self.pos += 2 if array else 1
                table = self.key()
                if array:
                    self.note(table)  # `[[site]]`: the array is where its first table is
                    index = self.table_counts.get(table, 0)
                    self.table_counts[table] = index + 1
                    table = (*table, index)
                self.note(table)
                self.skip_to_line_end()  # the closing brackets, and a comment
            else:
                self.key_value(table)

    def key_value(self, prefix: Path) -> None:
        path = (*prefix, *self.key())
        for end in range(len(prefix) + 1, len(path) + 1):
            self.note(path[:end])
        self.skip_blank()
        self.pos += 1  # "="
        self.skip_blank()
        self.value(path)

    def key(self) -> Path:
        parts: list[str] = []
        while True:
            self.skip_blank()
            char = self.text[self.pos]
            if char in "\"'":
                start = self.pos
                self.string()
                # A quoted key means what tomllib says its string means, escapes included.
                parts.append(tomllib.loads(f"k = {self.text[start:self.pos]}")["k"])
            else:
                match = _BARE_KEY.match(self.text, self.pos)
                parts.append(match[0])
                self.pos = match.end()
            self.skip_blank()
            if not self.text.startswith(".", self.pos):
                return tuple(parts)
            self.pos += 1

    def value(self, path: Path) -> None:
        char = self.text[self.pos]
        if char in "\"'":
            self.string()
        elif char in "[{":  # an array's items are numbered, an inline table's are keys
            self.pos += 1
            index = 0
            while True:
                self.skip_blank(newlines=True)
                if self.text[self.pos] in "]}":
                    self.pos += 1
                    return
                if char == "[":
                    self.note((*path, index))
                    self.value((*path, index))
                    index += 1
                else:
                    self.key_value(path)
                self.skip_blank(newlines=True)
                if self.text[self.pos] == ",":
                    self.pos += 1
        else:  # numbers, booleans, dates: up to the next delimiter
            while self.pos < len(self.text) and self.text[self.pos] not in ",]}\n#":
                self.pos += 1

    def string(self) -> None:
        """Move past the string that starts here."""
        self.pos = _STRING.match(self.text, self.pos).end()

    def skip_blank(self, newlines: bool = False) -> None:
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in " \t" or (newlines and char == "\n"):
                self.pos += 1
            elif char == "#":
                self.skip_to_line_end()
            else:
                return

    def skip_to_line_end(self) -> None:
        end = self.text.find("\n", self.pos)
        self.pos = len(self.text) if end < 0 else end
