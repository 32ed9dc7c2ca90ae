"""The position statement a partnership submits before a joint inspection.

Seed 002 asks partnerships to use "the four inspection statements … as the
basis for the position statement" and to answer three reflective questions
for each: *How good are we now? How do we know? What do we plan to do
next?*, in at most 5,000 words, with "links to supporting evidence …
clearly marked throughout the document", setting out "the main themes and
learning".

:func:`position_statement_document` builds a view model of plain,
already-redacted objects, organised by the inspection profile's statements
(or by the framework's questions without a profile). It renders to
Markdown and HTML through Jinja2 templates shipped with the package, and to
Word (``.docx``) with python-docx (the ``docx`` extra).
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from itertools import islice

import attrs

from .._errors import MissingDependencyError
from .._privacy import _DEFAULT_GUARD, PersonalDataGuard
from ..evaluation._evaluate import Evaluation
from ..evaluation._profile import (
    NOT_GRADED,
    ProfiledEvaluation,
    ProfiledResult,
    StatementEvaluation,
    apply_profile,
)
from ..evidence._findings import Finding
from ..evidence._kinds import Valence
from ..frameworks._grade import Grade
from ..frameworks._inspections import InspectionProfile, ProfileQuestion
from ..frameworks._loading import load_framework
from ._jinja import render

__all__ = [
    "POSITION_FORMATS",
    "Claim",
    "EvidenceRow",
    "GradeRow",
    "PositionSection",
    "PositionStatementDocument",
    "position_statement_document",
]

#: The word limit of a position statement (seed 002).
WORD_LIMIT = 5000

#: The three reflective questions (seed 002).
NOW, KNOW, NEXT = "How good are we now?", "How do we know?", "What do we plan to do next?"

# How many strengths, areas for development, evidence rows and actions each
# section lists, from the full draft down to the shortest; the first level
# that fits the word limit is used.
_DETAIL = (None, 12, 8, 5, 3, 2, 1)
# The fewest words a listed finding adds to the Markdown: its bullet (a
# marker, one word and its id with its source) and its row of the evidence
# table (ten cells and bars).
_MIN_WORDS = 14

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")


def _clean(text: str) -> str:
    """*text* on one line, without control characters (which neither a
    Word document nor a terminal should receive)."""
    text = _CONTROL.sub(" ", unicodedata.normalize("NFC", text))
    return _SPACES.sub(" ", text).strip()


def _clause(text: str) -> str:
    """*text* as a clause to end with our own punctuation: no trailing full
    stops, semicolons or commas, so that ".;" and ".." never appear."""
    return _clean(text).rstrip(" .;,:")


def _n(count: int, singular: str, plural: str | None = None) -> str:
    """``"1 finding"``, ``"2 findings"``."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


def _sentence(text: str) -> str:
    """*text* as one sentence: capitalised, ending in a single full stop
    (or its own question or exclamation mark)."""
    t = _clause(text)
    if not t:
        return t
    t = t[0].upper() + t[1:]
    return t if t.endswith(("?", "!")) else t + "."


@attrs.frozen(kw_only=True)
class Claim:
    """One claim of the statement with the evidence behind it.

    :param text: the claim, one or more sentences.
    :param refs: the evidence references beside it: finding ids, each
        with its source (and reference, when the finding has one).
    """

    text: str
    refs: tuple[str, ...] = ()

    @property
    def reference(self) -> str:
        """The references as printed beside the claim, in brackets."""
        return f"[{'; '.join(self.refs)}]" if self.refs else "[no evidence yet]"


@attrs.frozen(kw_only=True)
class GradeRow:
    """One graded indicator (or domain) of a section, for its table.

    :param status: ``"our evaluation"`` for a grade a person decided,
        ``"suggestion, not yet confirmed"`` for a suggestion, or why there
        is no grade.
    """

    indicator: str
    grade: str
    status: str
    evidence: str


