"""A check for tests that cannot fail (or pass whichever of two answers the code gives).

``python -m tests.honesty`` prints what it finds; ``tests/test_honest_tests.py`` runs it over
the suite. It reads the source with ``ast`` and finds:

- ``status``: a status code compared with alternatives, ``assert r.status_code in (200, 403)``
  (a tuple, list, set or ``range``), in a test or in a helper it calls;
- ``if-only``: a test whose every check sits inside an ``if`` (or a loop's ``else``/body whose
  only checks are under an ``if``): when the condition is false the test checks nothing;
- ``no-check``: a test with no check at all: no ``assert``, no ``pytest.raises``/``warns``/
  ``fail``, no ``assert…`` method or fixture (``assertContains``,
  ``django_assert_max_num_queries``), no call to a helper of the test modules that checks, and
  no ``contextlib.suppress(SomeError)`` (a fuzz test's claim: nothing but that error escapes);
- ``either``: an ``assert`` that passes on either of two answers: its condition (or one of
  its ``and`` parts) is an ``or`` (``"在您这里" in m or "with you" in m``, ``x is None or …``),
  or ``any(t in m for t in ("a", "b"))`` over literal wordings. The language (or the message,
  or the outcome) the test should fix is not fixed. ``assert not (a or b)`` is "neither", and
  an ``or`` inside a comprehension or a call is not the assertion's own, so both pass;
- ``weak-word``: a literal tested with ``in`` that is one common short word (``"not" in m``),
  which nearly any message contains.

What it cannot see: a substring that is too weak without being a common word (``"9" in m``), a
condition that is always true, a loop over something that may be empty, a helper whose checks
do not concern what the test is about. Those stay with the reviewer.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent
# Common words that nearly every message contains in one language or another.
WEAK_WORDS = frozenset(
    {"a", "an", "and", "are", "be", "is", "it", "no", "not", "of", "on", "or", "the", "to"}
    | {"不", "无", "的", "是"}
)
CHECKING_PYTEST = frozenset({"raises", "warns", "fail", "deprecated_call", "approx"})


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    kind: str
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.kind}: {self.what}"


def _is_test(node: ast.AST) -> bool:
    return isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test")


def _functions(tree: ast.Module) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def _callee(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _is_pytest_check(call: ast.Call) -> bool:
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id == "pytest"
        and func.attr in CHECKING_PYTEST
    )


class Index:
    """Which functions of the test modules check something (directly or through another)."""

    def __init__(self, trees: dict[str, ast.Module]) -> None:
        self.defs: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = {}
        for tree in trees.values():
            for fn in _functions(tree):
                if not _is_test(fn):
                    self.defs.setdefault(fn.name, []).append(fn)
        self.checking: set[str] = set()
        changed = True
        while changed:  # a helper that calls a checking helper checks too
            changed = False
            for name, fns in self.defs.items():
                if name not in self.checking and any(self.direct_check(fn) for fn in fns):
                    self.checking.add(name)
                    changed = True

    def is_check(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Assert):
            return True
        if isinstance(node, ast.Raise) and node.exc is not None:
            exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            return isinstance(exc, ast.Name) and exc.id == "AssertionError"
        if isinstance(node, ast.Call):
            name = _callee(node)
            return (
                _is_pytest_check(node)
                or "assert" in name.lower()  # assertContains, django_assert_num_queries, …
                or name in self.checking
                or (name == "suppress" and not _suppresses_failures(node))
            )
        return False

    def direct_check(self, fn: ast.AST) -> bool:
        return any(self.is_check(node) for node in ast.walk(fn))


def _checks(index: Index, node: ast.AST, under_if: bool = False) -> tuple[int, int]:
    """(checks that always run, checks under an ``if``) in ``node``. An ``if`` that checks in
    both its branches always checks."""
    outside = inside = 0
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue  # a nested helper counts where it is called
        if isinstance(child, ast.If) and not under_if:
            branches = [
                sum(_checks(index, ast.Module(body=part, type_ignores=[])))
                for part in (child.body, child.orelse)
            ]
            if all(branches):
                outside += sum(branches)
            else:
                inside += sum(branches)
            continue
        if index.is_check(child):
            if under_if:
                inside += 1
            else:
                outside += 1
        o, i = _checks(index, child, under_if or isinstance(child, ast.IfExp))
        outside, inside = outside + o, inside + i
    return outside, inside


def _suppresses_failures(call: ast.Call) -> bool:
    """``suppress(AssertionError)`` or ``suppress(Exception)`` would hide the failures."""
    names = {a.id if isinstance(a, ast.Name) else getattr(a, "attr", "") for a in call.args}
    return not call.args or bool(names & {"AssertionError", "Exception", "BaseException"})


def _string(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _alternatives(container: ast.AST) -> bool:
    if isinstance(container, ast.Tuple | ast.List | ast.Set):
        return len(container.elts) > 1
    return isinstance(container, ast.Call) and _callee(container) == "range"


def _status(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr in {"status_code", "status"}) or (
        isinstance(node, ast.Name) and node.id in {"status", "status_code", "code"}
    )


def _scan_expressions(path: str, tree: ast.Module) -> Iterator[Finding]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for op, right in zip(node.ops, node.comparators, strict=True):
                if isinstance(op, ast.In) and _status(node.left) and _alternatives(right):
                    yield Finding(
                        path,
                        node.lineno,
                        "status",
                        f"{ast.unparse(node)}: a status code is one answer, not a choice",
                    )
                word = _string(node.left)
                if (
                    isinstance(op, ast.In | ast.NotIn)
                    and word is not None
                    and word.strip().lower() in WEAK_WORDS
                ):
                    yield Finding(
                        path,
                        node.lineno,
                        "weak-word",
                        f"{ast.unparse(node)}: {word!r} is in nearly any message",
                    )
        if isinstance(node, ast.Assert):
            yield from _either(path, node)


def _own_parts(test: ast.expr) -> Iterator[ast.expr]:
    """The assertion's condition and, through ``and``, its parts (not what is inside them)."""
    yield test
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        for value in test.values:
            yield from _own_parts(value)


