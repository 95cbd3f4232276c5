"""Tests for ``eqlang.syntax.layout``: groups, indentation, fills and hugs laid out to a width."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from eqlang.syntax.layout import (
    HARDLINE,
    LINE,
    SOFTLINE,
    Align,
    Doc,
    Fill,
    Group,
    Hug,
    IfBreak,
    Nest,
    flat,
    join,
    render,
)


def call(name: str, *args: Doc) -> Doc:
    return Group((f"{name}(", Nest(2, (SOFTLINE, *join((",", LINE), args))), ")"))


def test_a_group_that_fits_stays_on_one_line() -> None:
    doc = call("f", "a", "b")
    assert render(doc, 9) == "f(a, b)" == flat(doc)


def test_a_group_that_does_not_fit_breaks_every_one_of_its_lines() -> None:
    assert render(call("f", "alpha", "beta"), 10) == "f(\n  alpha,\n  beta)"


def test_an_inner_group_chooses_again_after_the_outer_one_breaks() -> None:
    doc = call("outer", call("inner", "x", "y"), "zzzzzzzzzz")
    assert render(doc, 16) == "outer(\n  inner(x, y),\n  zzzzzzzzzz)"
    assert render(doc, 10) == "outer(\n  inner(\n    x,\n    y),\n  zzzzzzzzzz)"


def test_the_text_after_a_group_up_to_the_next_break_counts() -> None:
    # `f(a)` fits in 5 columns, but not with the `+ 1` that must follow it on its line.
    doc = (Group(("f(", Nest(2, (SOFTLINE, "a")), ")")), " + 1")
    assert render(doc, 8) == "f(a) + 1"
    assert render(doc, 7) == "f(\n  a) + 1"


def test_nest_indents_from_the_enclosing_indentation_align_from_the_column() -> None:
    nested = ("if ", Group(("a", Nest(2, (LINE, "and b")))))
    aligned = ("if ", Group(Align(("a", LINE, "and b"))))
    assert render(nested, 5) == "if a\n  and b"
    assert render(aligned, 5) == "if a\n   and b"


def test_a_hard_line_always_breaks_and_keeps_its_group_from_staying_on_one_line() -> None:
    doc = Group(("head", Nest(2, (HARDLINE, "x", LINE, "y"))))
    assert render(doc, 80) == "head\n  x\n  y"


def test_if_break_prints_according_to_its_group() -> None:
    doc = Group((IfBreak("("), Align(("if c", LINE, "then a", LINE, "else b")), IfBreak(")")))
    assert render(doc, 80) == "if c then a else b"
    assert render(doc, 10) == "(if c\n then a\n else b)"


def test_fill_breaks_only_where_the_next_item_does_not_fit() -> None:
    doc = ("groups ", Nest(4, Fill(("Asian,", "Black,", "Hispanic,", "White"))))
    assert render(doc, 80) == "groups Asian, Black, Hispanic, White"
    assert render(doc, 24) == "groups Asian, Black,\n    Hispanic, White"


def test_fill_breaks_after_an_item_that_had_to_break() -> None:
    doc = Fill((("big(", Nest(2, (SOFTLINE, "x")), "),"), "0,", "1"))
    assert render(doc, 80) == "big(x), 0, 1"
    # `big(` broke, so `0,` starts a line of its own rather than trailing `x),`.
    assert render(doc, 4) == "big(\n  x),\n0, 1"


def test_fill_keeps_what_follows_its_last_item_on_the_line() -> None:
    doc = ("f(", Nest(4, Fill(("aaaa,", "bbbb"))), "): money =")
    assert render(doc, 22) == "f(aaaa, bbbb): money ="
    assert render(doc, 21) == "f(aaaa,\n    bbbb): money ="


def _chain(first: str, op: str, last: Doc) -> Doc:
    return Group(Align((first, Nest(0, (LINE, f"{op} ", last)))))


def test_a_hug_keeps_the_line_and_breaks_only_the_last_operand() -> None:
    last = call("sum", "x weighted by w", "for each m in measures")
    doc = Hug(("pool", " * "), last, _chain("pool", "*", last), continuation=2)
    assert render(doc, 80) == "pool * sum(x weighted by w, for each m in measures)"
    assert render(doc, 30) == "pool * sum(\n  x weighted by w,\n  for each m in measures)"


def test_a_hug_is_not_taken_when_the_last_operand_fits_on_a_line_of_its_own() -> None:
    last = call("g", "x")
    doc = Hug(("a_long_first_operand", " + "), last, _chain("a_long_first_operand", "+", last),
              continuation=2)
    assert render(doc, 22) == "a_long_first_operand\n+ g(x)"


def test_no_line_ends_in_a_space() -> None:
    doc = Group(("then ", Nest(2, (LINE, "x"))))
    assert render(doc, 3) == "then\n  x"


_words = st.text(alphabet="abc", min_size=1, max_size=6)


@st.composite
def _docs(draw: st.DrawFn, depth: int = 0) -> Doc:
    if depth > 3 or draw(st.booleans()):
        return draw(_words)
    children = draw(st.lists(_docs(depth + 1), min_size=1, max_size=4))
    kind = draw(st.sampled_from(["call", "fill", "align", "nest"]))
    if kind == "call":
        return call(draw(_words), *children)
    if kind == "fill":
        return Fill(tuple(children))
    if kind == "align":
        return Group(Align(join(LINE, children)))
    return Group(Nest(2, join(LINE, children)))


@settings(max_examples=300, deadline=None)
@given(_docs(), st.integers(min_value=1, max_value=60))
def test_any_layout_is_the_flat_text_with_breaks(doc: Doc, width: int) -> None:
    laid_out = render(doc, width)
    assert "".join(laid_out.split()) == "".join(flat(doc).split())
    if len(flat(doc)) <= width:
        assert laid_out == flat(doc)
