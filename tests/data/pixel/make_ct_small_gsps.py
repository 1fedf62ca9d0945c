# Writes CT_small_gsps.dcm: a Grayscale Softcopy Presentation State for CT_small.dcm with a
# rotation, flip, displayed area, rectangular and circular shutters, a polyline, a circle and a text.
# Run with a Python that has pydicom: python3 make_ct_small_gsps.py
import os
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
here = os.path.dirname(os.path.abspath(__file__))
img = pydicom.dcmread(os.path.join(here, 'CT_small.dcm'))
def ref():
    r=Dataset(); r.ReferencedSOPClassUID=img.SOPClassUID; r.ReferencedSOPInstanceUID=img.SOPInstanceUID; return r
def make(rot, flip, tl=(1,1), br=(128,128), shutters=True, mode='SCALE TO FIT', mag=None):
    ds=Dataset()
    ds.SOPClassUID='1.2.840.10008.5.1.4.1.1.11.1'; ds.SOPInstanceUID='1.2.826.0.1.3680043.10.1234.1'
    ds.Modality='PR'; ds.StudyInstanceUID=img.StudyInstanceUID; ds.SeriesInstanceUID='1.2.826.0.1.3680043.10.1234.3'
    ds.PatientName=img.PatientName; ds.PatientID=img.PatientID; ds.PatientBirthDate=''; ds.PatientSex=''
    ds.StudyDate=''; ds.StudyTime=''; ds.ReferringPhysicianName=''; ds.StudyID=''; ds.AccessionNumber=''
    ds.SeriesNumber='1'; ds.InstanceNumber='1'; ds.Manufacturer=''; ds.ContentDescription=''; ds.ContentCreatorName=''
    ds.ContentLabel='TEST'; ds.PresentationCreationDate='20260101'; ds.PresentationCreationTime='000000'
    s=Dataset(); s.SeriesInstanceUID=img.SeriesInstanceUID; s.ReferencedImageSequence=Sequence([ref()])
    ds.ReferencedSeriesSequence=Sequence([s])
    ds.RescaleIntercept='-1024'; ds.RescaleSlope='1'; ds.RescaleType='HU'
    v=Dataset(); v.ReferencedImageSequence=Sequence([ref()]); v.WindowCenter='40'; v.WindowWidth='400'
    ds.SoftcopyVOILUTSequence=Sequence([v])
    ds.PresentationLUTShape='IDENTITY'
    ds.ImageRotation=rot; ds.ImageHorizontalFlip='Y' if flip else 'N'
    a=Dataset(); a.ReferencedImageSequence=Sequence([ref()]); a.DisplayedAreaTopLeftHandCorner=list(tl); a.DisplayedAreaBottomRightHandCorner=list(br)
    a.PresentationSizeMode=mode; a.PresentationPixelAspectRatio=[1,1]
    if mag: a.PresentationPixelMagnificationRatio=mag
    ds.DisplayedAreaSelectionSequence=Sequence([a])
    if shutters:
        ds.ShutterShape=['RECTANGULAR','CIRCULAR']; ds.ShutterLeftVerticalEdge=10; ds.ShutterRightVerticalEdge=120
        ds.ShutterUpperHorizontalEdge=5; ds.ShutterLowerHorizontalEdge=110; ds.CenterOfCircularShutter=[60,64]; ds.RadiusOfCircularShutter=58
        ds.ShutterPresentationValue=0x2000
    fm=FileMetaDataset(); fm.MediaStorageSOPClassUID=ds.SOPClassUID; fm.MediaStorageSOPInstanceUID=ds.SOPInstanceUID
    fm.TransferSyntaxUID='1.2.840.10008.1.2.1'
    ds.file_meta=fm; ds.is_little_endian=True; ds.is_implicit_VR=False
    return ds
ds = make(90, True, (5, 5), (124, 124))
ds.GraphicLayerSequence = Sequence([Dataset()])
layer = ds.GraphicLayerSequence[0]
layer.GraphicLayer = 'LAYER1'; layer.GraphicLayerOrder = 1; layer.GraphicLayerRecommendedDisplayGrayscaleValue = 0xFFFF
def graphic(kind, pts):
    g = Dataset(); g.GraphicAnnotationUnits = 'PIXEL'; g.GraphicDimensions = 2; g.NumberOfGraphicPoints = len(pts) // 2
    g.GraphicData = pts; g.GraphicType = kind; g.GraphicFilled = 'N'; return g
text = Dataset(); text.BoundingBoxAnnotationUnits = 'PIXEL'; text.UnformattedTextValue = 'Hi 42'
text.BoundingBoxTopLeftHandCorner = [20.0, 20.0]; text.BoundingBoxBottomRightHandCorner = [60.0, 30.0]
text.BoundingBoxTextHorizontalJustification = 'LEFT'
ann = Dataset(); ann.ReferencedImageSequence = Sequence([ref()]); ann.GraphicLayer = 'LAYER1'
ann.TextObjectSequence = Sequence([text])
ann.GraphicObjectSequence = Sequence([graphic('POLYLINE', [30.0, 80.0, 60.0, 95.0, 90.0, 80.0]),
                                      graphic('CIRCLE', [64.0, 64.0, 64.0, 84.0])])
ds.GraphicAnnotationSequence = Sequence([ann])
ds.save_as(os.path.join(here, 'CT_small_gsps.dcm'), write_like_original=False)
