"""suggest proposes readable terms: one per word and its plural, none from links."""

import subprocess
import sys

from feedmaker.evaluate import Paper
from feedmaker.suggest import candidate_terms, suggest_terms


def paper(number, summary, topics):
    return Paper(number, {}, f"Paper {number}", summary, (), (), tuple(topics))


def test_a_word_and_its_plural_are_one_term_counted_once_per_paper():
    papers = ([paper(n, "A robot grasps cups.", ["robotics"]) for n in range(4)]
              + [paper(n, "Two robots and a robot walk.", ["robotics"]) for n in range(4, 8)]
              + [paper(n, "A language model reads.", ["language"]) for n in range(8, 20)])
    terms = {s.term: s for s in suggest_terms(papers, "robotics", min_positives=3)}
    assert "robot" in terms and "robots" not in terms
    assert terms["robot"].positives == 8


def test_a_plural_of_two_words_goes_to_the_same_one_whatever_the_hash_seed():
    # "erases" is "erase" + s and "eras" + es: set order, which follows the hash seed,
    # used to choose between them.
    code = ("from feedmaker.suggest import merge_plurals; "
            "print(sorted(merge_plurals([{'eras'}, {'erase'}, {'erases'}])[2]))")
    seen = {subprocess.run([sys.executable, "-c", code], env={"PYTHONHASHSEED": str(seed)},
                           capture_output=True, text=True, check=True).stdout
            for seed in range(8)}
    assert seen == {"['erase']\n"}


def test_pieces_of_links_and_e_mail_addresses_are_never_terms():
    text = ("Code: https://github.com/robotlab/code-release, github.com/x/y and "
            "www.robotlab.org; write to robots@robotlab.org. Robot arms.")
    assert candidate_terms(text) == {"code", "write", "robot", "arms", "robot arms"}


def test_words_on_either_side_of_a_link_are_not_one_phrase():
    assert "released grasping" not in candidate_terms("released https://x.org/a grasping")
