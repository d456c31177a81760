"""Print the README's config reference table, made from the declared config keys.

Usage: python scripts/config_reference.py   (paste over the table in README.md; a test in
tests/test_docs.py fails until the README holds exactly this.)
"""

from feedmaker.config import reference_table

if __name__ == "__main__":
    print(reference_table(), end="")
