"""Writes a synthetic RTSTRUCT with pydicom: ROI 1 'Tumour sphere' = a sphere of radius R around C (one circle of
256 points per slice plane z = Z0 + k*DZ that cuts it); ROI 2 'Ring' = an annulus (outer radius RO, inner RI) on
plane Z0, as two contours of one ROI (the inner one must cut a hole).

Usage: make_rtstruct.py OUT.dcm CX CY CZ R Z0 DZ NZ RO RI
"""
import math
import sys

import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ImplicitVRLittleEndian, generate_uid

out = sys.argv[1]
cx, cy, cz, r, z0, dz = (float(v) for v in sys.argv[2:8])
nz = int(sys.argv[8])
ro, ri = float(sys.argv[9]), float(sys.argv[10])


def circle(x, y, z, radius, n=256):
    pts = []
    for i in range(n):
        a = 2 * math.pi * i / n
        pts += [f"{x + radius * math.cos(a):.4f}", f"{y + radius * math.sin(a):.4f}", f"{z:.4f}"]
    return pts


def contour(data):
    c = Dataset()
    c.ContourGeometricType = "CLOSED_PLANAR"
    c.NumberOfContourPoints = len(data) // 3
    c.ContourData = data
    return c


meta = FileMetaDataset()
meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.481.3"
meta.MediaStorageSOPInstanceUID = generate_uid()
meta.TransferSyntaxUID = ImplicitVRLittleEndian
ds = Dataset()
ds.file_meta = meta
ds.is_little_endian, ds.is_implicit_VR = True, True
ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
ds.Modality = "RTSTRUCT"
ds.StructureSetLabel = "synthetic"
rois, roicontours = [], []
sphere = []
for k in range(nz):
    z = z0 + k * dz
    if abs(z - cz) < r:
        sphere.append(contour(circle(cx, cy, z, math.sqrt(r * r - (z - cz) ** 2))))
for number, name, contours, colour in [(1, "Tumour sphere", sphere, [255, 0, 0]),
                                       (2, "Ring", [contour(circle(cx, cy, z0, ro)), contour(circle(cx, cy, z0, ri))], [0, 255, 0])]:
    roi = Dataset()
    roi.ROINumber, roi.ROIName = number, name
    rois.append(roi)
    rc = Dataset()
    rc.ReferencedROINumber, rc.ROIDisplayColor = number, colour
    rc.ContourSequence = Sequence(contours)
    roicontours.append(rc)
ds.StructureSetROISequence = Sequence(rois)
ds.ROIContourSequence = Sequence(roicontours)
pydicom.dcmwrite(out, ds, write_like_original=False)
