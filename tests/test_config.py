"""load_config checks the TOML once and names the file, line and field of every mistake."""

import re
from pathlib import Path

import pytest

from feedmaker.config import load_config, parse_config
from feedmaker.errors import ConfigError
from feedmaker.tagger import default_topics

SPEC_SLUGS = ["language", "vision", "multimodal", "generative", "audio", "robotics",
              "reinforcement-learning", "agents", "efficiency", "theory", "graphs", "time-series",
              "biology-medicine", "science", "security", "retrieval-recsys", "interpretability"]

GOOD = """\
[site]
title = "Mine"
base_url = "https://feeds.example.org/sub"
out_dir = "public"
state = "var/state.sqlite"
max_entries = 20

[[sources]]
name = "hf"
type = "hf-api"
url = "https://huggingface.co/api/daily_papers"

[[sources]]
name = "snap"
type = "hf-page"
url = "file:snapshots/page.html"

[topics.vision]
title = "Vision"
any = ["image", "ViT"]
none = ["vision-language"]
"""


def load_text(tmp_path: Path, text: str):
    path = tmp_path / "feedmaker.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def test_a_good_config_loads_into_typed_values_with_paths_relative_to_the_file(tmp_path):
    config = load_text(tmp_path, GOOD)
    assert config.site.base_url == "https://feeds.example.org/sub/"
    assert config.site.out_dir == tmp_path / "public"
    assert config.site.state == tmp_path / "var" / "state.sqlite"
    assert config.site.max_entries == 20
    assert [s.name for s in config.sources] == ["hf", "snap"]
    assert config.sources[1].url == (tmp_path / "snapshots" / "page.html").as_uri()
    assert [t.slug for t in config.topics] == ["vision"]
    assert [t.source for t in config.topics[0].none] == ["vision-language"]


def test_without_a_config_file_the_built_in_defaults_are_used(tmp_path):
    config = load_config(None, cwd=tmp_path)
    assert config.path is None
    assert [s.url for s in config.sources] == ["https://huggingface.co/api/daily_papers?limit=100"]
    assert [t.slug for t in config.topics] == SPEC_SLUGS
    assert config.site.out_dir == tmp_path / "feeds"


def test_feedmaker_toml_in_the_working_folder_is_used_when_present(tmp_path):
    (tmp_path / "feedmaker.toml").write_text(GOOD, encoding="utf-8")
    assert load_config(None, cwd=tmp_path).site.title == "Mine"


def test_a_config_without_topics_uses_the_17_default_topics():
    config = parse_config('[site]\ntitle = "x"\n', base_dir=Path("/tmp"), where="c.toml")
    assert [t.slug for t in config.topics] == SPEC_SLUGS == [t.slug for t in default_topics()]


@pytest.mark.parametrize("text, message", [
    ("[site\n", r"c\.toml: invalid TOML: .*line 1"),
    ('[site]\nmax_entries = "ten"\n', r"c\.toml:2: site\.max_entries: must be a whole number"),
    ('[site]\ntitel = "x"\n', r"c\.toml:2: site\.titel: unknown key"),
    ('[site]\nbase_url = "feeds.example.org"\n',
     r"c\.toml:2: site\.base_url: must be an absolute"),
    ('[site]\nout_dir = "pub"\nstate = "pub/state.sqlite"\n',
     r"c\.toml:3: site\.state: .* must not be inside site\.out_dir"),
    ('[[sources]]\nname = "a"\ntype = "rss"\nurl = "https://x.org/"\n',
     r"c\.toml:3: sources\[1\]\.type: must be one of hf-api, hf-page.*got 'rss'"),
    ('[[sources]]\nname = "a"\ntype = "hf-api"\n', r"c\.toml:1: sources\[1\]\.url: is required"),
    ('[[sources]]\nname = "a"\ntype = "hf-api"\nurl = "x"\n\n'
     '[[sources]]\nname = "a"\ntype = "hf-api"\nurl = "https://x.org/"\n',
     r"c\.toml:4: sources\[1\]\.url: must be an http\(s\) or file: URL"),
    ('[[sources]]\nname = "a"\ntype = "hf-api"\nurl = "https://x.org/"\n\n'
     '[[sources]]\nname = "a"\ntype = "hf-api"\nurl = "https://x.org/"\n',
     r"c\.toml:7: sources\[2\]\.name: 'a' is used twice"),
    ('[topics.Vision]\nany = ["image"]\n', r"c\.toml:1: topics\.Vision: slug 'Vision'"),
    ('[topics."../x"]\nany = ["image"]\n',
     r'c\.toml:1: topics\."\.\./x": slug \'\.\./x\' must be lower-case'),
    ('[topics.con]\nany = ["image"]\n', r"c\.toml:1: topics\.con: slug 'con' is reserved"),
    ('[topics.all]\nany = ["image"]\n', r"slug 'all' is reserved"),
    ('[topics.index]\nany = ["image"]\n', r"slug 'index' is reserved"),
    ('[topics.vision]\nany = []\n', r"c\.toml:1: topics\.vision: needs at least one term"),
    ('[topics.vision]\nany = ["image", 3]\n',
     r"c\.toml:2: topics\.vision\.any\[2\]: term 3: must be a non-empty"),
    ('[topics.vision]\nany = "image"\n',
     r"c\.toml:2: topics\.vision\.any: must be a list of terms"),
    ('[topics.vision]\nany = ["image"]\nnoen = ["x"]\n',
     r"c\.toml:3: topics\.vision\.noen: unknown key"),
    ('[sites]\ntitle = "x"\n', r"c\.toml:1: sites: unknown table"),
])
def test_mistakes_are_reported_with_file_line_and_field(text, message):
    with pytest.raises(ConfigError, match=message):
        parse_config(text, base_dir=Path("/tmp"), where="c.toml")


