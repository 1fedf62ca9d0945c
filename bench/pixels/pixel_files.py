#!/usr/bin/python3
"""bench/pixels helper (pydicom, numpy): makes the generated native inputs, describes input files and
checks decoded outputs.

  pixel_files.py generate DIR FRAMES US_FRAMES
      DIR/ct_volume.dcm: a CT-like volume, FRAMES x 512 x 512, 16 bits allocated, 12 stored, unsigned,
        rescale -1024 (air, fat, soft tissue, bone, lungs, noise; slices drift along the volume);
      DIR/us_clip.dcm: an ultrasound-like clip, US_FRAMES x 480 x 640 RGB (a speckled fan, grey,
        with a colour-flow box that moves from frame to frame).
      Both Explicit VR Little Endian, fixed random seed: the same bytes on every run.
  pixel_files.py info FILE...
      One TSV line a file: path, transfer syntax UID, frames, rows, columns, samples per pixel,
      bits allocated, decoded pixel bytes, photometric interpretation, window (1 when the file has a
      Window Center, else 0).
  pixel_files.py verify < LINES
      Each line "KEY<TAB>EXPECTED_BYTES<TAB>PHOTOMETRIC<TAB>FILE": prints "KEY<TAB>ok" when FILE holds
      native pixel data (Implicit/Explicit VR Little Endian or Big Endian) of at least EXPECTED_BYTES
      (two thirds of it for YBR_FULL_422 inputs, which a decoder may keep subsampled), else
      "KEY<TAB>the reason".
"""
import sys

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

NATIVE = {"1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2"}


def base_dataset(sop_class, modality):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = generate_uid(prefix="1.2.826.0.1.3680043.8.498.", entropy_srcs=[modality, "sop"])
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = "1.2.826.0.1.3680043.8.498.1"
    ds = Dataset()
    ds.file_meta = meta
    ds.is_little_endian, ds.is_implicit_VR = True, False  # pydicom 2: the encoding to write
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = generate_uid(prefix="1.2.826.0.1.3680043.8.498.", entropy_srcs=[modality, "study"])
    ds.SeriesInstanceUID = generate_uid(prefix="1.2.826.0.1.3680043.8.498.", entropy_srcs=[modality, "series"])
    ds.Modality = modality
    ds.PatientName = "BENCH^PIXELS"
    ds.PatientID = "BENCHPIX"
    ds.StudyDate = "20260101"
    ds.StudyTime = "120000"
    ds.SeriesNumber = 1
    ds.InstanceNumber = 1
    ds.ConversionType = "WSD"
    ds.FrameIncrementPointer = (0x0018, 0x1063)  # Frame Time
    return ds


def ct_volume(frames):
    """Stored values 0..4095 (HU + 1024): an elliptic body, two lungs, a spine and ribs, noise."""
    rng = np.random.default_rng(1)
    y, x = np.mgrid[0:512, 0:512].astype(np.float32)
    cx, cy = 256.0, 256.0
    out = np.empty((frames, 512, 512), dtype=np.uint16)
    for f in range(frames):
        t = f / max(frames - 1, 1)
        ax, ay = 200 - 30 * t, 150 - 20 * t
        body = ((x - cx) / ax) ** 2 + ((y - cy) / ay) ** 2 <= 1.0
        fat = ((x - cx) / (ax - 12)) ** 2 + ((y - cy) / (ay - 12)) ** 2 > 1.0
        img = np.full((512, 512), 24.0, dtype=np.float32)  # air, -1000 HU
        img[body] = 1064.0  # soft tissue, +40 HU
        img[body & fat] = 924.0  # fat, -100 HU
        lung_r = 55 + 25 * np.sin(np.pi * t)
        for lx in (cx - 80, cx + 80):
            lung = ((x - lx) / lung_r) ** 2 + ((y - cy + 10) / (lung_r * 1.4)) ** 2 <= 1.0
            img[lung] = 174.0  # lung, -850 HU
        spine = (x - cx) ** 2 + (y - (cy + ay - 45)) ** 2 <= 20.0**2
        img[spine] = 1924.0  # bone, +900 HU
        for k in range(-3, 4):
            a = np.pi / 2 + k * 0.35
            rx, ry = cx + (ax - 20) * np.cos(a), cy + (ay - 20) * np.sin(a)
            img[(x - rx) ** 2 + (y - ry) ** 2 <= 6.0**2] = 1724.0
        img += rng.normal(0.0, 12.0, size=img.shape).astype(np.float32) * body
        out[f] = np.clip(img, 0, 4095).astype(np.uint16)
    return out


