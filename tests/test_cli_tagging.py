"""The tag, eval, explain and suggest commands, as a user runs them."""

import json
import subprocess
import sys

from click.testing import CliRunner

from feedmaker.cli import cli

from .conftest import FIXTURES, NOW, write_config

DEV = FIXTURES / "arxiv-topics-dev.jsonl"
SAMPLE = FIXTURES / "eval-sample.jsonl"  # scored by RULES in the tests below
RULES = """
[topics.vision]
title = "Vision"
any = ["image^2", "segmentation"]
threshold = 2
none = ["vision-language"]

[topics.audio]
any = ["speech"]
"""


def invoke(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


def rules_config(tmp_path):
    return write_config(tmp_path, [], extra=RULES)


def test_tag_prints_every_line_back_with_topics(tmp_path):
    lines = '{"title": "Image models", "id": 1}\n{"title": "Speech", "abstract": "x"}\n'
    result = invoke("tag", "--config", rules_config(tmp_path), "-", input=lines)
    assert result.exit_code == 0
    assert [json.loads(line) for line in result.output.splitlines()] == [
        {"title": "Image models", "id": 1, "topics": ["vision"]},
        {"title": "Speech", "abstract": "x", "topics": ["audio"]}]


def test_tag_exits_2_naming_the_bad_line(tmp_path):
    result = invoke("tag", "--config", rules_config(tmp_path), "-",
                    input='{"title": "ok"}\n{"title": \n')
    assert result.exit_code == 2
    assert "<stdin>:2: not a JSON object" in result.output


def test_eval_prints_per_topic_scores_then_micro_and_macro_f1_for_labelled_topics_only():
    result = invoke("eval", DEV)
    assert result.exit_code == 0
    rows = [line.split()[0] for line in result.output.splitlines()[1:]]
    assert rows == ["language", "vision", "audio", "robotics", "biology-medicine", "security",
                    "retrieval-recsys", "micro-F1", "macro-F1"]


def test_eval_table_and_worst_mistakes_with_the_terms_that_hit(tmp_path):
    result = invoke("eval", "--config", rules_config(tmp_path), "--errors", "2", SAMPLE)
    assert result.exit_code == 0, result.output
    name = str(SAMPLE)
    assert result.output.splitlines() == [
        "topic                    precision  95% interval  recall  95% interval     F1  labelled",
        "vision                       0.600     0.23-0.88   0.750     0.30-0.95  0.667         4"
        "  few",
        "audio                        0.667     0.21-0.94   0.667     0.21-0.94  0.667         3"
        "  few",
        "micro-F1                                                                0.667",
        "macro-F1                                                                0.667",
        "few: fewer than 25 labelled papers, too few to judge the topic by: read its intervals",
        "",
        f"vision: false positive, {name}:7: Speech image segmentation  [labelled: (none)]",
        "    MATCH vision                   score 6 / threshold 2 (title hits x2)",
        "            'image^2'                        in title    +4",
        "            'segmentation'                   in title    +2",
        f"vision: false positive, {name}:2: Speech  [labelled: audio]",
        "    MATCH vision                   score 2 / threshold 2 (title hits x2)",
        "            'image^2'                        in summary  +2",
        f"vision: false negative, {name}:3: Image models  [labelled: vision]",
        "    no    vision                   score 4 / threshold 2 (title hits x2)  "
        "[vetoed by 'vision-language']",
        "            'image^2'                        in title    +4",
        "            'vision-language'                in summary  none",
        f"audio: false positive, {name}:7: Speech image segmentation  [labelled: (none)]",
        "    MATCH audio                    score 2 / threshold 1 (title hits x2)",
        "            'speech'                         in title    +2",
        f"audio: false negative, {name}:6: Talking  [labelled: audio]",
        "    no    audio                    score 0 / threshold 1 (title hits x2)",
    ]


def test_eval_json_gives_micro_and_macro_f1_and_the_worst_mistakes(tmp_path):
    result = invoke("eval", "--config", rules_config(tmp_path), "--json", "--errors", "1",
                    "--topics", "audio", SAMPLE)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "topics": {"audio": {"precision": 0.6667, "recall": 0.6667, "f1": 0.6667,
                             "support": 3, "predicted": 3,
                             "precision_interval": [0.2077, 0.9385],
                             "recall_interval": [0.2077, 0.9385], "few": True}},
        "micro_f1": 0.6667, "macro_f1": 0.6667, "few_below": 25,
        "errors": {"audio": {
            "false_positives": [{"line": 7, "title": "Speech image segmentation", "topics": [],
                                 "score": 2.0, "threshold": 1.0,
                                 "hits": [{"term": "speech", "role": "any", "field": "title",
                                           "points": 2.0}]}],
            "false_negatives": [{"line": 6, "title": "Talking", "topics": ["audio"],
                                 "score": 0.0, "threshold": 1.0, "hits": []}]}},
    }


