"""``chainrule demo``: the lecture notes' example f(x1, x2) = ln(x1) + x1*x2 - sin(x2),
differentiated in both modes."""
from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser("demo", help="differentiate the lecture notes' example in both modes")
    p.add_argument("--x1", type=float, default=2.0, help="value of x1 (default 2)")
    p.add_argument("--x2", type=float, default=5.0, help="value of x2 (default 5)")
    p.set_defaults(run=run)


def run(args) -> int:
    import chainrule as cr
    import chainrule.numpy as cnp

    def f(x1, x2):
        return cnp.log(x1) + x1 * x2 - cnp.sin(x2)

    x1, x2 = args.x1, args.x2
    y, (g1, g2) = cr.value_and_grad(f, argnums=(0, 1))(x1, x2)
    _, t1 = cr.jvp(f, (x1, x2), (1.0, 0.0))
    _, t2 = cr.jvp(f, (x1, x2), (0.0, 1.0))
    H = cr.hessian(lambda v: f(v[0], v[1]))(cnp.array([x1, x2]))
    print(f"f(x1, x2) = ln(x1) + x1*x2 - sin(x2) at x1 = {x1:g}, x2 = {x2:g}")
    print(f"  value                     y = {float(y):.3f}")
    print(f"  forward mode (x1 seeded)  dy/dx1 = {float(t1):.3f}")
    print(f"  forward mode (x2 seeded)  dy/dx2 = {float(t2):.3f}")
    print(f"  reverse mode (one pass)   grad   = ({float(g1):.3f}, {float(g2):.3f})")
    print(f"  Hessian                   [[{H[0, 0]:.3f}, {H[0, 1]:.3f}], "
          f"[{H[1, 0]:.3f}, {H[1, 1]:.3f}]]")
    return 0
