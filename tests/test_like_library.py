"""Library files: BibTeX, CSL JSON and id lists become papers; broken files are config errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from feedmaker.like.library import (
    LikeError,
    detect_format,
    identity,
    parse_library_file,
    read_bytes,
    read_library,
)
from tests.conftest import FIXTURES

LIKE = FIXTURES / "like"


def read_library_file(path: Path):
    return parse_library_file(path, read_bytes(path))


def by_title(papers):
    return {p.title: p for p in papers}


def test_a_zotero_bibtex_export_gives_titles_abstracts_ids_and_dois():
    papers, skipped = read_library_file(LIKE / "zotero.bib")
    found = by_title(papers)
    look = found["Look Before You Leap: Autonomous Exploration for LLM Agents"]
    assert look.arxiv_id == "2605.16143"
    assert look.doi == "10.48550/arxiv.2605.16143"
    assert look.abstract.startswith("Large language model agents act")
    assert look.where == f"{LIKE / 'zotero.bib'}:2"
    stale = found["STALE: Can LLM Agents Know When Their Memories Are No Longer Valid?"]
    assert stale.arxiv_id == "2605.06527"  # from a versioned arxiv.org/pdf URL
    assert found["Deep Learning"].arxiv_id is None
    assert len(papers) == 4
    assert skipped == [f"{LIKE / 'zotero.bib'}:48: entry 'zotero_note_2026' has neither a "
                       "title nor an arXiv id; skipped"]


def test_bibtex_braces_and_latex_accents_become_plain_unicode():
    papers, _ = read_library_file(LIKE / "zotero.bib")
    paper = next(p for p in papers if p.doi == "10.1234/jml.2025.001")
    assert paper.title == "Über die Größe von Sprachmodellen: Étude à la Façon de Zipf"
    assert paper.abstract == ("We measure how language model size relates to word frequency "
                              "& coverage – at 50% of the cost.")
    assert paper.arxiv_id is None


def test_arxiv_ids_come_from_eprint_arxivid_scholar_journals_and_old_style_ids():
    papers, _ = read_library_file(LIKE / "mixed.bib")
    ids = {p.title: p.arxiv_id for p in papers}
    assert ids == {
        "Boosting Reinforcement Learning with Verifiable Rewards via Randomly Selected "
        "Few-Shot Guidance": "2605.15012",
        "Solvita: Enhancing Large Language Models for Competitive Programming via Agentic "
        "Evolution": "2605.15301",
        "Long Context Pre-Training with Lighthouse Attention": "2605.06554",
        "Anti de Sitter Space And Holography": "hep-th/9802150",
        # An @string macro is expanded; a PubMed eprint is no arXiv id.
        "Clinical notes with a PubMed eprint": None,
    }


def test_a_zotero_csl_json_export_reads_number_urls_and_arxiv_dois():
    papers, skipped = read_library_file(LIKE / "zotero.json")
    found = by_title(papers)
    preping = found["PREPING: Building Agent Memory without Tasks"]
    assert (preping.arxiv_id, preping.doi) == ("2605.13880", "10.48550/arxiv.2605.13880")
    assert preping.abstract == "We study agent memory that is built before any task is given."
    assert preping.where.endswith("zotero.json:2")
    alphafold = found["Highly accurate protein structure prediction with AlphaFold"]
    assert (alphafold.arxiv_id, alphafold.doi) == (None, "10.1038/s41586-021-03819-2")
    memeye = found["MemEye: A Visual-Centric Evaluation Framework for Multimodal Agent Memory"]
    assert memeye.arxiv_id == "2605.15128"  # from a Hugging Face paper URL
    assert len(skipped) == 1 and "zotero.json:35" in skipped[0]


def test_an_id_list_accepts_versions_urls_old_ids_and_ignores_comments():
    papers, skipped = read_library_file(LIKE / "ids.txt")
    assert [p.arxiv_id for p in papers] == [
        "2605.14906", "2605.10912", "2605.15040", "2605.13941", "2605.08703", "2605.13301",
        "hep-th/9901001", "2605.14906"]
    assert papers[1].where.endswith("ids.txt:3")
    assert all(p.needs_lookup and not p.title for p in papers)
    assert skipped == []


def test_papers_listed_twice_across_files_are_kept_once():
    library = read_library([LIKE / "ids.txt", LIKE / "zotero.json"])
    ids = [p.arxiv_id for p in library.papers]
    assert ids.count("2605.14906") == 1
    assert len(library.papers) == 7 + 3


def test_an_unclosed_brace_is_a_like_error_naming_file_and_line():
    with pytest.raises(LikeError, match=r"broken\.bib:6: not valid BibTeX: .*@misc"):
        read_library_file(LIKE / "broken.bib")


@pytest.mark.parametrize(("name", "content", "message"), [
    ("lib.txt", "2401.00001\n\nnot-an-id\n", r"lib\.txt:3: not an arXiv id.*'not-an-id'"),
    ("lib.txt", "https://example.org/paper/1\n",
     r"lib\.txt:1: not an arXiv id, arXiv URL or Hugging Face paper URL"),
    ("lib.json", '[\n  {"title": "A"},\n  {"title": "B",}\n]', r"lib\.json:3: not valid JSON"),
    ("lib.json", '[\n  {"title": "A"},\n  "B"\n]', r"lib\.json:3: expected a CSL JSON item"),
    ("lib.json", '[\n  {"title": ["A"]}\n]', r"lib\.json:2: item field 'title' must be a str"),
    ("lib.json", '[\n {"title": "A"},\n {"title":\n  "B"},\n {"title": ["C"]}\n]',
     r"lib\.json:5: item field 'title' must be a str"),
    ("lib.json", '{"title": "A"}\n x', r"lib\.json:2: text after the CSL JSON"),
    ("lib.json", '[{"title": "A"}] x', r"lib\.json:1: text after the CSL JSON"),
    ("lib.bib", "@article{ok,\n  title = {A}\n}\n@article{x\n  title = {A}\n}\n",
     r"lib\.bib:4: not valid BibTeX: Expected comma after entry key"),
    ("lib.bib", "@article{x,\n  title = {A,\n  year = 2020\n}\n",
     r"lib\.bib:1: not valid BibTeX: Unexpectedly reached end of file"),
    ("lib.bib", b"@misc{x, title = {\xff}}", r"lib\.bib:1: not UTF-8 text"),
    # Parsed, but too deep for its LaTeX to be decoded: an error, not the raw braces.
    ("lib.bib", "@misc{ok, title = {Fine}}\n@misc{x, title = {" + "{" * 1000 + "x"
     + "}" * 1000 + "}}\n", r"lib\.bib:2: not valid BibTeX: Middleware could not be fully"),
])
def test_a_malformed_library_file_names_the_file_and_the_line(tmp_path, name, content, message):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(LikeError, match=message):
        read_library([path])


def test_a_missing_library_file_is_a_like_error(tmp_path):
    with pytest.raises(LikeError, match=r"missing\.bib: cannot read library file"):
        read_library([tmp_path / "missing.bib"])


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("refs.bib", "", "bibtex"),
    ("export.json", "", "csl-json"),
    ("papers.txt", "@misc{", "ids"),
    ("library", "  [{}]", "csl-json"),
    ("library", "% comment\n@Article{key,\n title={T}}", "bibtex"),
    ("library", "2401.00001\n", "ids"),
])
def test_the_format_comes_from_the_extension_else_the_content(name, content, expected):
    assert detect_format(Path(name), content) == expected


def test_a_big_bibtex_file_tells_progress_and_keeps_macros_lines_and_keys(tmp_path, monkeypatch):
    from feedmaker.like import library as reading

    monkeypatch.setattr(reading, "BIBTEX_PROGRESS", 50)
    path = tmp_path / "big.bib"
    path.write_text('@string{memo = "Agent memory"}\n'
                    + "".join(f"@misc{{k{i}, title = {{Paper number {i}}}}}\n" for i in range(10))
                    + "@misc{late, title = memo}\n@misc{k3, title = {Again}}\n")
    progress = []
    papers, notes = parse_library_file(path, path.read_bytes(),
                                       lambda *told: progress.append(told))
    assert (papers[-1].title, papers[-1].where) == ("Agent memory", f"{path}:12")
    assert notes == [f"{path}:13: entry key 'k3' is used twice (first at line 5); skipped"]
    assert len(progress) > 3 and progress[0] == (f"reading {path}", 0, path.stat().st_size)


def test_a_key_given_three_times_names_its_first_line_each_time(tmp_path):
    path = tmp_path / "thrice.bib"
    path.write_text("@misc{k, title = {First paper here}}\n@misc{j, title = {Another one}}\n"
                    "@misc{k, title = {Again}}\n@misc{k, title = {And again}}\n")
    _, notes = parse_library_file(path, path.read_bytes())
    assert notes == [f"{path}:{line}: entry key 'k' is used twice (first at line 1); skipped"
                     for line in (3, 4)]


def test_a_device_or_pipe_named_as_a_library_file_is_refused_before_it_is_read():
    # /dev/zero or a named pipe was read forever (a run that never ended); /dev/null, read,
    # was an empty library.
    with pytest.raises(LikeError, match=r"^/dev/null: cannot read library file \(a pipe or a "
                                        r"device, not a file: its reading may never end\)$"):
        read_library([Path("/dev/null")])


def test_a_symbolic_link_loop_named_as_a_library_file_fails_when_it_is_read(tmp_path):
    from feedmaker.config import parse_config

    (tmp_path / "loop.bib").symlink_to(tmp_path / "loop.bib")
    # Resolving it was pathlib's RuntimeError when the config loaded: an internal error.
    config = parse_config('[views.mine]\nlike = ["loop.bib"]\n', base_dir=tmp_path,
                          where="c.toml")
    with pytest.raises(LikeError, match=r"loop\.bib: cannot read library file \(Too many "
                                        r"levels of symbolic links\)$"):
        read_library(config.like_views[0].files)


def test_an_entry_with_a_field_longer_than_any_abstract_is_skipped_with_a_note(tmp_path):
    # Decoding a field's LaTeX takes the square of its length: a 1 MB abstract took 20 s,
    # 10 MB an hour, in a run that could not be stopped but by a kill.
    path = tmp_path / "long.bib"
    path.write_text("@misc{notes, title = {Kept}, annote = {" + "my notes " * 120_000 + "}}\n"
                    "@misc{long, title = {Long},\n abstract = {" + "word " * 30_000 + "}}\n")
    papers, notes = parse_library_file(path, path.read_bytes())
    assert [paper.title for paper in papers] == ["Kept"]
    assert notes == [f"{path}:2: entry 'long': field 'abstract' is longer than 100,000 "
                     "characters; skipped"]


def test_an_old_id_is_one_paper_with_or_without_its_subject_class():
    # A paper read by an older release kept "math.GT/0309136"; arXiv and new readings give
    # "math/0309136".
    assert identity("math.GT/0309136", None, "") == identity("math/0309136", None, "") == {
        "arxiv:math/0309136"}
