"""The README and docs/ are a manual that stays true: short README, working links, valid
config examples, every command documented, generated tables up to date and complete.

No test here pins a measured figure (a benchmark, an evaluation) into prose: those are
printed by `make eval` and `make bench`.
"""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path

import pytest

from feedmaker.cli import cli
from feedmaker.config import parse_config
from feedmaker.errors import ConfigError
from feedmaker.sources import SOURCE_TYPES

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
DOCUMENTS = [README, REPO / "CHANGELOG.md", *sorted((REPO / "docs").glob("*.md"))]

FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)
LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def name(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def blocks(path: Path) -> list[tuple[str, str, int]]:
    """The fenced code blocks of a Markdown file: (info string, code, line of the fence)."""
    source = text(path)
    return [(match.group(1).strip(), match.group(2), source.count("\n", 0, match.start()) + 1)
            for match in FENCE.finditer(source)]


def prose(source: str) -> str:
    """Markdown without its fenced blocks and code spans (each fence left as blank lines,
    so that nothing in code counts as a link or a heading)."""
    source = FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), source)
    return CODE_SPAN.sub(" ", source)


# --- the README ---------------------------------------------------------------------------

def test_the_readme_fits_on_a_few_screens():
    lines = text(README).count("\n")
    assert lines <= 200, f"README.md has {lines} lines; move detail into docs/"


def test_readme_starts_with_the_two_commands():
    head = text(README)[:1500]
    assert "make demo" in head and "make test" in head


def test_the_readme_links_every_page_of_the_docs():
    linked = {target.split("#")[0] for target in LINK.findall(prose(text(README)))}
    pages = {name(page) for page in (REPO / "docs").glob("*.md")}
    assert pages - linked == set()


# --- links --------------------------------------------------------------------------------

def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    heading = CODE_SPAN.sub(lambda m: m.group(2), heading)
    heading = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link: its text
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading's anchor in a Markdown file (a repeated one gets -1, -2, ...)."""
    found: set[str] = set()
    source = FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), text(path))
    for heading in HEADING.findall(source):
        anchor, number = slug(heading), 0
        while (anchor if not number else f"{anchor}-{number}") in found:
            number += 1
        found.add(anchor if not number else f"{anchor}-{number}")
    return found


def broken_links(path: Path, source: str | None = None) -> list[str]:
    """The relative links of a Markdown file (its text, or `source`) that lead to no file,
    or to no heading of a Markdown file."""
    broken = []
    for target in LINK.findall(prose(text(path) if source is None else source)):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
            continue
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        if not linked.is_file():
            broken.append(f"{name(path)}: {target}: no such file")
            continue
        if anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{name(path)}: {target}: no heading with that anchor")
    return broken


@pytest.mark.parametrize("path", DOCUMENTS, ids=name)
def test_every_relative_link_leads_to_a_file_and_heading(path):
    assert broken_links(path) == []


def test_the_link_check_finds_a_missing_file_and_a_missing_heading():
    page = REPO / "docs" / "operations.md"
    assert {"site", "topicsslug", "sources"} <= anchors(REPO / "docs" / "configuration.md")
    assert broken_links(page, "[a](configuration.md#site) [b](nowhere.md) "
                              "[c](configuration.md#nowhere) `[d](nowhere.md)` "
                              "[e](https://example.org/x) [f](#exit-statuses) [g](#nothing)\n"
                              "```\n[h](nowhere.md)\n```\n") == [
        "docs/operations.md: nowhere.md: no such file",
        "docs/operations.md: configuration.md#nowhere: no heading with that anchor",
        "docs/operations.md: #nothing: no heading with that anchor"]


# --- examples and commands ----------------------------------------------------------------

def toml_examples() -> list:
    return [pytest.param(code, id=f"{name(path)}:{line}")
            for path in DOCUMENTS for info, code, line in blocks(path) if info == "toml"]


