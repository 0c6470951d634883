"""The Python blocks of docs/nn.md run, in order, in one namespace, and do what the page
says they do (the printed numbers on the page come from such a run)."""
import contextlib
import io
import os
import re

import numpy as np
import pytest

DOC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs", "nn.md")


def test_tutorial_blocks_run_and_hold(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    blocks = re.findall(r"```python\n(.*?)```", open(DOC, encoding="utf-8").read(), re.S)
    assert len(blocks) >= 8
    monkeypatch.chdir(tmp_path)                  # the page writes moons.png and moons.npz
    from chainrule.train.threads import blas_threads
    ns = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out), blas_threads(1):   # as the page was run
        for i, code in enumerate(blocks):
            exec(compile(code, f"docs/nn.md python block {i + 1}", "exec"), ns)
    # part 1: gradient descent learns, and cr.grad equals the notes' backward pass
    assert (ns["h"](ns["theta"], ns["X_test"]).argmax(axis=1) == ns["y_test"]).mean() > 0.8
    assert max(float(np.abs(a - b).max()) for a, b in zip(ns["by_hand"], ns["automatic"])) < 1e-12
    # part 2: nn + optim.SGD walk part 1's path
    np.testing.assert_allclose(ns["gradient_descent"](ns["mse"], ns["C"], steps=50)[0]["W"],
                               _part1_steps(ns, 50)[0], rtol=1e-9, atol=1e-12)
    # the fit run: early stopping and a good test score
    hist = ns["hist"]
    assert hist.stopped_early and (ns["pred"] == ns["y_test"]).mean() >= 0.9
    # vanishing gradients: the first layer's gradient is far below the last one's
    assert ns["first_step"][0] < 1e-3 * ns["first_step"][-1]
    assert open("moons.png", "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    assert list(ns["back"].predict(ns["data"].X[ns["test"][:5]])) == \
        list(ns["trained"].predict(ns["data"].X[ns["test"][:5]]))


def _part1_steps(ns, steps):
    theta = ns["theta0"]
    for _ in range(steps):
        theta = [t - 0.5 * g for t, g in zip(theta, ns["grad_J"](theta, ns["X"], ns["C"]))]
    return theta
