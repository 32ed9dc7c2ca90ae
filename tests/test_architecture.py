"""The package's folders are wings that data flows through; each imports
only the wings below it."""

from __future__ import annotations

import ast
from pathlib import Path

import qifeval

SRC = Path(qifeval.__file__).parent

#: Bottom to top. Root modules are split: utilities below every wing, the
#: public face and the command line above them all.
ORDER = ["base", "frameworks", "evidence", "rules", "evaluation", "reports", "top"]
TOP = {"__init__", "__main__", "_cli", "privacy", "reference", "programmes", "fictional"}


def wing(module: str) -> str:
    parts = module.split(".")[1:]
    if len(parts) > 1:
        return parts[0]
    name = parts[0] if parts else "__init__"
    if name in ORDER:  # a wing's own __init__
        return name
    return "top" if name in TOP else "base"


def module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


def runtime_imports(path: Path) -> list[str]:
    """Modules of qifeval imported when *path* runs (not under
    ``if TYPE_CHECKING:``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for child in node.body for n in ast.walk(child)}
    found = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("qifeval"):
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    found.append(
                        sub
                        if (SRC.parent / sub.replace(".", "/")).exists()
                        or (SRC.parent / (sub.replace(".", "/") + ".py")).exists()
                        else target
                    )
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("qifeval")]
    return found


def test_every_wing_imports_only_the_wings_below_it() -> None:
    wrong = []
    for path in sorted(SRC.rglob("*.py")):
        importer = module_name(path)
        for imported in runtime_imports(path):
            a, b = wing(importer), wing(imported)
            if a != b and ORDER.index(b) > ORDER.index(a):
                wrong.append(f"{importer} ({a}) imports {imported} ({b})")
    assert wrong == []


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    assert wing("qifeval.evidence._findings") == "evidence"
    assert wing("qifeval.reports") == "reports"
    assert wing("qifeval._errors") == "base"
    assert wing("qifeval._cli") == "top"
    imports = runtime_imports(SRC / "evaluation" / "_evaluate.py")
    assert any(wing(i) == "rules" for i in imports)
    assert ORDER.index("evaluation") > ORDER.index("rules")


def test_topic_modules_reexport_the_same_objects() -> None:
    import importlib

    for name in (
        "frameworks",
        "evidence",
        "rules",
        "evaluation",
        "reports",
        "privacy",
        "reference",
        "programmes",
        "fictional",
    ):
        module = importlib.import_module(f"qifeval.{name}")
        assert len(set(module.__all__)) == len(module.__all__), name
        for public in module.__all__:
            obj = getattr(module, public)
            if public in qifeval.__all__:
                assert getattr(qifeval, public) is obj, (name, public)
