"""The peer contracts of issue 12's peer target: takes contracts/reference-equity.eq, gives
three variants with a peer term and, for each, its plain twin without one.

Each variant scales a measure's score by the organization's `standing(m)` on it, and the
standing compares the organization's whole-population rate with a bar. In the peer variant
the bar comes from every organization in the measure tables:

- `peer-median.eq`: a gate. A measure pays only when the organization's rate is at the
  peers' median or better (`median(rate(m, ALL, performance) at o for each o in
  organizations)`).
- `peer-percentile.eq`: full credit at the peers' top-quartile cut or beyond (the 75th
  percentile, the 25th where lower is better), three quarters below it.
- `peer-thirds.eq`: the organization's peer third (`payment.peer_third`, as in the Medicare
  Advantage Health Equity Index) gives full credit in the top third, three quarters in the
  middle, half in the bottom.

In the plain twin (`...-plain.eq`) the same definition reads the organization's own rates
instead (its baseline rate, or its own improvement for the thirds), so the twin does the
same work per organization except for looking at its peers: "the same contract without the
peer term" that the target compares with. Everything else is the reference contract's,
without its worked examples and invariants (a worked example has one organization, so it
has no peers to speak of).

    python bench/peer_contracts.py      # writes bench/contracts/

The files are committed; tests/test_peer_contracts.py checks that they are what this
writes, and that each checks and settles.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import attrs

from eqlang.syntax.fmt import format_module
from eqlang.syntax.parse import parse
from eqlang.syntax.source import decode_source

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "contracts" / "reference-equity.eq"
FOLDER = ROOT / "bench" / "contracts"

#: Where the reference contract's own terms end.
END_OF_TERMS = "# ---- worked examples"
TITLE = 'contract "Reference equity contract"'
MEAN = "  else mean(group_score(m, g) for each g in focus groups where scorable(m, g))"
BEFORE_SCORE = "define measure_score(m: measure): number ="


@attrs.frozen
class Variant:
    """One peer term, the plain term in its place in the twin, and how it is used."""

    name: str
    title: str
    peer: str  # the definition of `bar` (or `third`) over the peers
    plain: str  # the same definition over the organization's own rates
    standing: str  # the definition of `standing(m)`
    imports: tuple[str, ...] = ()


AT_BAR = """\
## Yes when the organization's whole-population rate in the performance period is at the bar
## or better (lower, where a lower rate is better).
define at_bar(m: measure): yesno =
  if higher_is_better(m)
  then rate(m, ALL, performance) >= bar(m)
  else rate(m, ALL, performance) <= bar(m)
"""

VARIANTS = (
    Variant(
        "peer-median", "peer median gate",
        peer="""\
## The bar: the peers' median whole-population rate in the performance period, over every
## organization in the measure tables (this one included).
define bar(m: measure): percent =
  median(rate(m, ALL, performance) at o for each o in organizations)
""",
        plain="""\
## The bar: the organization's own whole-population rate in the baseline (the peer variant
## uses the peers' median here).
define bar(m: measure): percent = rate(m, ALL, baseline)
""",
        standing=AT_BAR + """
## A gate: the measure pays only when the organization is at the bar or better.
define standing(m: measure): number =
  if at_bar(m) then 1 else 0
"""),
    Variant(
        "peer-percentile", "peer top-quartile bonus",
        peer="""\
## The bar: the peers' top-quartile cut in the performance period, the 75th percentile of
## every organization's whole-population rate (the 25th where a lower rate is better).
define bar(m: measure): percent =
  percentile(
    if higher_is_better(m) then 75% else 25%,
    rate(m, ALL, performance) at o for each o in organizations)
""",
        plain="""\
## The bar: the organization's own whole-population rate in the baseline (the peer variant
## uses the peers' top-quartile cut here).
define bar(m: measure): percent = rate(m, ALL, baseline)
""",
        standing=AT_BAR + """
## Full credit at the bar or beyond, three quarters of it below.
define standing(m: measure): number =
  if at_bar(m) then 1 else 0.75
"""),
    Variant(
        "peer-thirds", "peer-thirds multiplier",
        peer="""\
## The organization's third among its peers on the whole-population rate in the performance
## period: 1 top, 0 middle, -1 bottom (see payment.peer_third).
define third(m: measure): number = payment.peer_third(m, ALL, performance)
""",
        plain="""\
## The organization's own third: 1 when its whole-population rate improved by more than
## 1 pp, -1 when it fell by more than 1 pp, else 0 (the peer variant ranks it among its
## peers here).
define third(m: measure): number =
  if payment.improvement(m, rate(m, ALL, baseline), rate(m, ALL, performance)) > 1 pp
  then 1
  else if payment.improvement(m, rate(m, ALL, baseline), rate(m, ALL, performance)) < -1 pp
  then -1
  else 0
""",
        standing="""
## Full credit in the top third, three quarters in the middle, half in the bottom.
define standing(m: measure): number =
  payment.third_points(third(m), 1, 0.75, 0.5)
""",
        imports=("payment",)),
)


def contract(variant: Variant, plain: bool) -> str:
    """The text of a variant, or of its plain twin."""
    reference = REFERENCE.read_text(encoding="utf-8")
    terms = reference[reference.index("## Reference pay-for-equity terms"):
                      reference.index(END_OF_TERMS)].rstrip() + "\n"
    for needed in (TITLE, MEAN, BEFORE_SCORE, "import hedis\n"):
        if needed not in terms:
            raise SystemExit(f"{REFERENCE} no longer has {needed.strip()!r}: update "
                             "bench/peer_contracts.py")
    kind = f"{variant.title}, without the peer term" if plain else variant.title
    name, twin = f"{variant.name}-plain.eq", f"{variant.name}.eq"
    if not plain:
        name, twin = twin, name
    if plain:
        about = (f"The plain twin of {twin}: the reference equity contract with its "
                 f"{variant.title} reading the organization's own rates instead of its peers'.")
    else:
        about = (f"The reference equity contract with a {variant.title}; its plain twin, "
                 f"without the peer term, is {twin}.")
    header = textwrap.fill(f"{about} A benchmark contract of issue 12, written by "
                           "bench/peer_contracts.py from contracts/reference-equity.eq; do "
                           "not edit.", width=92, initial_indent="# ",
                           subsequent_indent="# ") + "\n\n"
    terms = terms.replace(TITLE, f'contract "Reference equity contract, {kind}"')
    terms = terms.replace("import hedis\n", "".join(
        f"import {name}\n" for name in ("hedis", *variant.imports)))
    terms = terms.replace(MEAN, MEAN.replace("else mean(", "else standing(m) * mean("))
    inserted = (variant.plain if plain else variant.peer) + variant.standing + "\n"
    terms = terms.replace(BEFORE_SCORE, inserted + BEFORE_SCORE)
    # In eqlang fmt's layout, as every shipped contract is.
    return format_module(parse(decode_source(name, (header + terms).encode())))


def generate() -> Iterator[tuple[str, str]]:
    """Each contract's file name and text: a variant, then its twin."""
    for variant in VARIANTS:
        yield f"{variant.name}.eq", contract(variant, plain=False)
        yield f"{variant.name}-plain.eq", contract(variant, plain=True)


def main(folder: Path = FOLDER) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in generate():
        (folder / name).write_text(text, encoding="utf-8")
        print(f"wrote {folder / name}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else FOLDER)