def us_clip(frames):
    """A sector of speckle (Rayleigh) that darkens with depth, grey RGB, and a colour-flow box."""
    rng = np.random.default_rng(2)
    rows, cols = 480, 640
    y, x = np.mgrid[0:rows, 0:cols].astype(np.float32)
    r = np.hypot(x - cols / 2, y + 40)
    theta = np.arctan2(x - cols / 2, y + 40)
    sector = (np.abs(theta) < 0.6) & (r > 60) & (r < 500)
    out = np.zeros((frames, rows, cols, 3), dtype=np.uint8)
    for f in range(frames):
        speckle = rng.rayleigh(1.0, size=(rows, cols)).astype(np.float32)
        tissue = 90.0 * speckle * np.exp(-r / 700.0)
        tissue += 60.0 * np.exp(-((r - 250 - 20 * np.sin(f / 4)) ** 2) / 300.0)
        grey = np.clip(tissue, 0, 255) * sector
        img = np.repeat(grey[:, :, None], 3, axis=2)
        bx, by = 260 + (f * 3) % 60, 220
        box = (x >= bx) & (x < bx + 120) & (y >= by) & (y < by + 90) & sector
        flow = np.sin((x - bx) / 12.0 + f / 3.0)
        img[box, 0] = np.where(flow[box] > 0, 180 + 60 * flow[box], img[box, 0])
        img[box, 2] = np.where(flow[box] <= 0, 180 - 60 * flow[box], img[box, 2])
        out[f] = img.astype(np.uint8)
    return out


def generate(folder, frames, us_frames):
    ds = base_dataset("1.2.840.10008.5.1.4.1.1.7.3", "CT")  # Multi-frame Grayscale Word SC
    ds.NumberOfFrames = frames
    ds.FrameTime = 1.0
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows, ds.Columns = 512, 512
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 12, 11
    ds.PixelRepresentation = 0
    ds.RescaleIntercept, ds.RescaleSlope, ds.RescaleType = -1024, 1, "HU"
    ds.WindowCenter, ds.WindowWidth = 40, 400
    ds.PixelSpacing = [0.7, 0.7]
    ds.SliceThickness = 1.0
    ds.PixelData = ct_volume(frames).tobytes()
    ds.save_as(f"{folder}/ct_volume.dcm", write_like_original=False)

    us = base_dataset("1.2.840.10008.5.1.4.1.1.3.1", "US")  # Ultrasound Multi-frame Image
    us.NumberOfFrames = us_frames
    us.FrameTime = 33.3
    us.SamplesPerPixel = 3
    us.PhotometricInterpretation = "RGB"
    us.PlanarConfiguration = 0
    us.Rows, us.Columns = 480, 640
    us.BitsAllocated, us.BitsStored, us.HighBit = 8, 8, 7
    us.PixelRepresentation = 0
    us.PixelData = us_clip(us_frames).tobytes()
    us.save_as(f"{folder}/us_clip.dcm", write_like_original=False)


def info(paths):
    for p in paths:
        try:
            ds = pydicom.dcmread(p, stop_before_pixels=True)
            frames = int(ds.get("NumberOfFrames", 1) or 1)
            rows, cols = int(ds.Rows), int(ds.Columns)
            spp = int(ds.get("SamplesPerPixel", 1))
            bits = int(ds.BitsAllocated)
            size = frames * rows * cols * spp * bits // 8
            photometric = str(ds.get("PhotometricInterpretation", ""))
            window = 1 if "WindowCenter" in ds else 0
            print(f"{p}\t{ds.file_meta.TransferSyntaxUID}\t{frames}\t{rows}\t{cols}\t{spp}\t{bits}\t{size}\t{photometric}\t{window}")
        except Exception as e:  # a file without pixel data, or unreadable: left out of the benchmark
            print(f"skipping {p}: {e}", file=sys.stderr)


def verify_one(expected, photometric, path):
    """None when path holds decoded pixel data of the expected size, else the reason."""
    try:
        ds = pydicom.dcmread(path, defer_size=1024)
    except Exception as e:
        return f"unreadable: {e}"
    ts = str(ds.file_meta.get("TransferSyntaxUID", ""))
    if ts not in NATIVE:
        return f"transfer syntax {ts} is not native"
    elem = ds.get_item("PixelData") or ds.get_item("FloatPixelData") or ds.get_item("DoubleFloatPixelData")
    if elem is None:
        return "no pixel data"
    length = elem.length if hasattr(elem, "length") else len(elem.value)
    need = expected * 2 // 3 if photometric == "YBR_FULL_422" else expected
    if length < need:
        return f"{length} bytes of pixel data, expected {expected}"
    return None


def verify(lines):
    for line in lines:
        parts = line.rstrip("\n").split("\t")
        if len(parts) != 4:
            continue
        key, expected, photometric, path = parts
        reason = verify_one(int(expected), photometric, path)
        print(f"{key}\t{reason or 'ok'}", flush=True)


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "generate" and len(sys.argv) == 5:
        generate(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif cmd == "info":
        info(sys.argv[2:])
    elif cmd == "verify":
        verify(sys.stdin)
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
