"""Peak single-thread float32 matmul GFLOPS (2·n³ per n×n product, best of the repeats).

usage: matmul.py <repeats> <n> [<n> …]
"""
import sys
import time

import numpy as np

from common import emit

repeats, sizes = int(sys.argv[1]), [int(s) for s in sys.argv[2:]]
rng = np.random.default_rng(1)


def best_gflops(fn, n):
    fn()  # warm-up: page faults, BLAS buffers
    best = 0.0
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        best = max(best, 2 * n**3 / (time.perf_counter() - started) / 1e9)
    return best


result = {"numpy": np.__version__, "blas": "unknown", "gflops": {}}
import os

# Debian's numpy uses whatever libblas.so.3 the alternatives system points at (reference or OpenBLAS).
result["blas"] = os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
for n in sizes:
    a = rng.random((n, n), dtype=np.float32)
    b = rng.random((n, n), dtype=np.float32)
    result["gflops"][f"numpy.{n}"] = best_gflops(lambda: a @ b, n)
try:
    from common import single_thread_torch

    torch = single_thread_torch()
    result["torch"] = torch.__version__
    for n in sizes:
        ta, tb = torch.rand(n, n), torch.rand(n, n)
        result["gflops"][f"torch.{n}"] = best_gflops(lambda: ta @ tb, n)
except ImportError:
    result["torch"] = None
emit(result)
