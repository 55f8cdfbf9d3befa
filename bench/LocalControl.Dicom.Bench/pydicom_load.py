"""The pydicom + numpy baseline: read every file, sort by position along the normal, stack, apply the modality LUT.
Prints the best wall time of REPEATS runs in seconds. Usage: pydicom_load.py FOLDER REPEATS"""
import os
import sys
import time

import numpy as np
import pydicom
from pydicom.pixel_data_handlers.util import apply_modality_lut

folder, repeats = sys.argv[1], int(sys.argv[2])
best = float("inf")
for _ in range(repeats):
    t = time.perf_counter()
    dss = [pydicom.dcmread(os.path.join(folder, f)) for f in sorted(os.listdir(folder))]
    iop = np.array(dss[0].ImageOrientationPatient, dtype=float)
    n = np.cross(iop[:3], iop[3:])
    dss.sort(key=lambda d: float(np.dot(n, np.array(d.ImagePositionPatient, dtype=float))))
    vol = np.stack([d.pixel_array for d in dss])
    vol = apply_modality_lut(vol, dss[0]).astype(np.float32)
    best = min(best, time.perf_counter() - t)
    del vol, dss
print(f"{best:.4f}")
