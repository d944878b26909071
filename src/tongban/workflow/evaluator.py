"""A restricted evaluator for BPMN conditions and scripts: an uploaded BPMN never runs Python.

SpiffWorkflow evaluates conditions, timer values and scripts as Python by default. A process
definition is uploaded by an administrator and may come from anywhere (a modeler export, an
e-mail), so ``engine.py`` routes every expression through this module instead.

Expressions are parsed with :mod:`ast` and *walked* over a whitelist of node types — nothing
is ever compiled or passed to ``eval``. Names are looked up in the process variables only, so
there is no way to reach a builtin, a module or an object's attributes. Camunda/JUEL forms as
drawn in Camunda Modeler (``${approved}``, ``#{!approved}``, ``${a > 1 && b eq 'x'}``) are
translated to the same small Python-like language first.

Scripts (BPMN ``scriptTask``) are lines of ``name = expression`` (and ``+=``, ``-=``, ...),
nothing else.
"""

from __future__ import annotations

import ast
import decimal
import functools
import keyword
import math
import operator
import re
import warnings
from collections import ChainMap
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

__all__ = [
    "ExpressionError",
    "check",
    "check_script",
    "evaluate",
    "run_script",
    "translate",
]

MAX_EXPRESSION = 2_000  # characters, after translation
MAX_SCRIPT = 20_000  # characters in one scriptTask
MAX_DEPTH = 100  # nesting of the syntax tree; the walk below is recursive
MAX_SEQUENCE = 10_000  # items of a list/tuple or characters of a string an operation may build
MAX_INT_BITS = 1_024  # about 10**308, the range of a float: ample for amounts and counts

_NUMBER = (int, float, decimal.Decimal)  # bool is an int, as in Python
_SEQUENCE = (str, list, tuple)


class ExpressionError(ValueError):
    """An expression or script that is malformed, too large, or uses something not allowed.

    ``construct`` names what was refused in a form a program can test: the ``ast`` node type
    (``"Call"``, ``"Attribute"``, ``"Pow"``, ``"JoinedStr"``), ``"syntax"``, ``"size"``,
    ``"variable"`` or a statement keyword (``"import"``); empty when nothing more specific
    applies.
    """

    def __init__(self, message: str, construct: str = "") -> None:
        super().__init__(message)
        self.construct = construct


# --------------------------------------------------------------------------------------------
# Camunda/JUEL → Python-like syntax

_WRAPPED = re.compile(r"\s*[$#]\{(.*)\}\s*", flags=re.S)
# A small lexer, so that string literals are carried over untouched (``${note == 'a && !b'}``
# must not have its data rewritten) and so that JUEL's unary operators keep their precedence.
_TOKEN = re.compile(
    r"""(?P<str>'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
      |(?P<space>\s+)
      |(?P<num>\d\w*(?:\.\w*)?)
      |(?P<word>[^\W\d]\w*)
      |(?P<op>&&|\|\||!=|==|<=|>=|//|\*\*|:=|.)""",
    flags=re.S | re.X,
)
_OPERATOR_WORDS = {
    "eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=", "ge": ">=", "div": "/",
    "mod": "%", "&&": "and", "||": "or",
}  # fmt: skip
_CONSTANT_WORDS = {"true": "True", "false": "False", "null": "None"}
_CLOSE = {"(": ")", "[": "]", "{": "}"}
_Token = tuple[str, str]  # (kind, text): kind is str/space/num/word/op, or not/empty (unary)


def _ends_operand(token: _Token | None) -> bool:
    if token is None:
        return False
    kind, text = token
    if kind == "word":
        return not keyword.iskeyword(text)
    return kind in ("str", "num") or (kind == "op" and text in (")", "]", "}"))


