#!/usr/bin/python3
"""Writes a CT series of N slices derived from one CT image (new study, series and instance UIDs,
the rows of the pixel data shifted a little more each slice), for the web page's test.
usage: make_ct_series.py SOURCE.dcm OUT_DIR N PATIENT_NAME"""
import sys

import numpy as np
import pydicom
from pydicom.uid import generate_uid

source, out, n, patient = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
study, series = generate_uid(), generate_uid()
for i in range(n):
    ds = pydicom.dcmread(source)
    ds.PatientName = patient
    ds.PatientID = "WEBUI-1"
    ds.StudyDescription = "Web page test"
    ds.AccessionNumber = "WEBUI1"
    ds.StudyInstanceUID, ds.SeriesInstanceUID = study, series
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.InstanceNumber = i + 1
    ds.SeriesNumber = 1
    pixels = ds.pixel_array
    ds.PixelData = np.roll(pixels, 6 * i, axis=0).astype(pixels.dtype).tobytes()
    ds.save_as(f"{out}/ct{i + 1:02d}.dcm", write_like_original=False)
