"""The six-point scale and the inspectorates' evaluative quantifiers."""

from __future__ import annotations

import enum
import math

from .._errors import InputError

__all__ = ["Grade", "quantifier"]

_SCALE = {
    6: (
        "Excellent",
        "outstanding or sector leading",
        "An evaluation of excellent applies to provision that is a model of its type. "
        "The experiences and outcomes achieved by children, young people and families "
        "are of a very high quality. An evaluation of excellent represents an outstanding "
        "standard of performance that will exemplify the very best practice and will be "
        "worth disseminating beyond the area. It implies that these very high levels of "
        "performance are sustainable and will be maintained.",
    ),
    5: (
        "Very good",
        "major strengths",
        "An evaluation of very good will apply to provision characterised by major "
        "strengths. There will be very few areas for improvement and any that do exist "
        "will not significantly diminish the experiences of children, young people and "
        "families. While an evaluation of very good represents a high standard of "
        "performance, it is a standard that should be achievable by all. It will imply "
        "that it is fully appropriate to continue the delivery of service without "
        "significant adjustment. However, there will be an expectation that professionals "
        "will take opportunities to improve and strive to raise performance to excellent.",
    ),
    4: (
        "Good",
        "important strengths with areas for improvement",
        "An evaluation of good will apply to performance characterised by important "
        "strengths that, taken together, clearly outweigh areas for improvement. An "
        "evaluation of good will represent a standard of performance in which the "
        "strengths have a significant positive impact on children, young people and "
        "families. However, the quality of experiences of children, young people and "
        "families will be diminished in some way by aspects in which improvement is "
        "required. It implies that services should seek to improve further the areas of "
        "important strength, but take action to address the areas for improvement.",
    ),
    3: (
        "Adequate",
        "strengths just outweigh weaknesses",
        "An evaluation of adequate will apply to performance characterised by strengths, "
        "which just outweigh weaknesses. It implies that children, young people and "
        "families have access to basic levels of provision. It represents a standard "
        "where strengths have a positive impact. However, while these weaknesses will not "
        "be important enough to have a substantially adverse impact, they will constrain "
        "the overall quality of outcomes and experiences of children, young people and "
        "families. It will imply that services should take action to address areas of "
        "weakness while building on strengths.",
    ),
    2: (
        "Weak",
        "important weaknesses",
        "An evaluation of weak will apply to performance that has some strengths but "
        "where there are important weaknesses. In general an evaluation of weak may be "
        "arrived at in a number of circumstances. While there may be some strengths, the "
        "important weaknesses, either individually, or collectively, are sufficient to "
        "diminish the experiences of children, young people and their families in "
        "substantial ways. It may imply that some children and young people may be left "
        "at risk or their needs and wellbeing are not met. It will imply the need for "
        "structured and planned action on the part of services involved.",
    ),
    1: (
        "Unsatisfactory",
        "major weaknesses",
        "An evaluation of unsatisfactory will apply when there are major weaknesses in "
        "performance in critical aspects that require immediate remedial action. The "
        "outcomes and experiences of children, young people and their families will be "
        "at risk in significant respects. In almost all cases, staff will require support "
        "from senior managers in planning and carrying out the necessary actions to "
        "effect improvement. Urgent action will be required, across services, to ensure "
        "that children and young people are protected and/or to ensure their needs are "
        "met and their wellbeing improves.",
    ),
}


class Grade(enum.IntEnum):
    """A level of the six-point scale (Care Inspectorate, Appendix 2 of the
    2014-16 findings report).

    >>> Grade.parse("very good")
    <Grade.VERY_GOOD: 5>
    >>> Grade(4).label, Grade(4).descriptor
    ('Good', 'important strengths with areas for improvement')
    """

    UNSATISFACTORY = 1
    WEAK = 2
    ADEQUATE = 3
    GOOD = 4
    VERY_GOOD = 5
    EXCELLENT = 6

    @property
    def label(self) -> str:
        """The level's name as printed, e.g. ``"Very good"``."""
        return _SCALE[self.value][0]

    @property
    def descriptor(self) -> str:
        """The short descriptor, e.g. ``"major strengths"``."""
        return _SCALE[self.value][1]

    @property
    def description(self) -> str:
        """The full paragraph describing the level."""
        return _SCALE[self.value][2]

    def __str__(self) -> str:
        return f"{self.value} {self.label}"

    @classmethod
    def parse(cls, value: object) -> Grade:
        """Return the grade for a number (1-6, or its string) or a label
        (``"Very good"``, ``"very_good"``, ``"VERY GOOD"``).

        :raises InputError: if *value* names no grade.
        """
        if isinstance(value, Grade):
            return value
        if isinstance(value, bool):
            raise InputError(f"expected a grade 1-6 or a label, got {value!r}")
        if isinstance(value, int):
            if 1 <= value <= 6:
                return cls(value)
        elif isinstance(value, str):
            text = " ".join(value.replace("_", " ").replace("-", " ").split()).lower()
            if text.isascii() and text.isdigit() and 1 <= int(text) <= 6:
                return cls(int(text))
            for grade in cls:
                if text == grade.label.lower():
                    return grade
        labels = ", ".join(f"{g.value} {g.label}" for g in cls)
        raise InputError(f"expected a grade ({labels}), got {value!r}")


_NUMBER = (int, float)


def quantifier(proportion: float) -> str:
    """Return the evaluative term for a proportion between 0 and 1.

    The bands follow the Scottish inspectorates' quantifiers. The published
    bands share the 15% edge and leave gaps between whole percentages; qifeval
    reads them as: ``none`` = 0, ``a few`` 0 < p < 15%, ``less than half``
    15% <= p < 50%, ``majority`` 50% <= p < 75%, ``most`` 75% <= p <= 90%,
    ``almost all`` 90% < p < 100%, ``all`` = 100%. The smallest positive
    band is "a few", as the inspectorates write it: bare "few" reads as
    reassurance ("few plans were…").

    >>> quantifier(0.8)
    'most'
    >>> quantifier(0.9), quantifier(0.91)
    ('most', 'almost all')

    :raises InputError: if *proportion* is not a number from 0 to 1.
    """
    # A float from 0 to 1, the usual case, needs no further checks.
    if not (type(proportion) is float and 0 <= proportion <= 1) and (
        isinstance(proportion, bool)
        or not isinstance(proportion, _NUMBER)
        or math.isnan(proportion)
        or not 0 <= proportion <= 1
    ):
        raise InputError(f"a proportion must be a number from 0 to 1, got {proportion!r}")
    if proportion == 0:
        return "none"
    if proportion < 0.15:
        return "a few"
    if proportion < 0.5:
        return "less than half"
    if proportion < 0.75:
        return "majority"
    if proportion <= 0.9:
        return "most"
    if proportion < 1:
        return "almost all"
    return "all"
