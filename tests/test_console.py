"""How a run shows on a terminal: its steps at -v, and a line at each tenth of a long stage."""

import logging

from feedmaker.console import Progress, steps_told


def test_at_v_a_long_stage_is_a_line_at_each_tenth_of_the_way(capsys):
    with Progress(bar=False, lines=True) as progress:
        for done in range(0, 1001, 50):
            progress("tagging entries", done, 1000)
        progress("reading https://u:secret@e.org/x.bib", 1, 2)
    lines = capsys.readouterr().err.splitlines()
    assert lines[:3] == ["tagging entries: 0%", "tagging entries: 10%", "tagging entries: 20%"]
    assert lines[10] == "tagging entries: 100%" and len(lines) == 12
    assert "secret" not in lines[11]


def test_without_v_or_a_terminal_nothing_is_shown(capsys):
    with steps_told(False), Progress(bar=False, lines=False) as progress:
        logging.getLogger("feedmaker.pipeline").info("tagged 3 entries")
        progress("tagging entries", 5, 10)
    assert capsys.readouterr().err == ""


def test_at_v_each_step_the_run_tells_its_logger_is_a_line_and_the_handler_goes_after(capsys):
    logger = logging.getLogger("feedmaker")
    handlers = list(logger.handlers)
    with steps_told(True):
        logging.getLogger("feedmaker.like.run").info("view 'x': fitting its model")
    assert capsys.readouterr().err == "view 'x': fitting its model\n"
    assert logger.handlers == handlers
