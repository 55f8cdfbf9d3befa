"""TotalSegmentator-folder benchmark helper (Debian python3: numpy, nibabel).

make OUTDIR N I J K   writes N uint8 masks (the first N names of TotalSegmentator's 'total' task, a box each at
                      a different place, every 5th one empty as for structures not found) with nibabel.
load OUTDIR REPEATS   the peer: nibabel reads every mask and numpy paints them into one int32 label map;
                      prints the best wall time in seconds.
"""
import os
import sys
import time

import nibabel as nib
import numpy as np

def write_mask(job):
    out, idx, shape = job
    m = np.zeros(shape, np.uint8)
    if idx % 5 != 4:
        x0 = (idx * 37) % (shape[0] - 60)
        y0 = (idx * 53) % (shape[1] - 60)
        z0 = (idx * 29) % (shape[2] - 40)
        m[x0:x0 + 50, y0:y0 + 40, z0:z0 + 30] = 1
    nib.save(nib.Nifti1Image(m, np.diag([-0.8, -0.8, 1.5, 1.0])), os.path.join(out, f"structure_{idx:03d}.nii.gz"))


if sys.argv[1] == "make":
    from multiprocessing import Pool

    out, n, shape = sys.argv[2], int(sys.argv[3]), tuple(int(v) for v in sys.argv[4:7])
    os.makedirs(out, exist_ok=True)
    with Pool(os.cpu_count()) as pool:
        pool.map(write_mask, [(out, i, shape) for i in range(n)])
else:
    folder, repeats = sys.argv[2], int(sys.argv[3])
    files = sorted(f for f in os.listdir(folder) if f.endswith(".nii.gz"))
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        labels = None
        for value, f in enumerate(files, start=1):
            m = np.asanyarray(nib.load(os.path.join(folder, f)).dataobj)
            if labels is None:
                labels = np.zeros(m.shape, np.int32)
            labels[m > 0] = value
        best = min(best, time.perf_counter() - t)
    print(best)
