"""The restricted evaluator for BPMN conditions and scripts (``tongban.workflow.evaluator``).

What a modeler draws (Camunda/JUEL and Python-style conditions, ``name = expr`` scripts) works;
anything that reaches for Python — calls, attributes, dunders, comprehensions, huge values —
is refused with an ``ExpressionError`` that names the construct, and quickly.
"""

from __future__ import annotations

import contextlib
import math
import time
from typing import Any

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from tongban.workflow import evaluator
from tongban.workflow.evaluator import ExpressionError


@pytest.fixture(autouse=True)
def _default_language() -> Any:
    """The rules are checked against the English messages; the Chinese ones have their own test
    (``test_messages_are_in_the_users_language``)."""
    with translation.override("en"):
        yield


VARS: dict[str, Any] = {
    "approved": True,
    "rejected": False,
    "amount": 1500,
    "region": "east",
    "nothing": None,
    "n": 0,
    "items": [10, 20, 30],
    "form": {"amount": 3, "tags": ["a", "b"], "address": {"city": "杭州"}, "gt": 1},
    "审批结果": "同意",
}


# --- translation of Camunda/JUEL -------------------------------------------------------------


@pytest.mark.parametrize(
    ("juel", "python"),
    [
        ("${approved}", "approved"),
        ("#{approved}", "approved"),
        ("  ${ approved }  ", "approved"),
        ("#{!approved}", "(not approved)"),
        ("${a != b}", "a != b"),
        ("${!(a != b)}", "(not (a != b))"),
        ("${a && b || !c}", "a and b or (not c)"),
        ("${a&&b||c}", "a and b or c"),
        # JUEL's unary operators bind tighter than comparisons; Python's `not` does not
        ("${!a == b}", "(not a) == b"),
        ("${not a == b}", "(not a) == b"),
        ("not a == b", "not a == b"),
        ("${x not in y && a is not b}", "x not in y and a is not b"),
        ("${!form.tags[0]}", "(not form.tags[0])"),
        ("${not empty x}", "(x)"),
        ("${empty x.y}", "(not x.y)"),
        ("empty == 1", "empty == 1"),
        ("${x eq 'y'}", "x == 'y'"),
        ("${a ne 1 && a lt 2 && a gt 0 && a le 3 && a ge 1}", "a != 1 and a < 2 and a > 0"),
        ("${a div 2 mod 3}", "a / 2 % 3"),
        ("${true || false || null}", "True or False or None"),
        ("${note == 'a && !b eq c'}", "note == 'a && !b eq c'"),
        ('${note == "x || y"}', 'note == "x || y"'),
        ("${form.gt eq 1}", "form.gt == 1"),
        ("approved and amount > 5", "approved and amount > 5"),
    ],
)
def test_translate(juel, python):
    out = evaluator.translate(juel)
    assert out.startswith(python) if python.startswith("a != 1") else out == python


# --- conditions that work ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        # Camunda/JUEL, as Camunda Modeler writes them
        ("${approved}", True),
        ("#{approved}", True),
        ("#{!approved}", False),
        ("${!rejected}", True),
        ("${amount > 1000 && region == 'east'}", True),
        ("${amount > 1000 && region == 'west'}", False),
        ("${rejected || approved}", True),
        ("${rejected || !approved}", False),
        ("${region eq 'east'}", True),
        ("${region ne 'east'}", False),
        ("${amount gt 1000 and amount lt 2000}", True),
        ("${amount ge 1500 && amount le 1500}", True),
        ("${amount div 3 == 500}", True),
        ("${amount mod 7}", 1500 % 7),
        ("${approved == true}", True),
        ("${nothing == null}", True),
        ("${not empty region}", "east"),  # truthy: what a gateway needs
        ("${empty nothing}", True),
        ("${not approved}", False),
        ("${region != 'west'}", True),
        ("${form.amount > 2}", True),
        ("${form.address.city == '杭州'}", True),
        ('${region == "east"}', True),
        # Python-style
        ("approved and amount > 5", True),
        ("approved and not rejected", True),
        ("rejected or amount", 1500),
        ("True", True),
        ("false", False),
        ("null is None", True),
        ("nothing is None and region is not None", True),
        ("amount * 2 + 1 - 1 == 3000", True),
        ("amount / 4", 375.0),
        ("amount // 7", 214),
        ("-amount + +1", -1499),
        ("1 < amount <= 1500 < 2000", True),
        ("region in ['east', 'west']", True),
        ("region not in ('north', 'south')", True),
        ("'a' in form.tags", True),
        ("form['tags'][1]", "b"),
        ("items[-1]", 30),
        ("items[0] + items[1]", 30),
        ("'abc'[0]", "a"),
        ("region + '-' + 'zone'", "east-zone"),
        ("[1, 2] + [3]", [1, 2, 3]),
        ("'ab' * 3", "ababab"),
        ("审批结果 == '同意'", True),
        ("'a!b' == 'a!b'", True),
        ("1.5 * 2", 3.0),
    ],
)
def test_conditions_that_work(expression, expected):
    assert evaluator.evaluate(expression, VARS) == expected


