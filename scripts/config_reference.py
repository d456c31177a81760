"""The config reference tables of docs/configuration.md, made from the declared config keys.

The tables sit between cog markers in the docs; cog (cogapp) runs the code in the markers
and writes its output below them. Regenerate after changing a key, check that nothing is
stale (a test runs the check):

    python scripts/config_reference.py           # rewrite the tables in place
    python scripts/config_reference.py --check   # exit 5 when a table is stale

In a cog marker: `import config_reference as ref; cog.out(ref.table("site"))`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from feedmaker.schema import Key, default_text

REPO = Path(__file__).resolve().parent.parent
# The documents that hold generated tables.
DOCUMENTS = ("docs/configuration.md",)


def declared_tables() -> dict[str, dict[str, Key]]:
    """Every config table's keys, by table: `site`, `sources` (the keys every source takes),
    `sources:<type>` (a type's own), `topics`, `views` (beyond the topics' keys) and `likes`
    (a `like` view's). The one place that knows where the keys are declared."""
    from feedmaker.config import SITE_KEYS, SOURCE_KEYS
    from feedmaker.like import LIKE_KEYS, ONLY_LIKE
    from feedmaker.sources import SOURCE_TYPES
    from feedmaker.tagger.rules import TOPIC_KEYS
    from feedmaker.views import VIEW_KEYS

    tables = {"site": dict(SITE_KEYS), "sources": dict(SOURCE_KEYS)}
    tables |= {f"sources:{kind}": module.OPTIONS for kind, module in SOURCE_TYPES.items()}
    tables["topics"] = dict(TOPIC_KEYS)
    tables["views"] = {name: key for name, key in VIEW_KEYS.items() if name not in TOPIC_KEYS}
    tables["likes"] = {name: LIKE_KEYS[name] for name in ONLY_LIKE}
    return tables


def table(name: str) -> str:
    """One table of `declared_tables()` as Markdown: key, meaning, default."""
    keys = declared_tables()[name]
    if not keys:
        return "This type takes no keys of its own.\n"
    lines = ["| key | meaning | default |", "|---|---|---|"]
    lines += [f"| `{key_name}` | {_cell(key.help)} | {_cell(default_text(key))} |"
              for key_name, key in keys.items()]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def run_cog(*options: str) -> int:
    """cog over DOCUMENTS with this folder importable; returns its exit status."""
    from cogapp import Cog

    return Cog().main(["cog", *options, "-I", str(Path(__file__).parent),
                       *(str(REPO / document) for document in DOCUMENTS)])


if __name__ == "__main__":
    if sys.argv[1:] not in ([], ["--check"]):
        sys.exit(__doc__)
    if not sys.argv[1:]:
        sys.exit(run_cog("-r"))
    status = run_cog("--check")
    if status:
        print("the tables are stale: run python scripts/config_reference.py", file=sys.stderr)
    sys.exit(status)
