"""A contract of 10,000 lines for issue 12's target "`eqlang check` of a 10,000-line contract:
under 1 s": takes a number of lines and a seed, gives the text of a contract that checks
clean.

It reads like a national plan's master agreement with one schedule of equity terms per
market: the header, 20 measures (12 of the standard library's and 8 of the plan's own) whose
weights sum to 100%, a race and ethnicity stratification and a language one, then market
after market, each with its own parameters (some amended mid-year), a tiered credit
schedule proven gap-free by the checker, definitions (scorable groups, gaps, closure,
credit, a leveling-down guard, rescaled weights, some with exceptions) and two outputs. One
market in three measures its groups and gaps and guards its credit with the standard
library's `statistics`, `disparity` and `payment` modules instead of its own definitions.
Figures vary from market to market, drawn from the seed, so that no two markets are the
same text; the lines stay short enough for the whole file to fit under eqlang's
500,000-byte limit on contract files.

    python bench/large_contract.py [--lines 10000] [--seed 12] [--output FILE]
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

from eqlang.syntax.fmt import format_module
from eqlang.syntax.parse import parse
from eqlang.syntax.source import decode_source

#: The plan's own measures, beside the standard library's: code, title, direction.
PLAN_MEASURES = (
    ("SNS", "Social needs screening", "higher"),
    ("DSF", "Depression screening and follow-up", "higher"),
    ("AMM", "Antidepressant medication management", "higher"),
    ("SPC", "Statin therapy for cardiovascular disease", "higher"),
    ("PCR", "Plan all-cause readmissions", "lower"),
    ("FUH", "Follow-up after hospitalization for mental illness", "higher"),
    ("LSC", "Lead screening in children", "higher"),
    ("TRC", "Transitions of care: medication reconciliation", "higher"),
)
HEDIS = ("COL", "CBP", "HBD", "HBD8", "WCV", "PPC", "BCS", "CCS", "CIS", "IMA", "EED", "FUM")
#: 20 measures of 5% each: the weights sum to exactly 100%, as the checker demands. (Every
#: market settles every measure, and eqlang refuses a contract whose settlement may take
#: more than 10 million steps for one organization, E0311: 40 measures in 94 markets would.)
WEIGHT = "5%"

HEADER = '''\
## Equity terms of a national plan's master agreement, one schedule per market.
contract "Master equity agreement"
  payer "Illustrative National Health Plan"
  provider each organization
  currency USD
  period baseline is "2022"
  period performance is "2024"
  version "7.3"
  effective 2024-01-01 to 2024-12-31
end

import disparity
import hedis
import payment
import statistics

'''

STRATIFICATIONS = '''\
## Race and ethnicity as recorded or imputed.
stratification race "Race and ethnicity"
  groups Asian, Black, Hispanic, White,
    "American Indian or Alaska Native" as AIAN,
    "Native Hawaiian or Pacific Islander" as NHPI
  reference White
  focus Asian, Black, Hispanic, AIAN, NHPI
end

## Members whose preferred language is not English.
stratification language "Preferred language"
  groups "Language other than English" as NonEnglish
  reference rest of population
end

'''


def measures() -> str:
    lines = []
    for code in HEDIS:
        lines.append(f"measure {code} from hedis weight {WEIGHT} minimum denominator 30\n")
    for code, title, direction in PLAN_MEASURES:
        lines.append(f"## {title}: the plan's own measure.\n")
        lines.append(f'measure {code} "{title}" {direction} is better\n')
        lines.append(f"  weight {WEIGHT} minimum denominator 30\n")
    return "".join(lines) + "\n"


def market(k: int, chooser: random.Random) -> str:
    """One market's terms: parameters, a schedule, definitions and two outputs."""
    pool = chooser.choice((150, 200, 250, 300, 400, 500)) * 1000
    raised = pool + chooser.choice((10, 25, 50)) * 1000
    size = chooser.choice((20, 25, 30, 40))
    small = chooser.choice(("1", "1.5", "2", "2.5"))
    full = chooser.choice((40, 50, 60))
    margin = chooser.choice(("0.5", "1", "1.5"))
    steps = chooser.choice((5, 10, 20))
    tiers = "".join(
        f"  from {low}% to {low + steps}% pays {low / 100:g}\n"
        for low in range(0, 100, steps))
    r = f"r{k}"
    text = f'''\
# ---- market {k} {"-" * (80 - len(str(k)))}

## Market {k}: the pool per organization.
parameter pool_{r}: money = ${pool:,}.00 per "Market {k}, 1.1"
  amended to ${raised:,}.00 from 2024-07-01 per "Market {k}, A1"

## Market {k}: the smallest group scored.
parameter size_{r}: count = {size} per "Market {k}, 2.1"

## Market {k}: a gap this small is closed.
parameter small_{r}: pp = {small} pp per "Market {k}, 2.2"

## Market {k}: closure earning full credit.
parameter full_{r}: percent = {full}% per "Market {k}, 2.3"

## Market {k}: decline that cancels credit.
parameter margin_{r}: pp = {margin} pp per "Market {k}, 2.4"

## Market {k}: credit by share of the gap closed.
schedule tiers_{r}(closed: percent): number
  below 0% pays 0
{tiers}  from 100% pays 1
end

'''
    if k % 3 == 0:
        text += f'''\
## Market {k}: a group and White both large enough.
define scorable_{r}(m: measure, g: group): yesno =
  all(
    statistics.large_enough(m, h, p, size_{r})
    for each h in {{g, White}},
      p in {{baseline, performance}})

## Market {k}: the gap to White, never below 0.
define gap_{r}(m: measure, g: group, p: period): pp =
  max(0 pp, disparity.gap_to_reference(m, g, p))

'''
        guard = f'''\
## Market {k}: the no-leveling-down guard.
define guarded_{r}(m: measure, g: group): number =
  payment.guarded_score(group_score_{r}(m, g), m,
    g, baseline, performance, margin_{r})

'''
    else:
        text += f'''\
## Market {k}: a group and White both large enough.
define scorable_{r}(m: measure, g: group): yesno =
  all(
    denominator(m, h, p) >= size_{r}
    for each h in {{g, White}},
      p in {{baseline, performance}})

## Market {k}: the gap, positive when g fares worse.
define gap_{r}(m: measure, g: group, p: period): pp =
  max(
    0 pp,
    if higher_is_better(m)
    then rate(m, White, p) - rate(m, g, p)
    else rate(m, g, p) - rate(m, White, p))

'''
        guard = f'''\
## Market {k}: the whole population got worse.
define leveled_{r}(m: measure): yesno =
  payment.leveled_down(m, baseline, performance,
    margin_{r})

## Market {k}: credit unless leveled down.
define guarded_{r}(m: measure, g: group): number =
  if leveled_{r}(m)
  then 0 because "leveled down"
  else group_score_{r}(m, g)

'''
    text += f'''\
## Market {k}: the share of the gap closed.
define closed_{r}(m: measure, g: group): percent =
  (gap_{r}(m, g, baseline)
    - gap_{r}(m, g, performance))
  / gap_{r}(m, g, baseline) * 100%

## Market {k}: a group's credit.
define group_score_{r}(m: measure, g: group): number =
  if gap_{r}(m, g, baseline) <= small_{r}
  then
    (if gap_{r}(m, g, performance) <= small_{r}
     then 1
     else 0)
  else tiers_{r}(clamp(
    closed_{r}(m, g) / full_{r} * 100%, 0%, 100%))

''' + guard
    text += f'''\
## Market {k}: a measure's score.
define score_{r}(m: measure): number =
  if count(
      g for each g in focus groups of race
      where scorable_{r}(m, g)) = 0
  then not scored because "no group scored"
  else mean(
    guarded_{r}(m, g)
    for each g in focus groups of race
    where scorable_{r}(m, g))

## Market {k}: weights over the scored measures.
define weight_{r}(m: measure): percent =
  if score_{r}(m) is not scored
  then not scored because "not scored"
  else weight(m)
    / sum(weight(n) for each n in measures
      where score_{r}(n) is scored)
    * 100%
  except 0% when m = {chooser.choice(HEDIS)}
    per "Market {k}, 3.1"

## Market {k}: each measure's payment.
output measure_payout_{r}(m: measure): money =
  pool_{r} * weight_{r}(m) * score_{r}(m)
  rounded to cents half up

## Market {k}: the organization's payment.
output payout_{r}: money =
  min(
    sum(measure_payout_{r}(m)
      for each m in measures,
      not scored: skip),
    pool_{r})
  rounded to cents half up

'''
    return text


def formatted(text: str) -> str:
    """Declarations in eqlang fmt's layout, as a contract kept with the tool would be."""
    return format_module(parse(decode_source("large.eq", text.encode())))


def contract(lines: int = 10_000, seed: int = 12) -> str:
    """A contract of exactly ``lines`` lines (at least a header's worth)."""
    chooser = random.Random(seed)
    text = formatted(HEADER + measures() + STRATIFICATIONS) + "\n"
    k = 0
    while True:
        block = formatted(market(k + 1, chooser)) + "\n"
        if text.count("\n") + block.count("\n") > lines:
            break
        text += block
        k += 1
    # Fill to the exact count with the plan's contact figures, one parameter a line.
    filler = 0
    while text.count("\n") < lines:
        filler += 1
        text += f'parameter contact_{filler}: text = "Desk {filler}"\n'
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    text = contract(args.lines, args.seed)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
