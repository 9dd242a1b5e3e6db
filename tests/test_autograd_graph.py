"""dlbook.autograd_graph: chapter 1's figure is the graph autograd really recorded."""

import matplotlib
import pytest
import torch

from dlbook import autograd_graph
from dlbook.calculus import polynomial

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

P0 = (5, -4, 3, -2, 1)


def horner_graph():
    x = torch.tensor(1.5, requires_grad=True)
    return autograd_graph.recorded(polynomial(P0)(x))


def test_horner_records_a_multiply_and_an_add_per_coefficient_and_one_leaf():
    graph = horner_graph()
    names = sorted(graph.nodes.values())
    assert names == ["AccumulateGrad"] + ["AddBackward0"] * 5 + ["MulBackward0"] * 5
    (leaf,) = [n for n, name in graph.nodes.items() if name == "AccumulateGrad"]
    readers = {graph.nodes[c] for i, c in graph.edges if i == leaf}
    assert readers == {"MulBackward0"} and sum(i == leaf for i, _ in graph.edges) == 5
    assert graph.nodes[graph.output] == "AddBackward0" and graph.depth[graph.output] == 0
    # the five coefficients and the zeros Horner starts from record no node
    assert sum(graph.constants.values()) == 6
    assert graph.depth[leaf] == max(graph.depth.values()) == 10


def test_shared_subexpressions_are_one_node_at_their_longest_depth():
    x = torch.tensor(0.3, requires_grad=True)
    a = x.exp()
    graph = autograd_graph.recorded(a * a.sin())
    assert sorted(graph.nodes.values()) == [
        "AccumulateGrad", "ExpBackward0", "MulBackward0", "SinBackward0"
    ]  # fmt: skip
    exp = next(n for n, name in graph.nodes.items() if name == "ExpBackward0")
    assert graph.depth[exp] == 2  # via sin, the longer of its two paths to the output


def test_drawing_has_a_labelled_box_per_node_and_an_arrow_per_edge():
    graph = horner_graph()
    fig, ax = plt.subplots()
    autograd_graph.draw(graph, ax)
    boxes = [t.get_text() for t in ax.texts if t.get_bbox_patch() is not None]
    assert sorted(boxes) == sorted(["Add\n= y", "leaf x"] + ["Add"] * 4 + ["Mul"] * 5)
    arrows = [t for t in ax.texts if getattr(t, "arrow_patch", None) is not None]
    assert len(arrows) == len(graph.edges) + sum(graph.constants.values())
    where = autograd_graph.layout(graph)
    leaf = next(n for n, name in graph.nodes.items() if name == "AccumulateGrad")
    assert where[leaf][1] < min(y for n, (_, y) in where.items() if n != leaf)
    plt.close(fig)


def test_a_tensor_that_records_nothing_is_a_clear_error():
    with pytest.raises(ValueError, match="requires grad"):
        autograd_graph.recorded(torch.ones(3) * 2)