def _tokens(text: str, juel: bool) -> list[_Token]:
    out: list[_Token] = []
    previous: _Token | None = None  # the last token that is not white space
    raw = [(m.lastgroup or "op", m.group()) for m in _TOKEN.finditer(text)]
    for index, (kind, value) in enumerate(raw):
        after_dot = previous == ("op", ".")  # ``form.gt``: a dictionary key, not an operator
        token: _Token = (kind, value)
        if kind == "op" and value in ("&&", "||"):  # ``a&&b``: the word needs spaces
            before = "" if index and raw[index - 1][0] == "space" else " "
            after = "" if index + 1 < len(raw) and raw[index + 1][0] == "space" else " "
            token = ("op", f"{before}{_OPERATOR_WORDS[value]}{after}")
        elif kind == "op" and value == "!":
            token = ("not", "not")
        elif kind == "word" and not after_dot:
            if value in _OPERATOR_WORDS:  # a word is already set apart by its neighbours
                token = ("op", _OPERATOR_WORDS[value])
            elif value in _CONSTANT_WORDS:
                token = ("word", _CONSTANT_WORDS[value])
            elif (
                value == "not"
                and juel
                and not _ends_operand(previous)
                and previous
                != (
                    "word",
                    "is",
                )
            ):
                # JUEL's ``not`` binds like ``!``; ``x not in y`` and ``is not`` stay Python.
                token = ("not", "not")
            elif value == "empty" and not _ends_operand(previous):
                following = next((t for t in raw[index + 1 :] if t[0] != "space"), None)
                if following is not None and (
                    following[0] in ("word", "num", "str") or following[1] in ("(", "!")
                ):
                    token = ("empty", "empty")
        out.append(token)
        if token[0] != "space":
            previous = token
    return out


def _render(tokens: list[_Token], i: int, closer: str | None) -> tuple[str, int]:
    """Render tokens from ``i`` up to and including ``closer``; return (text, next index)."""
    out: list[str] = []
    while i < len(tokens):
        kind, text = tokens[i]
        if kind == "op" and text == closer:
            return "".join(out) + text, i + 1
        if kind in ("not", "empty"):
            operand, i = _operand(tokens, i)
            out.append(operand)
        elif kind == "op" and text in _CLOSE:
            inner, i = _render(tokens, i + 1, _CLOSE[text])
            out.append(text + inner)
        else:
            out.append(text)
            i += 1
    return "".join(out), i


def _operand(tokens: list[_Token], i: int) -> tuple[str, int]:
    """Render a unary operator at ``i`` together with its operand, in parentheses.

    JUEL's ``!``/``not``/``empty`` bind tighter than any binary operator (``!a == b`` is
    ``(!a) == b``), Python's ``not`` looser; the parentheses keep the JUEL meaning.
    """
    kind = tokens[i][0]
    i += 1
    while i < len(tokens) and tokens[i][0] == "space":
        i += 1
    if kind == "not" and i < len(tokens) and tokens[i][0] == "empty":
        # ``not empty x`` → ``(x)``: truthiness is what a gateway reads, and the value itself
        # is more useful than True when the expression is used in a script.
        inner, i = _operand(tokens, i)
        return inner.removeprefix("(not ")[:-1].join("()"), i
    if i == len(tokens):
        return "(not )", i  # left for the parser to report
    first_kind, text = tokens[i]
    if first_kind in ("not", "empty"):
        inner, i = _operand(tokens, i)
        return f"(not {inner})", i
    if first_kind == "op" and text in ("-", "+"):
        # ``!-x`` is odd but valid: treat the sign as part of the operand
        sign = text
        inner, i = _primary(tokens, i + 1)
        return f"(not {sign}{inner})", i
    inner, i = _primary(tokens, i)
    return f"(not {inner})", i


def _primary(tokens: list[_Token], i: int) -> tuple[str, int]:
    """A name, literal or bracketed group, with its ``.key``/``[...]``/``(...)`` suffixes."""
    while i < len(tokens) and tokens[i][0] == "space":
        i += 1
    if i == len(tokens):
        return "", i
    kind, text = tokens[i]
    if kind == "op" and text in _CLOSE:
        inner, i = _render(tokens, i + 1, _CLOSE[text])
        result = text + inner
    elif kind in ("word", "num", "str"):
        result, i = text, i + 1
    elif kind in ("not", "empty"):
        return _operand(tokens, i)
    else:
        return "", i  # e.g. ``!)``: left for the parser to report
    while i < len(tokens):
        kind, text = tokens[i]
        if text == "." and i + 1 < len(tokens) and tokens[i + 1][0] == "word":
            result, i = result + "." + tokens[i + 1][1], i + 2
        elif kind == "op" and text in ("(", "["):
            inner, i = _render(tokens, i + 1, _CLOSE[text])
            result += text + inner
        else:
            break
    return result, i


