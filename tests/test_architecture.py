"""The rules of DESIGN.md §2 that import-linter cannot see, checked on the source (ADR 0009).

* Every app from identity up owns its HTTP code: views, urls (own namespace), api, schemas and
  templates/<app>/ (forms where its pages send data).
* Views and API modules never touch ``.objects``, never decide "what may this person do" with the
  access policy themselves (a selector says it), and read no POST field by hand (a form or a
  schema parses it).
* No module imports or reaches for another module's underscore names.
* The services an entry point calls take ids and codes, never model objects the view looked up:
  the service finds the object through the visibility policy itself.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "tongban"
APPS_WITH_PAGES = ["identity", "org", "notifications", "workflow", "seals", "records", "documents"]
# A protocol endpoint, not a page: RFC 3161 clients send a DER TimeStampReq as the body.
RAW_BODY_ALLOWED = {("seals/views.py", "time_stamp")}


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def entry_point_modules() -> list[Path]:
    """Every module a request reaches first: views and API routers."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if "migrations/" in rel:
            continue
        name = path.name
        if (
            name in ("views.py", "api.py")
            or "/views/" in f"/{rel}"
            or rel.startswith("api/routers/")
            or rel == "api/api.py"
            or (rel.startswith("web/") and name.startswith("views"))
        ):
            found.append(path)
    return found


def all_modules() -> Iterator[Path]:
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(SRC).as_posix()}:{getattr(node, 'lineno', 0)}"


def _function_of(tree: ast.Module, node: ast.AST) -> str:
    line = getattr(node, "lineno", 0)
    for top in tree.body:
        if isinstance(top, ast.FunctionDef) and top.lineno <= line <= (top.end_lineno or 0):
            return top.name
    return ""


# --- the rules, as functions over source text (tested on examples below) ---------------------


def objects_uses(tree: ast.Module) -> list[ast.AST]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "objects"]


def policy_uses(tree: ast.Module) -> list[ast.AST]:
    """Imports of the access policy (``tongban.org.policy``) into an entry point."""
    found: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (
            node.module == "tongban.org.policy"
            or (node.module == "tongban.org" and any(a.name == "policy" for a in node.names))
        ):
            found.append(node)
        if isinstance(node, ast.Import) and any(a.name == "tongban.org.policy" for a in node.names):
            found.append(node)
    return found


def hand_read_posts(tree: ast.Module) -> list[ast.AST]:
    """``request.POST.get(...)``, ``request.POST["x"]``, ``"x" in request.POST``,
    ``request.FILES...`` read field by field, and ``request.body``: a form or a schema parses."""

    def is_request_attr(node: ast.AST, attrs: tuple[str, ...]) -> bool:
        return (
            isinstance(node, ast.Attribute)
            and node.attr in attrs
            and isinstance(node.value, ast.Name)
            and node.value.id == "request"
        )

    found: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and is_request_attr(node.value, ("POST", "FILES")):
            found.append(node)  # request.POST.get / .getlist / .items ...
        elif (
            (isinstance(node, ast.Subscript) and is_request_attr(node.value, ("POST", "FILES")))
            or (
                isinstance(node, ast.Compare)
                and any(is_request_attr(c, ("POST", "FILES")) for c in node.comparators)
            )
            or is_request_attr(node, ("body",))
        ):
            found.append(node)
    return found


def private_imports(tree: ast.Module, own_module: str) -> list[ast.AST]:
    """``from x import _name`` and ``module._name`` for a module imported from another file."""
    found: list[ast.AST] = []
    imported_modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module != "__future__":
            if node.module == own_module:
                continue
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(node)
                else:
                    imported_modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                imported_modules.add(alias.asname or alias.name.split(".")[0])
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and node.attr != "_meta"  # Django's documented model API
            and isinstance(node.value, ast.Name)
            and node.value.id in imported_modules
            and node.value.id not in ("self", "cls")
        ):
            found.append(node)
    return found