@attrs.frozen(kw_only=True)
class EvidenceRow:
    """One finding in a section's evidence table."""

    finding: str
    indicator: str
    valence: str
    source: str
    reference: str


@attrs.frozen(kw_only=True)
class PositionSection:
    """One statement (or question) answered with the three reflective
    questions.

    :param weak: a weak area: its answer to *How good are we now?* leads
        with its areas for development.
    :param now: the answer to *How good are we now?*: key messages, then
        areas for development and strengths (weaknesses first when weak).
    :param know: the answer to *How do we know?*.
    :param next: the answer to *What do we plan to do next?*.
    """

    id: str
    heading: str
    weak: bool
    messages: tuple[Claim, ...]
    first: tuple[str, tuple[Claim, ...]]
    second: tuple[str, tuple[Claim, ...]]
    grades: tuple[GradeRow, ...]
    know: tuple[Claim, ...]
    evidence: tuple[EvidenceRow, ...]
    next: tuple[Claim, ...]

    @property
    def claims(self) -> tuple[Claim, ...]:
        """Every claim of the section."""
        return (*self.messages, *self.first[1], *self.second[1], *self.know, *self.next)


@attrs.frozen(kw_only=True)
class PositionStatementDocument:
    """A joint position statement: the view model the Markdown, HTML and
    Word renderings are made from. Every text in it is already redacted
    with the personal-data guard.

    :param basis: what the sections are: the inspection model's statements
        or the framework's questions.
    :param themes: the main themes and learning.
    :param shortened: what was left out to keep within the word limit
        (empty when nothing was).
    :param words: the words of the Markdown rendering.
    """

    title: str
    partnership: str
    basis: str
    introduction: tuple[str, ...]
    themes: tuple[Claim, ...]
    sections: tuple[PositionSection, ...]
    notes: tuple[str, ...]
    shortened: tuple[str, ...] = ()
    words: int = 0
    limit: int = WORD_LIMIT

    @property
    def over_limit(self) -> bool:
        """Whether the statement is still longer than the limit."""
        return self.words > self.limit

    @property
    def claims(self) -> tuple[Claim, ...]:
        """Every claim: the themes and each section's."""
        return (*self.themes, *(c for s in self.sections for c in s.claims))

    def markdown(self) -> str:
        """The statement as Markdown."""
        return render("position/statement.md.j2", doc=self)

    def html(self) -> str:
        """The statement as a standalone HTML page."""
        return render("position/statement.html.j2", doc=self)

    def docx(self) -> bytes:
        """The statement as a Word document (``.docx``), with Heading 1-3
        styles and tables.

        :raises MissingDependencyError: without python-docx (install the
            ``docx`` extra).
        """
        return _docx(self)


#: Output formats of :class:`PositionStatementDocument`: name -> renderer.
POSITION_FORMATS: dict[str, Callable[[PositionStatementDocument], str | bytes]] = {
    "markdown": PositionStatementDocument.markdown,
    "html": PositionStatementDocument.html,
    "docx": PositionStatementDocument.docx,
}


# --- Rendering ------------------------------------------------------------------


def _docx(doc: PositionStatementDocument) -> bytes:
    try:
        import docx
    except ImportError:
        raise MissingDependencyError(
            "writing a position statement as .docx", extra="docx", package="python-docx"
        ) from None
    out = docx.Document()
    out.add_heading(doc.title, level=1)
    for para in doc.introduction:
        out.add_paragraph(para)
    out.add_heading("Main themes and learning", level=2)
    _claims(out, doc.themes)
    for s in doc.sections:
        out.add_heading(s.heading, level=2)
        out.add_heading(NOW, level=3)
        _claims(out, s.messages)
        if s.grades:
            _table(
                out,
                ("Indicator", "Grade", "Status", "Evidence"),
                [(g.indicator, g.grade, g.status, g.evidence) for g in s.grades],
            )
        for label, claims in (s.first, s.second):
            if claims:
                out.add_paragraph(label, style="Heading 4")
                _claims(out, claims)
        out.add_heading(KNOW, level=3)
        _claims(out, s.know)
        if s.evidence:
            _table(
                out,
                ("Finding", "Indicator", "Strength or weakness", "Source", "Reference"),
                [(e.finding, e.indicator, e.valence, e.source, e.reference) for e in s.evidence],
            )
        out.add_heading(NEXT, level=3)
        _claims(out, s.next)
    if doc.notes or doc.shortened:
        out.add_heading("Notes", level=2)
        for note in (*doc.shortened, *doc.notes):
            out.add_paragraph(note)
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def _claims(out: object, claims: Iterable[Claim]) -> None:
    for c in claims:
        p = out.add_paragraph(style="List Bullet")  # type: ignore[attr-defined]
        p.add_run(c.text + " ")
        p.add_run(c.reference).italic = True