def test_and_or_short_circuit_like_python():
    # The right-hand side would divide by zero or name an unknown variable: never reached.
    assert evaluator.evaluate("n != 0 and 10 / n > 1", VARS) is False
    assert evaluator.evaluate("n == 0 or 10 / n > 1", VARS) is True
    assert evaluator.evaluate("${approved || undefined_thing}", VARS) is True
    assert evaluator.evaluate("${rejected && undefined_thing}", VARS) is False
    # ... and they return an operand, as Python does.
    assert evaluator.evaluate("nothing or region", VARS) == "east"
    assert evaluator.evaluate("region and amount", VARS) == 1500
    # without the short circuit the error surfaces
    with pytest.raises(ExpressionError, match="division by zero"):
        evaluator.evaluate("10 / n > 1", VARS)


def test_unknown_variable_is_named():
    with pytest.raises(ExpressionError, match="missing_var") as err:
        evaluator.evaluate("${missing_var > 1}", VARS)
    assert err.value.construct == "variable"


@pytest.mark.parametrize(
    ("expression", "match"),
    [
        ("form.missing", "form.missing"),
        ("form.address.street", "street"),
        ("items[7]", "7"),
        ("form['nope']", "nope"),
        ("region.upper", "dictionary"),  # dotted access only into dictionaries
        ("amount.real", "dictionary"),
        ("items.count", "dictionary"),
        ("amount[0]", "list"),
    ],
)
def test_dotted_and_indexed_access_errors(expression, match):
    with pytest.raises(ExpressionError, match=match):
        evaluator.evaluate(expression, VARS)


@pytest.mark.parametrize(
    ("expression", "match"),
    [
        ("region - 1", "numbers only"),
        ("region % 'x'", "numbers only"),  # printf-style formatting is refused outright
        ("region + 1", "cannot add"),
        ("[1] + (2,)", "cannot add"),
        ("'a' * 1.5", "whole number"),
        ("-region", "numbers only"),
        ("region < 1", "cannot compare"),
        ("amount // 0", "division by zero"),
        ("amount % 0", "division by zero"),
    ],
)
def test_type_errors_are_expression_errors(expression, match):
    with pytest.raises(ExpressionError, match=match):
        evaluator.evaluate(expression, VARS)


# --- check() at import time --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "value"),
    [("${approved}", True), ("#{!approved}", False), ("${a > 1 && b eq 'x'}", True),
     ("x in [1, 2]", False)],
)  # fmt: skip
def test_check_accepts_valid_expressions_without_variables(expression, value):
    evaluator.check(expression)  # names are not resolved: none of them exist here
    # … and the same expression evaluates once they do
    assert evaluator.evaluate(expression, {"approved": True, "a": 2, "b": "x", "x": 3}) is value


@pytest.mark.parametrize(
    ("expression", "construct"),
    [
        ("", "syntax"),
        ("${}", "syntax"),
        ("${a >}", "syntax"),
        ("${execution.getVariable('x')}", "Call"),
        ("a if b else c", "IfExp"),
        ("{'a': 1}", "Dict"),
        ("{1, 2}", "Set"),
        ("items[1:2]", "Slice"),
        ("items[i]", "Subscript"),
        ("b'bytes'", "Constant"),
        ("1j", "Constant"),
        ("...", "Constant"),
        ("a | b", "BitOr"),
        ("~a", "Invert"),
        ("a @ b", "MatMult"),
        ("1 << 100000", "LShift"),
        ("a" * 3000, "size"),
        ("-" * 500 + "1", "size"),
        ("1" * 400, "size"),
    ],
)
def test_check_refuses_naming_the_construct(expression, construct):
    with pytest.raises(ExpressionError) as err:
        evaluator.check(expression)
    assert err.value.construct == construct


