# The numpy/OpenBLAS anchor of bench/recommender/run.ts: EASE (Steck 2019) on the same binary
# matrix, timed in the same run. Reads the matrix as CSR arrays (rowptr.i32, cols.i32, little
# endian) from DIR and prints one JSON line: fit seconds per repeat (wall and CPU), and the
# OpenBLAS build, kernel and thread count actually in use.
#   python3 bench/recommender/ease_numpy.py DIR ROWS COLS --side items|customers [--lambda 500] [--repeats 2]
#
# items: the paper's code, P = inv(X^T X + lambda I), B = P / -diag(P), B_jj = 0 (float64, the
# Gram matrix by scipy's sparse product). customers (Woodbury): K = inv(X X^T + lambda I),
# P = (I - X^T K X) / lambda, same B; the products with X stay sparse.
import argparse
import ctypes
import glob
import json
import os
import time

import numpy as np
import scipy.sparse as sp


def openblas_info():
    libs = glob.glob(os.path.join(os.path.dirname(np.__file__), '..', 'numpy.libs', '*openblas*.so*'))
    if not libs:
        return {}
    lib = ctypes.CDLL(libs[0])  # the copy numpy already loaded
    info = {}
    for key, name, kind in [('config', 'scipy_openblas_get_config64_', ctypes.c_char_p),
                            ('kernel', 'scipy_openblas_get_corename64_', ctypes.c_char_p),
                            ('threads', 'scipy_openblas_get_num_threads64_', ctypes.c_int)]:
        fn = getattr(lib, name, None)
        if fn is not None:
            fn.restype = kind
            value = fn()
            info[key] = value.decode() if isinstance(value, bytes) else value
    return info


def ease_items(x, lam):
    g = (x.T @ x).toarray()
    g[np.diag_indices(g.shape[0])] += lam
    p = np.linalg.inv(g)
    b = p / (-np.diag(p))
    b[np.diag_indices(b.shape[0])] = 0
    return b


def ease_customers(x, lam):
    k = (x @ x.T).toarray()
    k[np.diag_indices(k.shape[0])] += lam
    k = np.linalg.inv(k)
    kx = np.ascontiguousarray((x.T @ k).T)  # K X (K symmetric), rows contiguous for the product
    s = x.T @ kx
    d = 1 - np.diag(s)  # lambda P_jj
    b = s / d
    b[np.diag_indices(b.shape[0])] = 0
    return b


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('dir')
    ap.add_argument('rows', type=int)
    ap.add_argument('cols', type=int)
    ap.add_argument('--side', choices=['items', 'customers'], required=True)
    ap.add_argument('--lambda', dest='lam', type=float, default=500.0)
    ap.add_argument('--repeats', type=int, default=2)
    a = ap.parse_args()
    rowptr = np.fromfile(os.path.join(a.dir, 'rowptr.i32'), dtype='<i4')
    cols = np.fromfile(os.path.join(a.dir, 'cols.i32'), dtype='<i4')
    x = sp.csr_matrix((np.ones(len(cols)), cols, rowptr), shape=(a.rows, a.cols))
    fit = ease_items if a.side == 'items' else ease_customers
    wall, cpu = [], []
    for _ in range(a.repeats):
        t, c = time.perf_counter(), time.process_time()
        b = fit(x, a.lam)
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    print(json.dumps({'side': a.side, 'wall': wall, 'cpu': cpu, 'numpy': np.__version__,
                      'checksum': float(np.abs(b).sum()), 'openblas': openblas_info()}))


main()