def service_calls(tree: ast.Module) -> list[tuple[str, str, ast.AST]]:
    """(module, function, node) for each call of a service module's function."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tongban"):
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                if re.search(r"\.(services|incoming|importing|actions)$", full):
                    aliases[alias.asname or alias.name] = full
    calls = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in aliases
        ):
            calls.append((aliases[node.func.value.id], node.func.attr, node))
    return calls


def model_parameters(function: object, model_names: set[str]) -> list[str]:
    """Parameters besides the acting person whose annotation names a model class."""
    signature = inspect.signature(function)  # type: ignore[arg-type]
    bad = []
    for position, (name, parameter) in enumerate(signature.parameters.items()):
        if position == 0:
            continue  # the actor
        annotation = parameter.annotation
        text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
        if set(re.findall(r"[A-Za-z_]+", str(text))) & model_names:
            bad.append(f"{name}: {text}")
    return bad


# --- the checks on the code base -------------------------------------------------------------


@pytest.mark.parametrize("app", APPS_WITH_PAGES)
def test_every_app_owns_its_http_code(app):
    root = SRC / app
    assert any(p.exists() for p in (root / "views.py", root / "views")), f"{app}: no views"
    for name in ("urls.py", "api.py", "schemas.py"):
        assert (root / name).exists(), f"{app}: no {name}"
    assert (root / "templates" / app).is_dir(), f"{app}: no templates/{app}/"
    urls = importlib.import_module(f"tongban.{app}.urls")
    assert urls.app_name == app
    views_text = "".join(
        p.read_text(encoding="utf-8")
        for p in (
            [root / "views.py"] if (root / "views.py").exists() else (root / "views").glob("*.py")
        )
    )
    if "forms." in views_text:
        assert (root / "forms.py").exists(), f"{app}: its pages bind forms but it has no forms.py"


def test_web_keeps_only_layouts_navigation_workbench_audit_and_health():
    views = {p.name for p in (SRC / "web").glob("*.py")}
    assert views <= {
        "__init__.py",
        "apps.py",
        "context_processors.py",
        "forms.py",
        "middleware.py",
        "urls.py",
        "views.py",
        "views_health.py",
    }, views


def test_entry_points_do_not_touch_the_orm_or_the_policy_or_raw_posts():
    problems = []
    for path in entry_point_modules():
        tree = _tree(path)
        rel = path.relative_to(SRC).as_posix()
        problems += [f"{_where(path, n)} .objects" for n in objects_uses(tree)]
        problems += [f"{_where(path, n)} imports the access policy" for n in policy_uses(tree)]
        for node in hand_read_posts(tree):
            if (rel, _function_of(tree, node)) not in RAW_BODY_ALLOWED:
                problems.append(f"{_where(path, node)} reads the request by hand")
    assert problems == []


def test_no_module_uses_another_modules_private_names():
    problems = []
    for path in all_modules():
        tree = _tree(path)
        problems += [
            f"{_where(path, n)} {ast.unparse(n)[:80]}"
            for n in private_imports(tree, _module_name(path))
        ]
    assert problems == []


def test_services_an_entry_point_calls_take_ids_not_objects():
    from django.apps import apps

    model_names = {m.__name__ for m in apps.get_models()}
    problems = []
    checked = 0
    for path in entry_point_modules():
        for module, function, node in service_calls(_tree(path)):
            target = getattr(importlib.import_module(module), function, None)
            if not inspect.isfunction(target):
                continue
            checked += 1
            for parameter in model_parameters(target, model_names):
                problems.append(f"{_where(path, node)} {module}.{function}({parameter})")
    assert checked > 80  # the check sees the calls (a rename of the modules would hide them)
    assert problems == []


def test_every_page_and_endpoint_module_is_routed():
    """The views and routers moved into the apps are the ones the URLconf serves."""
    from django.urls import get_resolver

    modules = set()

    def walk(patterns: list) -> None:
        for entry in patterns:
            if hasattr(entry, "url_patterns"):
                walk(entry.url_patterns)
            elif getattr(entry, "callback", None) is not None:
                modules.add(entry.callback.__module__)

    walk(get_resolver().url_patterns)
    for app in APPS_WITH_PAGES:
        assert any(m.startswith(f"tongban.{app}.views") for m in modules), app


# --- the checks catch what they are meant to (each on a small example) -----------------------


def _parse(source: str) -> ast.Module:
    return ast.parse(source)


def test_the_checks_find_each_pattern():
    assert objects_uses(_parse("Task.objects.filter(pk=1)"))
    assert not objects_uses(_parse("selectors.task_for(user, 1)"))
    assert policy_uses(_parse("from tongban.org import policy"))
    assert policy_uses(_parse("from tongban.org.policy import can"))
    assert not policy_uses(_parse("from tongban.org import selectors"))
    assert hand_read_posts(_parse("x = request.POST.get('a')"))
    assert hand_read_posts(_parse("x = request.POST['a']"))
    assert hand_read_posts(_parse("x = 'a' in request.POST"))
    assert hand_read_posts(_parse("x = request.FILES.get('f')"))
    assert hand_read_posts(_parse("x = request.body"))
    assert not hand_read_posts(_parse("form = Form(request.POST, request.FILES)"))
    assert private_imports(_parse("from tongban.x.services import _helper"), "tongban.y")
    assert private_imports(_parse("from tongban.x import services\nservices._helper()"), "m")
    assert not private_imports(_parse("from tongban.x import services\nservices.helper()"), "m")
    assert not private_imports(_parse("from django.utils.translation import gettext as _"), "m")
    assert not private_imports(_parse("class A:\n def f(self): self._x = 1"), "m")
    assert not private_imports(_parse("from tongban.x.models import M\nM._meta.db_table"), "m")
    calls = service_calls(_parse("from tongban.org import services\nservices.delegate(u, d=1)"))
    assert [(m, f) for m, f, _n in calls] == [("tongban.org.services", "delegate")]

    def takes_object(actor: object, department: Department) -> None:  # noqa: F821
        """An example: a service that trusts an object its caller looked up."""

    def takes_code(actor: object, department: str) -> None:
        """An example: a service that looks the department up itself."""

    assert model_parameters(takes_object, {"Department"}) == ["department: Department"]
    assert model_parameters(takes_code, {"Department"}) == []
