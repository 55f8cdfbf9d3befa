"""Oracle: ROIs and contours of an RTSTRUCT as pydicom reads them, as JSON. Usage: rtstruct_dump.py FILE"""
import json
import sys

import pydicom

ds = pydicom.dcmread(sys.argv[1], force=True)
rois = {int(r.ROINumber): {"name": str(r.ROIName), "contours": []} for r in ds.StructureSetROISequence}
for rc in ds.ROIContourSequence:
    for c in rc.get("ContourSequence", []):
        rois[int(rc.ReferencedROINumber)]["contours"].append({"type": str(c.ContourGeometricType), "data": [float(v) for v in c.ContourData]})
json.dump({str(k): v for k, v in rois.items()}, sys.stdout)
