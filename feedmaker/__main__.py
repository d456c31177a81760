"""Make `python -m feedmaker` work."""

from feedmaker.cli import main

main()
