"""Writes small datasets in several SpecificCharacterSets with pydicom (which encodes the text).

Usage: make_charsets.py OUTDIR  — one file per character set, named after it; each holds PatientName, SeriesDescription
and a sequence item with a CodeMeaning (items inherit the character set). The texts are printed as JSON on stdout.
"""
import json
import os
import sys

import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

TEXTS = {
    "ISO_IR 100": ("Müller^Jürgen", "Leber Ø 3 cm, Größe", "Läsion"),
    "ISO_IR 192": ("Müller^Jürgen=山田^太郎", "Leber – Ø 3 cm 肝臓", "Läsion ✓"),
    "ISO_IR 144": ("Иванов^Иван", "Печень", "Опухоль"),
    "ISO_IR 101": ("Dvořák^Antonín", "Játra, łódź", "Nádor"),
}
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for charset, (name, description, meaning) in TEXTS.items():
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.SpecificCharacterSet = charset
    ds.PatientName = name
    ds.SeriesDescription = description
    item = Dataset()
    item.CodeMeaning = meaning
    ds.AnatomicRegionSequence = Sequence([item])
    pydicom.dcmwrite(os.path.join(out, charset.replace(" ", "_") + ".dcm"), ds, write_like_original=False)
json.dump({c.replace(" ", "_") + ".dcm": t for c, t in TEXTS.items()}, sys.stdout, ensure_ascii=False)
