"""collab.pptx_fit: pessimistic text estimates, sizes that fit and splits that lose nothing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collab.pptx_fit import (
    LINE_SPACING,
    Box,
    Para,
    Row,
    clean,
    count_lines,
    fill,
    fit_size,
    fits,
    height_pt,
    paginate,
    paragraphs,
    table_pages,
    table_rows,
    take,
    text_width_em,
)


def _words(paras: list[Para]) -> str:
    return "".join("".join(para.text.split()) for para in paras)


class TestClean:
    def test_characters_xml_forbids_are_dropped(self) -> None:
        """NUL, other C0 controls, DEL, lone surrogates and U+FFFF never reach the XML."""
        assert clean("a\x00b\x01c\x7fd\ud800e\uffff") == "abcde"

    def test_every_kind_of_line_break_becomes_a_newline(self) -> None:
        assert clean("a\r\nb\rc\x0bd\x0ce\u2028f") == "a\nb\nc\nd\ne\nf"

    def test_runs_of_spaces_become_one(self) -> None:
        """The estimate counts one space between words, so the text has only one."""
        assert clean("a  \t b\u00a0\u00a0c") == "a b c"

    def test_paragraphs_split_at_breaks_and_keep_accents(self) -> None:
        assert paragraphs("Ação\n  coração ", bold=True) == [
            Para("Ação", bold=True),
            Para("coração", bold=True),
        ]


class TestEstimate:
    def test_glyphs_are_counted_wider_than_calibri_draws_them(self) -> None:
        assert text_width_em("a") == 0.55
        assert text_width_em("A") == 0.65
        assert text_width_em("W") == 0.9
        assert text_width_em("漢") == 1.0

    def test_an_empty_text_takes_one_line(self) -> None:
        assert count_lines("", 10) == 1

    def test_words_wrap_greedily_at_spaces(self) -> None:
        """Three 4-letter words (2.2 em each) in lines of 5 em: two per line at most."""
        assert count_lines("abcd abcd", 5) == 1
        assert count_lines("abcd abcd abcd", 5) == 2

    def test_a_word_longer_than_a_line_breaks_inside(self) -> None:
        """100 letters of 0.55 em in lines of 11.1 em: 20 letters a line, five lines."""
        assert count_lines("a" * 100, 11.1) == 5
        assert count_lines("ab " + "a" * 100, 11.1) == 6

    def test_bold_is_wider(self) -> None:
        text = "abcd " * 20
        assert count_lines(text, 20, bold=True) >= count_lines(text, 20)

    def test_height_is_lines_times_spacing(self) -> None:
        paras = [Para("one"), Para("two")]
        assert height_pt(paras, 100, 10) == 2 * 10 * LINE_SPACING


class TestFitSize:
    def test_a_short_text_gets_the_largest_size(self) -> None:
        assert fit_size([Para("Personas")], Box(400, 40), 28, 12) == 28

    def test_a_longer_text_is_set_smaller(self) -> None:
        paras = [Para("palavra " * 30)]
        size = fit_size(paras, Box(400, 60), 28, 8)
        assert size is not None
        assert 8 <= size < 28
        assert fits(paras, Box(400, 60), size)
        assert not fits(paras, Box(400, 60), size + 1)

    def test_none_when_even_the_minimum_is_too_big(self) -> None:
        assert fit_size([Para("palavra " * 500)], Box(200, 40), 18, 10) is None


class TestTake:
    def test_whole_paragraphs_first_then_a_split_at_a_word(self) -> None:
        box = Box(110, 3 * 12)  # 20 em lines at 10 pt: 3 lines
        paras = [Para("curto"), Para("uma frase comprida que não cabe inteira em duas linhas " * 2)]
        page, rest = take(paras, box, 10)
        assert page[0] == Para("curto")
        assert len(page) == 2
        assert rest
        assert fits(page, box, 10)
        assert _words(page + rest) == _words(paras)
        assert not page[1].text.endswith(" ")
        assert not rest[0].text.startswith(" ")

    def test_a_word_wider_than_the_box_is_split_inside(self) -> None:
        paras = [Para("x" * 10_000)]
        page, rest = take(paras, Box(111, 24), 10)
        assert len(page[0].text) == 40  # 20 letters a line, two lines
        assert page[0].text + rest[0].text == "x" * 10_000

    def test_a_heading_is_not_left_alone_at_the_bottom(self) -> None:
        box = Box(110, 2 * 12)
        paras = [Para("primeiro"), Para("Título", bold=True), Para("texto")]
        page, rest = take(paras, box, 10)
        assert page == [Para("primeiro")]
        assert rest == [Para("Título", bold=True), Para("texto")]

    def test_a_box_that_cannot_hold_a_line_is_an_error(self) -> None:
        with pytest.raises(ValueError, match="cannot hold a line"):
            take([Para("a")], Box(100, 5), 10)

    def test_nothing_to_take(self) -> None:
        assert take([], Box(100, 100), 10) == ([], [])

    @settings(max_examples=60, deadline=None)
    @given(
        st.lists(st.text(st.characters(codec="utf-8"), max_size=300), max_size=8),
        st.integers(60, 400),
        st.integers(15, 300),
        st.integers(8, 18),
    )
    def test_pages_fit_and_lose_nothing(
        self, texts: list[str], width: int, height: int, size: int
    ) -> None:
        """Whatever the text and box, every page fits and the pages hold every word."""
        box = Box(width, height)
        if height < size * LINE_SPACING:
            return
        paras = [para for text in texts for para in paragraphs(text)]
        pages = paginate(paras, box, size)
        for page in pages:
            assert fits(page, box, size)
        assert _words([p for page in pages for p in page]) == _words(paras)


class TestPaginate:
    def test_empty_gives_one_empty_page(self) -> None:
        assert paginate([], Box(100, 100), 10) == [[]]

    def test_the_first_box_then_the_rest(self) -> None:
        paras = [Para(f"linha {n}") for n in range(10)]
        pages = paginate(paras, Box(200, 2 * 12), 10, Box(200, 4 * 12))
        assert [len(page) for page in pages] == [2, 4, 4]


class TestFill:
    def test_boxes_share_the_largest_size_all_fit_at(self) -> None:
        size, shown, rests = fill([[Para("a")], [Para("b " * 40)]], [Box(200, 60)] * 2, 18, 10)
        assert size < 18
        assert shown == [[Para("a")], [Para("b " * 40)]]
        assert rests == [[], []]

    def test_what_does_not_fit_at_the_minimum_is_handed_back(self) -> None:
        paras = [Para("palavra " * 400)]
        size, shown, rests = fill([paras], [Box(200, 60)], 18, 10)
        assert size == 10
        assert rests[0]
        assert _words(shown[0] + rests[0]) == _words(paras)

    def test_no_boxes(self) -> None:
        assert fill([], [], 18, 10) == (18, [], [])


class TestTables:
    def test_rows_get_the_height_of_their_tallest_cell(self) -> None:
        rows = table_rows([["1", "texto " * 30]], [40, 200], 10, 400, padding_pt=6)
        assert rows[0].height_pt == height_pt(paragraphs("texto " * 30), 200, 10) + 6

    def test_a_row_taller_than_a_page_is_split_and_repeats_its_key(self) -> None:
        long = "palavra " * 2_000
        key = frozenset({0})
        rows = table_rows([["8", long, "3"]], [40, 300, 40], 10, 200, padding_pt=6, repeat=key)
        assert len(rows) > 2
        assert all(row.height_pt <= 200 for row in rows)
        assert all(row.cells[0] == "8" for row in rows)
        assert rows[0].cells[2] == "3"
        assert rows[1].cells[2] == ""
        assert "".join("".join(row.cells[1].split()) for row in rows) == "".join(long.split())

    def test_a_repeated_cell_too_tall_itself_is_split_too(self) -> None:
        """A key column that alone overflows is not repeated (that would never end)."""
        rows = table_rows([["k" * 5_000, "v"]], [100, 100], 10, 100, repeat=frozenset({0}))
        assert "".join(row.cells[0] for row in rows) == "k" * 5_000

    def test_pages_hold_rows_up_to_the_height(self) -> None:
        rows = [Row(("x",), 30) for _ in range(7)]
        assert [len(page) for page in table_pages(rows, 100)] == [3, 3, 1]
        assert table_pages([], 100) == [[]]
