"""Hypothesis strategies for eqlang syntax trees: random expressions and whole modules.

Everything generated is something ``parse`` can produce: names are valid NAME tokens that no
lexer state reads as a keyword, numeric literals in expressions are non-negative (``-5`` is
a ``Negate``), comments survive the comment scanner unchanged. ``fmt`` tests use these to
check that formatting reads back as the same tree.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from hypothesis import strategies as st

from eqlang.syntax import ast as s
from eqlang.syntax.lookalikes import skeleton
from eqlang.syntax.parser_tables import data_path
from eqlang.terminal import is_bidi_control

_GRAMMAR = (data_path("grammar") / "eqlang.lark").read_text(encoding="utf-8")


def _regex_words(terminal: str) -> set[str]:
    """The words in a regex terminal's definition, e.g. the TYPE or ROUND_MODE names."""
    line = next(ln for ln in _GRAMMAR.splitlines() if ln.startswith(terminal))
    body = line.split(":", 1)[1]
    # `\t` inside a character class is not a word; drop escapes before collecting.
    return set(re.findall(r"[A-Za-z]{2,}", re.sub(r"\\.", " ", body)))


#: Every quoted word of the grammar: these lex as keywords wherever the parser expects them.
GRAMMAR_KEYWORDS = frozenset(re.findall(r'"([A-Za-z_][A-Za-z0-9_]*)"', _GRAMMAR))
#: Words of regex terminals. A TYPE word is only a TYPE after `:`, but a rounding mode is an
#: expression atom, so `half` next to `up` would lex as one ROUND_MODE token.
TERMINAL_WORDS = frozenset(
    _regex_words("TYPE") | _regex_words("ROUND_MODE") | _regex_words("POLICY")
)
RESERVED = GRAMMAR_KEYWORDS | TERMINAL_WORDS

TYPES = tuple(sorted(_regex_words("TYPE")))
ROUNDING_MODES = ("half up", "half even", "half down", "toward zero", "away from zero")
POLICIES = ("skip", "zero", "propagate", "rescale")
COMPARE_OPS = ("=", "!=", "<", "<=", ">", ">=")

_FIRST = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"
_REST = _FIRST + "0123456789"
_PLAIN_NAMES = ("rate", "gap", "pool", "m", "g", "White", "hedis", "COL", "x1", "_t")


@st.composite
def _spelled_name(draw: st.DrawFn) -> str:
    first = draw(st.sampled_from(_FIRST))
    rest = draw(st.text(alphabet=_REST, max_size=6))
    return first + rest


#: A NAME that reads back as a NAME in every position a name can stand, and looks like no
#: other (its confusable skeleton is itself: no `I` for `l`, no `rn` for `m`; E0011).
names = st.one_of(st.sampled_from(_PLAIN_NAMES), _spelled_name()).filter(
    lambda n: n not in RESERVED and skeleton(n) == n
)

# Text as the STRING token carries it: anything but lone surrogates, which no decoded file
# holds; quotes, backslashes, newlines and `#` are the interesting ones. The parser keeps
# quoted text in Unicode normal form NFC, so that is the form a parsed tree holds.
# Direction controls stand only in display text, and only ended there (E0009): none here.
_characters = st.characters(blacklist_categories=("Cs",)).filter(
    lambda char: not is_bidi_control(char))
texts = st.text(
    alphabet=st.one_of(st.sampled_from('"\\\n#abc '), _characters),
    max_size=12,
).map(lambda text: unicodedata.normalize("NFC", text))
#: Quoted text matched against the tables, or a path: one script a word, and like no other
#: name or key of the module (E0011), from letters whose skeletons tell them apart.
keys = st.text(alphabet=st.sampled_from('"\\\n#abc \u00e9\u4e1c'), max_size=12)

_comment_chars = _characters.filter(lambda char: char != "\n")

#: A plain comment as the scanner stores it: `#`, no second `#` right after, no trailing
#: whitespace (the scanner strips it).
plain_comments = st.text(alphabet=_comment_chars, max_size=20).map(
    lambda t: ("#" + t).rstrip()
).filter(lambda c: not c.startswith("##"))

