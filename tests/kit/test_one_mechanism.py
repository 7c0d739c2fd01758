"""One mechanism per concern, checked by reading the source (issue: "One mechanism each").

Each rule names the one place a concern lives; a second variant anywhere else fails here, with
the file and line to fix. Allowed exceptions are listed with the reason they are not one.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path

from pydantic import BaseModel

SRC = Path(__file__).resolve().parents[2] / "src" / "gridgov"


def _lines(pattern: str, *, files: str = "**/*.py") -> list[tuple[str, int, str]]:
    regex = re.compile(pattern)
    found = []
    for path in sorted(SRC.glob(files)):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if regex.search(line) and not line.lstrip().startswith("#"):
                found.append((str(path.relative_to(SRC)), number, line.strip()))
    return found


def _report(found: list[tuple[str, int, str]]) -> str:
    return "\n".join(f"  {path}:{number}: {line}" for path, number, line in found)


def test_routes_and_pages_never_commit_or_roll_back() -> None:
    # The request's session ends the transaction (kit/db.py end_request); jobs use job_session.
    found = [
        hit
        for hit in _lines(r"\.(commit|rollback)\(\)")
        if not hit[0].startswith(("kit/db.py", "jobs/"))
    ]
    assert not found, "commit/rollback outside kit/db.py and jobs/:\n" + _report(found)


def test_no_query_without_a_principal() -> None:
    # A resident without an account acts as authz.principal.resident_principal(channel), jobs
    # and the CLI as system_principal(job): there is no "no principal" anywhere.
    found = _lines(r"principal=None\b")
    assert not found, "principal=None (use resident_principal or system_principal):\n" + _report(
        found
    )


# Parameters that may be None, and why — none of them queries: the trail records who made a
# request, also when nobody had signed in; the refusal record reads the request's principal,
# which an unauthenticated request does not have; the navigation of a signed-out page is empty.
OPTIONAL_PRINCIPAL = {
    "audit/trail.py",
    "audit/denials.py",
    "web/nav.py",
}


def test_services_and_repositories_take_a_principal() -> None:
    found = [
        hit for hit in _lines(r"principal: Principal \| None") if hit[0] not in OPTIONAL_PRINCIPAL
    ]
    assert not found, "an optional principal (no scope) in:\n" + _report(found)


def test_one_data_scope_function() -> None:
    # authz/policy.scope_clause / readable_statement / covers is the one scope; the region
    # arithmetic behind it stays inside authz.
    found = [hit for hit in _lines(r"region_scope\(") if not hit[0].startswith("authz/")]
    assert not found, "region_scope used outside gridgov.authz:\n" + _report(found)


def test_roles_are_not_checked_inline_in_routes() -> None:
    # Routes declare roles with require_roles/page_roles and a role set from authz/policy.py.
    found = _lines(r"principal\.role (not )?in |principal\.role [!=]=", files="**/routes.py")
    assert not found, "inline role checks in routes:\n" + _report(found)


def test_one_error_shape() -> None:
    handlers = [
        hit
        for hit in _lines(r"exception_handler\(|add_exception_handler\(")
        if hit[0] != "web/errors.py"
    ]
    assert not handlers, "error handlers outside web/errors.py:\n" + _report(handlers)
    # The old shape was {"detail": {...}}; every error now leaves through kit.errors.problem.
    shapes = _lines(r"""\{\s*["']detail["']\s*:""")
    assert not shapes, "a second error body shape:\n" + _report(shapes)


def _function_level_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Imports inside a function body; imports under ``if TYPE_CHECKING:`` do not run."""
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and ast.unparse(child.test).endswith("TYPE_CHECKING"):
                for other in child.orelse:
                    visit_one(other, in_function)
                continue
            visit_one(child, in_function)

    def visit_one(child: ast.AST, in_function: bool) -> None:
        if in_function and isinstance(child, ast.Import | ast.ImportFrom):
            found.append(child)
        visit(child, in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef))

    visit(tree, False)
    return found


def test_imports_at_the_top_unless_lazy_says_why() -> None:
    # An import inside a function hides a dependency (or an import cycle) from the reader. Keep
    # one there only under a "# lazy:" comment (on the line before it, or before the run of
    # imports it belongs to), naming the cycle that cannot be broken or the heavy library only
    # one command needs.
    found = []
    for path in sorted(SRC.glob("**/*.py")):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        explained: set[int] = set()  # last lines of the imports under a "# lazy:" comment
        for node in sorted(_function_level_imports(ast.parse(text)), key=lambda n: n.lineno):
            before = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
            if before.startswith("# lazy:") or node.lineno - 1 in explained:
                explained.add(node.end_lineno or node.lineno)
            else:
                found.append((str(path.relative_to(SRC)), node.lineno, ast.unparse(node)))
    assert not found, (
        f"{len(found)} imports inside functions without a '# lazy:' reason:\n" + _report(found)
    )


def test_one_routes_file_per_domain() -> None:
    # One layout per domain: routes / service / repository / schemas / pages / cli. A domain's
    # API is its routes.py (a sub-package such as fieldwork/sync/ has its own); pages routers are
    # out of the schema (include_in_schema=False) and live in pages.py or *_pages.py.
    second = [
        (str(path.relative_to(SRC)), 1, "a second routes file: fold it into routes.py")
        for path in sorted(SRC.glob("**/*routes*.py"))
        if path.name != "routes.py"
    ]
    api_routers = [
        hit
        for hit in _lines(r"\bAPIRouter\(")
        if "include_in_schema=False" not in hit[2] and not hit[0].endswith("routes.py")
    ]
    found = second + api_routers
    assert not found, "API routes outside the domain's routes.py:\n" + _report(found)


def test_no_schemas_in_routes() -> None:
    # Request and response bodies live in the domain's schemas.py, where the services and pages
    # find them too; a routes.py only wires them to paths.
    found = []
    for path in sorted(SRC.glob("**/routes.py")):
        module = importlib.import_module(
            "gridgov." + ".".join(path.relative_to(SRC).with_suffix("").parts)
        )
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            value = getattr(module, node.name, None) if isinstance(node, ast.ClassDef) else None
            if inspect.isclass(value) and issubclass(value, BaseModel):
                found.append((str(path.relative_to(SRC)), node.lineno, f"class {node.name}"))
    assert not found, "pydantic models defined in a routes.py (move them to schemas.py):\n" + (
        _report(found)
    )


# Module functions of a repository.py that take a session and are no query of a domain: clause
# builders that depend on the database's dialect, and the generic one-row INSERT.
SESSION_HELPERS = {
    "kit/repository.py": {"insert_now", "_forget"},
    "people/repository.py": {"in_values", "chunks"},
    "sources/repository.py": {"is_postgres", "_in"},
    "fieldwork/sync/repository.py": {"dialect_insert"},
}


def test_repositories_expose_their_queries_on_classes() -> None:
    # One style: XRepository(session).query(...) (or kit.repository.Repository[T]); a module
    # function that takes the session is a second way to reach the database.
    found = []
    for path in sorted(SRC.glob("**/repository.py")):
        name = str(path.relative_to(SRC))
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if (
                isinstance(node, ast.FunctionDef)
                and "session" in [a.arg for a in node.args.args + node.args.kwonlyargs]
                and node.name not in SESSION_HELPERS.get(name, set())
            ):
                found.append((name, node.lineno, f"def {node.name}(session, …)"))
    assert not found, "repository functions (make them methods of the repository class):\n" + (
        _report(found)
    )