def test_an_unreadable_config_file_is_a_config_error_naming_it(tmp_path):
    with pytest.raises(ConfigError, match="missing.toml: cannot read config"):
        load_config(tmp_path / "missing.toml")


def test_out_and_state_overrides_are_checked_too(tmp_path):
    config = load_text(tmp_path, GOOD)
    moved = config.with_paths(out_dir=tmp_path / "elsewhere")
    assert moved.site.out_dir == tmp_path / "elsewhere"
    with pytest.raises(ConfigError, match="must not be inside"):
        config.with_paths(state=tmp_path / "public" / "s.sqlite")


# Every kind of mistake, each with the line it must be reported at.
CORPUS = [
    ('[site]\ntitle = "x"\nmax_entries = 0\n', 3, "site.max_entries"),
    ('[site]\nmax_entries = 10_000_000\n', 2, "site.max_entries"),
    ('[site]\nmax_age_days = 1e9\n', 2, "site.max_age_days"),
    ('[site]\nmax_age_days = true\n', 2, "site.max_age_days"),
    ('[site]\n\nicon = "javascript:alert(1)"\n', 3, "site.icon"),
    ('[site]\nbase_url = "https://x.org/feeds?a=1"\n', 2, "site.base_url"),
    ('[site]\nbase_url = "https://x.org/my feeds/"\n', 2, "site.base_url"),
    ('[site]\nicon = "http://[x/"\n', 2, "site.icon"),  # urlsplit's ValueError
    ('[site]\nformats = ["atom", "rss"]\n', 2, "site.formats"),
    ('[site]\nformats = ["json"]\n', 2, "site.formats"),
    ('[site]\ntitle = "tab\tin title"\n', 2, "site.title"),
    ('site = 3\n', 1, "site"),
    ('[[sources]]\nname = "a b"\ntype = "hf-api"\nurl = "https://x.org/"\n', 2,
     "sources[1].name"),
    ('[[sources]]\nname = "a"\ntype = "hf-api"\nurl = "https://x.org/"\npages = 0\n', 5,
     "sources[1].pages"),
    ('[[sources]]\nname = "a"\ntype = "hf-api"\nurl = "https://[x/"\n', 4, "sources[1].url"),
    ('[[sources]]\nname = "a"\ntype = "hf-api"\nurl = "https://x.org/"\n'
     'min_interval = -1\n', 5, "sources[1].min_interval"),
    ('[[sources]]\nname = "a"\ntype = "hf-api"\nurl = "https://x.org/"\n'
     'min_interval = nan\n', 5, "sources[1].min_interval"),
    ('[[sources]]\nname = "a"\ntype = "arxiv-rss"\nurl = "https://x.org/"\n'
     'announce_types = ["old"]\n', 5, "sources[1].announce_types"),
    ('[[sources]]\nname = "a"\ntype = "feed"\nurl = "https://x.org/"\nallow_empty = 1\n', 5,
     "sources[1].allow_empty"),
    ('[topics.vision]\ntitle = ""\nany = ["x"]\n', 2, "topics.vision.title"),
    ('[topics.vision]\nany = [\n  "image",\n  "seg*ment",\n]\n', 4, "topics.vision.any[2]"),
    ('[topics.vision]\nany = [\n  "image",\n  {term = "x", weight = 0},\n]\n', 4,
     "topics.vision.any[2]"),
    ('[topics.vision]\nany = ["image"]\nall = [["a"], []]\n', 3, "topics.vision.all[2]"),
    ('[topics.vision]\nany = ["image"]\nnone = ["x^2"]\n', 3, "topics.vision.none"),
    ('[topics.vision]\nany = ["image"]\nthreshold = 1e9\n', 3, "topics.vision.threshold"),
    ('[topics.vision]\nany = ["image"]\ntitle_weight = 0\n', 3, "topics.vision.title_weight"),
    ('[topics.vision]\nany = ["image^nan"]\n', 2, "topics.vision.any[1]"),
    ('[topics.vision]\nany = ["titel:survey"]\n', 2, "topics.vision.any[1]"),
    ("[topics.vision]\nany = ['re:(a']\n", 2, "topics.vision.any[1]"),
    ('[topics]\nvision = {any = ["x^0"]}\n', 2, "topics.vision.any[1]"),
    ('[topics.a]\nany = ["x"]\n[topics.b]\nany = []\n', 3, "topics.b"),
    ('topics = {}\n', 1, "topics"),
]


