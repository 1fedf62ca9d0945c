#!/usr/bin/python3
"""Writes the SR test files of this folder (Debian's pydicom: run with /usr/bin/python3).

  enhanced_sr.dcm  Comprehensive 3D SR: every value type DCMTK's dsrdump prints (NUM with a
                   qualifier and an empty Measured Value Sequence, IMAGE with frames, segments and
                   a presentation state, SCOORD3D, TCOORD, PNAME, UIDREF, a by-reference item).
  broken_sr.dcm    Comprehensive SR with faults: a missing Value Type, an unknown value type, a
                   by-reference item naming no item, a NUM without its Measured Value Sequence.

Made-up values under a test UID root; no patient data.
"""
import os
import sys

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian

ROOT = "1.2.826.0.1.3680043.10.1234.77"


def code(value, scheme, meaning):
    c = Dataset()
    c.CodeValue, c.CodingSchemeDesignator, c.CodeMeaning = value, scheme, meaning
    return c


def item(rel, vt, name=None, **kw):
    ds = Dataset()
    ds.RelationshipType = rel
    ds.ValueType = vt
    if name:
        ds.ConceptNameCodeSequence = Sequence([code(*name)])
    for k, v in kw.items():
        setattr(ds, k, v)
    return ds


def sop(cls, inst, **kw):
    r = Dataset()
    r.ReferencedSOPClassUID, r.ReferencedSOPInstanceUID = cls, inst
    for k, v in kw.items():
        setattr(r, k, v)
    return Sequence([r])


def document(sop_class, n, children):
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = f"{ROOT}.{n}.1"
    ds.StudyInstanceUID = f"{ROOT}.{n}.2"
    ds.SeriesInstanceUID = f"{ROOT}.{n}.3"
    ds.Modality = "SR"
    ds.PatientName = "Test^Jörg"
    ds.PatientID = "SR-TEST"
    ds.StudyDescription = "SR test document"
    ds.SeriesNumber = 1
    ds.InstanceNumber = 1
    ds.ContentDate, ds.ContentTime = "20240102", "030405"
    ds.CompletionFlag = "COMPLETE"
    ds.VerificationFlag = "UNVERIFIED"
    ds.ValueType = "CONTAINER"
    ds.ContinuityOfContent = "SEPARATE"
    ds.ConceptNameCodeSequence = Sequence([code("126000", "DCM", "Imaging Measurement Report")])
    tpl = Dataset()
    tpl.MappingResource, tpl.TemplateIdentifier = "DCMR", "1500"
    ds.ContentTemplateSequence = Sequence([tpl])
    ds.ContentSequence = Sequence(children)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = meta
    ds.is_little_endian, ds.is_implicit_VR = True, False
    return ds


