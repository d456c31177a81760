"""Paper news: events of known papers and the news views that publish them (docs/views.md)."""
