"""dlbook.training: chapter 3's experiment is deterministic, trains, and measures the pull it
reports."""

import copy

import torch

from dlbook import training
from dlbook.softmax import softmax


def test_the_digits_split_and_scaling():
    data = training.digits()
    assert data.train.shape == (1437, 64) and data.test.shape == (360, 64)
    assert data.train.dtype == torch.float64
    assert set(data.train_labels.tolist()) == set(range(10))
    assert torch.allclose(data.train.mean(0), torch.zeros(64, dtype=torch.float64), atol=1e-12)


def test_the_pull_is_each_examples_own_logit_gradient():
    data = training.digits()
    model = training.network(seed=0)
    x, labels = data.train[:5], data.train_labels[:5]
    pull = training.logit_gradients(model, "cross-entropy", x, labels)
    p = softmax(model(x).detach())
    y = torch.nn.functional.one_hot(labels, 10).double()
    assert torch.allclose(pull, (p - y).norm(dim=1))


def test_training_is_repeatable_and_learns():
    data = training.digits()
    runs = [
        training.train(training.network(seed=0), "cross-entropy", data, steps=60, every=30)
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
    assert runs[0].steps == [0, 30, 60] and runs[0].accuracy[-1] > 0.8 > runs[0].accuracy[0]
    assert runs[0].loss[-1] < runs[0].loss[0]


def test_relabelling_a_confident_network_stalls_squared_error_not_cross_entropy():
    data = training.digits()
    confident = training.network(seed=0)
    training.train(confident, "cross-entropy", data, steps=400, every=400)
    shifted = (torch.arange(10) + 1) % 10
    runs = {
        loss: training.train(copy.deepcopy(confident), loss, data, relabel=shifted, steps=100)
        for loss in training.LOSSES
    }
    ce, se = runs["cross-entropy"], runs["squared error"]
    assert ce.accuracy[0] == se.accuracy[0] < 0.05  # wrong about (nearly) every test image
    assert ce.pull[0] > 100 * se.pull[0]
    assert ce.accuracy[-1] > 0.8 and se.accuracy[-1] < 0.5
