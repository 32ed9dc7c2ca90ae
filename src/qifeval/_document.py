"""Saving and loading whole evaluations as JSON or TOML documents.

A saved evaluation holds everything: the findings and context, every
suggestion with its explanation and triangulation, people's decisions, the
capacity judgement, the previous evaluation's grades, the framework's id and
version and the names of the rule sets, under a schema version.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import _convert
from ._errors import InputError, shown
from ._evaluate import Evaluation
from ._framework import Framework
from ._loading import available_frameworks, load_framework

__all__ = ["dump_evaluation", "load_evaluation"]

EVALUATION_SCHEMA_VERSION = 1
DOCUMENT_KIND = "qifeval-evaluation"


def evaluation_to_dict(evaluation: Evaluation) -> dict[str, Any]:
    """The dict form of a saved evaluation."""
    return {
        "schema_version": EVALUATION_SCHEMA_VERSION,
        "kind": DOCUMENT_KIND,
        **_convert.converter.unstructure(evaluation),
    }


def evaluation_from_dict(
    raw: dict[str, Any], *, file: str | Path | None = None, framework: Framework | None = None
) -> Evaluation:
    """Build an evaluation from its saved dict form, refusing documents of
    another kind, schema version or framework version."""
    raw = dict(raw)
    kind = raw.pop("kind", None)
    if kind != DOCUMENT_KIND:
        hint = (
            " (a findings file? use load_findings / 'qifeval evaluate')"
            if "findings" in raw
            else ""
        )
        raise InputError(
            f"not a saved qifeval evaluation: kind is {shown(kind)}{hint}", file=file, path="kind"
        )
    version = raw.pop("schema_version", None)
    if type(version) is not int or version != EVALUATION_SCHEMA_VERSION:  # true is not 1
        newer = type(version) is int and version > EVALUATION_SCHEMA_VERSION
        why = "it was written by a newer qifeval" if newer else "no migration exists for it"
        raise InputError(
            f"schema_version {shown(version)} is not supported ({why}); this qifeval reads "
            f"schema_version = {EVALUATION_SCHEMA_VERSION}",
            file=file,
            path="schema_version",
        )
    evaluation = _convert.structure(raw, Evaluation, file=file)
    if framework is None:
        if evaluation.framework not in available_frameworks():
            raise InputError(
                f"framework {evaluation.framework!r} is not bundled with qifeval; pass the framework",
                file=file,
                path="framework",
            )
        framework = load_framework(evaluation.framework)
    if framework.id != evaluation.framework:
        raise InputError(
            f"the evaluation is for framework {evaluation.framework!r}, not {framework.id!r}",
            file=file,
            path="framework",
        )
    if framework.info.version != evaluation.framework_version:
        raise InputError(
            f"the evaluation was made with {framework.id} version {evaluation.framework_version!r}, "
            f"but this framework is version {framework.info.version!r}",
            file=file,
            path="framework_version",
        )
    evaluation.evidence.validate(framework, file=file)
    return evaluation


def dump_evaluation(
    evaluation: Evaluation, path: str | Path | None = None, *, fmt: str | None = None
) -> str:
    """Return a whole evaluation as a JSON or TOML document (by *fmt*, or by
    the suffix of *path*, default JSON) and, if *path* is given, write it
    there atomically. The document loads back into an equal evaluation."""
    return _convert.dump_document(evaluation_to_dict(evaluation), path, fmt, "json")


def load_evaluation(path: str | Path, *, framework: Framework | None = None) -> Evaluation:
    """Load an evaluation saved with :func:`dump_evaluation`.

    :param framework: needed only for a framework not bundled with qifeval.
    :raises InputError: naming the file and the field path, also when the
        document is of another schema version or framework version.
    """
    raw = _convert.read_document(path)
    return evaluation_from_dict(raw, file=path, framework=framework)
