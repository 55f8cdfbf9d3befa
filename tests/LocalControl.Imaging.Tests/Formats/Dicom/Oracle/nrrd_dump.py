"""Oracle: a NRRD label map (raw or gzip, as 3D Slicer writes them) as raw little-endian int32 plus its geometry as JSON.

Usage: nrrd_dump.py IN.nrrd OUT.i32 — parsed here with numpy only, independent of our readers.
"""
import gzip
import json
import re
import sys

import numpy as np

data = open(sys.argv[1], "rb").read()
end = data.index(b"\n\n")
fields = {}
for line in data[:end].decode("ascii").splitlines()[1:]:
    if line.startswith("#") or ":" not in line:
        continue
    k, v = line.split(":", 1)
    fields[k.strip()] = v.strip().lstrip("=").strip()
payload = data[end + 2:]
if fields.get("encoding") in ("gzip", "gz"):
    payload = gzip.decompress(payload)
types = {"short": "i2", "int16": "i2", "unsigned short": "u2", "uchar": "u1", "unsigned char": "u1", "int": "i4", "uint8": "u1", "char": "i1", "signed char": "i1"}
order = "<" if fields.get("endian", "little") == "little" else ">"
sizes = [int(s) for s in fields["sizes"].split()]
arr = np.frombuffer(payload, dtype=order + types[fields["type"]], count=int(np.prod(sizes)))
arr.astype("<i4").tofile(sys.argv[2])
vecs = [[float(x) for x in v.split(",")] for v in re.findall(r"\(([^)]*)\)", fields["space directions"])]
origin = [float(x) for x in re.findall(r"\(([^)]*)\)", fields["space origin"])[0].split(",")]
json.dump({"space": fields.get("space"), "sizes": sizes, "directions": vecs, "origin": origin}, sys.stdout)