@pytest.mark.parametrize("block", toml_examples())
def test_every_toml_example_is_a_valid_config(block, tmp_path):
    """A piece of a config that is not a whole one is marked ```toml fragment."""
    for view in tomllib.loads(block).get("views", {}).values():  # a like view's files
        for file_name in view.get("like", []) + view.get("not_like", []):
            (tmp_path / file_name).write_text("2605.15320\n")
    parse_config(block, base_dir=tmp_path, where="example")


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_is_documented(command):
    assert any(f"feedmaker {command}" in text(path) for path in DOCUMENTS), (
        f"`feedmaker {command}` is in no page: add it to the README's commands and the docs")


SHELL = {"sh", "console", "cron", "ini", "bash"}
COMMAND = re.compile(r"(?:^|[\s/$(])feedmaker ([a-z][a-z-]*)\b", re.MULTILINE)


def commands_shown(path: Path) -> set[str]:
    """The `feedmaker <command>` of code spans and shell blocks."""
    source = text(path)
    code = [m.group(2) for m in CODE_SPAN.finditer(FENCE.sub("", source))]
    code += [block for info, block, _ in blocks(path) if info in SHELL]
    return {found for piece in code for found in COMMAND.findall(piece)}


@pytest.mark.parametrize("path", DOCUMENTS, ids=name)
def test_every_command_the_docs_show_exists(path):
    assert commands_shown(path) - set(cli.commands) == set()


@pytest.mark.parametrize("kind", sorted(SOURCE_TYPES))
def test_every_source_type_is_described(kind):
    assert f"| `{kind}` |" in text(REPO / "docs" / "sources.md")


# --- the generated config reference ------------------------------------------------------

def config_reference():
    spec = importlib.util.spec_from_file_location(
        "config_reference", REPO / "scripts" / "config_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generated_tables_are_up_to_date(capsys):
    status = config_reference().run_cog("--check")
    assert status == 0, (capsys.readouterr().out
                         + "\nrun: .venv/bin/python scripts/config_reference.py")


def test_every_document_with_generated_tables_is_checked():
    checked = {REPO / document for document in config_reference().DOCUMENTS}
    marker = re.compile(r"^<!-- \[\[\[cog", re.MULTILINE)
    holding = {path for path in DOCUMENTS if marker.search(text(path))}
    assert holding == checked


def documented_keys() -> dict[str, set[str]]:
    """The keys each generated table of docs/configuration.md lists, as committed."""
    source = text(REPO / "docs" / "configuration.md")
    tables = {}
    for match in re.finditer(r'\[\[\[cog .*?table\("([^"]+)"\).*?\]\]\](.*?)\[\[\[end\]\]\]',
                             source, re.DOTALL):
        tables[match.group(1)] = set(re.findall(r"^\| `([\w-]+)` \|", match.group(2),
                                                re.MULTILINE))
    return tables


def known_keys(config: str) -> set[str]:
    """The keys the config checker accepts in the table of `config` that holds an unknown
    key, as its error lists them: wherever the keys are declared, this is what users get."""
    with pytest.raises(ConfigError) as caught:
        parse_config(config + "\nunknown_key_for_the_test = 1\n", base_dir=REPO, where="test")
    listed = re.search(r"\(known: ([^)]*)\)", str(caught.value))
    assert listed, str(caught.value)
    return set(listed.group(1).split(", "))


def source_types() -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config('[[sources]]\nname = "s"\ntype = "?"\nurl = "https://x.org/"',
                     base_dir=REPO, where="test")
    return re.search(r"one of (.*), got", str(caught.value)).group(1).split(", ")


def test_the_reference_lists_exactly_the_keys_the_config_accepts():
    documented = documented_keys()
    assert documented["site"] == known_keys("[site]")
    kinds = source_types()
    assert {f"sources:{kind}" for kind in kinds} <= set(documented), "a source type's table"
    for kind in kinds:
        source = f'[[sources]]\nname = "s"\ntype = "{kind}"\nurl = "https://x.org/"'
        assert documented["sources"] | documented[f"sources:{kind}"] == known_keys(source), kind
    assert documented["topics"] == known_keys('[topics.t]\nany = ["a"]')
    assert documented["topics"] | documented["views"] == known_keys('[views.v]\nany = ["a"]')
    assert {"title", "description"} | documented["likes"] == known_keys(
        '[views.v]\nlike = ["library.bib"]')
    assert not documented["views"] & documented["likes"]
