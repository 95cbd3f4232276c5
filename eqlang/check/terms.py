"""Terms of a run: a pass of checking. Takes the contract's ``input`` declarations and its
``attribution`` block, gives each organization input with the values it may take and the
attribution terms, or errors.

An organization input is a fact of each organization, read from the organization table: a
number with its unit (a count is never negative; a percent is a share, from 0% to 100%,
unless its range says otherwise), yes/no, or text (any text, or one of the texts listed).
The attribution terms say how members with imputed race and ethnicity count in a table made
from member files (``eqlang.data.attribution``): self-report first, then imputed
probabilities counted fractionally or by the most probable group at a threshold, else a
named group, with probabilities summing to 1 exactly or within a small tolerance.
"""

from __future__ import annotations

from decimal import Decimal

import attrs

from eqlang.check import units as t
from eqlang.check.names import tier_interval
from eqlang.check.scope import Declarations, Pass
from eqlang.core.program import AttributionTerms, InputInfo
from eqlang.core.values import shift
from eqlang.data.attribution import FRACTIONAL, MOST_PROBABLE, Attribution
from eqlang.diagnostics import Note
from eqlang.syntax import ast as s
from eqlang.syntax.fmt import format_literal

E_INPUT = "E0113"
E_ATTRIBUTION = "E0114"

#: The types an organization input may have: a fact is a number, a yes/no or text.
INPUT_TYPES = ("money", "percent", "pp", "count", "number", "yesno", "text")

#: The widest tolerance the terms may state: probabilities that sum further from 1 than
#: this are not rounded imputation output but a different model's.
MAX_TOLERANCE = Decimal("0.01")

_INFINITY = Decimal("Infinity")


@attrs.frozen
class Terms:
    inputs: dict[str, InputInfo]
    attribution: AttributionTerms | None