def _table(out: object, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    table = out.add_table(rows=1, cols=len(header))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text


# --- Building the view model ------------------------------------------------------


class _Redactor:
    """Redacts and cleans user text with one personal-data guard."""

    def __init__(self, guard: PersonalDataGuard | None) -> None:
        self.guard = guard or _DEFAULT_GUARD
        self._done: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        done = self._done.get(text)
        if done is None:
            done = self._done[text] = _clean(self.guard.redact(_clean(text)))
        return done


#: How many finding ids a claim cites before it gives the rest as a count.
_CITED = 8


def _some(ids: Sequence[str], r: _Redactor) -> tuple[str, ...]:
    """The first ids of *ids* (redacted), and how many more there are."""
    shown = tuple(r(x) for x in ids[:_CITED])
    return shown + ((f"and {len(ids) - _CITED} more",) if len(ids) > _CITED else ())


def _questions_profile(evaluation: Evaluation) -> InspectionProfile:
    """A profile of the framework's own questions, grading every
    indicator: each question is linked to the indicators of its key
    areas (QI 10 is left out: it is judged from the others)."""
    fw = load_framework(evaluation.framework)
    questions = []
    for q in fw.questions:
        areas = {ka.number for ka in fw.key_areas if ka.question == q.number}
        ids = [qi.id for qi in fw.indicators if qi.key_area in areas]
        if ids:
            questions.append(ProfileQuestion(id=f"Q{q.number}", text=q.text, indicators=ids))
    return InspectionProfile(
        id=f"{fw.id}-questions",
        title=fw.info.title,
        framework=fw.id,
        graded=[r.qi for r in evaluation.results],
        questions=questions,
    )


def _ref(f: Finding, r: _Redactor) -> str:
    """A finding's reference: its id, source kind and detail, and its own
    reference when it has one."""
    parts = [r(f.id), f.source.label]
    if f.source_detail:
        parts[-1] += f", {r(f.source_detail)}"
    if f.ref:
        parts.append(r(f.ref))
    return ": ".join(parts[:1]) + " (" + "; ".join(parts[1:]) + ")"


def _finding_claim(f: Finding, r: _Redactor) -> Claim:
    text = r(f.quantified())
    if f.critical:
        text = f"{_clause(text)} (a critical weakness: an individual safety concern)"
    return Claim(text=_sentence(text), refs=(_ref(f, r),))


def _grade_phrase(g: Grade | None) -> str:
    return "no grade" if g is None else g.label


def _grade_claim(p: ProfiledResult, by_id: dict[str, Finding], r: _Redactor) -> Claim:
    refs = _some(p.result.findings, r)
    title = r(p.title)
    if p.grade is None and not refs:
        return Claim(
            text=_sentence(f"We have no evidence on {p.qi} {title} yet, so it has no grade")
        )
    if p.grade is None:
        why = _lower_first(p.result.no_grade_reason or "no grade")
        return Claim(text=_sentence(f"{p.qi} {title} has no grade yet: {why}"), refs=refs)
    if p.decided:
        text = f"We evaluate {p.qi} {title} as {p.grade.label}"
    else:
        text = (
            f"The suggested grade for {p.qi} {title} is {p.grade.label}: a suggestion from "
            "our evidence that we have not yet confirmed"
        )
    return Claim(text=_sentence(text), refs=refs)


def _grade_row(p: ProfiledResult, r: _Redactor) -> GradeRow:
    status = {
        "decided": "our evaluation",
        "suggested": "suggestion, not yet confirmed",
    }.get(p.status, _clause(p.result.no_grade_reason or p.status))
    return GradeRow(
        indicator=f"{p.qi} {r(p.title)}",
        grade=_grade_phrase(p.grade),
        status=status,
        evidence=", ".join(_some(p.result.findings, r)) or "none",
    )


def _balance_claim(s: StatementEvaluation, r: _Redactor) -> Claim:
    heavy = [*s.weaknesses, *s.strengths]
    if not s.findings:
        return Claim(text="We have no evidence on this statement yet.")
    if s.leads_with_weaknesses:
        if s.critical:
            text = (
                "This is an area for development: our evidence shows an individual safety concern"
            )
        elif s.heavy_weaknesses >= max(s.heavy_strengths, 1):
            text = (
                "This is an area for development: important weaknesses weigh at least as much "
                "as our strengths"
            )
        else:
            text = "This is an area for development: a graded indicator here is weak"
    elif s.heavy_strengths > s.heavy_weaknesses:
        text = "Our strengths clearly outweigh our areas for development here"
    else:
        text = "Our strengths and areas for development are finely balanced here"
    counts = (
        f"{_n(s.heavy_strengths, 'important or major strength')} and "
        f"{_n(s.heavy_weaknesses, 'important or major area', 'important or major areas')} for "
        "development"
    )
    return Claim(text=_sentence(f"{text} ({counts})"), refs=tuple(r(x) for x in heavy[:6]))


def _know(s: StatementEvaluation, by_id: dict[str, Finding], r: _Redactor) -> list[Claim]:
    found = s.findings
    if not found:
        return [
            Claim(
                text="We have no evidence on this statement yet: gathering it is part of our plan."
            )
        ]
    kinds = Counter(by_id[fid].source for fid in found)
    listed = ", ".join(
        f"{label} ({n})" for label, n in sorted((k.label, n) for k, n in kinds.items())
    )
    claims = [
        Claim(
            text=_sentence(
                f"Our evaluation rests on {_n(len(found), 'finding')} from "
                f"{_n(len(kinds), 'kind')} of evidence: {listed}"
            ),
            refs=_some(found, r),
        )
    ]
    for p in s.graded:
        tri = p.result.triangulation
        claims.append(
            Claim(
                text=_sentence(
                    f"For {p.qi} the evidence is {tri.status.value.replace('_', ' ')}"
                    + (
                        "; its strengths are corroborated by three or more kinds of evidence"
                        if tri.strengths_triangulated
                        else ""
                    )
                ),
                refs=_some(p.result.findings, r),
            )
        )
    return claims


def _next(
    s: StatementEvaluation,
    pe: ProfiledEvaluation,
    by_id: dict[str, Finding],
    r: _Redactor,
    limit: int | None,
) -> list[Claim]:
    e = pe.evaluation
    plan, progress = e.plan, e.plan_progress
    claims = []
    if plan is not None and progress is not None:
        linked = set(s.findings) | set(s.indicators)
        for a in plan.actions:
            if not (set(a.addresses) & linked):
                continue
            if not a.is_open:
                continue
            due = "date to agree" if a.due is None else f"by {a.due.isoformat()}"
            late = ", now overdue" if a.id in progress.overdue else ""
            refs = (f"action {r(a.id)}", *(r(x) for x in a.addresses))
            claims.append(
                Claim(
                    text=_sentence(
                        f"We will {_lower_first(r(a.action))} ({r(a.lead)}, {due}{late})"
                    ),
                    refs=refs,
                )
            )
        done = [a for a in plan.actions if not a.is_open and set(a.addresses) & linked]
        if done:
            claims.append(
                Claim(
                    text=_sentence(
                        f"{_n(len(done), 'action')} of our plan for this statement "
                        f"{'is' if len(done) == 1 else 'are'} already done or closed"
                    ),
                    refs=tuple(f"action {r(a.id)}" for a in done),
                )
            )
    if not claims:
        important = (f for fid in s.weaknesses if (f := by_id[fid]).weight.rank >= 2)
        weak = list(islice(important, limit))
        for f in weak:
            claims.append(
                Claim(
                    text=_sentence(
                        f"We will act on this area for development: {_lower_first(r(f.quantified()))}"
                    ),
                    refs=(r(f.id),),
                )
            )
    if not claims and s.strengths:
        claims.append(
            Claim(
                text="We will maintain and build on our strengths here.",
                refs=tuple(r(fid) for fid in s.strengths[:3]),
            )
        )
    if not claims:
        claims.append(
            Claim(
                text="We will gather evidence on this statement, as we have no evidence on it yet."
            )
        )
    if limit is not None and len(claims) > limit:
        claims = claims[:limit]
    return claims


def _lower_first(text: str) -> str:
    t = _clause(text)
    return t[:1].lower() + t[1:] if t[:2] != t[:2].upper() else t


def _section(
    s: StatementEvaluation,
    know: tuple[Claim, ...],
    pe: ProfiledEvaluation,
    by_id: dict[str, Finding],
    r: _Redactor,
    limit: int | None,
) -> tuple[PositionSection, int]:
    """The section of statement *s*, listing at most *limit* findings of
    each kind (*know*: its answer to How do we know?, the same at every
    level of detail)."""
    shown_strengths, shown_weaknesses = s.strengths[:limit], s.weaknesses[:limit]
    strengths = [_finding_claim(by_id[fid], r) for fid in shown_strengths]
    weaknesses = [_finding_claim(by_id[fid], r) for fid in shown_weaknesses]
    cut = len(s.strengths) - len(shown_strengths) + len(s.weaknesses) - len(shown_weaknesses)
    keep = set(shown_strengths) | set(shown_weaknesses)
    shown_findings = [by_id[fid] for fid in s.findings if fid in keep]
    messages = [_balance_claim(s, r)]
    if s.critical:
        messages.append(
            Claim(
                text=_sentence(
                    f"We are acting at once on {_n(len(s.critical), 'individual safety concern')}"
                ),
                refs=_some(s.critical, r),
            )
        )
    messages += [_grade_claim(p, by_id, r) for p in s.graded]
    domain_rows = []
    for d in pe.domains:
        if set(d.domain.indicators) & set(s.indicators):
            refs = _some(
                [fid for qi in d.domain.indicators for fid in pe.result(qi).result.findings], r
            )
            formed = ", ".join(d.domain.indicators)
            if d.grade is None:
                kind = "no grade"
                text = (
                    f"{d.domain.title} has no grade yet: none of {formed} has a grade"
                    if refs
                    else f"We have no evidence on {d.domain.title} yet, so it has no grade"
                )
            else:
                kind = "our evaluation" if d.decided else "suggestion, not yet confirmed"
                text = f"{d.domain.title}: {d.grade.label}, formed from the grades of {formed} ({kind})"
            messages.append(Claim(text=_sentence(text), refs=refs))
            domain_rows.append(
                GradeRow(
                    indicator=d.domain.title,
                    grade=_grade_phrase(d.grade),
                    status=kind,
                    evidence=", ".join(d.domain.indicators),
                )
            )
    strengths_part = ("Strengths", tuple(strengths))
    weaknesses_part = ("Areas for development", tuple(weaknesses))
    first, second = (
        (weaknesses_part, strengths_part)
        if s.leads_with_weaknesses
        else (strengths_part, weaknesses_part)
    )
    evidence = tuple(
        EvidenceRow(
            finding=r(f.id),
            indicator=f.qi,
            valence="strength" if f.valence is Valence.STRENGTH else "weakness",
            source=f.source.label + (f", {r(f.source_detail)}" if f.source_detail else ""),
            reference=r(f.ref) if f.ref else "",
        )
        for f in shown_findings
    )
    next_claims = _next(s, pe, by_id, r, limit)
    section = PositionSection(
        id=s.id,
        heading=f"{s.id}. {_clause(s.text)}" if not s.text.endswith("?") else f"{s.id}. {s.text}",
        weak=s.leads_with_weaknesses,
        messages=tuple(messages),
        first=first,
        second=second,
        grades=(*(_grade_row(p, r) for p in s.graded), *domain_rows),
        know=know,
        evidence=evidence,
        next=tuple(next_claims),
    )
    return section, cut


def _themes(pe: ProfiledEvaluation, by_id: dict[str, Finding], r: _Redactor) -> list[Claim]:
    e = pe.evaluation
    claims = []
    concerns = e.safety_concerns
    if concerns:
        claims.append(
            Claim(
                text=_sentence(
                    f"We have {_n(len(concerns), 'individual safety concern')} from our evidence, "
                    "escalated at once whatever the grades"
                ),
                refs=_some([c.finding for c in concerns], r),
            )
        )
    with_evidence = [s for s in pe.statements if s.findings]
    strong = [
        s
        for s in with_evidence
        if not s.leads_with_weaknesses and s.heavy_strengths > s.heavy_weaknesses
    ]
    weak = [s for s in with_evidence if s.leads_with_weaknesses]
    if strong:
        claims.append(
            Claim(
                text=_sentence("Our strengths are clearest in " + ", ".join(s.id for s in strong)),
                refs=tuple(r(fid) for s in strong for fid in s.strengths[:2]),
            )
        )
    if weak:
        claims.append(
            Claim(
                text=_sentence(
                    "Our main areas for development are in " + ", ".join(s.id for s in weak)
                ),
                refs=tuple(r(fid) for s in weak for fid in s.weaknesses[:2]),
            )
        )
    empty = [s.id for s in pe.statements if not s.findings]
    if empty:
        claims.append(
            Claim(
                text=_sentence("We learned that we have no evidence yet on " + ", ".join(empty)),
            )
        )
    for p in pe.graded:
        tri = p.result.triangulation
        if (
            p.result.findings
            and not tri.strengths_triangulated
            and p.grade is not None
            and p.grade >= Grade.GOOD
        ):
            claims.append(
                Claim(
                    text=_sentence(
                        f"We learned that the strengths behind {p.qi} need corroborating by more "
                        "kinds of evidence"
                    ),
                    refs=tuple(r(fid) for fid in p.result.findings[:4]),
                )
            )
    if e.previous is not None:
        trend = e.capacity.trend
        if trend is not None and (trend.improved or trend.declined):
            claims.append(
                Claim(
                    text=_sentence(
                        f"Since our {r(e.previous.label)}, {_n(len(trend.improved), 'indicator')} "
                        f"improved and {len(trend.declined)} declined"
                    ),
                    refs=tuple(trend.improved + trend.declined),
                )
            )
    return claims


def position_statement_document(
    evaluation: Evaluation,
    profile: InspectionProfile | str | None = None,
    *,
    limit: int = WORD_LIMIT,
    guard: PersonalDataGuard | None = None,
) -> PositionStatementDocument:
    """A joint position statement in the partnership's voice, organised by
    the statements of the inspection *profile* (by default the one the
    evaluation was made for; without one, by the framework's questions),
    each answering *How good are we now? How do we know? What do we plan to
    do next?*.

    Weak areas lead with their areas for development; every claim carries
    its evidence references (finding ids with their source); decided grades
    are given as the partnership's evaluation and suggestions are marked as
    suggestions; *What do we plan to do next?* is the improvement plan's
    open actions for the statement (or, without a plan, its important
    weaknesses). When the draft is longer than *limit* words, each
    statement lists fewer findings (the weightiest), and the statement says
    what it left out.

    :param guard: the personal-data guard; user text it flags is redacted.
    :raises InputError: for a profile that does not fit the evaluation.
    """
    if profile is None and evaluation.profile is not None:
        profile = evaluation.profile
    if profile is None:
        pe = apply_profile(evaluation, _questions_profile(evaluation))
        basis = "the framework's high-level questions"
        model = "our self-evaluation against the quality improvement framework"
    else:
        pe = apply_profile(evaluation, profile)
        basis = "the inspection statements"
        model = pe.profile.title
    r = _Redactor(guard)
    e = evaluation
    by_id = {f.id: f for f in e.evidence.findings}
    partnership = r(e.evidence.partnership) or "the partnership"
    title = f"Joint position statement: {partnership}"
    introduction = [
        _sentence(f"This is our joint position statement for {_clause(model)}, set out by {basis}")
        + " For each we answer three questions: how good are we now, how do we know and what "
        "do we plan to do next.",
        "Each claim is followed in brackets by the evidence behind it: the finding's id, the "
        "kind of evidence and its reference.",
    ]
    ungraded = [p.qi for p in pe.results if not p.graded]
    notes = []
    if ungraded and profile is not None:
        notes.append(
            f"This model grades {', '.join(pe.profile.graded)}; the other indicators "
            f"({', '.join(ungraded)}) are {NOT_GRADED}: their findings are set out under the "
            "statements they evidence."
        )
    if pe.profile.mapping:
        notes.append(
            "The links between the statements and the framework's quality indicators and key "
            "factors are qifeval's, made from the framework's words: the inspection guidance "
            "gives none."
        )
    if pe.unplaced:
        notes.append(
            f"{_n(len(pe.unplaced), 'finding')} evidence none of the statements and are not set out "
            f"here: {', '.join(r(x) for x in pe.unplaced[:20])}"
            + ("." if len(pe.unplaced) <= 20 else ", and more.")
        )
    if e.plan is None:
        notes.append(
            "No improvement plan was given with this evaluation: under What do we plan to do "
            "next? each statement lists the important areas for development we will act on; "
            "the actions, leads and dates are still to be agreed."
        )
    themes = _themes(pe, by_id, r)
    know = [tuple(_know(s, by_id, r)) for s in pe.statements]
    doc = None
    for level in _DETAIL:
        listed = sum(len(s.strengths[:level]) + len(s.weaknesses[:level]) for s in pe.statements)
        if listed * _MIN_WORDS > limit and level != _DETAIL[-1]:
            continue  # cannot fit: each listed finding takes at least _MIN_WORDS words
        built = [
            _section(s, k, pe, by_id, r, level) for s, k in zip(pe.statements, know, strict=True)
        ]
        sections = tuple(b[0] for b in built)
        cut = sum(b[1] for b in built)
        shortened = []
        if level is not None:
            shortened.append(
                f"To keep within {limit:,} words, each statement lists at most {level} "
                f"{'strength' if level == 1 else 'strengths'}, {_n(level, 'area')} for development "
                f"and {_n(level, 'planned action')}, the weightiest first: {_n(cut, 'finding')} "
                "are left out here and from its evidence table, and are in the full evaluation "
                "report."
            )
        doc = PositionStatementDocument(
            title=title,
            partnership=partnership,
            basis=basis,
            introduction=tuple(introduction),
            themes=tuple(themes),
            sections=sections,
            notes=tuple(notes),
            shortened=tuple(shortened),
            limit=limit,
        )
        words = len(doc.markdown().split())
        doc = attrs.evolve(doc, words=words)
        if words <= limit:
            break
    assert doc is not None
    if doc.over_limit:
        doc = attrs.evolve(
            doc,
            shortened=(
                *doc.shortened,
                f"Even so, it has {doc.words:,} words, more than the {limit:,} allowed: shorten "
                "the statements' evidence by hand.",
            ),
        )
    return doc
