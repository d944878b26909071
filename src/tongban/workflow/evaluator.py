"""A restricted evaluator for BPMN conditions and scripts: an uploaded BPMN never runs Python.

Expressions are parsed with ``ast`` and walked over a whitelist of node types; names are looked
up in the process variables only. Camunda/JUEL forms (``${approved}``, ``#{!a && b}``,
``eq``/``ne``/...) are translated to the same small language first.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Mapping, MutableMapping
from typing import Any

MAX_EXPRESSION = 2000
MAX_SEQUENCE = 10_000
MAX_NUMBER = 10**18


class ExpressionError(ValueError):
    """An expression or script that is malformed or uses something not allowed."""

    def __init__(self, message: str, construct: str = "") -> None:
        self.construct = construct
        super().__init__(message)


_WORD_OPERATORS = {
    "eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=", "ge": ">=",
    "true": "True", "false": "False", "null": "None",
}  # fmt: skip
_STRING = re.compile(r"('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")")


def translate(expression: str) -> str:
    """Camunda/JUEL syntax to the evaluator's Python-like syntax (strings left untouched)."""
    text = (expression or "").strip()
    match = re.fullmatch(r"[$#]\{(.*)\}", text, flags=re.S)
    if match:
        text = match.group(1).strip()
    parts = _STRING.split(text)
    for i in range(0, len(parts), 2):  # even parts are outside string literals
        part = parts[i].replace("&&", " and ").replace("||", " or ")
        part = re.sub(r"!(?!=)", " not ", part)
        part = re.sub(r"\bnot\s+empty\s+([A-Za-z_][\w.]*)", r"(\1)", part)
        part = re.sub(r"\bempty\s+([A-Za-z_][\w.]*)", r"(not \1)", part)
        part = re.sub(
            r"\b(eq|ne|lt|gt|le|ge|true|false|null)\b", lambda m: _WORD_OPERATORS[m.group(1)], part
        )
        parts[i] = part
    return "".join(parts).strip()


_BINARY = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
}  # fmt: skip
_COMPARE = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b, ast.Is: operator.is_, ast.IsNot: operator.is_not,
}  # fmt: skip
_MISSING = object()


def _parse(expression: str) -> ast.Expression:
    text = translate(expression)
    if not text:
        raise ExpressionError("the expression is empty")
    if len(text) > MAX_EXPRESSION:
        raise ExpressionError(f"the expression is longer than {MAX_EXPRESSION} characters")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"not a valid expression: {exc.msg}", "syntax") from None
    _check_nodes(tree)
    return tree


def _check_nodes(tree: ast.AST) -> None:
    allowed = (
        ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd,
        ast.BinOp, ast.Compare, ast.Name, ast.Load, ast.Constant, ast.List, ast.Tuple,
        ast.Subscript, ast.Attribute, *_BINARY, *_COMPARE,
    )  # fmt: skip
    for node in ast.walk(tree):
        if not isinstance(node, allowed):
            name = type(node).__name__
            raise ExpressionError(f"{name} is not allowed in an expression", name)
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            raise ExpressionError(f"the name {node.id} is not allowed", "dunder")
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            raise ExpressionError(f"the attribute {node.attr} is not allowed", "dunder")
        if isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Constant):
            raise ExpressionError("only constant keys are allowed in [...]", "Subscript")
        if isinstance(node, ast.Constant) and not isinstance(
            node.value, str | int | float | bool | type(None)
        ):
            raise ExpressionError(
                "only strings, numbers, booleans and None are allowed", "Constant"
            )


def _size_guard(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) > MAX_NUMBER:
        raise ExpressionError("the number is too large", "number")
    if isinstance(value, str | list | tuple) and len(value) > MAX_SEQUENCE:
        raise ExpressionError("the value is too long", "size")
    return value


def _eval(node: ast.AST, variables: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Expression):
        return _eval(node.body, variables)
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[node.id]
        value = variables.get(node.id, _MISSING)
        if value is _MISSING:
            raise ExpressionError(f"unknown variable {node.id}", "Name")
        return value
    if isinstance(node, ast.Attribute):
        base = _eval(node.value, variables)
        if not isinstance(base, Mapping):
            raise ExpressionError(
                f".{node.attr} is only allowed on a dictionary variable", "Attribute"
            )
        if node.attr not in base:
            raise ExpressionError(f"unknown key {node.attr}", "Attribute")
        return base[node.attr]
    if isinstance(node, ast.Subscript):
        base = _eval(node.value, variables)
        key = node.slice.value  # type: ignore[attr-defined]
        if not isinstance(base, Mapping | list | tuple):
            raise ExpressionError("[...] is only allowed on dictionaries and lists", "Subscript")
        try:
            return base[key]
        except (KeyError, IndexError, TypeError):
            raise ExpressionError(f"no item {key!r}", "Subscript") from None
    if isinstance(node, ast.List | ast.Tuple):
        return _size_guard([_eval(e, variables) for e in node.elts])
    if isinstance(node, ast.BoolOp):
        result: Any = None
        for value_node in node.values:
            result = _eval(value_node, variables)
            if isinstance(node.op, ast.And) and not result:
                return result
            if isinstance(node.op, ast.Or) and result:
                return result
        return result
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, variables)
        if isinstance(node.op, ast.Not):
            return not operand
        if not isinstance(operand, int | float):
            raise ExpressionError("+ and - apply to numbers only", "UnaryOp")
        return -operand if isinstance(node.op, ast.USub) else +operand
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, variables), _eval(node.right, variables)
        if isinstance(node.op, ast.Mult) and (
            isinstance(left, str | list | tuple) or isinstance(right, str | list | tuple)
        ):
            count = right if isinstance(left, str | list | tuple) else left
            if (
                not isinstance(count, int)
                or count * len(left if not isinstance(left, int) else right) > MAX_SEQUENCE
            ):
                raise ExpressionError("the value would be too long", "size")
        try:
            return _size_guard(_BINARY[type(node.op)](left, right))
        except ZeroDivisionError:
            raise ExpressionError("division by zero", "BinOp") from None
        except TypeError as exc:
            raise ExpressionError(f"cannot compute: {exc}", "BinOp") from None
    if isinstance(node, ast.Compare):
        left = _eval(node.left, variables)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _eval(comparator, variables)
            try:
                if not _COMPARE[type(op)](left, right):
                    return False
            except TypeError as exc:
                raise ExpressionError(f"cannot compare: {exc}", "Compare") from None
            left = right
        return True
    raise ExpressionError(f"{type(node).__name__} is not allowed", type(node).__name__)


def check(expression: str) -> None:
    """Validate syntax and the whitelist without variables (at import time)."""
    _parse(expression)


def evaluate(expression: str, variables: Mapping[str, Any]) -> Any:
    return _eval(_parse(expression), variables)


_ASSIGNMENT = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_]*)\s*=(?!=)\s*(.+?)\s*$")


def _script_lines(script: str) -> list[tuple[str, ast.Expression]]:
    lines = []
    for raw in (script or "").splitlines():
        if not raw.strip() or raw.strip().startswith("#"):
            continue
        match = _ASSIGNMENT.match(raw)
        if not match:
            raise ExpressionError(
                f"only “name = expression” lines are allowed, not “{raw.strip()[:60]}”", "statement"
            )
        lines.append((match.group(1), _parse(match.group(2))))
    return lines


def check_script(script: str) -> None:
    _script_lines(script)


def run_script(script: str, variables: MutableMapping[str, Any]) -> None:
    for name, tree in _script_lines(script):
        variables[name] = _eval(tree, variables)
