// The Query/Retrieve information model a find, move or get speaks: Patient Root, Study Root, or
// one of the non-patient models (Color Palette, Hanging Protocol, implant templates, Defined
// Procedure Protocol, Protocol Approval), or Modality Worklist (find only), chosen with -P, -S or --model.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include <dicomkit/base/error.hpp>

namespace dicomkit::cli {

struct QrModel {
    std::string name;                ///< for messages: "Study Root", "Color Palette", ...
    std::string find, move, get;     ///< the model's SOP Class UIDs
    bool levels = true;              ///< false: no Query/Retrieve Level (the non-patient models)
    std::vector<std::string> storage;  ///< non-patient: the storage SOP classes a get receives
};

/// The names --model takes: patient, study, and one per non-patient model ("color-palette",
/// "hanging-protocol", ...).
[[nodiscard]] std::vector<std::string> qr_model_names();
/// The model for --model `name` (empty: from -P, else Study Root). A model without a C-MOVE/C-GET
/// or C-FIND SOP class is an error when used for that.
[[nodiscard]] Result<QrModel> qr_model(const std::string& name, bool patient_root);
/// Adds --model to a find, move or get.
void add_model_option(CLI::App* cmd, std::string& model);

}  // namespace dicomkit::cli
