"""The one parser for untrusted XML: no entities, no DTD, no network, bounded size."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # lxml loads only when XML is parsed
    from lxml import etree


def safe_parser() -> etree.XMLParser:
    """The parser for every untrusted XML: no entities, no DTD, no network, bounded size
    (no huge-tree mode). A new one each time: an lxml parser must not be shared between
    threads, and sources are parsed in parallel."""
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True,
                           dtd_validation=False, huge_tree=False, remove_pis=False)
