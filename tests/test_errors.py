"""Bad input gets a clear error that names the function, the argument and what to do."""
import numpy as np
import pytest

import chainrule as cr
import chainrule.numpy as cnp
from chainrule.core import Primitive, bind


def f(x, count):
    return cnp.sum(x) * count


def test_integer_argument_to_grad_names_it():
    with pytest.raises(TypeError, match=r"grad\(f\): argument 0 \(x\).*integer") as e:
        cr.grad(f)(np.array([1, 2, 3]), 2.0)
    assert "float" in str(e.value)
    with pytest.raises(TypeError, match=r"argument 1 \(count\).*integer"):
        cr.grad(f, argnums=1)(np.ones(3), 2)
    with pytest.raises(TypeError, match="integer"):
        cr.grad(lambda x: x * 2.0)(3)


def test_non_numeric_argument_to_grad():
    with pytest.raises(TypeError, match=r"argument 0 \(x\) is a str"):
        cr.grad(f)("hello", 1.0)
    with pytest.raises(TypeError, match="boolean"):
        cr.grad(lambda x: x)(True)
    with pytest.raises(TypeError, match="argnums"):
        cr.grad(f, argnums=5)(np.ones(2), 1.0)


def test_non_scalar_output_says_what_to_do():
    with pytest.raises(TypeError, match=r"shape \(3,\)") as e:
        cr.grad(lambda x: x * 2)(np.ones(3))
    msg = str(e.value)
    assert ".sum()" in msg and "cr.jacobian" in msg
    with pytest.raises(TypeError, match="scalar"):
        cr.grad(lambda x: [x, x])(1.0)


def test_has_aux_requires_a_pair():
    with pytest.raises(TypeError, match=r"has_aux=True.*pair.*got ndarray|has_aux=True.*pair"):
        cr.grad(lambda x: cnp.sum(x), has_aux=True)(np.ones(2))
    with pytest.raises(TypeError, match="length 3"):
        cr.grad(lambda x: (cnp.sum(x), 1, 2), has_aux=True)(np.ones(2))


def test_item_assignment_names_alternatives():
    def g(x):
        x[0] = 1.0
        return cnp.sum(x)
    with pytest.raises(TypeError, match="item assignment") as e:
        cr.grad(g)(np.ones(3))
    assert "cnp.where" in str(e.value) and "cnp.concatenate" in str(e.value)
    with pytest.raises(TypeError, match="cnp.sort"):
        cr.grad(lambda x: x.sort())(np.ones(3))


def test_missing_rule_names_function_mode_and_remedy():
    only_rev = Primitive("only_rev_demo", np.sin, vjp_rules=[lambda g, a, x: g * np.cos(x)],
                         register=False)
    # reverse works, forward does not
    assert cr.grad(lambda x: bind(only_rev, (x,), {}))(0.0) == pytest.approx(1.0)
    with pytest.raises(cr.NoDerivativeRuleError) as e:
        cr.jvp(lambda x: bind(only_rev, (x,), {}), (0.0,), (1.0,))
    msg = str(e.value)
    assert "only_rev_demo" in msg and "forward (JVP)" in msg and "custom_jvp" in msg
    only_fwd = Primitive("only_fwd_demo", np.sin, jvp_rules=[lambda t, a, x: t * np.cos(x)],
                         register=False)
    with pytest.raises(cr.NoDerivativeRuleError, match=r"only_fwd_demo.*reverse \(VJP\)"):
        cr.grad(lambda x: bind(only_fwd, (x,), {}))(0.0)
    # a NumPy function chainrule does not cover
    with pytest.raises(AttributeError) as e:
        cnp.fft
    assert "numpy.fft" in str(e.value) and "custom_vjp" in str(e.value)
    with pytest.raises(AttributeError, match="no attribute 'not_a_numpy_name'"):
        cnp.not_a_numpy_name


def test_plain_numpy_on_traced_value_hints_chainrule_numpy():
    with pytest.raises(cr.TracedNumpyError, match=r"numpy\.sin.*chainrule\.numpy.*cnp\.sin"):
        cr.grad(lambda x: np.sin(x))(1.0)
    with pytest.raises(cr.TracedNumpyError, match=r"numpy\.sum.*cnp\.sum"):
        cr.grad(lambda x: np.sum(x))(np.ones(2))
    with pytest.raises(cr.TracedNumpyError, match="chainrule.numpy"):
        cr.grad(lambda x: float(np.asarray(x).sum()))(np.ones(2))
    # arithmetic with plain arrays on either side is fine
    a = np.array([1.0, 2.0])
    np.testing.assert_allclose(cr.grad(lambda x: cnp.sum(a * x + x * a - a / x))(np.ones(2)),
                               2 * a + a)


