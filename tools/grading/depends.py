"""Which of a notebook's cells an exercise needs: a static slice by names.

A cell is needed if it binds a name that a needed cell reads, transitively: the answers, the
checks and the hidden tests need `pipe`, `pipe` needs the cell that loads the model, that one
its imports. Plots and demonstrations nobody reads from are skipped, which keeps a graded
notebook to a few seconds. Reads count anywhere in a cell, function bodies included (a
function reads its globals when called); a cell that only mutates an object (`pipe.to(...)`)
binds nothing and is skipped, so the grader's sliced run must pass the visible checks on the
solutions (`make assignments` proves it).
"""

import ast

from IPython.core.inputtransformer2 import TransformerManager

TRANSFORMER = TransformerManager()


def python(source: str) -> ast.Module | None:
    """`source` (IPython: magics allowed) as a module, or None if it does not parse."""
    try:
        return ast.parse(TRANSFORMER.transform_cell(source))
    except (SyntaxError, ValueError):
        return None


def binds(tree: ast.Module) -> set[str]:
    """The module-level names a cell binds (assignments, imports, defs, loop and with targets)."""
    names = set()
    for node in tree.body:
        for part in ast.walk(node) if not isinstance(node, ast.FunctionDef | ast.ClassDef) else ():
            if isinstance(part, ast.Name) and isinstance(part.ctx, ast.Store):
                names.add(part.id)
            elif isinstance(part, ast.Import | ast.ImportFrom):
                names |= {(a.asname or a.name).split(".")[0] for a in part.names}
            elif isinstance(part, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
                names.add(part.name)
        if isinstance(node, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
            names.add(node.name)
    return names


def reads(tree: ast.Module) -> set[str]:
    """Every name a cell reads, in any scope (over-approximating is safe: one cell too many),
    but those it imports itself (a hidden test's `from dlbook.exercises import record` needs
    no context cell that happens to bind `record`)."""
    imported = {
        (alias.asname or alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    names = {
        n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    }
    return names - imported


def needed(context: list[str], users: list[str]) -> list[int]:
    """The indices of the `context` cells (sources, in order) that the `users` (sources run
    after them) need."""
    wanted = set()
    for source in users:
        tree = python(source)
        wanted |= reads(tree) if tree else set()
    keep = []
    for index in range(len(context) - 1, -1, -1):  # a binding comes before its readers
        tree = python(context[index])
        if tree is not None and binds(tree) & wanted:
            keep.append(index)
            wanted |= reads(tree)
    return sorted(keep)
