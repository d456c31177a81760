"""Views: rules over what is known of a paper, checked when the config loads."""

from pathlib import Path

import pytest

from feedmaker.config import parse_config
from feedmaker.errors import ConfigError
from feedmaker.model import Entry
from feedmaker.views import ViewTagger

BASE = """\
[[sources]]
name = "hf"
type = "hf-api"
url = "https://huggingface.co/api/daily_papers"

[[sources]]
name = "arxiv-ro"
type = "arxiv-rss"
url = "https://rss.arxiv.org/rss/cs.RO"

[topics.vision]
any = ["image"]

[topics.efficiency]
any = ["efficient"]

[topics.generative]
any = ["diffusion"]

[topics.robotics]
any = ["robot"]
"""


def views(text: str):
    config = parse_config(BASE + text, base_dir=Path("/tmp"), where="c.toml")
    return config, ViewTagger(config.views)


def paper(title="A paper", summary="", authors=(), upvotes=None) -> Entry:
    return Entry(id="https://arxiv.org/abs/2605.00001", title=title, summary=summary,
                 url="https://x.org/", source="hf", authors=tuple(authors), upvotes=upvotes,
                 top_upvotes=upvotes)


def test_a_view_combines_topics_and_excludes_one():
    _, tagger = views('[views.fast-vision]\nall = ["topic:vision", "topic:efficiency"]\n'
                      'none = ["topic:generative"]\n')
    assert tagger.place(paper(), ["vision", "efficiency"], ["hf"])[0] == ["fast-vision"]
    assert tagger.place(paper(), ["vision"], ["hf"])[0] == []
    assert tagger.place(paper(), ["vision", "efficiency", "generative"], ["hf"])[0] == []


def test_views_name_authors_sources_terms_and_other_views():
    _, tagger = views("""
[views.lab]
any = ["authors:Ada Lovelace", "authors:Alan Turing"]

[views.arxiv-robots]
all = ["topic:robotics", "source:arxiv-ro"]

[views.popular]
any = ["source:hf"]
min_upvotes = 20

[views.robots-or-popular]
any = ["view:arxiv-robots", "view:popular"]

[views.mamba]
title = "Mamba papers"
any = ["mamba", "state space model"]
""")
    assert tagger.place(paper(authors=["Alan Turing"]), [], ["hf"])[0] == ["lab"]
    assert tagger.place(paper(), ["robotics"], ["hf", "arxiv-ro"])[0] == [
        "arxiv-robots", "robots-or-popular"]
    assert tagger.place(paper(upvotes=25), [], ["hf"])[0] == ["popular", "robots-or-popular"]
    assert tagger.place(paper(upvotes=5), [], ["hf"])[0] == []
    assert tagger.place(paper(summary="A Mamba model."), [], ["arxiv-ro"])[0] == ["mamba"]


def test_a_paper_that_once_reached_the_bar_stays_though_its_count_fell():
    _, tagger = views('[views.popular]\nmin_upvotes = 20\n')
    fell = paper(upvotes=3)
    fell = Entry(**{**fell.__dict__, "top_upvotes": 31})
    [result] = tagger.explain(fell, [], ["hf"])
    assert result.matched and result.upvotes_ok


def test_views_are_feeds_after_the_topics_and_not_topics_of_a_paper():
    config, _ = views('[views.lab]\nany = ["authors:Ada Lovelace"]\n')
    assert [(f.slug, f.kind) for f in config.feeds][-2:] == [("robotics", "topic"),
                                                             ("lab", "view")]
    assert "lab" not in [t.slug for t in config.topics]


