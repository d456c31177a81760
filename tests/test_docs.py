"""The README documents every command and every config key."""

from pathlib import Path

import pytest

from feedmaker.cli import cli
from feedmaker.config import SITE_KEYS, SOURCE_KEYS, reference_table
from feedmaker.sources import SOURCE_TYPES
from feedmaker.tagger.rules import TOPIC_KEYS

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_the_two_commands():
    head = README[:1500]
    assert "make demo" in head and "make test" in head


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_is_in_the_readme(command):
    assert f"feedmaker {command}" in README


def test_the_readme_config_reference_is_the_one_made_from_the_declared_keys():
    assert reference_table() in README, "run scripts/config_reference.py and paste its table"


@pytest.mark.parametrize("key", [f"site.{k}" for k in SITE_KEYS]
                         + [f"sources[].{k}" for k in SOURCE_KEYS]
                         + [f"topics.<slug>.{k}" for k in TOPIC_KEYS])
def test_every_declared_key_has_a_row_in_the_reference(key):
    assert f"| `{key}` |" in reference_table()


@pytest.mark.parametrize("kind", sorted(SOURCE_TYPES))
def test_every_source_type_is_in_the_readme(kind):
    assert f"| `{kind}` |" in README


def toml_blocks() -> list[str]:
    parts = README.split("```toml\n")[1:]
    return [part.split("```", 1)[0] for part in parts]


@pytest.mark.parametrize("block", toml_blocks())
def test_every_toml_example_in_the_readme_is_a_valid_config(block, tmp_path):
    import tomllib

    from feedmaker.config import parse_config

    for view in tomllib.loads(block).get("views", {}).values():  # a like view's files
        for name in view.get("like", []) + view.get("not_like", []):
            (tmp_path / name).write_text("2605.15320\n")
    parse_config(block, base_dir=tmp_path, where="README example")