def _either(path: str, node: ast.Assert) -> Iterator[Finding]:
    for sub in _own_parts(node.test):
        if isinstance(sub, ast.BoolOp) and isinstance(sub.op, ast.Or):
            yield Finding(
                path,
                sub.lineno,
                "either",
                f"{ast.unparse(sub)}: either side passes; assert the one answer",
            )
        if (
            isinstance(sub, ast.Call)
            and _callee(sub) == "any"
            and sub.args
            and isinstance(sub.args[0], ast.GeneratorExp)
        ):
            gen = sub.args[0]
            literal_choices = any(
                isinstance(g.iter, ast.Tuple | ast.List | ast.Set)
                and len(g.iter.elts) > 1
                and all(_string(e) is not None for e in g.iter.elts)
                for g in gen.generators
            )
            if literal_choices and isinstance(gen.elt, ast.Compare):
                yield Finding(
                    path,
                    sub.lineno,
                    "either",
                    f"{ast.unparse(sub)}: any of several wordings passes",
                )


def _scan_tests(path: str, tree: ast.Module, index: Index) -> Iterator[Finding]:
    for fn in _functions(tree):
        if not _is_test(fn):
            continue
        outside, inside = _checks(index, fn)
        if outside == 0 and inside == 0:
            yield Finding(path, fn.lineno, "no-check", f"{fn.name} checks nothing")
        elif outside == 0:
            yield Finding(
                path,
                fn.lineno,
                "if-only",
                f"{fn.name} checks only inside an if: when it is false nothing is checked",
            )


def scan(sources: dict[str, str]) -> list[Finding]:
    """Findings in ``{path: source}``; helpers are looked up across all of them."""
    trees = {path: ast.parse(text, filename=path) for path, text in sources.items()}
    index = Index(trees)
    findings: list[Finding] = []
    for path, tree in trees.items():
        findings += _scan_expressions(path, tree)
        findings += _scan_tests(path, tree, index)
    return sorted(set(findings), key=lambda f: (f.path, f.line, f.kind))


def sources(root: Path = ROOT) -> dict[str, str]:
    return {
        str(p.relative_to(root.parent)): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*.py"))
    }


def main(argv: Iterable[str] = ()) -> int:
    findings = scan(sources())
    for finding in findings:
        print(finding)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
