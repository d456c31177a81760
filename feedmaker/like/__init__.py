"""Like views: feeds of the new papers most like a user's own library (the `like` extra)."""

from feedmaker.like.library import LikeError
from feedmaker.like.run import LikeOutcome, explain, explain_line, refresh
from feedmaker.like.view import (
    LIKE_KEYS,
    ONLY_LIKE,
    LikeView,
    files_stamp,
    is_like_view,
    parse_like_view,
)

__all__ = ["LIKE_KEYS", "ONLY_LIKE", "LikeError", "LikeOutcome", "LikeView", "explain",
           "explain_line", "files_stamp", "is_like_view", "parse_like_view", "refresh"]
