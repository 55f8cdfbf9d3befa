"""Plain numpy explicit Pennes stencil: the same MW problem as the C# kernel (same coefficient arrays), for a
side-by-side speed figure. Usage: numpy_stencil.py DIR NX NY NZ STEPS SCALE. Prints seconds and the final centre T."""
import sys, time
import numpy as np

d, nx, ny, nz, steps, scale = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
def load(name):
    return np.fromfile(f"{d}/{name}.f32", dtype=np.float32).reshape(nz, ny, nx)
T, K, A, B, C, Q = (load(n) for n in ("t", "k", "a", "b", "c", "q"))
half_inv_h2 = np.float32(float(open(f"{d}/h2.txt").read()))
N = T.copy()
start = time.perf_counter()
for _ in range(steps):
    c = T[1:-1, 1:-1, 1:-1]
    kc = K[1:-1, 1:-1, 1:-1]
    flux = ((kc + K[1:-1, 1:-1, :-2]) * (T[1:-1, 1:-1, :-2] - c) + (kc + K[1:-1, 1:-1, 2:]) * (T[1:-1, 1:-1, 2:] - c)
            + (kc + K[1:-1, :-2, 1:-1]) * (T[1:-1, :-2, 1:-1] - c) + (kc + K[1:-1, 2:, 1:-1]) * (T[1:-1, 2:, 1:-1] - c)
            + (kc + K[:-2, 1:-1, 1:-1]) * (T[:-2, 1:-1, 1:-1] - c) + (kc + K[2:, 1:-1, 1:-1]) * (T[2:, 1:-1, 1:-1] - c))
    N[1:-1, 1:-1, 1:-1] = B[1:-1, 1:-1, 1:-1] * c + A[1:-1, 1:-1, 1:-1] * (flux * half_inv_h2 + np.float32(scale) * Q[1:-1, 1:-1, 1:-1]) + C[1:-1, 1:-1, 1:-1]
    T, N = N, T
elapsed = time.perf_counter() - start
T.tofile(f"{d}/t_numpy.f32")
print(f"{elapsed:.3f} {T[nz // 2, ny // 2, nx // 2]:.4f}")
