"""Writes a TotalSegmentator-like output folder with nibabel (one uint8 mask per structure, names as TotalSegmentator
writes them) and the label map it must read as, computed here with numpy from the rule documented in
docs/formats/segmentations.md: values from the totalsegmentator table; unknown names after 127 in file-name order;
where masks overlap, tumour > vessel > the rest.

Usage: make_totalseg_folder.py OUTDIR EXPECTED.raw [bad-geometry]
"""
import os
import sys

import nibabel as nib
import numpy as np

out, expected_path = sys.argv[1], sys.argv[2]
bad = len(sys.argv) > 3
os.makedirs(out, exist_ok=True)
shape = (40, 30, 20)
affine = np.array([[-0.8, 0, 0, 10.0], [0, -0.8, 0, 20.0], [0, 0, 2.5, -30.0], [0, 0, 0, 1]])
i, j, k = np.indices(shape)
masks = {
    "liver": (i >= 5) & (i < 35) & (j >= 5) & (j < 25) & (k >= 2) & (k < 18),
    "liver_tumor": ((i - 20) ** 2 + (j - 15) ** 2 + ((k - 10) * 3) ** 2) <= 25,
    "portal_vein_and_splenic_vein": ((i - 10) ** 2 + (j - 8) ** 2 <= 4) & (k >= 0),
    "inferior_vena_cava": ((i - 30) ** 2 + (j - 22) ** 2 <= 3),
    "kidney_left": np.zeros(shape, bool),
    "my_structure": (i < 3) & (j < 3),
}
values = {"liver": 5, "liver_tumor": 119, "portal_vein_and_splenic_vein": 64, "inferior_vena_cava": 63, "kidney_left": 3, "my_structure": 128}
priority = {"liver_tumor": 3, "portal_vein_and_splenic_vein": 2, "inferior_vena_cava": 2}
expected = np.zeros(shape, np.int32)
rank = np.zeros(shape, np.int64)
for name, m in masks.items():
    r = priority.get(name, 1) * 65536 + values[name]
    take = m & (r > rank)
    expected[take] = values[name]
    rank[take] = r
    a = affine.copy()
    if bad and name == "inferior_vena_cava":
        a[0, 3] += 1.0  # shifted origin
    img = nib.Nifti1Image(m.astype(np.uint8), a)
    img.header.set_data_dtype(np.uint8)
    nib.save(img, os.path.join(out, name + ".nii.gz"))
np.asfortranarray(expected).ravel(order="F").astype("<i4").tofile(expected_path)
pairs = int(sum(np.maximum(sum(m.astype(int) for m in masks.values()) - 1, 0).ravel()))
print(pairs)
