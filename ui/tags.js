// Keywords of common attributes (PS3.6), for the tag dump; others show their tag and VR only.
const TABLE = `
00020001 FileMetaInformationVersion 00020002 MediaStorageSOPClassUID 00020003 MediaStorageSOPInstanceUID
00020010 TransferSyntaxUID 00020012 ImplementationClassUID 00020013 ImplementationVersionName
00080005 SpecificCharacterSet 00080008 ImageType 00080012 InstanceCreationDate 00080013 InstanceCreationTime
00080016 SOPClassUID 00080018 SOPInstanceUID 00080020 StudyDate 00080021 SeriesDate 00080022 AcquisitionDate
00080023 ContentDate 00080030 StudyTime 00080031 SeriesTime 00080032 AcquisitionTime 00080033 ContentTime
00080050 AccessionNumber 00080060 Modality 00080061 ModalitiesInStudy 00080064 ConversionType
00080070 Manufacturer 00080080 InstitutionName 00080090 ReferringPhysicianName 00081010 StationName
00081030 StudyDescription 0008103E SeriesDescription 00081040 InstitutionalDepartmentName
00081050 PerformingPhysicianName 00081090 ManufacturerModelName 00081140 ReferencedImageSequence
00081150 ReferencedSOPClassUID 00081155 ReferencedSOPInstanceUID 00081190 RetrieveURL
00082111 DerivationDescription 00082112 SourceImageSequence 00100010 PatientName 00100020 PatientID
00100030 PatientBirthDate 00100040 PatientSex 00101010 PatientAge 00101020 PatientSize 00101030 PatientWeight
00180015 BodyPartExamined 00180050 SliceThickness 00180060 KVP 00180088 SpacingBetweenSlices
00181020 SoftwareVersions 00181030 ProtocolName 00181100 ReconstructionDiameter 00181150 ExposureTime
00181151 XRayTubeCurrent 00181152 Exposure 00181210 ConvolutionKernel 00185100 PatientPosition
00180080 RepetitionTime 00180081 EchoTime 00180087 MagneticFieldStrength 00181314 FlipAngle
0020000D StudyInstanceUID 0020000E SeriesInstanceUID 00200010 StudyID 00200011 SeriesNumber
00200012 AcquisitionNumber 00200013 InstanceNumber 00200020 PatientOrientation 00200032 ImagePositionPatient
00200037 ImageOrientationPatient 00200052 FrameOfReferenceUID 00201040 PositionReferenceIndicator
00201041 SliceLocation 00201206 NumberOfStudyRelatedSeries 00201208 NumberOfStudyRelatedInstances
00201209 NumberOfSeriesRelatedInstances 00280002 SamplesPerPixel 00280004 PhotometricInterpretation
00280006 PlanarConfiguration 00280008 NumberOfFrames 00280010 Rows 00280011 Columns 00280030 PixelSpacing
00280100 BitsAllocated 00280101 BitsStored 00280102 HighBit 00280103 PixelRepresentation
00280106 SmallestImagePixelValue 00280107 LargestImagePixelValue 00281050 WindowCenter 00281051 WindowWidth
00281052 RescaleIntercept 00281053 RescaleSlope 00281054 RescaleType 00281055 WindowCenterWidthExplanation
00282110 LossyImageCompression 00282112 LossyImageCompressionRatio 00282114 LossyImageCompressionMethod
00321060 RequestedProcedureDescription 00400244 PerformedProcedureStepStartDate
00400253 PerformedProcedureStepID 00400254 PerformedProcedureStepDescription 00080100 CodeValue
00080102 CodingSchemeDesignator 00080104 CodeMeaning 00081199 ReferencedSOPSequence
00081198 FailedSOPSequence 00081197 FailureReason 00400275 RequestAttributesSequence
7FE00010 PixelData 7FE00008 FloatPixelData 7FE00009 DoubleFloatPixelData 00283010 VOILUTSequence
00283000 ModalityLUTSequence 00540081 NumberOfSlices 00189087 DiffusionBValue`;

const KEYWORDS = new Map();
{
  const words = TABLE.trim().split(/\s+/);
  for (let i = 0; i + 1 < words.length; i += 2) KEYWORDS.set(words[i], words[i + 1]);
}

/// The keyword of an 8-hex-digit tag ("00100010" -> "PatientName"), '' when unknown.
export function keyword(tag) {
  const t = tag.toUpperCase();
  if (KEYWORDS.has(t)) return KEYWORDS.get(t);
  if (t.endsWith('0000')) return 'GroupLength';
  if (parseInt(t.slice(0, 4), 16) % 2 === 1) return t.slice(4, 6) === '00' ? 'PrivateCreator' : '(private)';
  return '';
}

export const formatTag = (tag) => `(${tag.slice(0, 4)},${tag.slice(4)})`.toUpperCase();