@pytest.mark.parametrize("text, line, field", CORPUS)
def test_every_config_error_names_file_line_and_field(text, line, field):
    with pytest.raises(ConfigError) as info:
        parse_config(text, base_dir=Path("/tmp"), where="c.toml")
    assert str(info.value).startswith(f"c.toml:{line}: {field}: "), str(info.value)
    assert len(str(info.value).splitlines()) == 1


def test_a_config_saved_with_a_byte_order_mark_loads(tmp_path):
    path = tmp_path / "feedmaker.toml"
    path.write_bytes("\ufeff".encode() + GOOD.encode())
    assert load_config(path).site.title == "Mine"
    path.write_bytes("\ufeff".encode() + b"[site]\nmax_entries = 0\n")
    with pytest.raises(ConfigError, match=r"feedmaker\.toml:2: site\.max_entries"):
        load_config(path)


def uncommented(text: str, without: str) -> str:
    """The starter config with its commented TOML lines made live, except the blocks whose
    table header starts with `without`."""
    lines, skipping = [], False
    for line in text.splitlines():
        if line.startswith("# ["):
            skipping = line.startswith(f"# [{without}")
        if not skipping and re.match(r"# (\[|[a-z_]+ = )", line):
            line = line[2:]
        lines.append(line)
    return "\n".join(lines)


@pytest.mark.parametrize("without, feeds", [
    ("views.", ["all", "vision"]),  # any [topics.*] table replaces the default topics
    ("topics.", ["all", *SPEC_SLUGS, "efficient-vision", "popular", "like-mine"]),
])
def test_the_starter_configs_commented_examples_load_once_uncommented(without, feeds, tmp_path):
    from feedmaker.config import starter_config_text

    (tmp_path / "library.bib").write_text("@misc{a, title = {A paper}}\n")
    config = parse_config(uncommented(starter_config_text(), without), base_dir=tmp_path,
                          where="starter")
    assert [s.name for s in config.sources] == ["hf-daily", "arxiv-cl"]
    assert [f.slug for f in config.feeds] == feeds


def test_a_tilde_in_a_path_is_the_users_home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    config = load_text(tmp_path, '[site]\nout_dir = "~/feeds"\nstate = "~/.fm/state.sqlite"\n')
    assert config.site.out_dir == tmp_path / "home" / "feeds"
    assert config.site.state == tmp_path / "home" / ".fm" / "state.sqlite"


