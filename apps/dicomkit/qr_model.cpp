// Query/Retrieve information models by name, for find, move and get.
#include "qr_model.hpp"

#include <algorithm>
#include <cctype>

#include <dicomkit/server/model/non_patient.hpp>

namespace dicomkit::cli {

namespace {

/// "Color Palette" -> "color-palette".
std::string option_name(std::string_view model_name) {
    std::string out;
    for (char c : model_name) out += c == ' ' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace

std::vector<std::string> qr_model_names() {
    std::vector<std::string> out{"patient", "study", "worklist"};
    for (const auto& m : server::model::non_patient_models())
        if (!m.find.empty()) out.push_back(option_name(m.name));
    return out;
}

Result<QrModel> qr_model(const std::string& name, bool patient_root) {
    // PS3.4 C.6.1.1.2, C.6.2.1.1: the FIND, MOVE and GET SOP classes of the two roots.
    if (name == "patient" || (name.empty() && patient_root))
        return QrModel{"Patient Root", "1.2.840.10008.5.1.4.1.2.1.1", "1.2.840.10008.5.1.4.1.2.1.2",
                       "1.2.840.10008.5.1.4.1.2.1.3", true, {}};
    if (name == "study" || name.empty())
        return QrModel{"Study Root", "1.2.840.10008.5.1.4.1.2.2.1", "1.2.840.10008.5.1.4.1.2.2.2",
                       "1.2.840.10008.5.1.4.1.2.2.3", true, {}};
    // PS3.4 K.6.1.2: Modality Worklist, FIND only, no levels.
    if (name == "worklist") return QrModel{"Modality Worklist", "1.2.840.10008.5.1.4.31", "", "", false, {}};
    for (const auto& m : server::model::non_patient_models()) {
        if (m.find.empty() || option_name(m.name) != name) continue;
        QrModel out{std::string(m.name), std::string(m.find), std::string(m.move), std::string(m.get), false, {}};
        for (auto s : m.storage) out.storage.emplace_back(s);
        return out;
    }
    return make_error(ErrorCode::InvalidArgument, "--model " + name + ": not a Query/Retrieve information model");
}

void add_model_option(CLI::App* cmd, std::string& model) {
    std::string names;
    for (const auto& n : qr_model_names()) names += (names.empty() ? "" : ", ") + n;
    cmd->add_option("--model", model,
                    "Information model: " + names +
                        " (the non-patient models have no levels: keys such as SOPInstanceUID=... alone)")
        ->check(CLI::IsMember(qr_model_names()));
}

}  // namespace dicomkit::cli
