"""The classroom benchmark's tables: columns named by key from one registry, printed aligned."""

import pytest

from bench.classroom import modes, stats


def test_columns_take_header_and_format_from_the_registry_or_a_header_of_the_table():
    assert stats.columns("p50_s", ("exceptions", "exceptions"), "rss_mb") == [
        ("p50 s", "p50_s", ".2f"),
        ("exceptions", "exceptions", "d"),
        ("RSS MB", "rss_mb", ".0f"),
    ]


def test_a_key_shared_by_tables_reads_the_same_in_each():
    tables = [stats.LOAD_COLUMNS, stats.PROXY_COLUMNS, modes.CHURN_COLUMNS, modes.FIRST_VISIT_COLUMNS]
    seen = {}
    for table in tables:
        for header, key, spec in table:
            assert seen.setdefault(key, (header, spec)) == (header, spec)
    assert seen["exceptions"] == ("exc", "d") and seen["view_kb"] == ("view KB", ".0f")


def test_an_unknown_key_is_refused_with_where_to_add_it():
    with pytest.raises(ValueError, match=r"'p99_s' is not in bench\.classroom\.stats\.COLUMNS"):
        stats.columns("p50_s", "p99_s")


def test_print_table_aligns_and_dashes_missing_values(capsys):
    rows = [
        {"name": "convolution", "p50_s": 0.1234, "exceptions": 12},
        {"name": "bare", "p50_s": float("nan")},
    ]
    stats.print_table(rows, stats.columns("name", "p50_s", "exceptions"))
    assert capsys.readouterr().out.splitlines() == [
        "page         p50 s  exc",
        "convolution   0.12   12",
        "bare             -    -",
    ]
    stats.print_table([], stats.columns("name", "p50_s"))
    assert capsys.readouterr().out == "page  p50 s\n"
