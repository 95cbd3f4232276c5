# The plan's own measures: a small catalogue beside the contracts, imported by
# contracts/showcase.eq as `plan`. Illustrative, like the showcase itself.
# A contract picks a measure from here with `measure CODE from plan weight ...`.

## Depression screening and follow-up: members 12 and older screened for depression with a
## standard instrument and, when the screen is positive, followed up within 30 days.
measure DSF "Depression screening and follow-up" higher is better minimum denominator 30

## Interpreter services: visits of members who asked for an interpreter at which one was
## provided.
measure INT "Interpreter services provided" higher is better minimum denominator 30
