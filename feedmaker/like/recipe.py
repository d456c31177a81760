"""The one similarity recipe, as constants shared by fitting and by the exported scorer.

Chosen on data/papers-17-dev.jsonl for all topics alike (docs/like.md has the measurements):
TF-IDF of words and word pairs (arxiv-sanity's tokens, English stop words, sublinear tf,
smoothed idf, each part l2-normalized, pairs at half weight), and a linear SVM with the
library as positives and the background as negatives, refitted once with the background
papers it ranks highest moved to the positives (the background holds unlabelled papers
like the library's: the first fit pushes them down).
"""

from __future__ import annotations

# Bump when anything below changes: a model fitted by another recipe is refitted.
VERSION = 1

TOKEN_PATTERN = r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b"
STOP_WORDS = "english"
# A term must be in 2 papers to be learnt from; one in 30%+ of them says nothing of topic.
MIN_DF = 2
MAX_DF = 0.3
# At most this many words, and as many word pairs, the most frequent (arxiv-sanity keeps
# 20,000): bounds the saved model (and its load time) whatever the history holds.
MAX_TERMS = 20_000
# Weight of the word-pair part against the word part (measured: 1.0 lets rare pairs
# outvote the words; 0.3 to 0.5 is best, see docs/like.md).
PAIR_WEIGHT = 0.5

C = 0.1
# A "not relevant" paper counts as this many ordinary background papers.
NOT_RELEVANT_WEIGHT = 3.0
# Self-training: how many top-ranked background papers join the positives for the second
# fit: half the library's size, at most 5% of the background.
PSEUDO_SHARE_OF_LIBRARY = 0.5
PSEUDO_SHARE_OF_BACKGROUND = 0.05
# Fitting reads at most this many background papers (the most recent ones): IDF and
# negatives need a sample of what arrives, not all history, and memory stays bounded.
MAX_BACKGROUND = 3000


def pseudo_positive_count(library_size: int, background_size: int) -> int:
    """How many background papers the second fit takes as positives."""
    return int(min(library_size * PSEUDO_SHARE_OF_LIBRARY,
                   background_size * PSEUDO_SHARE_OF_BACKGROUND))
