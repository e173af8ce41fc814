"""A history written with CR LF gets a new set written with CR LF: each line feed of the text
given a CR, those inside a value (a constant, a quoted name, a function's body) left as they are."""

from __future__ import annotations

from tui.core.line_endings import uses_crlf, with_crlf


def test_the_lines_end_in_cr_lf_and_the_values_stay_as_they_were() -> None:
    text = ("-- a header\nCREATE TABLE \"é\n\" (a text DEFAULT 'x\ny', b text DEFAULT 'p\r\nq') ;\n/* two\nlines */\n"
            "CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $$\nSELECT 'a'\n$$;\r\n")
    assert with_crlf(text) == ("-- a header\r\nCREATE TABLE \"é\n\" (a text DEFAULT 'x\ny', b text DEFAULT 'p\r\nq') ;\r\n"
                               "/* two\r\nlines */\r\nCREATE FUNCTION f() RETURNS text LANGUAGE sql AS $$\nSELECT 'a'\n$$;\r\n")
    assert with_crlf(with_crlf(text)) == with_crlf(text)


def test_a_text_the_scanner_cannot_read_is_left_as_it_is() -> None:
    rows = "COPY t (name) FROM stdin;\nO'Brien\n\\.\n"
    assert with_crlf(rows) == rows


def test_a_history_uses_cr_lf_where_most_of_its_lines_end_so() -> None:
    assert uses_crlf(["a\r\nb\r\n", "c\n"]) and not uses_crlf(["a\nb\n", "c\r\n"]) and not uses_crlf(["", "x"])
