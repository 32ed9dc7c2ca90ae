"""Hypothesis strategies for qifeval's objects."""

from __future__ import annotations

from hypothesis import strategies as st

import qifeval
from qifeval import (
    Framework,
    FrameworkInfo,
    IllustrationGroup,
    KeyArea,
    Part,
    QualityIndicator,
    Question,
    WellbeingIndicator,
)

# Text as users type it: any printable characters, including quotes,
# backslashes, non-ASCII letters, tabs and newlines.
text = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")) | st.sampled_from("\n\t\"\\'"),
    max_size=40,
)
title = text.filter(lambda s: s.strip() != "")
texts = st.lists(title, max_size=3).map(tuple)


@st.composite
def frameworks(draw: st.DrawFn) -> Framework:
    """Valid frameworks of random shape: 1-4 questions, key areas numbered
    from 1, indicators numbered within their key area, optionally a global
    indicator "10" in key area 10."""
    n_questions = draw(st.integers(1, 4))
    questions = [
        Question(number=i + 1, text=draw(title), aliases=draw(texts)) for i in range(n_questions)
    ]
    n_areas = draw(st.integers(1, 9))
    areas = [
        KeyArea(
            number=i + 1,
            title=draw(title),
            question=draw(st.integers(1, n_questions)),
            part=draw(st.sampled_from(Part)),
            description=draw(text),
            aliases=draw(texts),
        )
        for i in range(n_areas)
    ]
    indicators = []
    for ka in areas:
        for j in range(draw(st.integers(0, 3))):
            indicators.append(draw(indicators_for(f"{ka.number}.{j + 1}", ka.number)))
    if draw(st.booleans()):
        areas.append(
            KeyArea(number=10, title=draw(title), question=1, part=Part.CAPACITY)
        )
        indicators.append(draw(indicators_for("10", 10)))
    wellbeing = [
        WellbeingIndicator(id=f"wb{i}", name=draw(title), very_good=draw(text), weak=draw(text))
        for i in range(draw(st.integers(0, 3)))
    ]
    return Framework(
        info=FrameworkInfo(
            id=draw(title),
            title=draw(title),
            version=draw(text),
            date=draw(text),
            source=draw(text),
            content=draw(st.sampled_from(["complete", "titles-only"])),
            notes=draw(texts),
        ),
        questions=questions,
        key_areas=areas,
        all_indicators=indicators,
        wellbeing=wellbeing,
    )


groups = st.lists(
    st.builds(IllustrationGroup, subject=text, statements=st.lists(title, max_size=3).map(tuple)),
    max_size=2,
).map(tuple)


def indicators_for(qi_id: str, key_area: int) -> st.SearchStrategy[QualityIndicator]:
    return st.builds(
        QualityIndicator,
        id=st.just(qi_id),
        title=title,
        key_area=st.just(key_area),
        aliases=texts,
        key_factors_intro=text,
        key_factors=texts,
        demonstrate=texts,
        evidence=texts,
        evidence_to_consider=text,
        very_good=groups,
        weak=groups,
        notes=texts,
    )


grades = st.sampled_from(qifeval.Grade)
