"""fit's ``penalty=``: a per-minibatch term added to the loss, computed from the params
and the minibatch's targets."""
import numpy as np

import chainrule as cr
from chainrule import nn
from chainrule.train import fit


def _data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 3))
    return X, X @ np.array([1.0, -2.0, 0.5]) + 0.1


def test_penalty_is_added_to_every_step_and_sees_the_batch():
    X, y = _data()
    net = nn.Sequential(nn.Dense(3, 1, dtype="float64"))
    seen = []

    def penalty(params, targets):
        seen.append(len(targets))
        return 0.5 * cnp_sum_sq(params[0]["W"]) / len(targets)

    params, history = fit(net, X, y, loss="mse", optimizer="sgd", lr=0.05, epochs=2,
                          batch_size=20, shuffle=False, penalty=penalty,
                          record_grad_norms=False)
    assert seen == [20, 20, 10] * 2                    # once per minibatch, the batch's rows
    # epoch 1 by hand: the recorded loss is the row-weighted mean of (mse + penalty)
    p = net.init(0)
    step = cr.value_and_grad(lambda p, xb, yb: nn.mse(net(p, xb), yb[:, None]) + penalty(p, yb))
    total = 0.0
    for s in (0, 20, 40):
        value, g = step(p, X[s:s + 20], y[s:s + 20])
        total += float(value) * len(X[s:s + 20])
        p = cr.tree_map(lambda a, b: a - 0.05 * b, p, g)
    np.testing.assert_allclose(history["loss"][0], total / 50, rtol=1e-12)


def test_penalty_gradient_pulls_weights_to_zero():
    X, y = _data()
    net = nn.Sequential(nn.Dense(3, 1, dtype="float64"))
    kw = dict(loss="mse", optimizer="sgd", lr=0.05, epochs=30, batch_size=50, shuffle=False,
              record_grad_norms=False)
    free = fit(net, X, y, **kw).params[0]["W"]
    strong = fit(net, X, y, penalty=lambda p, t: 5.0 * cnp_sum_sq(p[0]["W"]), **kw).params[0]["W"]
    assert np.linalg.norm(strong) < 0.5 * np.linalg.norm(free)


def cnp_sum_sq(W):
    import chainrule.numpy as cnp
    return cnp.sum(W * W)
