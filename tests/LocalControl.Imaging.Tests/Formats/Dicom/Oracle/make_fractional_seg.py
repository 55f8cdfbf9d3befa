"""Writes a FRACTIONAL DICOM SEG with pydicom on the grid of an image series, and the label map it should give.

Usage: make_fractional_seg.py IMAGEDIR OUT.dcm EXPECTED.i32
Segment 1 'Tumour' on slices 0 and 1: value (11 x + 7 y + 40 k) % 256; segment 2 'Portal vein' on slice 2: 255 for
x < 10, else 0. MaximumFractionalValue 255. Frames are written in the order slice 2, 0, 1 (placement must use each
frame's position). Expected: label of the segment where value >= MaximumFractionalValue / 2, else 0; int32 (k, y, x).
"""
import os
import sys

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

image_dir, out, expected_path = sys.argv[1:4]
images = [pydicom.dcmread(os.path.join(image_dir, f)) for f in sorted(os.listdir(image_dir))]
iop = np.array(images[0].ImageOrientationPatient, dtype=float)
normal = np.cross(iop[:3], iop[3:])
images.sort(key=lambda d: float(np.dot(normal, np.array(d.ImagePositionPatient, dtype=float))))
rows, cols = int(images[0].Rows), int(images[0].Columns)
yy, xx = np.mgrid[0:rows, 0:cols]
frames = []  # (slice k, segment, uint8 frame)
for k in (2, 0, 1):
    if k < 2:
        frames.append((k, 1, ((11 * xx + 7 * yy + 40 * k) % 256).astype(np.uint8)))
    else:
        frames.append((k, 2, np.where(xx < 10, 255, 0).astype(np.uint8)))
expected = np.zeros((len(images), rows, cols), dtype="<i4")
for k, seg, f in frames:
    expected[k][f >= 255 / 2] = seg
expected.tofile(expected_path)

meta = FileMetaDataset()
meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.66.4"
meta.MediaStorageSOPInstanceUID = generate_uid()
meta.TransferSyntaxUID = ExplicitVRLittleEndian
ds = Dataset()
ds.file_meta = meta
ds.is_little_endian, ds.is_implicit_VR = True, False
ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
ds.Modality = "SEG"
ds.SeriesInstanceUID = generate_uid()
ds.FrameOfReferenceUID = images[0].FrameOfReferenceUID
ds.SegmentationType = "FRACTIONAL"
ds.SegmentationFractionalType = "PROBABILITY"
ds.MaximumFractionalValue = 255
segments = []
for number, label, lab in [(1, "Tumour", [21169, 53249, 44995]), (2, "Portal vein", [32767, 32767, 32767])]:
    s = Dataset()
    s.SegmentNumber, s.SegmentLabel, s.RecommendedDisplayCIELabValue = number, label, lab
    s.SegmentAlgorithmType = "MANUAL"
    segments.append(s)
ds.SegmentSequence = Sequence(segments)
shared = Dataset()
po = Dataset()
po.ImageOrientationPatient = images[0].ImageOrientationPatient
pm = Dataset()
pm.PixelSpacing = images[0].PixelSpacing
pm.SliceThickness = images[0].get("SliceThickness", "1")
shared.PlaneOrientationSequence = Sequence([po])
shared.PixelMeasuresSequence = Sequence([pm])
ds.SharedFunctionalGroupsSequence = Sequence([shared])
per_frame = []
for k, seg, _ in frames:
    item = Dataset()
    pp = Dataset()
    pp.ImagePositionPatient = images[k].ImagePositionPatient
    si = Dataset()
    si.ReferencedSegmentNumber = seg
    item.PlanePositionSequence = Sequence([pp])
    item.SegmentIdentificationSequence = Sequence([si])
    per_frame.append(item)
ds.PerFrameFunctionalGroupsSequence = Sequence(per_frame)
ds.NumberOfFrames = len(frames)
ds.Rows, ds.Columns = rows, cols
ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
ds.PixelData = b"".join(f.tobytes() for _, _, f in frames)
pydicom.dcmwrite(out, ds, write_like_original=False)
