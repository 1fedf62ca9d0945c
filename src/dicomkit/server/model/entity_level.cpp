// Attribute -> Q/R level, from the modules of the Patient, Study and Series IEs (PS3.3 C.7.1-C.7.5).
#include <dicomkit/server/model/entity_level.hpp>

#include <algorithm>
#include <array>
#include <utility>

namespace dicomkit::server::model {

namespace {

using enum Level;

/// The attributes outside group 0010 at the Patient, Study and Series levels, and those of group
/// 0010 that are not at the Patient level; sorted by tag.
constexpr std::array<std::pair<std::uint32_t, Level>, 106> kLevels{{
    {0x00080020, Study},   // StudyDate
    {0x00080021, Series},  // SeriesDate
    {0x00080030, Study},   // StudyTime
    {0x00080031, Series},  // SeriesTime
    {0x00080050, Study},   // AccessionNumber
    {0x00080051, Study},   // IssuerOfAccessionNumberSequence
    {0x00080060, Series},  // Modality
    {0x00080061, Study},   // ModalitiesInStudy
    {0x00080062, Study},   // SOPClassesInStudy
    {0x00080063, Study},   // AnatomicRegionsInStudyCodeSequence
    {0x00080064, Series},  // ConversionType (SC Equipment)
    {0x00080070, Series},  // Manufacturer
    {0x00080080, Series},  // InstitutionName
    {0x00080081, Series},  // InstitutionAddress
    {0x00080090, Study},   // ReferringPhysicianName
    {0x00080096, Study},   // ReferringPhysicianIdentificationSequence
    {0x0008009C, Study},   // ConsultingPhysicianName
    {0x0008009D, Study},   // ConsultingPhysicianIdentificationSequence
    {0x00081010, Series},  // StationName
    {0x00081030, Study},   // StudyDescription
    {0x00081032, Study},   // ProcedureCodeSequence
    {0x0008103E, Series},  // SeriesDescription
    {0x0008103F, Series},  // SeriesDescriptionCodeSequence
    {0x00081040, Series},  // InstitutionalDepartmentName
    {0x00081041, Series},  // InstitutionalDepartmentTypeCodeSequence
    {0x00081048, Study},   // PhysiciansOfRecord
    {0x00081049, Study},   // PhysiciansOfRecordIdentificationSequence
    {0x00081050, Series},  // PerformingPhysicianName
    {0x00081052, Series},  // PerformingPhysicianIdentificationSequence
    {0x00081060, Study},   // NameOfPhysiciansReadingStudy
    {0x00081062, Study},   // PhysiciansReadingStudyIdentificationSequence
    {0x00081070, Series},  // OperatorsName
    {0x00081072, Series},  // OperatorIdentificationSequence
    {0x00081080, Study},   // AdmittingDiagnosesDescription
    {0x00081084, Study},   // AdmittingDiagnosesCodeSequence
    {0x00081090, Series},  // ManufacturerModelName
    {0x00081110, Study},   // ReferencedStudySequence
    {0x00081111, Series},  // ReferencedPerformedProcedureStepSequence
    {0x00081120, Patient}, // ReferencedPatientSequence
    {0x00081250, Series},  // RelatedSeriesSequence
    {0x00101010, Study},   // PatientAge
    {0x00101020, Study},   // PatientSize
    {0x00101021, Study},   // PatientSizeCodeSequence
    {0x00101022, Study},   // PatientBodyMassIndex
    {0x00101023, Study},   // MeasuredAPDimension
    {0x00101024, Study},   // MeasuredLateralDimension
    {0x00101030, Study},   // PatientWeight
    {0x00101080, Study},   // MilitaryRank
    {0x00101081, Study},   // BranchOfService
    {0x00102000, Study},   // MedicalAlerts
    {0x00102110, Study},   // Allergies
    {0x00102180, Study},   // Occupation
    {0x001021A0, Study},   // SmokingStatus
    {0x001021B0, Study},   // AdditionalPatientHistory
    {0x001021C0, Study},   // PregnancyStatus
    {0x001021D0, Study},   // LastMenstrualDate
    {0x00102210, Series},  // AnatomicalOrientationType
    {0x00180015, Series},  // BodyPartExamined
    {0x00181000, Series},  // DeviceSerialNumber
    {0x00181002, Series},  // DeviceUID
    {0x00181008, Series},  // GantryID
    {0x00181009, Series},  // UniqueDeviceIdentifier
    {0x0018100A, Series},  // UDISequence
    {0x00181016, Series},  // SecondaryCaptureDeviceManufacturer
    {0x00181018, Series},  // SecondaryCaptureDeviceManufacturerModelName
    {0x00181019, Series},  // SecondaryCaptureDeviceSoftwareVersions
    {0x00181020, Series},  // SoftwareVersions
    {0x00181022, Series},  // VideoImageFormatAcquired
    {0x00181023, Series},  // DigitalImageFormatAcquired
    {0x00181030, Series},  // ProtocolName
    {0x00181050, Series},  // SpatialResolution
    {0x00181200, Series},  // DateOfLastCalibration
    {0x00181201, Series},  // TimeOfLastCalibration
    {0x00185100, Series},  // PatientPosition
    {0x0020000D, Study},   // StudyInstanceUID
    {0x0020000E, Series},  // SeriesInstanceUID
    {0x00200010, Study},   // StudyID
    {0x00200011, Series},  // SeriesNumber
    {0x00200052, Series},  // FrameOfReferenceUID
    {0x00200060, Series},  // Laterality
    {0x00201040, Series},  // PositionReferenceIndicator
    {0x00201070, Study},   // OtherStudyNumbers
    {0x00280108, Series},  // SmallestPixelValueInSeries
    {0x00280109, Series},  // LargestPixelValueInSeries
    {0x00321033, Study},   // RequestingService
    {0x00321034, Study},   // RequestingServiceCodeSequence
    {0x00321066, Study},   // ReasonForVisit
    {0x00321067, Study},   // ReasonForVisitCodeSequence
    {0x00380010, Study},   // AdmissionID
    {0x00380014, Study},   // IssuerOfAdmissionIDSequence
    {0x00380060, Study},   // ServiceEpisodeID
    {0x00380062, Study},   // ServiceEpisodeDescription
    {0x00380064, Study},   // IssuerOfServiceEpisodeIDSequence
    {0x00380500, Study},   // PatientState
    {0x00400244, Series},  // PerformedProcedureStepStartDate
    {0x00400245, Series},  // PerformedProcedureStepStartTime
    {0x00400250, Series},  // PerformedProcedureStepEndDate
    {0x00400251, Series},  // PerformedProcedureStepEndTime
    {0x00400253, Series},  // PerformedProcedureStepID
    {0x00400254, Series},  // PerformedProcedureStepDescription
    {0x00400260, Series},  // PerformedProtocolCodeSequence
    {0x00400261, Series},  // PerformedProtocolType
    {0x00400275, Series},  // RequestAttributesSequence
    {0x00400280, Series},  // CommentsOnThePerformedProcedureStep
    {0x00401012, Study},   // ReasonForPerformedProcedureCodeSequence
    {0x4008010C, Study},   // InterpretationAuthor
}};

static_assert(std::is_sorted(kLevels.begin(), kLevels.end(),
                             [](const auto& a, const auto& b) { return a.first < b.first; }));

/// Group 0012: Clinical Trial Subject (Patient), Study (0050-0054) and Series (0060, 0071-0073).
Level clinical_trial_level(std::uint16_t element) noexcept {
    if (element >= 0x0050 && element <= 0x0054) return Study;
    if (element == 0x0060 || (element >= 0x0071 && element <= 0x0073)) return Series;
    return Patient;
}

}  // namespace

Level entity_level(Tag tag) noexcept {
    const auto it = std::lower_bound(kLevels.begin(), kLevels.end(), tag.value(),
                                     [](const auto& entry, std::uint32_t v) { return entry.first < v; });
    if (it != kLevels.end() && it->first == tag.value()) return it->second;
    if (tag.group == 0x0010) return Patient;
    if (tag.group == 0x0012) return clinical_trial_level(tag.element);
    return Image;
}

}  // namespace dicomkit::server::model