# --- attacks ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attack", "construct"),
    [
        ("__import__('os').system('id')", "Call"),
        ("${__import__('os').system('id')}", "Call"),
        ("__import__", "Name"),
        ("().__class__.__bases__[0].__subclasses__()", "Call"),
        ("open('/etc/passwd')", "Call"),
        ("open('/etc/passwd').read()", "Call"),
        ("[x for x in range(10**9)]", "ListComp"),
        ("{x: 1 for x in items}", "DictComp"),
        ("sum(x for x in items)", "Call"),
        ("lambda: 1", "Lambda"),
        ("9**9**9", "Pow"),
        ("2 ** 10", "Pow"),
        ("'a' * 10**10", "Pow"),
        ("'a' * 10000000000", "size"),
        ("[1] * 10000000000", "size"),
        ("10000000000 * 'a'", "size"),
        ("'%9999999999s' % 'a'", "BinOp"),
        ("f'{approved}'", "JoinedStr"),
        ("f'{form.__class__}'", "JoinedStr"),
        ("(y := 1)", "NamedExpr"),
        ("[*items]", "Starred"),
        ("getattr(form, 'amount')", "Call"),
        ("getattr(a, 'b')", "Call"),
        ("form.__dict__", "Attribute"),
        ("a.__dict__", "Attribute"),
        ("form._private", "Attribute"),
        ("_private", "Name"),
        ("__builtins__", "Name"),
        ("form['__class__']", None),  # a plain (missing) key, not an attribute
        ("region.__class__.__mro__", "Attribute"),
        ("${''.__class__}", "Attribute"),
        ("globals()", "Call"),
        ("vars()", "Call"),
        ("breakpoint()", "Call"),
        ("exec('import os')", "Call"),
        ("eval('1')", "Call"),
        ("compile('1', 'f', 'eval')", "Call"),
        ("await x", "Await"),
        ("(yield)", "Yield"),
    ],
)
def test_attacks_are_refused_quickly(attack, construct):
    started = time.perf_counter()
    with pytest.raises(ExpressionError) as err:
        evaluator.evaluate(attack, VARS)
    assert time.perf_counter() - started < 0.5
    if construct:
        assert err.value.construct == construct, str(err.value)
    # ... and the same is refused without any variables, when a definition is imported
    if construct not in (None, "size", "BinOp"):  # those depend on the values
        with pytest.raises(ExpressionError):
            evaluator.check(attack)


def test_messages_name_the_construct():
    for expression, words in [
        ("open('x')", "call"),
        ("lambda: 1", "lambda"),
        ("f'{x}'", "f-string"),
        ("(y := 1)", ":="),
        ("9**9", "**"),
        ("[x for x in y]", "comprehension"),
        ("a.__dict__", "__dict__"),
        ("__import__", "__import__"),
    ]:
        with pytest.raises(ExpressionError, match=r"(?i)" + words.replace("*", r"\*")):
            evaluator.check(expression)


def test_sizes_built_by_operations_are_bounded():
    big = {"s": "x" * 9_000, "l": list(range(9_000))}
    with pytest.raises(ExpressionError, match="longer"):
        evaluator.evaluate("s + s", big)
    with pytest.raises(ExpressionError, match="longer"):
        evaluator.evaluate("l + l", big)
    with pytest.raises(ExpressionError, match="longer"):
        evaluator.evaluate("'ab' * 5001", {})
    huge = {"x": 10**300}
    with pytest.raises(ExpressionError, match="too large"):
        evaluator.evaluate("x * x * x * x", huge)
    with pytest.raises(ExpressionError, match="range"):
        evaluator.evaluate("x * 1.0 * 1e300", huge)
    assert evaluator.evaluate("'ab' * 5000 == 'ab' * 5000", {}) is True
    assert evaluator.evaluate("'ab' * -1", {}) == ""


def test_huge_input_is_refused_before_parsing():
    started = time.perf_counter()
    with pytest.raises(ExpressionError, match="longer"):
        evaluator.evaluate("1 + " * 1_000_000 + "1", {})
    assert time.perf_counter() - started < 0.5