def test_a_sources_settings_digest_is_the_one_stores_already_keep():
    # A source's usual entry count is stored under this digest: an upgrade that changed it
    # would forget every source's usual size. These are the digests of 0.2.0's stores.
    text = """
[[sources]]
name = "a"
type = "hf-api"
url = "https://huggingface.co/api/daily_papers"

[[sources]]
name = "b"
type = "html"
url = "https://e.org/"
item = "li"
title = "h3"
link = "a"
timeout = 30
"""
    sources = parse_config(text, base_dir=Path("/tmp"), where="t").sources
    assert [s.settings[:16] for s in sources] == ["6f421e8d00144cc2", "bbce614c93473a5e"]
    assert sources[1].timeout == 30


@pytest.mark.parametrize("text, line, field", [
    # pathlib raised RuntimeError for a user with no home folder: an internal error, exit 70.
    ('[site]\nout_dir = "feeds"\nstate = "~no-such-user-here/state.sqlite"\n', 3,
     "site.state"),
    ('[site]\n\nout_dir = "~no-such-user-here/feeds"\n', 3, "site.out_dir"),
    # An array of tables where a table belongs had no line.
    ('[[site]]\ntitle = "x"\n', 1, "site"),
    ('[topics.a]\nany = ["x"]\n\n[[views]]\nany = ["x"]\n', 4, "views"),
])
def test_odd_paths_and_tables_are_config_errors_with_their_line(text, line, field):
    with pytest.raises(ConfigError) as info:
        parse_config(text, base_dir=Path("/tmp"), where="c.toml")
    assert str(info.value).startswith(f"c.toml:{line}: {field}: "), str(info.value)


@pytest.mark.parametrize("nested", ["[" * 2000 + "]" * 2000, "{a = " * 2000 + "1" + "}" * 2000])
def test_values_nested_too_deeply_for_tomllib_are_invalid_toml(nested):
    # tomllib's RecursionError was an internal error, exit 70.
    with pytest.raises(ConfigError, match=r"^c\.toml: invalid TOML: arrays or inline tables "
                                          r"nested too deeply$"):
        parse_config(f"[site]\ntitle = {nested}\n", base_dir=Path("/tmp"), where="c.toml")


def test_the_line_of_a_key_inside_inline_tables_nested_too_deeply_is_its_enclosing_keys():
    # tomllib takes a few hundred levels that the line scanner's own recursion did not (a
    # RecursionError, exit 70): the line found is then that of the outermost key.
    from feedmaker.toml_lines import line_of

    text = "[topics.t]\nany = ['x']\nx = " + "{a = " * 2000 + "1" + "}" * 2000 + "\n"
    assert line_of(text, ("topics", "t", "x", *["a"] * 2000)) == 3


def test_paths_in_a_loop_of_symbolic_links_load_and_fail_where_they_are_used(tmp_path):
    # Resolving them was pathlib's RuntimeError ("Symlink loop"): an internal error, exit 70.
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    config = load_text(tmp_path, '[site]\nout_dir = "loop/feeds"\nstate = "loop/s.sqlite"\n\n'
                       '[[sources]]\nname = "a"\ntype = "feed"\nurl = "file:loop/feed.xml"\n')
    assert config.site.out_dir == tmp_path / "loop" / "feeds"
    assert config.site.state == tmp_path / "loop" / "s.sqlite"
    assert config.sources[0].url == (tmp_path / "loop" / "feed.xml").as_uri()
    moved = config.with_paths(out_dir=tmp_path / "loop" / "x", state=tmp_path / "loop" / "y")
    assert (moved.site.out_dir, moved.site.state) == (tmp_path / "loop" / "x",
                                                      tmp_path / "loop" / "y")


@pytest.mark.parametrize("text, field", [
    ('[site]\nmax_entries = "{}"\n', "site.max_entries"),
    ('[site]\ntitle = "\\u0007{}"\n', "site.title"),
    ('[site]\nicon = "{}"\n', "site.icon"),
    ('[site]\nbase_url = "https://x.org/?{}"\n', "site.base_url"),
])
def test_a_huge_wrong_value_is_shown_by_its_start(text, field):
    # The whole value was repeated: a 100,000-character line for a file pasted in a key.
    with pytest.raises(ConfigError) as info:
        parse_config(text.format("a" * 100_000), base_dir=Path("/tmp"), where="c.toml")
    assert str(info.value).startswith(f"c.toml:2: {field}: ")
    assert len(str(info.value)) < 250, str(info.value)
