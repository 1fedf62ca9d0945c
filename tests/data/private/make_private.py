#!/usr/bin/python3
"""Makes the small files with private elements that the tests read (committed beside this script).

    /usr/bin/python3 tests/data/private/make_private.py [OUT_DIR]

implicit_private.dcm  Implicit VR LE: GEMS_IDEN_01 in block 12 of group 0009 (not the usual 10),
                      Philips MR Imaging DD 001, GEMS_PARM_01 and SIEMENS CSA HEADER elements, one element of an
                      unreserved block. Private elements have no VR in implicit VR: readers see UN.
un_private.dcm        Explicit VR LE: the same elements written with VR UN, and a private sequence
                      written as UN of undefined length whose items are Implicit VR LE (PS3.5
                      6.2.2), as Philips devices write them.
private_sop.dcm       A private SOP class (1.3.46.670589.5.0.1.1) with patient, study and series.
uuid_sop.dcm          A SOP class under 2.25 (a UUID-derived UID) with patient, study and series.
All values are made up; the files are byte-for-byte reproducible (fixed UIDs, no dates).
"""

import os
import struct
import sys

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
ROOT = "1.2.826.0.1.3680043.10.1087"


def base(sop_class, n):
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = f"{ROOT}.3.{n}"
    ds.PatientName = "Private^Test"
    ds.PatientID = "PRIV001"
    ds.StudyInstanceUID = f"{ROOT}.1.{n}"
    ds.SeriesInstanceUID = f"{ROOT}.2.{n}"
    ds.Modality = "OT"
    ds.StudyID = "1"
    ds.SeriesNumber = 1
    ds.InstanceNumber = 1
    return ds


def add_private(ds, vr_for):
    """The private elements as raw little-endian bytes. vr_for(vr) gives the VR to write: in implicit
    VR no VR is written, so UN (bytes as they are) serves both files."""
    ds.add_new(0x00090012, "LO", "GEMS_IDEN_01")
    ds.add_new(0x00091201, vr_for("LO"), b"GE_GENESIS_FF ")
    ds.add_new(0x00091227, vr_for("SL"), struct.pack("<i", 862399669))
    ds.add_new(0x00191001, vr_for("LO"), b"no creator")  # block 10 of 0019 is not reserved
    ds.add_new(0x00290010, "LO", "SIEMENS CSA HEADER")
    ds.add_new(0x00291008, vr_for("CS"), b"IMAGE NUM 4 ")
    ds.add_new(0x00291009, vr_for("LO"), b"20100114")
    ds.add_new(0x20050010, "LO", "Philips MR Imaging DD 001")
    ds.add_new(0x20051000, vr_for("FL"), struct.pack("<2f", 1.5, -2.25))
    ds.add_new(0x00430010, "LO", "GEMS_PARM_01")
    ds.add_new(0x00431012, vr_for("SS"), struct.pack("<3h", 14, -1, 0))
    ds.add_new(0x2005100F, vr_for("DS"), b"40")
    ds.add_new(0x20051010, vr_for("DS"), b"400 ")
    ds.add_new(0x20051020, vr_for("SL"), struct.pack("<i", -7))
    return ds


def write(ds, name, syntax, file_meta_class):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = file_meta_class
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = syntax
    meta.ImplementationClassUID = f"{ROOT}.9"
    ds.file_meta = meta
    path = os.path.join(OUT, name)
    ds.is_implicit_VR = syntax == ImplicitVRLittleEndian
    ds.is_little_endian = True
    ds.preamble = b"\0" * 128
    ds.save_as(path, write_like_original=False)
    return path


def implicit_element(group, element, value):
    if len(value) % 2:
        value += b" "
    return struct.pack("<HHI", group, element, len(value)) + value


def un_sequence():
    """(2005,1080) UN, undefined length, two items in Implicit VR LE (PS3.5 6.2.2)."""
    item1 = implicit_element(0x2005, 0x0010, b"Philips MR Imaging DD 001") + implicit_element(0x2005, 0x100F, b"12")
    item2 = implicit_element(0x0008, 0x0100, b"CODE1 ") + implicit_element(0x0008, 0x0104, b"Meaning")
    out = struct.pack("<HH", 0x2005, 0x1080) + b"UN\0\0" + struct.pack("<I", 0xFFFFFFFF)
    out += struct.pack("<HHI", 0xFFFE, 0xE000, 0xFFFFFFFF) + item1 + struct.pack("<HHI", 0xFFFE, 0xE00D, 0)
    out += struct.pack("<HHI", 0xFFFE, 0xE000, len(item2)) + item2
    out += struct.pack("<HHI", 0xFFFE, 0xE0DD, 0)
    return out


def main():
    sc = "1.2.840.10008.5.1.4.1.1.7"  # Secondary Capture Image Storage
    write(add_private(base(sc, 1), lambda vr: "UN"), "implicit_private.dcm", ImplicitVRLittleEndian, sc)
    path = write(add_private(base(sc, 2), lambda vr: "UN"), "un_private.dcm", ExplicitVRLittleEndian, sc)
    # The data set ends with (2005,1020); the UN sequence (2005,1080) follows it in tag order.
    with open(path, "ab") as f:
        f.write(un_sequence())
    for n, (name, sop) in enumerate([("private_sop.dcm", "1.3.46.670589.5.0.1.1"),
                                     ("uuid_sop.dcm", "2.25.329800735698586629295641978511506172918")], 3):
        write(base(sop, n), name, ExplicitVRLittleEndian, sop)


if __name__ == "__main__":
    main()
