#!/usr/bin/env python3
"""What a DICOMweb server must answer for some files, read with pydicom (independent of dicomkit).

usage: dicomweb_expect.py FILE...   -> JSON on standard output, one object per file:
  study, series, sop, sop_class, transfer_syntax, modality, patient_name, patient_id, study_date,
  study_description, instance_number, rows, columns, frames, samples, bits_allocated,
  native_frames: SHA-256 of each frame's uncompressed bytes (little endian, as PS3.18 8.7.3.5.2
                 application/octet-stream frames are), when pydicom can have them without a codec
                 it lacks (native files, and RLE which pydicom decodes itself); else null,
  native_length: the byte length of one uncompressed frame,
  stored_frames: SHA-256 of each frame's encapsulated bitstream (its fragments joined) for
                 compressed files, null for native ones,
  pixel_data: SHA-256 of the Pixel Data value of native files (what its BulkDataURI must give).
"""
import hashlib
import json
import sys

import pydicom
from pydicom.encaps import generate_pixel_data_frame


def sha(b):
    return hashlib.sha256(bytes(b)).hexdigest()


def describe(path):
    ds = pydicom.dcmread(path)
    ts = str(ds.file_meta.TransferSyntaxUID)
    rows = int(ds.get("Rows", 0) or 0)
    columns = int(ds.get("Columns", 0) or 0)
    samples = int(ds.get("SamplesPerPixel", 1) or 1)
    bits = int(ds.get("BitsAllocated", 0) or 0)
    has_pixels = "PixelData" in ds
    frames = int(ds.get("NumberOfFrames", 1) or 1) if has_pixels else 0
    out = {
        "file": path,
        "study": ds.StudyInstanceUID,
        "series": ds.SeriesInstanceUID,
        "sop": ds.SOPInstanceUID,
        "sop_class": ds.SOPClassUID,
        "transfer_syntax": ts,
        "modality": str(ds.get("Modality", "")),
        "patient_name": str(ds.get("PatientName", "")),
        "patient_id": str(ds.get("PatientID", "")),
        "study_date": str(ds.get("StudyDate", "")),
        "study_description": str(ds.get("StudyDescription", "") or ""),
        "instance_number": str(ds.get("InstanceNumber", "") or ""),
        "rows": rows,
        "columns": columns,
        "frames": frames,
        "samples": samples,
        "bits_allocated": bits,
        "native_length": rows * columns * samples * bits // 8 if bits % 8 == 0 else None,
        "native_frames": None,
        "stored_frames": None,
        "pixel_data": None,
    }
    if not has_pixels:
        return out
    if ds.file_meta.TransferSyntaxUID.is_compressed:
        out["stored_frames"] = [sha(f) for f in generate_pixel_data_frame(ds.PixelData, frames)]
        if ts == "1.2.840.10008.1.2.5":  # RLE Lossless: pydicom's own decoder (numpy)
            arr = ds.pixel_array
            if frames == 1:
                arr = arr.reshape((1,) + arr.shape)
            # Colour-by-plane for RLE decoded frames (PS3.5 8.2.2 leaves it to the decoder): the
            # frames are compared as pydicom gives them (colour-by-pixel).
            out["native_frames"] = [sha(arr[i].astype(arr.dtype.newbyteorder("<")).tobytes()) for i in range(frames)]
    else:
        data = bytes(ds.PixelData)
        n = out["native_length"]
        out["pixel_data"] = sha(data)
        if n:
            out["native_frames"] = [sha(data[i * n:(i + 1) * n]) for i in range(frames)]
    return out


def main():
    json.dump([describe(p) for p in sys.argv[1:]], sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
