#include <dicomkit/media/record_types.hpp>

#include <array>

#include <dicomkit/dict/tags.hpp>

namespace dicomkit::media {
namespace {

namespace t = dicomkit::tags;

constexpr RecordKey kPatient[] = {{t::PatientName, '2'}, {t::PatientID, '1'}};
constexpr RecordKey kStudy[] = {{t::StudyDate, '1'},        {t::StudyTime, '1'}, {t::AccessionNumber, '2'},
                                {t::StudyDescription, '2'}, {t::StudyInstanceUID, '1'}, {t::StudyID, '1'}};
constexpr RecordKey kSeries[] = {{t::Modality, '1'}, {t::SeriesInstanceUID, '1'}, {t::SeriesNumber, '1'}};
constexpr RecordKey kImage[] = {{t::InstanceNumber, '1'}};
constexpr RecordKey kRtDose[] = {{t::InstanceNumber, '1'}, {t::DoseSummationType, '1'}};
constexpr RecordKey kRtStructureSet[] = {{t::InstanceNumber, '1'},
                                         {t::StructureSetLabel, '1'},
                                         {t::StructureSetDate, '2'},
                                         {t::StructureSetTime, '2'}};
constexpr RecordKey kRtPlan[] = {
    {t::InstanceNumber, '1'}, {t::RTPlanLabel, '1'}, {t::RTPlanDate, '2'}, {t::RTPlanTime, '2'}};
constexpr RecordKey kRtTreatRecord[] = {{t::InstanceNumber, '1'}, {t::TreatmentDate, '2'}, {t::TreatmentTime, '2'}};
constexpr RecordKey kPresentation[] = {{t::InstanceNumber, '1'},
                                       {t::ReferencedSeriesSequence, '3'},
                                       {t::ContentLabel, '1'},
                                       {t::ContentDescription, '2'},
                                       {t::PresentationCreationDate, '1'},
                                       {t::PresentationCreationTime, '1'},
                                       {t::ContentCreatorName, '2'}};
constexpr RecordKey kWaveform[] = {{t::ContentDate, '1'}, {t::ContentTime, '1'}, {t::InstanceNumber, '1'}};
constexpr RecordKey kSrDocument[] = {{t::ContentDate, '1'},      {t::ContentTime, '1'},
                                     {t::InstanceNumber, '1'},   {t::VerificationDateTime, '3'},
                                     {t::ConceptNameCodeSequence, '1'}, {t::CompletionFlag, '1'},
                                     {t::VerificationFlag, '1'}};
constexpr RecordKey kKeyObjectDoc[] = {
    {t::ContentDate, '1'}, {t::ContentTime, '1'}, {t::InstanceNumber, '1'}, {t::ConceptNameCodeSequence, '1'}};
constexpr RecordKey kSpectroscopy[] = {{t::ImageType, '1'},      {t::ContentDate, '1'},    {t::ContentTime, '1'},
                                       {t::InstanceNumber, '1'}, {t::NumberOfFrames, '1'}, {t::Rows, '1'},
                                       {t::Columns, '1'},        {t::DataPointRows, '1'}, {t::DataPointColumns, '1'}};
constexpr RecordKey kRawData[] = {{t::ContentDate, '1'}, {t::ContentTime, '1'}, {t::InstanceNumber, '1'}};
// REGISTRATION, FIDUCIAL, VALUE MAP and SURFACE share these keys.
constexpr RecordKey kLabelled[] = {{t::ContentDate, '1'},        {t::ContentTime, '1'},
                                   {t::InstanceNumber, '1'},     {t::ContentLabel, '1'},
                                   {t::ContentDescription, '2'}, {t::ContentCreatorName, '2'}};
constexpr RecordKey kEncapDoc[] = {{t::ContentDate, '2'},
                                   {t::ContentTime, '2'},
                                   {t::InstanceNumber, '1'},
                                   {t::ConceptNameCodeSequence, '2'},
                                   {t::DocumentTitle, '2'},
                                   {t::MIMETypeOfEncapsulatedDocument, '1'}};
constexpr RecordKey kInstanceOnly[] = {{t::InstanceNumber, '1'}};

struct TypeKeys {
    std::string_view type;
    std::span<const RecordKey> keys;
};

constexpr std::array kTypes{
    TypeKeys{"PATIENT", kPatient},
    TypeKeys{"STUDY", kStudy},
    TypeKeys{"SERIES", kSeries},
    TypeKeys{"IMAGE", kImage},
    TypeKeys{"RT DOSE", kRtDose},
    TypeKeys{"RT STRUCTURE SET", kRtStructureSet},
    TypeKeys{"RT PLAN", kRtPlan},
    TypeKeys{"RT TREAT RECORD", kRtTreatRecord},
    TypeKeys{"PRESENTATION", kPresentation},
    TypeKeys{"WAVEFORM", kWaveform},
    TypeKeys{"SR DOCUMENT", kSrDocument},
    TypeKeys{"KEY OBJECT DOC", kKeyObjectDoc},
    TypeKeys{"SPECTROSCOPY", kSpectroscopy},
    TypeKeys{"RAW DATA", kRawData},
    TypeKeys{"REGISTRATION", kLabelled},
    TypeKeys{"FIDUCIAL", kLabelled},
    TypeKeys{"VALUE MAP", kLabelled},
    TypeKeys{"SURFACE", kLabelled},
    TypeKeys{"ENCAP DOC", kEncapDoc},
    TypeKeys{"STEREOMETRIC", {}},
    TypeKeys{"MEASUREMENT", kInstanceOnly},
};

struct ClassType {
    std::string_view uid;  ///< a whole UID, or a prefix ending in '.'
    std::string_view type;
};

// PS3.3 Table F.4-1 and the record definitions of F.5, by SOP Class. Exact UIDs come first, then
// the families matched by prefix.
constexpr std::array kClasses{
    ClassType{"1.2.840.10008.5.1.4.1.1.481.1", "IMAGE"},  // RT Image
    ClassType{"1.2.840.10008.5.1.4.1.1.481.2", "RT DOSE"},
    ClassType{"1.2.840.10008.5.1.4.1.1.481.3", "RT STRUCTURE SET"},
    ClassType{"1.2.840.10008.5.1.4.1.1.481.4", "RT TREAT RECORD"},  // Beams
    ClassType{"1.2.840.10008.5.1.4.1.1.481.5", "RT PLAN"},
    ClassType{"1.2.840.10008.5.1.4.1.1.481.6", "RT TREAT RECORD"},  // Brachy
    ClassType{"1.2.840.10008.5.1.4.1.1.481.7", "RT TREAT RECORD"},  // Summary
    ClassType{"1.2.840.10008.5.1.4.1.1.481.8", "RT PLAN"},          // Ion Plan
    ClassType{"1.2.840.10008.5.1.4.1.1.481.9", "RT TREAT RECORD"},  // Ion Beams
    ClassType{"1.2.840.10008.5.1.4.1.1.88.59", "KEY OBJECT DOC"},
    ClassType{"1.2.840.10008.5.1.4.1.1.4.2", "SPECTROSCOPY"},
    ClassType{"1.2.840.10008.5.1.4.1.1.66", "RAW DATA"},
    ClassType{"1.2.840.10008.5.1.4.1.1.66.1", "REGISTRATION"},
    ClassType{"1.2.840.10008.5.1.4.1.1.66.2", "FIDUCIAL"},
    ClassType{"1.2.840.10008.5.1.4.1.1.66.3", "REGISTRATION"},  // Deformable
    ClassType{"1.2.840.10008.5.1.4.1.1.66.4", "IMAGE"},         // Segmentation
    ClassType{"1.2.840.10008.5.1.4.1.1.66.5", "SURFACE"},
    ClassType{"1.2.840.10008.5.1.4.1.1.67", "VALUE MAP"},
    ClassType{"1.2.840.10008.5.1.4.1.1.77.1.5.3", "STEREOMETRIC"},
    ClassType{"1.2.840.10008.5.1.4.1.1.78.", "MEASUREMENT"},   // ophthalmic measurements
    ClassType{"1.2.840.10008.5.1.4.1.1.88.", "SR DOCUMENT"},
    ClassType{"1.2.840.10008.5.1.4.1.1.11.", "PRESENTATION"},
    ClassType{"1.2.840.10008.5.1.4.1.1.9.", "WAVEFORM"},
    ClassType{"1.2.840.10008.5.1.4.1.1.104.", "ENCAP DOC"},
};

}  // namespace

std::span<const RecordKey> record_keys(std::string_view record_type) noexcept {
    for (const auto& t : kTypes)
        if (t.type == record_type) return t.keys;
    return {};
}

std::string_view record_type_for(std::string_view uid, bool has_pixels) noexcept {
    for (const auto& c : kClasses)
        if (c.uid.back() != '.' && c.uid == uid) return c.type;
    for (const auto& c : kClasses)
        if (c.uid.back() == '.' && uid.starts_with(c.uid)) return c.type;
    return has_pixels ? std::string_view("IMAGE") : std::string_view();
}

}  // namespace dicomkit::media
