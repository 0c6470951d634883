"""How many threads the BLAS behind NumPy's matmul may use while training.

The matrices of small networks (digits: 64 x 256, batches of 64 rows) are far too small
for a BLAS thread pool to pay off; worse, on a busy machine OpenBLAS's spinning threads
make each step many times slower (measured: the default digits run takes 0.7 s with one
thread, 3-20 s with two on a 2-core machine with one other busy process). ``threadpoolctl``
(installed with scikit-learn) changes the pool size of an already loaded BLAS.
"""
from __future__ import annotations

import contextlib
from typing import Optional


def blas_threads(n: Optional[int]):
    """A context manager that limits the BLAS thread pool to ``n`` threads (None: leave it
    as it is). Without threadpoolctl it changes nothing.

    >>> import numpy as np
    >>> with blas_threads(1):
    ...     float((np.ones((2, 2)) @ np.ones((2, 2)))[0, 0])
    2.0
    """
    if n is None:
        return contextlib.nullcontext()
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=int(n), user_api="blas")
