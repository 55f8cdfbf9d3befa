"""Steady Pennes around a heated sphere in perfused tissue, by P1 finite elements in dolfinx (benchmark (b) of issue 10).

-k lap(theta) + W theta = q [r <= a] in the cube |x|_inf <= 16 mm, theta = the exact solution on its faces; the exact
solution (Green's function of the modified Helmholtz operator, performance-anchors 3a.6) is the one the C# tests use.
The error is the relative L2 error at the points of the +x axis with 1.5a <= r <= 3a every 0.5 mm, as in the C# bench.
Prints one JSON line per mesh: {"cells": N, "error": e, "seconds": t} (t = mesh, assembly and solve, after imports).
Usage: /usr/bin/python3 dolfinx_sphere.py N1 N2 ...
"""
import json
import sys
import time

import numpy as np
from mpi4py import MPI
import ufl
from dolfinx import fem, geometry, mesh
from dolfinx.fem.petsc import LinearProblem

A, HALF, Q = 4e-3, 16e-3, 2e6
K = 0.52
PERFUSION_LENGTH = 3e-3
W = K / PERFUSION_LENGTH**2
M = 1 / PERFUSION_LENGTH


def exact(r):
    r = np.maximum(r, 1e-9)
    inside = Q / W * (1 - (1 + M * A) * np.exp(-M * A) * np.sinh(M * r) / (M * r))
    outside = Q / W * (M * A * np.cosh(M * A) - np.sinh(M * A)) * np.exp(-M * r) / (M * r)
    return np.where(r <= A, inside, outside)


def solve(n):
    start = time.perf_counter()
    msh = mesh.create_box(MPI.COMM_WORLD, [np.array([-HALF] * 3), np.array([HALF] * 3)], [n, n, n], mesh.CellType.tetrahedron)
    V = fem.FunctionSpace(msh, ("CG", 1))
    boundary = fem.locate_dofs_geometrical(V, lambda x: np.isclose(np.max(np.abs(x), axis=0), HALF))
    g = fem.Function(V)
    g.interpolate(lambda x: exact(np.sqrt(x[0] ** 2 + x[1] ** 2 + x[2] ** 2)))
    bc = fem.dirichletbc(g, boundary)
    u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
    x = ufl.SpatialCoordinate(msh)
    source = Q * ufl.conditional(ufl.le(ufl.sqrt(ufl.dot(x, x)), A), 1.0, 0.0)
    dx = ufl.dx(metadata={"quadrature_degree": 6})  # the sphere's edge cuts cells: resolve the indicator inside them
    a = (K * ufl.dot(ufl.grad(u), ufl.grad(v)) + W * u * v) * ufl.dx
    L = source * v * dx
    problem = LinearProblem(a, L, bcs=[bc], petsc_options={"ksp_type": "cg", "pc_type": "hypre", "ksp_rtol": 1e-10})
    uh = problem.solve()
    seconds = time.perf_counter() - start

    r = np.arange(1.5 * A, 3 * A + 1e-12, 0.5e-3)
    points = np.zeros((len(r), 3))
    points[:, 0] = r
    tree = geometry.BoundingBoxTree(msh, msh.topology.dim)
    cells = geometry.compute_colliding_cells(msh, geometry.compute_collisions(tree, points), points)
    values = np.array([uh.eval(points[i], cells.links(i)[:1])[0] for i in range(len(r))])
    e = exact(r)
    error = float(np.sqrt(np.sum((values - e) ** 2) / np.sum(e**2)))
    return {"cells": n, "error": error, "seconds": seconds, "dofs": V.dofmap.index_map.size_global}


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print(json.dumps(solve(int(arg))), flush=True)
