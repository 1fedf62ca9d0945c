// What an HL7 message means for the worklist: orders (ORM^O01, OMI^O23) as Modality Worklist
// items, patient updates (ADT^A08) and merges (ADT^A40). The mapping follows IHE Radiology
// RAD-4/RAD-13 (Procedure Scheduled/Updated); docs/hl7.md lists it field by field.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/dataset.hpp>
#include <dicomkit/hl7/message.hpp>

namespace dicomkit::hl7 {

struct OrderEvent {
    /// ORC-1: NW New, XO Change, CA/OC Cancel, DC/OD Discontinue.
    enum class Control { New, Change, Cancel, Discontinue };
    Control control = Control::New;
    /// The placer order number (ORC-2, else OBR-2) with its namespace: "ID^NAMESPACE", or "ID"
    /// when it has none.
    std::string order_key;
    /// A Modality Worklist item in ISO_IR 192: patient, visit, imaging service request, requested
    /// procedure and a Scheduled Procedure Step Sequence of one item (status SCHEDULED).
    DataSet item;
};

/// ADT^A08: Patient ID, Issuer of Patient ID, name, birth date, sex (ISO_IR 192).
struct PatientUpdate {
    DataSet patient;
};

/// ADT^A40: the patient of MRG-1 (ID and assigning authority) is merged into PID's.
struct PatientMerge {
    std::string old_patient_id;
    std::string old_issuer;
    DataSet patient;
};

using Event = std::variant<OrderEvent, PatientUpdate, PatientMerge>;

/// "NW", "XO", "CA", "DC".
[[nodiscard]] std::string_view to_string(OrderEvent::Control c) noexcept;

/// Every event of a message: one per order (ORC group) of an ORM/OMI, one for an ADT. An order
/// message whose ORC-1 is SC (status changed) or whose orders are all status changes gives none.
/// Errors: Unsupported for other message types or events; NotFound for a missing required field
/// (PID-3, ORC-1, the placer order number) with the field in tag_path ("PID-3"); InvalidValue for
/// an order control code other than NW, XO, CA, OC, DC, OD, SC.
[[nodiscard]] Result<std::vector<Event>> interpret_all(const Message& m);
/// The first event of interpret_all; NotFound when there is none (a status change).
[[nodiscard]] Result<Event> interpret(const Message& m);

/// The patient attributes of a PID segment (Patient ID, Issuer of Patient ID with its
/// qualifiers, Patient's Name, Birth Date, Sex), and the Specific Character Set ISO_IR 192.
[[nodiscard]] Result<DataSet> patient_from_pid(const Message& m, const Segment& pid);

/// A "2.25." UID derived from `key` (the same key gives the same UID).
[[nodiscard]] std::string uid_from_key(std::string_view key);

}  // namespace dicomkit::hl7
