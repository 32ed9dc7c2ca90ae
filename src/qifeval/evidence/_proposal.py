"""What a finding's valence and weight were proposed to be, and why."""

from __future__ import annotations

import attrs

from .. import _convert
from ._kinds import Valence, Weight, to_valence, to_weight

__all__ = ["Proposal"]


@attrs.frozen(kw_only=True)
class Proposal:
    """The valence and weight proposed for a finding by a documented rule
    (the collation policy, see :func:`qifeval.collate`), with the reason.

    People may change a finding's valence and weight afterwards; the
    proposal stays with the finding, so the change is visible
    (:attr:`Finding.departs_from_proposal <qifeval.Finding.departs_from_proposal>`).

    :param valence: the proposed valence.
    :param weight: the proposed weight.
    :param rule: the rule that made the proposal, e.g. ``"p15-50"``.
    :param reason: the proposal explained in words.
    :param small_sample: whether the sample was under the small-sample
        threshold (so the weight was held at most minor).
    """

    valence: Valence = attrs.field(converter=to_valence)
    weight: Weight = attrs.field(converter=to_weight)
    rule: str
    reason: str = ""
    small_sample: bool = False

    def __str__(self) -> str:
        small = " (small sample)" if self.small_sample else ""
        return f"{self.valence.value}/{self.weight.value} by collation rule {self.rule!r}{small}"


_convert.register_omit_defaults(Proposal)
