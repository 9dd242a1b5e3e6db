"""Which of a notebook's cells an exercise needs: a static slice by names.

A cell is needed if it binds a name that a needed cell reads before binding it, transitively:
the answers, the checks and the hidden tests need `pipe`, `pipe` needs the cell that loads the
model, that one its imports. Plots and demonstrations nobody reads from are skipped, which
keeps a graded notebook to a few seconds. A function's body counts as read where it is defined
(it reads its globals when called). A cell that only mutates an object (`pipe.to(...)`) binds
nothing and is skipped, so the grader's sliced run must pass the visible checks on the
solutions (`make assignments` proves it). Over-counting a read is safe: one cell too many.
"""

import ast

from IPython.core.inputtransformer2 import TransformerManager

TRANSFORMER = TransformerManager()
DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
SCOPES = (*DEFINITIONS, ast.Lambda)


def python(source: str) -> ast.Module | None:
    """`source` (IPython: magics allowed) as a module, or None if it does not parse."""
    try:
        return ast.parse(TRANSFORMER.transform_cell(source))
    except (SyntaxError, ValueError):
        return None


def stores(node) -> set[str]:
    """The names `node` binds in the scope it runs in (not inside functions it defines)."""
    if isinstance(node, ast.Import | ast.ImportFrom):
        return {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    if isinstance(node, DEFINITIONS):
        return {node.name}
    names, todo = set(), [node]
    while todo:
        part = todo.pop()
        if isinstance(part, ast.Name) and isinstance(part.ctx, ast.Store):
            names.add(part.id)
        elif isinstance(part, (ast.Import, ast.ImportFrom, *DEFINITIONS)):
            names |= stores(part)
        elif not isinstance(part, SCOPES):
            todo.extend(ast.iter_child_nodes(part))
    return names


FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def loads(node) -> set[str]:
    """Every name `node` reads from the scope it runs in, less comprehension variables. A
    function reads what its body does less its parameters and the names its body binds: Python
    makes those local (a solution's `y = ...` needs no context cell that binds `y`)."""
    if isinstance(node, FUNCTIONS):
        body = node.body if isinstance(node.body, list) else [node.body]
        declared = [part.names for part in ast.walk(node) if isinstance(part, ast.Global)]
        local = {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)}
        local |= set().union(*(stores(statement) for statement in body)) - set().union(*declared)
        outside = [*node.args.defaults, *filter(None, node.args.kw_defaults)]
        outside += getattr(node, "decorator_list", [])
        inside = set().union(*(loads(part) for part in body)) - local
        return inside | set().union(*(loads(part) for part in outside))
    local, read, todo = set(), set(), [node]
    while todo:
        part = todo.pop()
        if isinstance(part, FUNCTIONS):
            read |= loads(part)
            continue
        if isinstance(part, ast.comprehension):
            local |= {n.id for n in ast.walk(part.target) if isinstance(n, ast.Name)}
        elif isinstance(part, ast.Name) and isinstance(part.ctx, ast.Load):
            read.add(part.id)
        todo.extend(ast.iter_child_nodes(part))
    return read - local


def free_reads(statements: list, bound: set[str]) -> set[str]:
    """The names `statements` read before binding them themselves, in order."""
    free = set()
    for node in statements:
        if isinstance(node, ast.For | ast.AsyncFor):
            free |= loads(node.iter) - bound
            bound |= stores(node.target)
            free |= free_reads(node.body + node.orelse, bound)
        elif isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                free |= loads(item.context_expr) - bound
                bound |= stores(item.optional_vars) if item.optional_vars else set()
            free |= free_reads(node.body, bound)
        elif isinstance(node, ast.If | ast.While | ast.Try):
            tests = [node.test] if hasattr(node, "test") else []
            free |= set().union(*(loads(t) for t in tests)) - bound
            branches = [node.body, node.orelse, getattr(node, "finalbody", [])]
            branches += [handler.body for handler in getattr(node, "handlers", [])]
            for branch in branches:  # a name bound in one branch may be unbound after it
                free |= free_reads(branch, set(bound))
            bound |= stores(node)
        else:
            free |= loads(node) - bound
            bound |= stores(node)
    return free


def needed(context: list[str], users: list[str]) -> list[tuple[int, str]]:
    """The `context` cells (sources, in order) that the `users` (sources run after them) need:
    (index, source), each source without the imports nobody reads (matplotlib's costs half a
    second of every submission that needs only the cell's torch)."""
    wanted = set()
    for source in users:
        tree = python(source)
        wanted |= free_reads(tree.body, set()) if tree else set()
    keep = []
    for index in range(len(context) - 1, -1, -1):  # a binding comes before its readers
        tree = python(context[index])
        if tree is not None and stores_at_top(tree) & wanted:
            keep.append((index, trimmed(context[index], wanted)))
            wanted |= free_reads(tree.body, set())
    return sorted(keep)


def stores_at_top(tree: ast.Module) -> set[str]:
    return set().union(*(stores(node) for node in tree.body)) if tree.body else set()


def trimmed(source: str, wanted: set[str]) -> str:
    """`source` without its top-level imports of names neither `wanted` nor read in it."""
    try:
        tree = ast.parse(source)  # plain Python only: line numbers are the source's
    except SyntaxError:
        return source
    read = loads(tree)
    lines = source.splitlines(keepends=True)
    for node in reversed(tree.body):
        if isinstance(node, ast.Import | ast.ImportFrom) and not stores(node) & (wanted | read):
            del lines[node.lineno - 1 : node.end_lineno]
    return "".join(lines)
