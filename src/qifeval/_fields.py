"""The vocabularies of facts that rules can read.

Indicator rules read an indicator's evidence profile; capacity rules read
the capacity profile built from all indicator grades, the context and the
trend.
"""

from __future__ import annotations

__all__ = ["CAPACITY_FIELDS", "PROFILE_FIELDS", "VOCABULARIES"]

#: Profile fields, with what each counts. Rules refer to these names.
PROFILE_FIELDS: dict[str, str] = {
    "findings": "all findings",
    "strengths": "strengths",
    "weaknesses": "weaknesses",
    "strengths_minor": "strengths of weight minor",
    "strengths_important": "strengths of weight important",
    "strengths_major": "strengths of weight major",
    "weaknesses_minor": "weaknesses of weight minor",
    "weaknesses_important": "weaknesses of weight important",
    "weaknesses_major": "weaknesses of weight major",
    "strengths_important_or_major": "strengths of weight important or major",
    "weaknesses_important_or_major": "weaknesses of weight important or major",
    "strength_points": "the strengths' weights added up (see the rules' weights)",
    "weakness_points": "the weaknesses' weights added up",
    "critical_weaknesses": "weaknesses in a critical aspect, of any weight",
    "critical_important_weaknesses": "critical weaknesses of weight important",
    "critical_major_weaknesses": "critical weaknesses of weight major",
    "sustained_strengths": "strengths marked sustained",
    "sector_leading_strengths": "strengths marked sector leading",
    "strength_sources": "distinct source kinds behind the strengths",
    "weakness_sources": "distinct source kinds behind the weaknesses",
    "sources": "distinct source kinds behind all findings",
    "outcome_indicator": "1 if the indicator is in key areas 1-4 (outcomes), else 0",
    "documentation_only": "1 if every finding rests on documentation, else 0",
}


#: Capacity profile fields, with what each counts. Grades are the confirmed
#: grades where people have confirmed them, otherwise the suggested ones.
CAPACITY_FIELDS: dict[str, str] = {
    "indicators": "quality indicators in the framework (without QI 10)",
    "graded": "indicators with a grade",
    "ungraded": "indicators without a grade",
    "graded_pct": "graded indicators as a whole percentage of all indicators",
    "not_triangulated": "graded indicators whose evidence is not triangulated",
    "not_triangulated_pct": "not_triangulated as a whole percentage of graded indicators",
    "good_or_better_pct": "graded indicators at Good or better, as a whole percentage",
    "very_good_or_better_pct": "graded indicators at Very good or better, as a whole percentage",
    "weak_or_worse": "indicators graded Weak or Unsatisfactory",
    "unsatisfactory": "indicators graded Unsatisfactory",
    "weak_leadership": "leadership indicators (9.x) graded 2 or below",
    "weak_key_outcomes": "key outcome indicators (1.1, 2.1, 2.2) graded 2 or below",
    "lever_intelligence": "partnership intelligence lever (6.4, 1.1): mean grade x 10, 0 if none graded",
    "lever_leadership": "leadership and management lever (9.x, key areas 6-8): mean grade x 10",
    "lever_improvement": "quality improvement lever (6.5, 9.4): mean grade x 10",
    "lever_outcomes": "outcomes lever (1.1, 2.1, 2.2): mean grade x 10",
    "has_previous": "1 if a previous evaluation is given, else 0",
    "improved": "indicators graded higher than in the previous evaluation",
    "declined": "indicators graded lower than in the previous evaluation",
    "areas_improved": "previous areas for improvement (graded 3 or below) now graded higher",
    "areas_not_improved": "previous areas for improvement not graded higher now",
    "challenges": "contextual challenges recorded",
    "severe_challenges": "contextual challenges of severity severe",
    "challenge_points": "challenges' severities added up (low 1, moderate 2, severe 3)",
    "readiness_strengths": "readiness evidence that is a strength (any aspect: anticipating change, managing risk, contingency planning, commitment)",
    "readiness_weaknesses": "readiness evidence that is a weakness (any aspect)",
}

#: Rule subject -> the fields its rules may read.
VOCABULARIES: dict[str, dict[str, str]] = {"indicator": PROFILE_FIELDS, "capacity": CAPACITY_FIELDS}