def translate(expression: str) -> str:
    """Turn a Camunda/JUEL condition into the evaluator's Python-like syntax.

    ``${...}``/``#{...}`` is unwrapped; ``&&``/``||`` become ``and``/``or``; ``!x`` becomes
    ``(not x)`` (``!=`` stays), and so does ``not x`` inside ``${...}``, because JUEL's unary
    operators bind tighter than comparisons; ``eq ne lt gt le ge div mod`` become operators;
    ``true false null`` become ``True False None``; ``empty x`` becomes ``(not x)`` and
    ``not empty x`` ``(x)``. Python-style input passes through unchanged, apart from those words
    when they stand alone (``form.gt`` is a key and stays).
    """
    text = expression or ""
    wrapped = _WRAPPED.fullmatch(text)
    if wrapped:
        text = wrapped.group(1)
    try:
        rendered, _rest = _render(_tokens(text, juel=bool(wrapped)), 0, None)
    except RecursionError:
        raise ExpressionError(_("the expression is nested too deeply"), "size") from None
    return rendered.strip()


# --------------------------------------------------------------------------------------------
# Validation: the whitelist

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
}  # fmt: skip
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b, ast.Is: operator.is_, ast.IsNot: operator.is_not,
}  # fmt: skip
_ALLOWED: tuple[type[ast.AST], ...] = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd,
    ast.BinOp, ast.Compare, ast.Name, ast.Load, ast.Constant, ast.List, ast.Tuple,
    ast.Subscript, ast.Attribute, *_BINARY, *_COMPARE,
)  # fmt: skip
# What a refused construct is called in the message, so that whoever drew the diagram knows
# what to change.
_DESCRIPTIONS = {
    "Call": gettext_noop("a function or method call"), "Lambda": gettext_noop("lambda"),
    "ListComp": gettext_noop("a comprehension"), "SetComp": gettext_noop("a comprehension"),
    "DictComp": gettext_noop("a comprehension"),
    "GeneratorExp": gettext_noop("a generator expression"),
    "JoinedStr": gettext_noop("an f-string"), "FormattedValue": gettext_noop("an f-string"),
    "NamedExpr": gettext_noop("an assignment expression (:=)"),
    "Starred": gettext_noop("a starred (*) expression"),
    "Pow": gettext_noop("the power operator **"),
    "IfExp": gettext_noop("a conditional expression (x if c else y)"),
    "Dict": gettext_noop("a dictionary literal"), "Set": gettext_noop("a set literal"),
    "Slice": gettext_noop("a slice"), "Await": "await", "Yield": "yield", "YieldFrom": "yield",
    "MatMult": gettext_noop("the operator @"), "BitAnd": gettext_noop("the bitwise operator &"),
    "BitOr": gettext_noop("the bitwise operator |"),
    "BitXor": gettext_noop("the bitwise operator ^"),
    "LShift": gettext_noop("the shift operator <<"),
    "RShift": gettext_noop("the shift operator >>"),
    "Invert": gettext_noop("the bitwise operator ~"),
}  # fmt: skip


def _described(name: str, fallback: str) -> str:
    return _(_DESCRIPTIONS[name]) if name in _DESCRIPTIONS else fallback


def _refuse(node: ast.AST) -> ExpressionError:
    name = type(node).__name__
    what = _described(name, _("the construct %(name)s") % {"name": name})
    return ExpressionError(
        _("%(what)s is not allowed in a condition or script") % {"what": what}, name
    )


