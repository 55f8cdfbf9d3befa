"""Writes a CT series of N slices from the real dcmqi CT slices (tests/data/dcmqi/ct-3slice), cycling their pixels,
each file its own SOP Instance UID and ImagePositionPatient 1 mm apart. Real anatomy compresses as real CT does
(the synthetic ramp of make_series.py would flatter a JPEG decoder).

Usage: make_ct_series.py SOURCE_FOLDER OUTDIR N
"""
import os
import sys

import pydicom
from pydicom.uid import generate_uid

source, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(out, exist_ok=True)
slices = [pydicom.dcmread(os.path.join(source, f)) for f in sorted(os.listdir(source))]
series = generate_uid(prefix="1.2.826.0.1.3680043.8.498.")
origin = [float(v) for v in slices[0].ImagePositionPatient]
for k in range(n):
    ds = slices[k % len(slices)]
    ds.SeriesInstanceUID = series
    ds.SOPInstanceUID = generate_uid(prefix="1.2.826.0.1.3680043.8.498.")
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.InstanceNumber = k + 1
    ds.ImagePositionPatient = [origin[0], origin[1], origin[2] + k]
    ds.SliceLocation = origin[2] + k
    ds.save_as(os.path.join(out, f"{k:04d}.dcm"), write_like_original=True)