#: A doc comment line as stored: the text after `##`, stripped.
doc_lines = st.text(alphabet=_comment_chars, max_size=20).map(str.strip)

leadings = st.builds(
    s.Leading,
    st.lists(doc_lines, max_size=2).map(tuple),
    st.lists(plain_comments, max_size=2).map(tuple),
)


# ---- literals ---------------------------------------------------------------------------


def _decimals(max_digits: int = 9) -> st.SearchStrategy[Decimal]:
    """Non-negative decimals with 0-3 fraction digits, exponent kept as a parser keeps it."""
    return st.builds(
        lambda n, places: Decimal(n).scaleb(-places),
        st.integers(min_value=0, max_value=10**max_digits),
        st.integers(min_value=0, max_value=3),
    )


def _numeric(kind: str) -> st.SearchStrategy[s.Literal]:
    return _decimals().map(lambda v: s.Literal(kind, v))


literals = st.one_of(
    _numeric("money"),
    _numeric("percent"),
    _numeric("points"),
    _numeric("number"),
    st.dates().map(lambda d: s.Literal("date", d)),
    texts.map(lambda t: s.Literal("text", t)),
    st.booleans().map(lambda b: s.Literal("yesno", b)),
)


def _negated(literal: s.Literal) -> s.Literal:
    assert isinstance(literal.value, Decimal)
    return s.Literal(literal.kind, -literal.value)


#: A literal where the grammar allows `- literal` (weights, schedule bounds). Digits stay
#: far below 28: parse negates in the default decimal context, which would round them.
bounds = st.one_of(
    literals,
    st.sampled_from(("money", "percent", "points", "number"))
    .flatmap(_numeric)
    .filter(lambda lit: lit.value != 0)
    .map(_negated),
)


# ---- expressions ------------------------------------------------------------------------

dotted_names = st.lists(names, min_size=1, max_size=3).map(lambda parts: s.Name(tuple(parts)))

domains = st.one_of(
    st.just(s.AllMeasures()),
    st.just(s.AllOrganizations()),
    names.map(lambda n: s.AllOrganizations(s.Name((n,)))),
    st.builds(s.FocusGroups, st.none() | names),
    st.builds(s.StratificationGroups, st.none() | names),
    st.lists(dotted_names, min_size=1, max_size=3).map(lambda items: s.Listed(tuple(items))),
)

atoms = st.one_of(
    literals,
    dotted_names,
    st.just(s.WholePopulation()),
    st.just(s.ThisOrganization()),
    st.sampled_from(ROUNDING_MODES).map(s.RoundingMode),
    texts.map(s.NotScoredLiteral),
)


#: Whether the writer put a comparison or yes/no operation in parentheses of their own,
#: which fmt keeps where the expression is an operand.
_written = st.booleans()


def _compound(children: st.SearchStrategy[s.Expr]) -> st.SearchStrategy[s.Expr]:
    maybe = st.none() | children
    for_each = st.builds(
        s.ForEach,
        st.lists(st.builds(s.Binder, names, domains), min_size=1, max_size=2).map(tuple),
        maybe,
        st.none() | st.sampled_from(POLICIES),
    )
    calls = st.builds(
        s.Call,
        dotted_names,
        st.lists(children, max_size=3).map(tuple),
        maybe,
        st.none() | for_each,
    )
    return st.one_of(
        st.builds(s.Binary, st.sampled_from("+-*/"), children, children),
        st.builds(s.Compare, st.sampled_from(COMPARE_OPS), children, children,
                  bracketed=_written),
        st.builds(s.Negate, children),
        st.builds(s.Not, children, bracketed=_written),
        st.builds(s.And, children, children, bracketed=_written),
        st.builds(s.Or, children, children, bracketed=_written),
        st.builds(s.If, children, children, children),
        st.builds(s.Otherwise, children, children),
        st.builds(s.Because, children, texts),
        st.builds(s.IsScored, children, st.booleans(), bracketed=_written),
        st.builds(s.MemberOf, children, domains, bracketed=_written),
        st.builds(s.AtOrganization, children, children),
        st.builds(s.Simulated, st.sampled_from(s.SIMULATED_BOUNDS), children,
                  st.lists(st.builds(s.SimulationOption,
                                     st.sampled_from(("level", "draws", "seed")), children),
                           min_size=1, max_size=3).map(tuple)),
        calls,
    )