class TermsPass(Pass):
    def __init__(self, declared: Declarations) -> None:
        super().__init__(declared.diagnostics)
        self.declared = declared

    def run(self) -> Terms:
        inputs: dict[str, InputInfo] = {}
        blocks: list[s.Attribution] = []
        for d in self.declared.main.module.declarations:
            if isinstance(d, s.Input):
                info = self.input(d)
                ref = self.declared.scopes[self.declared.main.key].names.get(d.name)
                if info is not None and ref is not None and ref[1] is d.span:
                    inputs[d.name] = info
                    symbol = self.declared.symbols.get(d.name)
                    if symbol is not None:
                        self.declared.symbols[d.name] = attrs.evolve(symbol, type=d.type)
            elif isinstance(d, s.Attribution):
                blocks.append(d)
        attribution = self.attribution(blocks[0]) if blocks else None
        for extra in blocks[1:]:
            self.error(E_ATTRIBUTION, "the contract states its attribution terms twice",
                       extra.span, hint="tables made from member files count every "
                       "stratification by one set of terms: keep one block and name every "
                       "stratification in it, `attribution of race, ethnicity`",
                       notes=(Note("first stated here", blocks[0].span),))
        return Terms(inputs, attribution)

    # ---- organization inputs ------------------------------------------------------------

    def input(self, d: s.Input) -> InputInfo | None:
        if d.type not in INPUT_TYPES:
            self.error(E_INPUT, f"an organization input is a number, yes/no or text, not "
                       f"{t.describe(d.type)}", d.type_span,
                       hint="declare it as money, percent, pp, count, number, yesno or text; "
                       "the organization itself is `organization`")
            return None
        low, low_closed, high, high_closed = _natural_range(d.type)
        if d.range is not None:
            found = self.range(d, d.range)
            if found is None:
                return None
            low, low_closed, high, high_closed = found
        choices: list[str] = []
        if d.choices and d.type != "text":
            self.error(E_INPUT, f"`one of` lists the texts a text input may take, but "
                       f"`{d.name}` is {t.describe(d.type)}", d.span,
                       hint=f"declare it `input {d.name}: text one of ...`, or give a "
                       "number's range, like `from 0% through 100%`")
            return None
        for choice in d.choices:
            text = str(choice.value)
            if not text.strip() or text != text.strip():
                self.error(E_INPUT, f"the value \"{text}\" of `{d.name}` is empty or begins or "
                           "ends with a space, which no cell of a table can hold", choice.span,
                           hint=f"write it as the organization table spells it: "
                           f"\"{text.strip()}\"")
                return None
            if text in choices:
                self.error(E_INPUT, f"\"{text}\" is listed twice among the values of "
                           f"`{d.name}`", choice.span, hint="list each value once")
                return None
            choices.append(text)
        return InputInfo(d.name, d.type, low, low_closed, high, high_closed, tuple(choices),
                         d.citation, d.leading.doc, d.span, d.type_span)

    def range(self, d: s.Input, r: s.Range) -> tuple[Decimal, bool, Decimal, bool] | None:
        if d.type not in t.NUMERIC:
            self.error(E_INPUT, f"a range bounds a number, but `{d.name}` is "
                       f"{t.describe(d.type)}", r.span,
                       hint="list the texts it may take with `one of \"A\", \"B\"`"
                       if d.type == "text" else "remove the range")
            return None
        for bound in (r.low, r.high):
            if bound is None:
                continue
            actual = t.literal_type(bound)
            if not t.assignable(actual, d.type):
                self.error(E_INPUT, f"the range of `{d.name}` is written in "
                           f"{t.describe(actual)}, but `{d.name}` is {t.describe(d.type)}",
                           bound.span, hint=t.unit_hint(actual, d.type)
                           or f"write both ends in the unit of the input: {d.type}")
                return None
        low, low_closed, high, high_closed = tier_interval(r)
        if d.type in ("percent", "pp"):
            low, high = shift(low, -2), shift(high, -2)
        if low > high or (low == high and not (low_closed and high_closed)):
            self.error(E_INPUT, f"the range of `{d.name}` holds no value", r.span,
                       hint="write the lower end first: `from 0% through 100%`")
            return None
        if d.type in t.NON_NEGATIVE and r.low is not None and low < 0:
            self.error(E_INPUT, f"`{d.name}` is a count, which is never negative, but its range "
                       f"starts at {format_literal(r.low)}", r.span,
                       hint="start the range at 0 or above: `from 0 to 100000`")
            return None
        if d.type in t.NON_NEGATIVE and low < 0:
            low, low_closed = Decimal(0), True  # `below 100`: a count is 0 or more anyway
        return low, low_closed, high, high_closed

    # ---- attribution terms ------------------------------------------------------------------

    def attribution(self, block: s.Attribution) -> AttributionTerms | None:
        declared = self.declared.stratifications
        named: list[str] = []
        for name in block.stratifications:
            text = name.dotted
            if text in named:
                self.error(E_ATTRIBUTION, f"`{text}` is named twice", name.span,
                           hint="name each stratification once")
            elif text not in declared:
                self.error(E_ATTRIBUTION, f"`{text}` is not a stratification of the contract",
                           name.span, hint=self.suggest(text, declared)
                           or "name a stratification the contract declares")
            else:
                named.append(text)
        left_out = [name for name in declared if name not in named]
        if left_out and len(named) == len(block.stratifications):
            self.error(E_ATTRIBUTION, "the attribution terms do not name stratification "
                       + ", ".join(f"`{n}`" for n in left_out), block.span,
                       hint="tables made from member files count every stratification by "
                       "these terms: name them all, `attribution of "
                       + ", ".join([*named, *left_out]) + "`")
        imputed = self.once(block, ("imputed_fractionally", "imputed_most_probable"),
                            "how imputed membership counts")
        summed = self.once(block, ("probabilities_within", "probabilities_exactly"),
                           "how probabilities sum")
        self.once(block, ("self_reported_first",), "that self-report comes first")
        threshold: Decimal | None = None
        otherwise: str | None = None
        if imputed is not None and imputed.kind == "imputed_most_probable":
            threshold = self.threshold(imputed)
            otherwise = self.otherwise(imputed, named)
        tolerance = self.tolerance(summed) if summed is not None else Decimal(0)
        if imputed is None:
            self.error(E_ATTRIBUTION, "the attribution terms do not say how imputed membership "
                       "counts", block.span, hint="add `imputed counted fractionally`, or "
                       "`imputed to the most probable group at 80% or more, else Unknown`")
            return None
        if tolerance is None or (imputed.kind == "imputed_most_probable"
                                 and (threshold is None or otherwise is None)):
            return None
        if imputed.kind == "imputed_fractionally":
            terms = Attribution(FRACTIONAL, tolerance=tolerance)
        else:
            terms = Attribution(MOST_PROBABLE, threshold=threshold, otherwise=otherwise,
                                tolerance=tolerance)
        return AttributionTerms(terms, tuple(named), span=block.span)

    def once(self, block: s.Attribution, kinds: tuple[str, ...], what: str
             ) -> s.AttributionItem | None:
        found = [item for item in block.items if item.kind in kinds]
        for extra in found[1:]:
            self.error(E_ATTRIBUTION, f"the attribution terms say {what} twice", extra.span,
                       hint="keep one line", notes=(Note("first said here", found[0].span),))
        return found[0] if found else None

    def threshold(self, item: s.AttributionItem) -> Decimal | None:
        literal = item.threshold
        assert literal is not None
        if literal.kind != "percent" or not isinstance(literal.value, Decimal):
            self.error(E_ATTRIBUTION, f"the threshold is a percent, not "
                       f"{t.describe(t.literal_type(literal))}", literal.span,
                       hint="write the least probability as a percent: `at 80% or more`")
            return None
        if not Decimal(0) < literal.value <= Decimal(100):
            self.error(E_ATTRIBUTION, f"the threshold {format_literal(literal)} is not a "
                       "probability above 0% and at most 100%", literal.span,
                       hint="write a percent such as 80%")
            return None
        return shift(literal.value, -2)

    def otherwise(self, item: s.AttributionItem, named: list[str]) -> str | None:
        group = item.otherwise
        assert group is not None
        missing = [n for n in named if group not in self.declared.stratifications[n].groups]
        if missing:
            groups = [g for n in missing for g in self.declared.stratifications[n].groups]
            self.error(E_ATTRIBUTION, f"`{group}` is not a group of "
                       + ", ".join(f"`{n}`" for n in missing), item.span,
                       hint=self.suggest(group, groups)
                       or f"add `{group}` to the stratification's groups, so that members "
                       "below the threshold are counted where the contract reads them")
            return None
        info = self.declared.stratifications[named[0]] if named else None
        return info.spellings.get(group, group) if info is not None else group

    def tolerance(self, item: s.AttributionItem) -> Decimal | None:
        total = item.total
        assert total is not None
        if total.value != 1:
            self.error(E_ATTRIBUTION, f"a member's probabilities sum to 1, not "
                       f"{format_literal(total)}", total.span,
                       hint="write `probabilities sum to 1 within 0.00001`")
            return None
        literal = item.tolerance
        if literal is None:
            return Decimal(0)
        if literal.kind != "number" or not isinstance(literal.value, Decimal):
            self.error(E_ATTRIBUTION, "the tolerance is a plain decimal, such as 0.00001",
                       literal.span, hint="a probability is a fraction of 1; write how far a "
                       "sum may be from 1 as one, not as a percent")
            return None
        if literal.value < 0:
            self.error(E_ATTRIBUTION, f"the tolerance {format_literal(literal)} is negative",
                       literal.span, hint="write how far a sum may be from 1, such as 0.00001")
            return None
        if literal.value > MAX_TOLERANCE:
            self.error(E_ATTRIBUTION, f"the tolerance {format_literal(literal)} is more than "
                       f"{MAX_TOLERANCE}: such sums are not rounded probabilities",
                       literal.span, hint="imputation output rounded to six decimals needs "
                       "about 0.00001; check the imputation if its sums are further off")
            return None
        return literal.value


def _natural_range(type_name: str) -> tuple[Decimal, bool, Decimal, bool]:
    """The values an input of a type may take when its declaration states no range."""
    if type_name == "count":
        return Decimal(0), True, _INFINITY, False
    if type_name == "percent":
        return Decimal(0), True, Decimal(1), True
    return -_INFINITY, False, _INFINITY, False
