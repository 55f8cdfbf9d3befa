"""Oracle: pydicom + numpy stacking of a series, sorted by IPP along the normal, as JSON (geometry) plus the HU voxels as raw little-endian float32 (k, row, column order).

Usage: series_oracle.py OUT.f32 FILE...
"""
import json
import sys

import numpy as np
import pydicom
from pydicom.pixel_data_handlers.util import apply_modality_lut

out = sys.argv[1]
dss = [pydicom.dcmread(f) for f in sys.argv[2:]]
iop = np.array(dss[0].ImageOrientationPatient, dtype=float)
normal = np.cross(iop[:3], iop[3:])
dss.sort(key=lambda d: float(np.dot(normal, np.array(d.ImagePositionPatient, dtype=float))))
vol = np.stack([apply_modality_lut(d.pixel_array, d).astype(np.float32) for d in dss])  # k, j(row), i(col)
vol.astype("<f4").tofile(out)
pos = [np.array(d.ImagePositionPatient, dtype=float) for d in dss]
dz = float(np.dot(normal, pos[-1] - pos[0]) / (len(pos) - 1)) if len(pos) > 1 else None
json.dump({"origin": list(pos[0]), "rowDir": list(iop[:3]), "colDir": list(iop[3:]),
           "spacing": [float(dss[0].PixelSpacing[1]), float(dss[0].PixelSpacing[0]), dz],
           "size": [int(dss[0].Columns), int(dss[0].Rows), len(dss)]}, sys.stdout)