#: Expressions of every kind; `max_leaves` keeps depth well inside the parser's nesting limit.
expressions = st.recursive(atoms, _compound, max_leaves=10)


# ---- declarations -----------------------------------------------------------------------

_dates = st.dates()
_citations = st.none() | texts
_types = st.sampled_from(TYPES)
_params = st.builds(s.Param, names, _types)

_header_fields = st.one_of(
    texts.map(lambda t: s.HeaderField("payer", (t,))),
    keys.map(lambda t: s.HeaderField("provider_named", (t,))),
    st.just(s.HeaderField("provider_each", ())),
    names.map(lambda n: s.HeaderField("currency", (n,))),
    st.tuples(names, keys).map(lambda v: s.HeaderField("period", v)),
    texts.map(lambda t: s.HeaderField("version", (t,))),
    st.tuples(_dates, _dates).map(lambda v: s.HeaderField("effective", v)),
    _dates.map(lambda d: s.HeaderField("settled_as_of", (d,))),
)

headers = st.builds(
    s.ContractHeader, texts, st.lists(_header_fields, max_size=4).map(tuple), leadings
)

imports = st.builds(s.Import, names, st.none() | keys, leadings)

_measure_attributes = st.one_of(
    st.sampled_from(("higher_is_better", "lower_is_better")).map(s.MeasureAttribute),
    st.builds(s.MeasureAttribute, st.sampled_from(("weight", "minimum_denominator")), bounds),
)

measures = st.builds(
    s.Measure,
    names,
    st.none() | names,
    st.none() | texts,
    st.lists(_measure_attributes, max_size=3).map(tuple),
    leadings,
)

_group_entries = st.builds(s.GroupEntry, names, st.none() | keys)
_references = st.one_of(
    names.map(lambda n: s.Reference("group", n)),
    st.sampled_from(("best", "whole", "rest")).map(lambda k: s.Reference(k, None)),
)
_strat_items = st.one_of(
    st.lists(_group_entries, min_size=1, max_size=3).map(
        lambda g: s.StratificationItem("groups", groups=tuple(g))
    ),
    _references.map(lambda r: s.StratificationItem("reference", reference=r)),
    st.lists(names.map(s.FocusEntry), min_size=1, max_size=3).map(
        lambda f: s.StratificationItem("focus", focus=tuple(f))
    ),
    st.sampled_from(s.ORDERS).map(lambda o: s.StratificationItem("ordered", order=o)),
)

stratifications = st.builds(
    s.Stratification,
    names,
    st.none() | texts,
    st.lists(_strat_items, max_size=4).map(tuple),
    leadings,
)

parameters = st.builds(
    s.Parameter,
    names,
    _types,
    expressions,
    _citations,
    st.lists(st.builds(s.Amendment, expressions, _dates, _citations), max_size=2).map(tuple),
    leadings,
)

_exceptions = st.lists(
    st.builds(s.Exception_, expressions, expressions, _citations), max_size=2
).map(tuple)
_param_lists = st.none() | st.lists(_params, max_size=3).map(tuple)

definitions = st.builds(
    s.Definition,
    names,
    _param_lists,
    st.none() | _types,
    expressions,
    _citations,
    _exceptions,
    leadings,
)

roundings = st.one_of(
    st.just(s.Rounding(None, None, None)),
    st.sampled_from(ROUNDING_MODES).map(lambda m: s.Rounding("cents", 2, m)),
    st.sampled_from(ROUNDING_MODES).map(lambda m: s.Rounding("dollars", 0, m)),
    st.builds(
        lambda places, m: s.Rounding("decimals", places, m),
        st.integers(min_value=0, max_value=12),
        st.sampled_from(ROUNDING_MODES),
    ),
)

