"""Writes a synthetic CT series with pydicom (test fixtures and the benchmark).

Usage: make_series.py OUTDIR ROWS COLS SLICES SPACING MODE
MODE: ok | missing (slice 2 left out) | uneven (slice 3 shifted 0.3 x spacing) | tilt (positions sheared 5 degrees) |
      twoseries (a second series, other UID and orientation, beside the first) | shuffled (file names in random order)
Pixels: int16 (x + 2y + 3k) % 2000 - 500, RescaleSlope 1, RescaleIntercept -1024.
"""
import math
import os
import random
import sys

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

out, rows, cols, n, spacing, mode = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), sys.argv[6]
os.makedirs(out, exist_ok=True)
study = generate_uid(prefix="1.2.826.0.1.3680043.8.498.")
frame_of_reference = generate_uid(prefix="1.2.826.0.1.3680043.8.498.")  # a UID of its own: appending to a 64-character UID would break the VR's limit


def write_series(uid, iop, description, number, tag):
    normal = np.cross(iop[:3], iop[3:])
    names = list(range(n))
    if mode == "shuffled":
        random.Random(7).shuffle(names)
    yy, xx = np.mgrid[0:rows, 0:cols]
    for k in range(n):
        if mode == "missing" and k == 2:
            continue
        z = k * spacing + (0.3 * spacing if mode == "uneven" and k == 3 else 0.0)
        pos = np.array([-100.0, -120.0, 50.0]) + normal * z
        if mode == "tilt":
            pos = pos + np.array(iop[3:]) * z * math.tan(math.radians(5))
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
        meta.MediaStorageSOPInstanceUID = generate_uid(prefix="1.2.826.0.1.3680043.8.498.")
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = Dataset()
        ds.file_meta = meta
        ds.is_little_endian = True
        ds.is_implicit_VR = False
        ds.SOPClassUID = meta.MediaStorageSOPClassUID
        ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
        ds.Modality = "CT"
        ds.SeriesDescription = description
        ds.StudyInstanceUID = study
        ds.SeriesInstanceUID = uid
        ds.SeriesNumber = number
        ds.InstanceNumber = n - k  # deliberately not the spatial order
        ds.PatientName = "Synthetic^Series"
        ds.FrameOfReferenceUID = frame_of_reference
        ds.ImagePositionPatient = [f"{v:.6f}" for v in pos]
        ds.ImageOrientationPatient = [f"{v:.6f}" for v in iop]
        ds.PixelSpacing = ["0.75", "0.7"]
        ds.SliceThickness = "9.0"  # deliberately wrong: spacing must come from the positions
        ds.Rows, ds.Columns = rows, cols
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
        ds.RescaleSlope, ds.RescaleIntercept = "1", "-1024"
        ds.PixelData = (((xx + 2 * yy + 3 * k) % 2000) - 500).astype("<i2").tobytes()
        pydicom.dcmwrite(os.path.join(out, f"{tag}{names[k]:04d}.dcm"), ds, write_like_original=False)


write_series(generate_uid(prefix="1.2.826.0.1.3680043.8.498."), [1, 0, 0, 0, 1, 0], "axial", 2, "IM")
if mode == "twoseries":
    write_series(generate_uid(prefix="1.2.826.0.1.3680043.8.498."), [1, 0, 0, 0, 0, -1], "coronal", 3, "COR")