def test_eval_help_names_a_labelled_file_that_exists():
    example = invoke("eval", "--help").output.split("Example: feedmaker eval ", 1)[1].split()[0]
    assert (FIXTURES.parent.parent / example).is_file()


def test_eval_json_and_topic_selection():
    result = invoke("eval", "--json", "--topics", "vision,graphs", DEV)
    data = json.loads(result.output)
    assert set(data["topics"]) == {"vision", "graphs"} and "errors" not in data
    assert data["topics"]["graphs"]["support"] == 0
    assert 0 < data["macro_f1"] < 1


def test_eval_exits_2_on_unlabelled_input(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"title": "x"}\n')
    result = invoke("eval", path)
    assert result.exit_code == 2 and "no `topics` list" in result.output


def test_explain_lists_every_topic_with_hits_fields_points_and_threshold(tmp_path):
    result = invoke("explain", "--config", rules_config(tmp_path), "--title",
                    "Image segmentation", "--summary", "A vision-language model for speech.")
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "Image segmentation",
        "topics: audio",
        "no    vision                   score 6 / threshold 2 (title hits x2)  "
        "[vetoed by 'vision-language']",
        "        'image^2'                        in title    +4",
        "        'segmentation'                   in title    +2",
        "        'vision-language'                in summary  none",
        "MATCH audio                    score 1 / threshold 1 (title hits x2)",
        "        'speech'                         in summary  +1",
    ]


def test_explain_finds_a_stored_paper_by_arxiv_id_with_or_without_version(tmp_path):
    (tmp_path / "c.json").write_bytes((FIXTURES / "hf_daily_papers_2026-05-18.json").read_bytes())
    config = write_config(tmp_path, [("hf", "hf-api", "file:c.json")])
    assert invoke("run", "--config", config, "-q").exit_code == 0
    for paper_id in ("2605.15320", "2605.15320v2", "https://arxiv.org/abs/2605.15320"):
        result = invoke("explain", "--config", config, "--id", paper_id, "--matched-only")
        assert result.exit_code == 0, result.output
        assert result.output.startswith("FFAvatar: Few-Shot, Feed-Forward")
        assert "MATCH vision" in result.output
    missing = invoke("explain", "--config", config, "--id", "2401.00001")
    assert missing.exit_code == 2 and "no entry with id https://arxiv.org/abs/2401.00001" in \
        missing.output