def test_float_of_traced_value_refuses_instead_of_dropping_the_derivative():
    """float(x) * x once gave d/dx = x (not 2x) and math.sin(x) a zero gradient, silently."""
    import math
    msg = r"float\(\) of a traced value would drop its derivative.*cnp\.sin.*x\.item\(\)"
    for f in (lambda x: float(x) * x, lambda x: math.sin(x), lambda x: math.exp(x) + x):
        with pytest.raises(cr.TracedNumpyError, match=msg):
            cr.grad(f)(3.0)
        with pytest.raises(cr.TracedNumpyError, match=msg):        # forward mode too
            cr.jvp(f, (3.0,), (1.0,))
        with pytest.raises(cr.TracedNumpyError, match=msg):        # and one level up
            cr.grad(cr.grad(lambda x: f(x) * x))(3.0)
    with pytest.raises(cr.TracedNumpyError, match=r"complex\(\) of a traced value"):
        cr.grad(lambda x: complex(x).real * x)(3.0)
    with pytest.raises(cr.TracedNumpyError, match=r"tolist\(\).*stop_gradient\(x\)\.tolist"):
        cr.grad(lambda x: cnp.array(x.tolist()).sum())(np.ones(3))
    with pytest.raises(cr.TracedNumpyError, match="'%f' % x"):
        cr.grad(lambda x: ("%.3f" % x, x)[1])(3.0)
    # the ways that keep or honestly drop the derivative still work
    assert cr.grad(lambda x: x.item() * x)(3.0) == 3.0              # explicit: no derivative
    # int(), round() and math.floor / ceil / trunc are piecewise constant: zero is right.
    # round(x) on a traced Python scalar (a 0-d array inside) once raised a TypeError.
    for to_int, want in ((int, 3.0), (round, 4.0), (math.floor, 3.0), (math.ceil, 4.0),
                         (math.trunc, 3.0), (lambda v: round(v, 1), 3.6)):
        assert cr.grad(lambda x: to_int(x) * x)(3.55) == pytest.approx(want)
        assert cr.jvp(lambda x: to_int(x) * x, (3.55,), (1.0,))[1] == pytest.approx(want)
    assert cr.grad(lambda x: cnp.array(cr.stop_gradient(x).tolist()).sum() * x.sum())(
        np.ones(3)).tolist() == [3.0, 3.0, 3.0]
    assert cr.grad(lambda x: cnp.sin(x))(3.0) == pytest.approx(math.cos(3.0))
    assert cr.grad(lambda x: x * x if x > 0 else -x)(3.0) == 6.0    # control flow on values
    assert cr.grad(lambda x: x * len(f"{x:.2f}"))(3.0) == 4.0       # formatting for printing


def test_debug_nans_names_first_primitive():
    cr.config.debug_nans = True
    try:
        with pytest.raises(cr.DebugNaNError, match="'log'"):
            cr.grad(lambda x: cnp.sum(cnp.exp(cnp.log(x))))(np.array([1.0, -1.0]))
        with pytest.raises(cr.DebugNaNError, match="'sqrt'"):
            cr.jvp(lambda x: cnp.sqrt(x) * 2, (np.array([-1.0]),), (np.ones(1),))
        # fine values pass
        assert cr.grad(lambda x: cnp.log(x))(2.0) == pytest.approx(0.5)
    finally:
        cr.config.debug_nans = False
    # off by default: NaN flows silently as in NumPy
    with np.errstate(invalid="ignore"):
        g = cr.grad(lambda x: cnp.sum(cnp.log(x)))(np.array([1.0, -1.0]))
    assert np.isnan(cnp.log(-1.0)) and g[0] == 1.0


def test_bad_inputs_leave_user_data_untouched():
    x = np.array([1.0, 2.0])
    before = x.copy()
    with pytest.raises(TypeError):
        cr.grad(lambda v: v * 2)(x)
    cr.grad(lambda v: cnp.sum(v ** 2))(x)
    cr.jacfwd(lambda v: v ** 2)(x)
    np.testing.assert_array_equal(x, before)


def test_reduction_errors_name_the_function():
    with pytest.raises(np.exceptions.AxisError, match=r"chainrule.numpy.sum: axis 2"):
        cnp.sum(np.ones((2, 2)), axis=2)
    with pytest.raises(ValueError, match="chainrule.numpy.reshape"):
        cnp.reshape(np.ones(6), (4, -1))
    with pytest.raises(TypeError, match="out= is not supported"):
        cnp.sum(np.ones(2), out=np.zeros(()))
