"""Oracle for the DICOM reader tests: what pydicom reads from each file, as JSON on stdout.

Usage: pydicom_dump.py FILE...   For each file: every element (path, VR, raw value bytes as stored, decoded text of
the character-set VRs), the pixel array (stored values and after the modality LUT) when pydicom can decode it,
or pydicom's error. Raw bytes are compared as hex (sha1 above 4 KiB) so that the C# side checks byte equality.
"""
import hashlib
import json
import sys
import warnings

import numpy as np
import pydicom
from pydicom.dataelem import RawDataElement
from pydicom.pixel_data_handlers.util import apply_modality_lut

warnings.simplefilter("ignore")
TEXT_VRS = {"PN", "LO", "SH", "ST", "LT", "UT", "UC"}
PIXEL_TAGS = {0x7FE00010, 0x7FE00008, 0x7FE00009}


def digest(b):
    return b.hex() if len(b) <= 4096 else "sha1:" + hashlib.sha1(b).hexdigest()


def walk(ds, prefix, out, depth=0):
    for tag in list(ds._dict.keys()):
        raw = ds._dict[tag]
        path = prefix + "%04X,%04X" % (tag >> 16, tag & 0xFFFF)
        elem = ds[tag]  # converts
        entry = {"path": path, "vr": elem.VR}
        if elem.VR == "SQ":
            entry["items"] = len(elem.value)
            out.append(entry)
            for i, item in enumerate(elem.value):
                walk(item, path + "[%d]/" % i, out, depth + 1)
            continue
        if int(tag) in PIXEL_TAGS and depth == 0:
            entry["length"] = len(raw.value) if isinstance(raw, RawDataElement) and raw.value is not None else None
            out.append(entry)
            continue
        if isinstance(raw, RawDataElement) and isinstance(raw.value, (bytes, bytearray)):
            entry["raw"] = digest(bytes(raw.value))
        if elem.VR in TEXT_VRS and elem.value is not None and elem.VM >= 1:
            v = elem.value
            entry["text"] = "\\".join(str(x) for x in v) if elem.VM > 1 else str(v)
        out.append(entry)


def main():
    result = {}
    for f in sys.argv[1:]:
        r = {}
        try:
            ds = pydicom.dcmread(f, force=True)
            els = []
            walk(ds, "", els)
            r["elements"] = els
            r["transferSyntax"] = str(getattr(ds.file_meta, "TransferSyntaxUID", "")) if hasattr(ds, "file_meta") else ""
        except Exception as e:  # noqa: BLE001 - the error text is the oracle's answer
            r["readError"] = type(e).__name__ + ": " + str(e)[:200]
            result[f] = r
            continue
        geometry = {}
        for key in ("ImagePositionPatient", "ImageOrientationPatient", "PixelSpacing"):
            if key in ds and ds[key].value is not None and ds[key].VM > 1:
                geometry[key] = [float(v) for v in ds[key].value]
        for key in ("RescaleSlope", "RescaleIntercept"):
            if key in ds and ds[key].value not in (None, ""):
                geometry[key] = float(ds[key].value)
        r["geometry"] = geometry
        try:
            arr = ds.pixel_array
            frames = int(getattr(ds, "NumberOfFrames", 1) or 1)
            arr = np.asarray(arr)
            r["shape"] = list(arr.shape)
            r["stored"] = digest(np.ascontiguousarray(arr.astype("<f8")).tobytes())
            r["storedSum"] = float(arr.astype(np.float64).sum())
            if "DoseGridScaling" in ds and "RescaleSlope" not in ds:
                # RT Dose (PS3.3 C.8.8.3.4.3): dose = stored value x DoseGridScaling, in DoseUnits.
                mod = arr.astype("<f8") * float(ds.DoseGridScaling)
            else:
                mod = apply_modality_lut(arr, ds) if "RescaleSlope" in ds or "RescaleIntercept" in ds else arr
            r["rescaled"] = digest(np.ascontiguousarray(np.asarray(mod).astype("<f8")).tobytes())
            r["frames"] = frames
        except Exception as e:  # noqa: BLE001
            r["pixelError"] = type(e).__name__ + ": " + str(e)[:200]
        result[f] = r
    json.dump(result, sys.stdout)


main()