outputs = st.builds(
    s.Output,
    names,
    _param_lists,
    _types,
    expressions,
    roundings,
    _citations,
    _exceptions,
    leadings,
)

ranges = st.one_of(
    st.builds(lambda hi: s.Range("below", None, hi), bounds),
    st.builds(lambda hi: s.Range("up_to", None, hi), bounds),
    st.builds(lambda lo: s.Range("above", lo, None), bounds),
    st.builds(lambda lo: s.Range("from", lo, None), bounds),
    st.builds(lambda lo, hi: s.Range("from_to", lo, hi), bounds, bounds),
    st.builds(lambda lo, hi: s.Range("from_through", lo, hi), bounds, bounds),
)

schedules = st.builds(
    s.Schedule,
    names,
    _params,
    _types,
    st.none() | ranges,
    st.lists(st.builds(s.Tier, ranges, expressions), min_size=1, max_size=3).map(tuple),
    leadings,
)

_claims = st.one_of(
    st.builds(s.Always, expressions, st.none() | expressions),
    st.builds(
        s.Never,
        expressions,
        st.sampled_from(("rises", "falls")),
        expressions,
        st.sampled_from(("rises", "falls", "improves", "worsens")),
    ),
)

invariants = st.builds(
    s.Invariant,
    texts,
    _claims,
    st.lists(st.builds(s.Binder, names, domains), max_size=2).map(tuple),
    leadings,
)

_single_names = names.map(lambda n: s.Name((n,)))
_counts = _decimals(6).map(lambda v: s.Literal("number", v))
_measure_words = names.map(lambda n: s.TableWord("name", n))
_group_words = st.one_of(
    _measure_words,
    keys.map(lambda t: s.TableWord("quoted", t)),
    st.just(s.TableWord("all", "ALL")),
)
_period_words = st.one_of(
    _measure_words,
    keys.map(lambda t: s.TableWord("quoted", t)),
    st.from_regex(r"[0-9]{1,6}", fullmatch=True).map(lambda t: s.TableWord("number", t)),
)
_rows = st.builds(s.ExampleRow, _measure_words, _group_words, _period_words, _counts, _counts)
_expectations = st.one_of(
    st.builds(s.Expectation, dotted_names, st.lists(_single_names, max_size=2).map(tuple),
              bounds),
    st.builds(lambda n, a, r: s.Expectation(n, a, None, r), dotted_names,
              st.lists(_single_names, max_size=2).map(tuple), st.none() | texts),
)
_example_inputs = st.builds(s.ExampleInput, names, bounds)
_example_items = st.one_of(
    keys.map(s.ExampleOrganization),
    st.builds(s.ExampleSet, dotted_names.map(lambda n: n.dotted), bounds),
    _dates.map(s.ExampleAsOf),
    keys.map(s.ExampleTable),
    st.builds(s.ExampleRows, st.none() | keys, st.lists(_rows, max_size=3).map(tuple)),
    st.builds(s.ExampleInputs, st.none() | keys,
              st.lists(_example_inputs, max_size=3).map(tuple)),
    _expectations,
)

#: Worked examples, items in any order (the grammar and fmt keep the order written).
examples = st.builds(
    s.Example, texts, st.lists(_example_items, max_size=5).map(tuple), leadings
)

inputs = st.builds(
    s.Input,
    names,
    _types,
    st.none() | ranges,
    st.lists(keys.map(lambda t: s.Literal("text", t)), max_size=3).map(tuple),
    _citations,
    leadings,
).filter(lambda i: i.range is None or not i.choices)

_attribution_items = st.one_of(
    st.just(s.AttributionItem("self_reported_first")),
    st.just(s.AttributionItem("imputed_fractionally")),
    st.builds(lambda t, g: s.AttributionItem("imputed_most_probable", threshold=t,
                                             otherwise=g), bounds, names),
    _decimals(2).map(lambda v: s.AttributionItem(
        "probabilities_exactly", total=s.Literal("number", v.to_integral_value()))),
    st.builds(lambda v, t: s.AttributionItem(
        "probabilities_within", total=s.Literal("number", v.to_integral_value()),
        tolerance=t), _decimals(2), bounds),
)