def test_explain_refuses_an_id_that_is_no_url_or_not_utf8_naming_it(tmp_path):
    (tmp_path / "c.json").write_bytes((FIXTURES / "hf_daily_papers_2026-05-18.json").read_bytes())
    config = write_config(tmp_path, [("hf", "hf-api", "file:c.json")])
    assert invoke("run", "--config", config, "-q").exit_code == 0
    no_url = invoke("explain", "--config", config, "--id", "http://[x")
    assert (no_url.exit_code, no_url.output) == (
        2, "feedmaker: --id 'http://[x': not an arXiv id, entry id or URL\n")
    done = subprocess.run([sys.executable, "-m", "feedmaker", "explain", "--config",
                           str(config), "--id", b"\xff"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2 and "Invalid value for --id: not UTF-8" in done.stderr


def test_explain_needs_either_a_title_or_an_id():
    assert invoke("explain").exit_code == 2


def test_suggest_proposes_a_valid_weighted_rule_table(tmp_path):
    result = invoke("suggest", "--topic", "audio", "--count", "15", DEV)
    assert result.exit_code == 0
    assert "[topics.audio]" in result.output and '"speech^' in result.output
    config = write_config(tmp_path, [], extra="\n" + result.output)
    scored = json.loads(invoke("eval", "--config", config, "--json", DEV).output)
    assert scored["topics"]["audio"]["f1"] > 0.7


def test_suggest_exits_2_for_a_topic_without_labels():
    result = invoke("suggest", "--topic", "graphs", DEV)
    assert result.exit_code == 2 and "no paper" in result.output


def test_explain_reads_the_store_while_a_run_holds_its_transaction(tmp_path):
    """The store used to be opened for writing, so explain waited and failed: locked."""
    from feedmaker.config import load_config
    from feedmaker.store import Store

    (tmp_path / "c.json").write_bytes((FIXTURES / "hf_daily_papers_2026-05-18.json").read_bytes())
    config = write_config(tmp_path, [("hf", "hf-api", "file:c.json")])
    assert invoke("run", "--config", config, "-q").exit_code == 0
    state = load_config(config).site.state
    before = state.read_bytes()
    with Store(state, NOW) as store, store.transaction():
        store.db.execute("UPDATE entries SET last_seen = last_seen")  # holds the write lock
        result = invoke("explain", "--config", config, "--id", "2605.15320")
    assert result.exit_code == 0, result.output
    assert "MATCH vision" in result.output
    assert state.read_bytes() == before


def test_tag_never_overwrites_a_lines_own_topics_and_says_how_to_keep_both(tmp_path):
    lines = '{"title": "Image models"}\n{"title": "Speech", "topics": ["audio-labelled"]}\n'
    result = CliRunner().invoke(cli, ["tag", "--config", str(rules_config(tmp_path)), "-"],
                                input=lines)
    assert result.exit_code == 2
    assert result.stdout == '{"title": "Image models", "topics": ["vision"]}\n'
    assert result.stderr == ("feedmaker: <stdin>:2: the line has its own 'topics', which tag "
                             "does not overwrite; give --key with another name (e.g. --key "
                             "predicted) to keep both\n")


def test_tag_key_writes_the_topics_to_another_field_beside_the_lines_own(tmp_path):
    lines = '{"title": "Speech", "topics": ["audio-labelled"]}\n'
    result = invoke("tag", "--config", rules_config(tmp_path), "--key", "predicted", "-",
                    input=lines)
    assert result.exit_code == 0
    assert json.loads(result.output) == {"title": "Speech", "topics": ["audio-labelled"],
                                         "predicted": ["audio"]}


def test_tag_exits_2_naming_a_piped_line_that_is_not_utf8(tmp_path):
    process = subprocess.run(
        [sys.executable, "-m", "feedmaker", "tag", "--config", str(rules_config(tmp_path))],
        input=b'\xef\xbb\xbf{"title": "Speech"}\n{"title": "Caf\xe9"}\n', capture_output=True)
    assert process.returncode == 2
    assert process.stdout == b'{"title": "Speech", "topics": ["audio"]}\n'  # the BOM is fine
    assert process.stderr == b"feedmaker: <stdin>:2: not UTF-8 (byte 0xe9 at column 15)\n"


def test_suggest_refuses_a_count_below_one():
    result = invoke("suggest", "--topic", "audio", "--count", "0", DEV)
    assert result.exit_code == 2
    assert "Invalid value for '--count': 0 is not in the range x>=1" in result.output


def test_suggest_exits_2_naming_a_line_that_is_not_utf8(tmp_path):
    path = tmp_path / "papers.jsonl"
    path.write_bytes(b'{"title": "x", "topics": []}\n{"title": "\xff"}\n')
    result = invoke("suggest", "--topic", "audio", path)
    assert result.exit_code == 2 and f"{path}:2: not UTF-8 (byte 0xff at column 12)" in \
        result.output


def test_eval_scores_a_like_view_by_the_precision_of_its_best_papers(tmp_path):
    with open("data/papers-17-dev.jsonl", encoding="utf-8") as f:
        papers = [json.loads(line) for line in f]
    labelled = [p for p in papers if "security" in p["topics"]]
    security = labelled[:30]
    (tmp_path / "mine.txt").write_text("\n".join(p["id"] for p in security) + "\n")
    config = tmp_path / "c.toml"
    config.write_text('[views.mine]\nlike = ["mine.txt"]\n')
    result = invoke("eval", "--config", config, "--like", "mine", "--label", "security",
                    "--json", "data/papers-17-dev.jsonl")
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    assert (scores["view"], scores["k"], scores["relevant"]) == ("mine", 25, len(labelled) - 30)
    assert scores["precision"] > 0.5  # the base rate of security papers is 0.07
    text = invoke("eval", "--config", config, "--like", "mine", "--label", "security",
                  "data/papers-17-dev.jsonl")
    assert text.output.startswith(f"mine: {scores['hits']} of the 25 best papers are labelled "
                                  "'security': precision@25 ")
    wrong = invoke("eval", "--config", config, "--like", "theirs", "--label", "security",
                   "data/papers-17-dev.jsonl")
    assert wrong.exit_code == 2 and "no like view called 'theirs' (like views: mine)" in \
        wrong.output


def test_eval_exits_2_naming_a_line_that_is_not_utf8(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b'{"title": "ok", "topics": []}\n{"title": "caf\xe9", "topics": []}\n')
    result = invoke("eval", path)
    assert (result.exit_code, result.output) == (
        2, f"feedmaker: {path}:2: not UTF-8 (byte 0xe9 at column 15)\n")


def test_a_huge_number_or_a_deeply_nested_line_is_bad_input_naming_its_line(tmp_path):
    lines = ('{"title": "ok", "topics": ["vision"]}\n'
             '{"title": "x", "n": ' + "9" * 5000 + ', "topics": []}\n'
             '{"title": "y", "x": ' + "[" * 100_000 + "]" * 100_000 + ', "topics": []}\n')
    path = tmp_path / "papers.jsonl"
    for line, (number, why) in zip(lines.splitlines(keepends=True)[1:],
                                   [(2, "digits"), (3, "nested too deeply")], strict=True):
        path.write_text(lines.splitlines(keepends=True)[0] + "\n" * (number - 2) + line)
        for command in (["tag", "--key", "predicted"], ["eval"], ["suggest", "--topic", "x"]):
            done = subprocess.run([sys.executable, "-m", "feedmaker", *command, str(path)],
                                  capture_output=True, text=True, timeout=60)
            assert done.returncode == 2, (command, done.stderr)
            assert done.stderr.startswith(f"feedmaker: {path}:{number}: not a usable JSON "
                                          "object ("), done.stderr
            assert why in done.stderr


def test_a_lone_surrogate_escape_is_bad_input_naming_its_line(tmp_path):
    # "\ud800" is valid JSON but half a character: printing it back (tag, eval --errors)
    # was an internal error.
    path = tmp_path / "papers.jsonl"
    path.write_text('{"title": "ok", "topics": ["vision"]}\n'
                    '{"title": "\\ud800 robots", "topics": ["vision"]}\n')
    for command in (["tag", "--key", "predicted"], ["eval", "--errors", "1"],
                    ["suggest", "--topic", "vision"]):
        done = subprocess.run([sys.executable, "-m", "feedmaker", *command, str(path)],
                              capture_output=True, text=True, timeout=60)
        assert (done.returncode, done.stderr) == (
            2, f"feedmaker: {path}:2: holds a lone surrogate (\\ud800), which is not a "
               "character\n"), command


def test_tag_refuses_a_key_that_is_not_utf8(tmp_path):
    path = tmp_path / "papers.jsonl"
    path.write_text('{"title": "ok"}\n')
    done = subprocess.run([sys.executable, "-m", "feedmaker", "tag", "--key", b"k\xff",
                           str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "Invalid value for --key: not UTF-8" in done.stderr
    assert not done.stdout


def test_eval_names_the_file_of_an_unlabelled_line(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"title": "a", "topics": []}\n{"title": "x"}\n')
    assert invoke("eval", path).output == f"feedmaker: {path}:2: no `topics` list to " \
                                          "evaluate against\n"
