"""Paper news: events of known papers (a new version, a publication, code...) and the news
views that publish them; see docs/views.md, "Paper news"."""