attributions = st.builds(
    s.Attribution,
    st.lists(_single_names, min_size=1, max_size=3).map(tuple),
    st.lists(_attribution_items, max_size=4).map(tuple),
    leadings,
)

declarations = st.one_of(
    headers, imports, measures, stratifications, parameters, definitions, outputs, schedules,
    invariants, examples, inputs, attributions,
)

#: Comments after the last declaration are kept as written; a `##` one there documents
#: nothing and is refused (E0008).
_trailing = st.lists(plain_comments, max_size=2)

#: Whole modules. A module with no declarations still needs a comment: `parse` refuses an
#: empty file.
modules = st.builds(
    s.Module,
    st.lists(declarations, max_size=5).map(tuple),
    _trailing.map(tuple),
).filter(lambda m: m.declarations or m.trailing)

_long_names = st.text(alphabet="abcxyz_", min_size=20, max_size=40).map(lambda n: s.Name((n,)))
_long_operands = st.recursive(
    _long_names | atoms | st.builds(s.If, _long_names, _long_names, _long_names),
    lambda c: st.builds(s.If, c, c, c) | st.builds(s.Binary, st.just("+"), c, c),
    max_leaves=4,
)
#: Nested `if`s over long operands, so that bodies cross the line width at several depths.
long_ifs = st.builds(s.If, _long_operands, _long_operands, _long_operands)

#: Definitions and outputs whose bodies are long `if` chains.
long_rules = st.one_of(
    st.builds(s.Definition, names, _param_lists, st.none() | _types, long_ifs, _citations,
              _exceptions, leadings),
    st.builds(s.Output, names, _param_lists, _types, long_ifs, roundings, _citations,
              _exceptions, leadings),
)

# ---- expressions wider than a line -------------------------------------------------------

_wide_names = st.text(alphabet="abcxyz_", min_size=8, max_size=24).map(lambda n: s.Name((n,)))
_short_reasons = st.text(alphabet="abc xyz", max_size=24)


def _breakable(children: st.SearchStrategy[s.Expr]) -> st.SearchStrategy[s.Expr]:
    """Every compound with a place to break, so that each line can be made to fit."""
    for_each = st.builds(
        s.ForEach,
        st.lists(st.builds(s.Binder, names, domains), min_size=1, max_size=2).map(tuple),
        st.none() | children,
        st.none() | st.sampled_from(POLICIES),
    )
    calls = st.builds(
        s.Call,
        dotted_names,
        st.lists(children, min_size=1, max_size=4).map(tuple),
        st.none() | children,
        st.none() | for_each,
    )
    return st.one_of(
        st.builds(s.Binary, st.sampled_from("+-*/"), children, children),
        st.builds(s.Compare, st.sampled_from(COMPARE_OPS), children, children,
                  bracketed=_written),
        st.builds(s.And, children, children, bracketed=_written),
        st.builds(s.Or, children, children, bracketed=_written),
        st.builds(s.If, children, children, children),
        st.builds(s.Otherwise, children, children),
        st.builds(s.Because, children, _short_reasons),
        st.builds(s.MemberOf, children, domains),
        calls,
    )


#: Expressions too wide for a line, built only from names and compounds fmt can break.
wide_expressions = st.recursive(_wide_names | atoms, _breakable, max_leaves=12)

_wide_exceptions = st.lists(
    st.builds(s.Exception_, wide_expressions, wide_expressions, _citations), max_size=1
).map(tuple)

#: Definitions and outputs with wide bodies and exceptions.
wide_rules = st.one_of(
    st.builds(s.Definition, names, _param_lists, st.none() | _types, wide_expressions,
              _citations, _wide_exceptions, leadings),
    st.builds(s.Output, names, _param_lists, _types, wide_expressions, roundings, _citations,
              _wide_exceptions, leadings),
)
