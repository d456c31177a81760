"""Like views: feeds of the new papers most like a user's own library (the `like` extra)."""

from feedmaker.like.library import LikeError
from feedmaker.like.view import (
    LIKE_KEYS,
    ONLY_LIKE,
    LikeView,
    is_like_view,
    parse_like_view,
)

__all__ = ["LIKE_KEYS", "ONLY_LIKE", "LikeError", "LikeStep", "LikeView", "explain",
           "is_like_view", "parse_like_view"]
_RUN = ("LikeStep", "explain")


def __getattr__(name: str):
    # The run step brings in the store, fetching and the model: loading a config needs none.
    if name in _RUN:
        from feedmaker.like import run

        return getattr(run, name)
    raise AttributeError(f"module 'feedmaker.like' has no attribute {name!r}")
