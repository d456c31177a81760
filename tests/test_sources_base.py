"""What the source modules share: reading written dates and an HTML page's encoding."""

from datetime import UTC, datetime

import pytest

from feedmaker.sources.base import html_encoding, parse_any_date

CAFE = "Caf\u00e9 \u2014 \u201cquoted\u201d"


@pytest.mark.parametrize(("text", "moment"), [
    ("Mon, 14 May 2001 00:00:00 GMT", datetime(2001, 5, 14, tzinfo=UTC)),
    ("May 14, 2026", datetime(2026, 5, 14, tzinfo=UTC)),
    ("14 May 2026 10:00 UTC", datetime(2026, 5, 14, 10, tzinfo=UTC)),
    ("2026-05-14", datetime(2026, 5, 14, tzinfo=UTC)),
])
def test_dates_with_their_year_written_out_are_read(text, moment):
    assert parse_any_date(text) == moment


@pytest.mark.parametrize("text", [
    "Sat, 01 Jan 0001 00:00:00 +0000", "Mon, 14 May 1 00:00:00 GMT", "May 14, 0001",
    "14 May 0001", "May 14, 1", "0001-05-14", "0001-01-01T00:00:00Z", "1 January 1850",
    "Jun 26", "14 May 99",
])
def test_a_year_not_written_in_four_digits_or_before_1900_is_never_guessed(text):
    assert parse_any_date(text) == text  # normalize warns "cannot read the date" about it


@pytest.mark.parametrize(("body", "content_type", "encoding"), [
    (CAFE.encode(), "text/html; charset=utf-8", "utf-8"),
    (CAFE.encode(), 'text/html; charset="UTF-8"', "utf-8"),
    (b'<meta charset="iso-8859-1">' + CAFE.encode(), "text/html; charset=utf-8", "utf-8"),
    (b'<meta charset="utf-8"><p>' + CAFE.encode(), "text/html", "utf-8"),
    (b'<meta http-equiv="Content-Type" content="text/html; charset=koi8-r">', None, "koi8-r"),
    (CAFE.encode(), None, "utf-8"),
    (CAFE.encode("cp1252"), None, "cp1252"),
    (CAFE.encode("cp1252"), "text/html; charset=iso-8859-1", "cp1252"),
    (CAFE.encode(), "text/html; charset=no-such-charset", "utf-8"),
    (b"\xef\xbb\xbf" + CAFE.encode(), "text/html; charset=iso-8859-1", "utf-8"),
    # Python codecs that are not a page's encoding: each made the page unreadable
    # ("LookupError: 'rot-13' is not a text encoding", "decoding with 'idna' codec failed").
    (b'<meta charset="rot13">' + CAFE.encode(), None, "utf-8"),
    (b'<meta charset="hex">' + CAFE.encode(), None, "utf-8"),
    (CAFE.encode(), "text/html; charset=idna", "utf-8"),
    (CAFE.encode(), "text/html; charset=undefined", "utf-8"),
])
def test_a_pages_encoding_comes_from_its_bom_header_meta_or_bytes_in_that_order(
        body, content_type, encoding):
    assert html_encoding(body, content_type) == encoding


@pytest.mark.parametrize("text", ["2026-05-15T10:00:00+99:00", "May 14, 2026 10:00 +9900"])
def test_a_zone_a_day_or_more_off_utc_is_an_unreadable_date_not_a_lost_entry(text):
    # Read as it was, the date made normalize drop the whole entry ("offset must be a
    # timedelta strictly between...").
    assert parse_any_date(text) == text  # normalize warns "cannot read the date" about it


def test_a_zone_name_nobody_knows_is_read_as_utc_without_a_python_warning(recwarn):
    # dateutil warned "UnknownTimezoneWarning: tzname PST identified but not understood"
    # on stderr, a line of Python in a run's output.
    assert parse_any_date("2026-05-15 10:00 PST") == datetime(2026, 5, 15, 10, tzinfo=UTC)
    assert parse_any_date("14 May 2026 10:00 +0200") == datetime(2026, 5, 14, 8, tzinfo=UTC)
    assert not recwarn.list
