"""Print the README's config reference table, made from the declared config keys; with
--update, replace the table in README.md (a test in tests/test_docs.py holds them equal).

Usage: python scripts/config_reference.py [--update]
"""

import sys
from pathlib import Path

from feedmaker.config import reference_table

README = Path(__file__).resolve().parent.parent / "README.md"
MARK = "<!-- config reference:"


def updated(text: str) -> str:
    """README text with the table under the marker line replaced by today's."""
    head, mark, rest = text.partition(MARK)
    marker_line, _, after = rest.partition("\n")
    old_table, blank, tail = after.partition("\n\n")
    return head + mark + marker_line + "\n" + reference_table() + blank + tail


if __name__ == "__main__":
    if sys.argv[1:] == ["--update"]:
        README.write_text(updated(README.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        print(reference_table(), end="")