def enhanced():
    mv = Dataset()
    mv.NumericValue = "12.5"
    mv.MeasurementUnitsCodeSequence = Sequence([code("mm", "UCUM", "millimeter")])
    num = item("CONTAINS", "NUM", ("410668003", "SCT", "Length"), MeasuredValueSequence=Sequence([mv]))
    num.ContentSequence = Sequence([
        item("INFERRED FROM", "SCOORD3D", ("111030", "DCM", "Image Region"), GraphicType="POLYLINE",
             GraphicData=[1.5, 2.0, 3.25, 4.0, 5.0, 6.0], ReferencedFrameOfReferenceUID=f"{ROOT}.9.1"),
        item("HAS CONCEPT MOD", "CODE", ("G-C0E3", "SRT", "Finding Site"),
             ConceptCodeSequence=Sequence([code("10200004", "SCT", "Liver")])),
    ])
    empty = item("CONTAINS", "NUM", ("121206", "DCM", "Distance"), MeasuredValueSequence=Sequence([]),
                 NumericValueQualifierCodeSequence=Sequence([code("114006", "DCM", "Measurement failure")]))
    image = item("CONTAINS", "IMAGE", ("121112", "DCM", "Source of Measurement"),
                 ReferencedSOPSequence=sop("1.2.840.10008.5.1.4.1.1.2", f"{ROOT}.8.1", ReferencedFrameNumber=[1, 3]))
    image.ReferencedSOPSequence[0].ReferencedSOPSequence = sop("1.2.840.10008.5.1.4.1.1.11.1", f"{ROOT}.8.2")
    seg = item("CONTAINS", "IMAGE", ("121112", "DCM", "Source of Measurement"),
               ReferencedSOPSequence=sop("1.2.840.10008.5.1.4.1.1.66.4", f"{ROOT}.8.3", ReferencedSegmentNumber=[2]))
    group = item("CONTAINS", "CONTAINER", ("125007", "DCM", "Measurement Group"), ContinuityOfContent="SEPARATE")
    group.ContentSequence = Sequence([
        item("HAS OBS CONTEXT", "TEXT", ("112039", "DCM", "Tracking Identifier"), TextValue="Lesion 1\nline two"),
        item("HAS OBS CONTEXT", "UIDREF", ("112040", "DCM", "Tracking Unique Identifier"), UID=f"{ROOT}.7.1"),
        num, empty, image, seg,
        item("CONTAINS", "TCOORD", ("121055", "DCM", "Path"), TemporalRangeType="POINT",
             ReferencedSamplePositions=[10, 20]),
    ])
    ref = Dataset()
    ref.RelationshipType = "INFERRED FROM"
    ref.ReferencedContentItemIdentifier = [1, 3, 3]
    group.ContentSequence.append(ref)
    children = [
        item("HAS CONCEPT MOD", "CODE", ("121049", "DCM", "Language of Content Item and Descendants"),
             ConceptCodeSequence=Sequence([code("en", "RFC5646", "English")])),
        item("HAS OBS CONTEXT", "PNAME", ("121008", "DCM", "Person Observer Name"), PersonName="Observer^Anna"),
        group,
        item("HAS ACQ CONTEXT", "DATE", ("111060", "DCM", "Study Date"), Date="20240102"),
        item("HAS ACQ CONTEXT", "TIME", ("111061", "DCM", "Study Time"), Time="030405"),
        item("HAS ACQ CONTEXT", "DATETIME", ("111526", "DCM", "DateTime Started"), DateTime="20240102030405"),
        item("CONTAINS", "WAVEFORM", ("121071", "DCM", "Finding"),
             ReferencedSOPSequence=sop("1.2.840.10008.5.1.4.1.1.9.1.1", f"{ROOT}.8.4", ReferencedWaveformChannels=[1, 2])),
        item("CONTAINS", "COMPOSITE", ("121071", "DCM", "Finding"),
             ReferencedSOPSequence=sop("1.2.840.10008.5.1.4.1.1.88.11", f"{ROOT}.8.5")),
    ]
    return document("1.2.840.10008.5.1.4.1.1.88.34", 1, children)


def broken():
    no_vt = Dataset()
    no_vt.RelationshipType = "CONTAINS"
    no_vt.ConceptNameCodeSequence = Sequence([code("1", "99TEST", "No value type")])
    bad_ref = Dataset()
    bad_ref.RelationshipType = "INFERRED FROM"
    bad_ref.ReferencedContentItemIdentifier = [1, 9, 9]
    children = [
        item("CONTAINS", "TEXT", ("2", "99TEST", "Fine"), TextValue="ok"),
        no_vt,
        item("CONTAINS", "WIBBLE", ("3", "99TEST", "Unknown type")),
        item("CONTAINS", "NUM", ("4", "99TEST", "No measured value")),
        bad_ref,
    ]
    return document("1.2.840.10008.5.1.4.1.1.88.33", 2, children)


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    enhanced().save_as(os.path.join(out, "enhanced_sr.dcm"), write_like_original=False)
    broken().save_as(os.path.join(out, "broken_sr.dcm"), write_like_original=False)