def _constant_key(node: ast.expr) -> str | int | None:
    """The key of ``x['a']``/``x[0]``/``x[-1]``, or None when it is not a plain constant."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str | int):
        return node.value if not isinstance(node.value, bool) else None
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
        and type(node.operand.value) is int
    ):
        return -node.operand.value
    return None


def _validate(tree: ast.Expression) -> None:
    # Iterative, so that a hostile tree cannot exhaust the stack here; the depth it measures
    # bounds the recursion of ``_eval`` later.
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ExpressionError(
                _("the expression is nested more than %(n)s deep") % {"n": MAX_DEPTH}, "size"
            )
        if not isinstance(node, _ALLOWED):
            raise _refuse(node)
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            raise ExpressionError(
                _("the name %(name)s is not allowed (names starting with _ are private)")
                % {"name": node.id},
                "Name",
            )
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            raise ExpressionError(
                _("the attribute %(name)s is not allowed (names starting with _ are private)")
                % {"name": node.attr},
                "Attribute",
            )
        if isinstance(node, ast.Subscript):
            if isinstance(node.slice, ast.Slice):
                raise _refuse(node.slice)
            if _constant_key(node.slice) is None:
                raise ExpressionError(
                    _("only a constant key is allowed in [...], such as x['name'] or x[0]"),
                    "Subscript",
                )
            stack.append((node.value, depth + 1))  # the key was checked just above
            continue
        if isinstance(node, ast.Constant) and not (
            node.value is None or type(node.value) in (str, int, float, bool)
        ):
            raise ExpressionError(
                _(
                    "the constant %(value)s is not allowed "
                    "(only strings, numbers, True, False and None)"
                )
                % {"value": repr(node.value)},
                "Constant",
            )
        if isinstance(node, ast.Constant):
            _guard(node.value)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


@functools.lru_cache(maxsize=2048)
def _compile(expression: str) -> ast.Expression:
    """Translate, parse and validate; cached because a gateway evaluates the same few texts
    for every instance. The tree is only read afterwards, so sharing it is safe."""
    if not isinstance(expression, str):
        raise ExpressionError(_("the expression is not text"), "syntax")
    if len(expression) > 4 * MAX_EXPRESSION:  # before translating a hostile megabyte
        raise ExpressionError(
            _("the expression is longer than %(n)s characters") % {"n": MAX_EXPRESSION}, "size"
        )
    text = translate(expression)
    if not text:
        raise ExpressionError(_("the expression is empty"), "syntax")
    if len(text) > MAX_EXPRESSION:
        raise ExpressionError(
            _("the expression is longer than %(n)s characters") % {"n": MAX_EXPRESSION}, "size"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. SyntaxWarning for `x is 'a'`
            tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(
            _("not a valid expression: %(reason)s") % {"reason": exc.msg}, "syntax"
        ) from None
    except ValueError as exc:  # e.g. a NUL character, or an integer literal too long to read
        raise ExpressionError(
            _("not a valid expression: %(reason)s") % {"reason": exc}, "syntax"
        ) from None
    except (RecursionError, MemoryError):
        raise ExpressionError(_("the expression is too complex to read"), "size") from None
    _validate(tree)
    return tree


# --------------------------------------------------------------------------------------------
# Evaluation


def _guard(value: Any) -> Any:
    """Refuse a number or sequence too large to be a process variable (CPU and memory)."""
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise ExpressionError(_("the number is too large"), "size")
    if isinstance(value, float) and not math.isfinite(value):
        raise ExpressionError(_("the number is out of range"), "size")
    if isinstance(value, _SEQUENCE) and len(value) > MAX_SEQUENCE:
        raise ExpressionError(
            _("the value is longer than %(n)s items") % {"n": MAX_SEQUENCE}, "size"
        )
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, _NUMBER)


def _binary(op: ast.operator, left: Any, right: Any) -> Any:
    # Types are checked *before* computing: ``'%9999999999s' % x`` or ``'a' * 10**10`` would
    # exhaust memory inside the operation itself, so a check of the result is too late.
    if isinstance(op, ast.Mult) and (isinstance(left, _SEQUENCE) or isinstance(right, _SEQUENCE)):
        sequence, count = (left, right) if isinstance(left, _SEQUENCE) else (right, left)
        if not isinstance(count, int):
            raise ExpressionError(
                _("a string or list can only be repeated a whole number of times"), "BinOp"
            )
        if max(count, 0) * len(sequence) > MAX_SEQUENCE:
            raise ExpressionError(
                _("the result would be longer than %(n)s items") % {"n": MAX_SEQUENCE}, "size"
            )
    elif isinstance(op, ast.Add) and not (_is_number(left) and _is_number(right)):
        if not (type(left) in _SEQUENCE and type(left) is type(right)):
            raise ExpressionError(
                _("cannot add %(left)s and %(right)s")
                % {"left": type(left).__name__, "right": type(right).__name__},
                "BinOp",
            )
        if len(left) + len(right) > MAX_SEQUENCE:
            raise ExpressionError(
                _("the result would be longer than %(n)s items") % {"n": MAX_SEQUENCE}, "size"
            )
    elif not (_is_number(left) and _is_number(right)):
        # Sub/Div/FloorDiv/Mod on numbers only: ``%`` on a string is printf-style formatting.
        symbol = {ast.Sub: "-", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%", ast.Mult: "*"}
        raise ExpressionError(
            _("%(op)s applies to numbers only, not %(left)s and %(right)s")
            % {
                "op": symbol.get(type(op), "?"),
                "left": type(left).__name__,
                "right": type(right).__name__,
            },
            "BinOp",
        )
    try:
        return _guard(_BINARY[type(op)](left, right))
    except ZeroDivisionError:
        raise ExpressionError(_("division by zero"), "BinOp") from None
    except (TypeError, OverflowError, decimal.DecimalException) as exc:
        raise ExpressionError(_("cannot compute: %(reason)s") % {"reason": exc}, "BinOp") from None


def _lookup(container: Any, key: str | int, shown: str, construct: str) -> Any:
    if isinstance(key, str) and not isinstance(container, Mapping):
        raise ExpressionError(
            _("%(shown)s: only a dictionary variable has named items, not %(type)s")
            % {"shown": shown, "type": type(container).__name__},
            construct,
        )
    if isinstance(key, int) and not isinstance(container, list | tuple | str | Mapping):
        raise ExpressionError(
            _("%(shown)s: [...] applies to a list, a string or a dictionary, not %(type)s")
            % {"shown": shown, "type": type(container).__name__},
            "Subscript",
        )
    try:
        return container[key]
    except (KeyError, IndexError, TypeError):
        raise ExpressionError(
            _("%(shown)s: there is no item %(key)s") % {"shown": shown, "key": repr(key)},
            "Subscript",
        ) from None


def _eval(node: ast.AST, variables: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Expression):
        return _eval(node.body, variables)
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in variables:
            raise ExpressionError(_("unknown variable %(name)s") % {"name": node.id}, "variable")
        return variables[node.id]
    if isinstance(node, ast.Attribute):
        # ``form.amount`` is dotted access into a dictionary variable; there is no attribute
        # access on objects at all, so no path leads to ``__class__`` and friends.
        return _lookup(_eval(node.value, variables), node.attr, ast.unparse(node), "Attribute")
    if isinstance(node, ast.Subscript):
        key = _constant_key(node.slice)
        assert key is not None  # checked in _validate
        return _lookup(_eval(node.value, variables), key, ast.unparse(node), "Subscript")
    if isinstance(node, ast.List):
        return _guard([_eval(e, variables) for e in node.elts])
    if isinstance(node, ast.Tuple):
        return _guard(tuple(_eval(e, variables) for e in node.elts))
    if isinstance(node, ast.BoolOp):
        # Short-circuit and return an operand, like Python: ``n != 0 and 10 / n > 1`` is safe.
        result: Any = None
        for value_node in node.values:
            result = _eval(value_node, variables)
            if bool(result) is isinstance(node.op, ast.Or):
                return result
        return result
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, variables)
        if isinstance(node.op, ast.Not):
            return not operand
        if not _is_number(operand):
            raise ExpressionError(
                _("the sign %(sign)s applies to numbers only, not %(type)s")
                % {
                    "sign": "-" if isinstance(node.op, ast.USub) else "+",
                    "type": type(operand).__name__,
                },
                "UnaryOp",
            )
        return -operand if isinstance(node.op, ast.USub) else +operand
    if isinstance(node, ast.BinOp):
        return _binary(node.op, _eval(node.left, variables), _eval(node.right, variables))
    if isinstance(node, ast.Compare):
        left = _eval(node.left, variables)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _eval(comparator, variables)
            try:
                if not _COMPARE[type(op)](left, right):
                    return False
            except (TypeError, decimal.DecimalException) as exc:
                raise ExpressionError(
                    _("cannot compare: %(reason)s") % {"reason": exc}, "Compare"
                ) from None
            left = right
        return True
    raise _refuse(node)  # unreachable after _validate; kept so a gap fails closed


def check(expression: str) -> None:
    """Validate syntax and the whitelist without variables.

    Called when a definition is imported, so that a BPMN file with a forbidden or malformed
    condition is refused up front, naming the element, rather than failing mid-process.
    """
    _compile(expression)


def evaluate(expression: str, variables: Mapping[str, object]) -> object:
    """Evaluate a condition (JUEL or Python-like) against the process variables."""
    return _eval(_compile(expression), variables)


# --------------------------------------------------------------------------------------------
# Scripts

_ASSIGNMENT = re.compile(r"\s*([^\W\d]\w*)\s*(\+|-|\*|//|/|%)?=(?!=)(.*)", flags=re.S)
_AUGMENTED: dict[str, ast.operator] = {
    "+": ast.Add(), "-": ast.Sub(), "*": ast.Mult(), "/": ast.Div(), "//": ast.FloorDiv(),
    "%": ast.Mod(),
}  # fmt: skip


def _statement_kind(line: str) -> tuple[str, str]:
    """Name a refused script line for the message: (construct, description)."""
    first = line.split(None, 1)[0].rstrip(":(") if line.split() else ""
    if keyword.iskeyword(first):
        return first, _("“%(keyword)s” statements are") % {"keyword": first}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            statement = ast.parse(line, mode="exec").body[0]
    except (SyntaxError, ValueError, RecursionError, MemoryError, IndexError):
        return "syntax", _("this line is")
    if isinstance(statement, ast.Expr):
        name = type(statement.value).__name__
        return (
            name,
            _("a line that is not an assignment (%(what)s) is")
            % {"what": _described(name, _("an expression"))},
        )
    if isinstance(statement, ast.Assign | ast.AugAssign | ast.AnnAssign):
        return "Assign", _("assigning to anything but a plain variable name is")
    name = type(statement).__name__
    return name, _("the statement %(name)s is") % {"name": name}


def _script_lines(script: str) -> list[tuple[int, str, ast.operator | None, ast.Expression]]:
    if len(script or "") > MAX_SCRIPT:
        raise ExpressionError(
            _("the script is longer than %(n)s characters") % {"n": MAX_SCRIPT}, "size"
        )
    lines: list[tuple[int, str, ast.operator | None, ast.Expression]] = []
    for number, raw in enumerate((script or "").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _ASSIGNMENT.fullmatch(line)
        if not match or keyword.iskeyword(match.group(1)):
            construct, what = _statement_kind(line)
            raise ExpressionError(
                _("line %(n)s: %(what)s not allowed; a script is lines of “name = expression”")
                % {"n": number, "what": what},
                construct,
            )
        target, augmented, value = match.groups()
        if target.startswith("_"):
            raise ExpressionError(
                _(
                    "line %(n)s: the name %(name)s is not allowed (names starting with _ are private)"
                )
                % {"n": number, "name": target},
                "Name",
            )
        try:
            tree = _compile(value)
        except ExpressionError as exc:
            raise ExpressionError(
                _("line %(n)s: %(reason)s") % {"n": number, "reason": exc}, exc.construct
            ) from None
        lines.append((number, target, _AUGMENTED[augmented] if augmented else None, tree))
    return lines


def check_script(script: str) -> None:
    """Validate a scriptTask's script without running it (at import time)."""
    _script_lines(script)


def run_script(script: str, variables: MutableMapping[str, object]) -> None:
    """Run a script's assignments against the process variables.

    All or nothing: the lines write to an overlay that is copied into ``variables`` only when
    every line has succeeded, so a failing script leaves the task data as it was.
    """
    written: dict[str, object] = {}
    scope: ChainMap[str, Any] = ChainMap(written, variables)  # type: ignore[arg-type]
    for number, target, augmented, tree in _script_lines(script):
        try:
            value = _eval(tree, scope)
            if augmented is not None:
                if target not in scope:
                    raise ExpressionError(
                        _("unknown variable %(name)s") % {"name": target}, "variable"
                    )
                value = _binary(augmented, scope[target], value)
        except ExpressionError as exc:
            raise ExpressionError(
                _("line %(n)s: %(reason)s") % {"n": number, "reason": exc}, exc.construct
            ) from None
        written[target] = value
    variables.update(written)