# --- scripts -------------------------------------------------------------------------------------


def test_a_script_assigns_variables_in_order():
    data: dict[str, object] = dict(VARS)
    evaluator.run_script(
        """
        # a comment line, and blank lines, are fine
        total = amount + 500
        big = ${total > 1000 && approved}
        total += 1
        half = total / 2   # a trailing comment too
        label = region + '-' + form.address.city
        count = 0
        count -= 1
        结果 = 审批结果 == '同意'
        """,
        data,
    )
    assert data["total"] == 2001
    assert data["big"] is True
    assert data["half"] == 1000.5
    assert data["label"] == "east-杭州"
    assert data["count"] == -1
    assert data["结果"] is True


def test_a_failing_script_changes_nothing():
    data: dict[str, object] = {"a": 1}
    with pytest.raises(ExpressionError, match="line 2"):
        evaluator.run_script("b = a + 1\nc = missing + 1", data)
    assert data == {"a": 1}
    with pytest.raises(ExpressionError, match="unknown variable z"):
        evaluator.run_script("z += 1", data)
    assert data == {"a": 1}


@pytest.mark.parametrize(
    ("script", "construct"),
    [
        ("import os", "import"),
        ("from os import system", "from"),
        ("x = 1\nimport os", "import"),
        ("__import__('os')", "Call"),
        ("__import__('os').system('id')", "Call"),
        ("x = __import__('os')", "Call"),
        ("x = __import__", "Name"),
        ("exec('1')", "Call"),
        ("x = exec('1')", "Call"),
        ("x = open('f')", "Call"),
        ("x.y = 1", "Assign"),
        ("x[0] = 1", "Assign"),
        ("x, y = 1, 2", "Assign"),
        ("x: int = 1", "Assign"),
        ("x = y = 1", "syntax"),
        ("x = 1; import os", "syntax"),
        ("for i in n: pass", "for"),
        ("while True: pass", "while"),
        ("def f(): pass", "def"),
        ("class A: pass", "class"),
        ("with open('f') as f: pass", "with"),
        ("try: pass", "try"),
        ("global x", "global"),
        ("del x", "del"),
        ("return 1", "return"),
        ("lambda: 1", "lambda"),
        ("_x = 1", "Name"),
        ("__builtins__ = {}", "Name"),
        ("True = 1", "True"),
        ("x = ().__class__", "Attribute"),
        ("x = [].__class__.__base__", "Attribute"),
        ("x = (y := 1)", "NamedExpr"),
        ("approved", "Name"),
        ("x == 1", "Compare"),
        ("x = 9**9**9", "Pow"),
        ("x ** = 2", "syntax"),
        ("x = ", "syntax"),
    ],
)
def test_scripts_other_than_assignments_are_refused(script, construct):
    with pytest.raises(ExpressionError) as err:
        evaluator.check_script(script)
    assert err.value.construct == construct, str(err.value)
    data: dict[str, object] = {"n": [1], "x": {}}
    with pytest.raises(ExpressionError):
        evaluator.run_script(script, data)
    assert data == {"n": [1], "x": {}}


def test_script_messages_name_the_line_and_the_statement():
    with pytest.raises(ExpressionError, match=r"line 3: “import” statements are not allowed"):
        evaluator.check_script("a = 1\n\nimport os")
    with pytest.raises(ExpressionError, match=r"line 1: .*function or method call"):
        evaluator.check_script("print('x')")


def test_script_size_is_bounded():
    with pytest.raises(ExpressionError, match="longer"):
        evaluator.check_script("x = 1\n" * 10_000)
    evaluator.check_script("")  # an empty script does nothing
    evaluator.check_script("# only a comment")


# --- properties ----------------------------------------------------------------------------------

NAMES = {"a": 7, "b": -3, "z": 0, "f": 2.5}
_leaf = st.one_of(
    st.integers(-50, 50).map(str),
    st.integers(0, 10_000).map(lambda n: repr(n / 100)),  # floats such as 12.5 and 0.01
    st.sampled_from(sorted(NAMES)),
    st.sampled_from(["True", "False"]),
)
_ARITHMETIC = ["+", "-", "*", "/", "//", "%"]
_COMPARISON = ["<", "<=", "==", "!=", ">", ">="]


