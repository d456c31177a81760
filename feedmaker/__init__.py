"""feedmaker: turn research-paper listing pages into per-topic Atom feeds."""

__version__ = "0.2.0"
PROJECT_URL = "https://github.com/feedmaker/feedmaker"