@pytest.mark.parametrize("text, line, message", [
    ('[views.x]\nany = ["topic:visoin"]\n', 2,
     r"views\.x\.any\[1\]: term 'topic:visoin': no topic is called 'visoin' \(known: "
     r"efficiency, generative, robotics, vision\)"),
    ('[views.x]\nall = ["topic:vision", ["source:hf", "source:arxiv"]]\n', 2,
     r"views\.x\.all\[2\]\[2\]: term 'source:arxiv': no source is called 'arxiv'"),
    ('[views.x]\nnone = ["view:y"]\nany = ["image"]\n', 2,
     r"views\.x\.none\[1\]: term 'view:y': no view is called 'y'"),
    ('[views.a]\nany = ["view:b"]\n\n[views.b]\nany = ["view:c"]\n\n[views.c]\nany = ["view:a"]\n',
     1, r"views\.a: views name each other in a circle: view:a -> view:b -> view:c -> view:a"),
    ('[views.a]\nany = ["view:a"]\n', 1, r"views\.a: views name each other in a circle"),
    ('[views.z]\nany = ["view:b"]\n\n[views.a]\nany = ["view:b"]\n\n[views.b]\nany = ["view:a"]\n',
     4, r"views\.a: views name each other in a circle: view:a -> view:b -> view:a"),
    ('[views.vision]\nany = ["image"]\n', 1, r"views\.vision: a topic is called 'vision' too"),
    ('[views.all]\nany = ["image"]\n', 1, r"views\.all: slug 'all' is reserved"),
    ('[views.x]\ntitle = "X"\n', 1, r"views\.x: needs at least one term in `any` or `all`"),
    ('[views.x]\nmin_upvotes = -1\n', 2, r"views\.x\.min_upvotes: must be a whole number"),
    ('[views.x]\nany = ["image"]\nmin_upvote = 3\n', 3, r"views\.x\.min_upvote: unknown key"),
    ('[topics.x]\nany = ["topic:vision"]\n', 2,
     r"topics\.x\.any\[1\]: term 'topic:vision': field 'topic' is for views only"),
    ('[views.x]\nany = ["image"]\nwatch = ["mine.bib"]\n', 3,
     r"views\.x\.watch: is for news views: add `news = \[\.\.\.\]` or remove it"),
    ('[views.x]\nany = ["image"]\nnews = []\n', 3, r"views\.x\.news: names no kind of news"),
    ('[views.x]\nany = ["image"]\nnews = ["code", "popular"]\n', 3,
     r"views\.x\.news: 'popular' needs the upvotes to reach: set `popular_upvotes`"),
    ('[views.x]\nany = ["image"]\nnews = ["code"]\npopular_upvotes = 5\n', 4,
     r"views\.x\.popular_upvotes: is the bar of `popular` news"),
    ('[views.x]\nnews = ["code"]\n', 1, r"views\.x: needs at least one term in `any` or `all`"),
])
def test_view_mistakes_name_file_line_and_field(text, line, message):
    base = BASE if text.startswith("[views") else ""
    line += base.count("\n")  # `line` counts in `text`
    with pytest.raises(ConfigError, match=rf"^c\.toml:{line}: {message}"):
        parse_config(base + text, base_dir=Path("/tmp"), where="c.toml")


def test_a_view_with_only_an_upvote_bar_holds_every_paper_that_reached_it():
    config, tagger = views('[views.popular]\ntitle = "Popular"\nmin_upvotes = 10\n')
    assert config.views[0].rule.any == ()
    assert tagger.place(paper(upvotes=10), [], [])[0] == ["popular"]
    assert tagger.place(paper(upvotes=None), [], [])[0] == []


def test_a_views_hits_on_other_views_are_listed_in_config_order():
    # `a` is evaluated after `b`, whichever order the views are placed in.
    _, tagger = views("""
[views.a]
any = ["view:b"]
[views.b]
any = ["source:hf"]
[views.c]
any = ["source:hf"]
[views.d]
any = ["view:a", "view:c"]
threshold = 2
""")
    results = tagger.explain(paper(), [], ["hf"])
    assert [hit.term for hit in results[3].rule.hits] == ["view:a", "view:c"]
    assert tagger.place(paper(), [], ["hf"])[0] == ["a", "b", "c", "d"]