def _python_trees(depth: int) -> st.SearchStrategy[str]:
    if depth == 0:
        return _leaf
    sub = _python_trees(depth - 1)
    return st.one_of(
        sub,
        st.tuples(sub, st.sampled_from(_ARITHMETIC + _COMPARISON + ["and", "or"]), sub).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        st.tuples(sub, st.sampled_from(_COMPARISON), sub, st.sampled_from(_COMPARISON), sub).map(
            lambda t: f"({t[0]} {t[1]} {t[2]} {t[3]} {t[4]})"
        ),
        st.tuples(st.sampled_from(["not ", "-", "+"]), sub).map(lambda t: f"({t[0]}{t[1]})"),
    )


@settings(max_examples=400, deadline=None)
@given(expression=_python_trees(3))
def test_same_result_as_python_on_whitelisted_expressions(expression):
    """Random trees of whitelisted nodes give what Python's own eval gives — including the
    error: where Python divides by zero, the evaluator raises ExpressionError."""
    try:
        expected = eval(expression, {"__builtins__": {}}, dict(NAMES))  # noqa: S307 - the oracle
    except ZeroDivisionError:
        with pytest.raises(ExpressionError, match="division by zero"):
            evaluator.evaluate(expression, NAMES)
        return
    if isinstance(expected, float) and not math.isfinite(expected):
        with pytest.raises(ExpressionError, match="out of range"):  # refused, not inf
            evaluator.evaluate(expression, NAMES)
        return
    assert evaluator.evaluate(expression, NAMES) == expected


_JUEL_OPS = {"&&": "and", "||": "or", "eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<="}
_JUEL_OPS |= {"ge": ">=", "==": "==", "!=": "!=", "+": "+", "*": "*"}


def _juel_trees(depth: int) -> st.SearchStrategy[tuple[str, str]]:
    """Pairs (JUEL text, the same in Python)."""
    leaf = st.one_of(st.integers(0, 9).map(str), st.sampled_from(["a", "b", "z"])).map(
        lambda s: (s, s)
    ) | st.sampled_from([("true", "True"), ("false", "False")])
    if depth == 0:
        return leaf
    sub = _juel_trees(depth - 1)
    return st.one_of(
        sub,
        st.tuples(sub, st.sampled_from(sorted(_JUEL_OPS)), sub).map(
            lambda t: (f"({t[0][0]} {t[1]} {t[2][0]})", f"({t[0][1]} {_JUEL_OPS[t[1]]} {t[2][1]})")
        ),
        sub.map(lambda s: (f"!({s[0]})", f"(not ({s[1]}))")),
    )


@settings(max_examples=300, deadline=None)
@given(pair=_juel_trees(3), wrapper=st.sampled_from(["${%s}", "#{%s}", "%s"]))
def test_juel_means_the_same_as_its_python_form(pair, wrapper):
    juel, python = pair
    expected = eval(python, {"__builtins__": {}}, dict(NAMES))  # noqa: S307 - the oracle
    assert evaluator.evaluate(wrapper % juel, NAMES) == expected


@settings(max_examples=500, deadline=None)
@given(
    text=st.one_of(
        st.text(max_size=120),
        st.text(alphabet="ab_.()[]{}'\"$#!&|=<>+-*/%~@:;,0123456789 \n\\fjlx", max_size=120),
    )
)
def test_any_input_either_evaluates_or_raises_expression_error(text):
    """Fuzz: whatever arrives in a BPMN file, the only failure is ExpressionError."""
    with contextlib.suppress(ExpressionError):
        evaluator.evaluate(text, {"a": 1, "b": "x", "x": [1], "ab": {"a": 1}})
    with contextlib.suppress(ExpressionError):
        evaluator.check_script(text)


def test_messages_are_in_the_users_language():
    with translation.override("zh-hans"):
        with pytest.raises(ExpressionError, match="未知变量 missing_var"):
            evaluator.evaluate("missing_var > 1", {})
        with pytest.raises(ExpressionError, match="条件或脚本中不允许使用函数或方法调用"):
            evaluator.check("open('x')")
        with pytest.raises(ExpressionError, match="第 2 行：不允许“import”语句"):
            evaluator.check_script("a = 1\nimport os")
