"""Chapter 1's picture of autograd: the graph a computation records, read
from the tensors themselves (``grad_fn`` and its ``next_functions``), not
drawn by hand."""

from dataclasses import dataclass

import torch
from matplotlib.axes import Axes


@dataclass(frozen=True)
class Graph:
    """What autograd recorded for one output.

    Attributes:
        nodes (`dict[int, str]`): node id -> autograd's name for it
            (``MulBackward0``, ...); a leaf the graph ends at is named
            ``AccumulateGrad``, the node that adds into its ``.grad``.
        edges (`list[tuple[int, int]]`): (input, consumer) pairs, the
            direction of the forward computation; backward walks them
            the other way.
        depth (`dict[int, int]`): how many edges the longest path from the
            node to the output has (the output is 0).
        output (`int`): the id of the output's node.
        constants (`dict[int, int]`): node id -> how many of its inputs
            record nothing (constants, or tensors that do not require grad).
    """

    nodes: dict[int, str]
    edges: list[tuple[int, int]]
    depth: dict[int, int]
    output: int
    constants: dict[int, int]


def recorded(y: torch.Tensor) -> Graph:
    """The graph autograd recorded while computing `y`.

    Args:
        y (`torch.Tensor`): A tensor computed from tensors that require grad.

    Returns:
        `Graph`: every node reachable from ``y.grad_fn``; inputs that do
        not require grad (constants) record no node.
    """
    if y.grad_fn is None:
        raise ValueError(
            "y records no graph: nothing it was computed from requires grad"
        )
    ids: dict[object, int] = {}
    nodes, edges, depth, constants = {}, set(), {}, {}
    pending = [(y.grad_fn, 0)]
    while pending:
        function, level = pending.pop()
        node = ids.setdefault(function, len(ids))
        nodes[node] = type(function).__name__
        if depth.get(node, -1) >= level:
            continue  # reached before by a path at least as long
        depth[node] = level
        constants[node] = sum(
            parent is None for parent, _ in function.next_functions
        )
        for parent, _ in function.next_functions:
            if parent is not None:
                edges.add((ids.setdefault(parent, len(ids)), node))
                pending.append((parent, level + 1))
    return Graph(nodes, sorted(edges), depth, ids[y.grad_fn], constants)


def layout(graph: Graph) -> dict[int, tuple[float, float]]:
    """Positions for drawing: operations left to right in the order they
    ran (by depth), several at one depth stacked; leaves on a row below,
    each under the operations that read it."""
    deepest = max(graph.depth.values())
    leaves = [
        n for n, name in graph.nodes.items() if name == "AccumulateGrad"
    ]
    position, stacked = {}, {}
    for node in sorted(graph.nodes):
        if node in leaves:
            continue
        column = deepest - graph.depth[node]
        row = stacked.setdefault(column, 0)
        stacked[column] += 1
        position[node] = (float(column), float(row))
    for leaf in leaves:
        readers = [position[c][0] for i, c in graph.edges if i == leaf]
        position[leaf] = (sum(readers) / len(readers), -1.2)
    return position


def short(name: str) -> str:
    """``MulBackward0`` -> ``Mul``: the operation, for a label."""
    return (
        "leaf x"
        if name == "AccumulateGrad"
        else name.removesuffix("0").removesuffix("Backward")
    )


def draw(graph: Graph, ax: Axes) -> None:
    """Draw `graph` on `ax`: a box per node, labelled with its operation,
    an arrow per edge in the forward direction, and a dotted arrow from
    "const" for each input that recorded no node. Black on white, so it
    reads in greyscale; the output's box has a heavy border.

    Args:
        graph (`Graph`): From `recorded`.
        ax (`matplotlib.axes.Axes`): Where to draw; its axes are hidden.
    """
    where = layout(graph)
    for source, target in graph.edges:
        ax.annotate(
            "",
            xy=where[target],
            xytext=where[source],
            arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1,
                        "shrinkA": 14, "shrinkB": 14},
        )  # fmt: skip
    for node, count in graph.constants.items():
        x, y = where[node]
        for k in range(count):
            ax.annotate(
                "const",
                xy=(x, y),
                xytext=(x + 0.7 * (k - (count - 1) / 2), y + 0.75),
                ha="center",
                fontsize=8,
                fontstyle="italic",
                arrowprops={"arrowstyle": "-|>", "ls": ":", "color": "black",
                            "shrinkB": 12},
            )  # fmt: skip
    for node, name in graph.nodes.items():
        output = node == graph.output
        ax.text(
            *where[node],
            short(name) + ("\n= y" if output else ""),
            ha="center",
            va="center",
            fontsize=10,
            bbox={"boxstyle": "round,pad=0.4", "fc": "white", "ec": "black",
                  "lw": 2.5 if output else 1},
        )  # fmt: skip
    xs = [x for x, _ in where.values()]
    ys = [y for _, y in where.values()]
    ax.set(
        xlim=(min(xs) - 0.6, max(xs) + 0.6),
        ylim=(min(ys) - 0.5, max(ys) + 1.0),
    )
    ax.set_axis_off()
