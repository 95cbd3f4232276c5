"""Attribution terms: takes the words a contract (or ``--attribution``) uses to say how members
with imputed race and ethnicity are counted, gives a small frozen ``Attribution`` value.

A member's self-reported group always comes first: a member who reported one counts wholly
in it. For the others the contract chooses how their imputed probabilities count:

- ``fractional`` (the default when the contract says nothing): each member adds their
  probability of belonging to a group to that group's numerator and denominator;
- ``most probable at 80% else Unknown``: each member counts wholly in their most probable
  group when its probability reaches the threshold, and otherwise (or when two groups tie)
  wholly in the named group.

``tolerance`` is how far one member's imputed probabilities may sum from 1 (imputation
output is often rounded to six decimals, so six groups may sum to 0.999998); 0, the
default, means exactly 1. A member with no membership row at all counts in ``unknown``
when the stratification declares that group, and is an error otherwise.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

FRACTIONAL = "fractional"
MOST_PROBABLE = "most probable"

#: The group members without any membership row are counted in, when a stratification
#: declares it.
DEFAULT_UNKNOWN = "Unknown"

_MOST_PROBABLE = re.compile(
    r"most[ -]probable\s+(?:at\s+)?(?P<threshold>[0-9]+(?:\.[0-9]+)?)\s*(?P<percent>%?)"
    r"(?:\s+or\s+more)?\s*,?\s+else\s+(?P<otherwise>\S.*)", re.IGNORECASE)
_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")


class AttributionError(ValueError):
    """Terms that cannot be read; the message says what to write instead."""


def _threshold(value: Decimal | None) -> None:
    if value is not None and not Decimal(0) < value <= Decimal(1):
        raise AttributionError(f"the threshold {value} is not a probability above 0 and at "
                               "most 1 (write it as a percent, such as 80%)")


@attrs.frozen
class Attribution:
    """How membership is attributed: self-report first, then ``imputed`` probabilities."""

    imputed: str = attrs.field(default=FRACTIONAL,
                               validator=attrs.validators.in_((FRACTIONAL, MOST_PROBABLE)))
    #: For ``most probable``: the least probability, as a fraction (80% is 0.8).
    threshold: Decimal | None = None
    #: For ``most probable``: the group of a member whose most probable group falls short.
    otherwise: str | None = None
    #: How far a member's imputed probabilities may sum from 1.
    tolerance: Decimal = Decimal(0)
    #: Where members with no membership row count, if the stratification declares it.
    unknown: str = DEFAULT_UNKNOWN

    def __attrs_post_init__(self) -> None:
        _threshold(self.threshold)
        if (self.imputed == MOST_PROBABLE) != (self.threshold is not None):
            raise AttributionError("a threshold goes with `most probable` and only with it")
        if (self.imputed == MOST_PROBABLE) != bool(self.otherwise):
            raise AttributionError("`most probable` needs the group of members below the "
                                   "threshold: `most probable at 80% else Unknown`")
        if not Decimal(0) <= self.tolerance < Decimal(1):
            raise AttributionError(f"the tolerance {self.tolerance} is not between 0 and 1")

    def describe(self) -> str:
        """The terms in words, as ``--attribution`` takes them and messages show them."""
        if self.imputed == FRACTIONAL:
            text = "self-reported first, else imputed probabilities counted fractionally"
        else:
            assert self.threshold is not None
            percent = _plain(self.threshold * 100)
            text = (f"self-reported first, else the most probable imputed group at {percent}% "
                    f"or more, else {self.otherwise}")
        if self.tolerance:
            text += f"; probabilities sum to 1 within {_plain(self.tolerance)}"
        return text

    def to_json(self) -> dict[str, Any]:
        """The terms as a trace records them; ``from_json`` reads them back."""
        return {
            "self_reported": "first",
            "imputed": self.imputed,
            "threshold": None if self.threshold is None else _plain(self.threshold),
            "otherwise": self.otherwise,
            "tolerance": _plain(self.tolerance),
            "unknown": self.unknown,
        }

    @classmethod
    def from_json(cls, data: Any) -> Attribution:
        if not isinstance(data, dict):
            raise AttributionError("the attribution terms are not an object")
        try:
            threshold = data.get("threshold")
            return cls(imputed=str(data["imputed"]),
                       threshold=None if threshold is None else _decimal(str(threshold)),
                       otherwise=data.get("otherwise"),
                       tolerance=_decimal(str(data["tolerance"])),
                       unknown=str(data["unknown"]))
        except (KeyError, ValueError) as error:
            raise AttributionError(f"the attribution terms are damaged: {error}") from None


def parse_attribution(text: str, tolerance: str | None = None) -> Attribution:
    """Terms as written on the command line: ``fractional`` or ``most probable at 80% else
    Unknown``, with ``tolerance`` a decimal such as ``0.000005``."""
    words = " ".join(text.split())
    limit = Decimal(0) if tolerance is None else _decimal(tolerance.strip(), "tolerance")
    if words.lower() in (FRACTIONAL, "fractionally"):
        return Attribution(tolerance=limit)
    found = _MOST_PROBABLE.fullmatch(words)
    if found is None:
        raise AttributionError(f"`{text}` is not attribution terms eqlang knows; write "
                               "`fractional` or `most probable at 80% else Unknown`")
    threshold = _decimal(found["threshold"], "threshold")
    if found["percent"]:
        threshold /= 100
    elif threshold > 1:
        raise AttributionError(f"the threshold {found['threshold']} is above 1; write a "
                               f"percent, such as {found['threshold']}%")
    return Attribution(imputed=MOST_PROBABLE, threshold=threshold,
                       otherwise=found["otherwise"].strip(), tolerance=limit)


def _decimal(text: str, what: str = "number") -> Decimal:
    if not _DECIMAL.fullmatch(text):
        raise AttributionError(f"the {what} `{text}` is not a plain decimal such as 0.000005")
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise AttributionError(f"the {what} `{text}` is not a number") from None


def _plain(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros: 0.8, 80, 0.000005."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
