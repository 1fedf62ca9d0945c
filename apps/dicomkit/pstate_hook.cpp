// `dicomkit render --pstate`: presentation states are not applied by this build yet.
#include "pstate_hook.hpp"

namespace dicomkit::cli {

Result<RasterStep> apply_presentation_state(const std::string& path, const DataSet&, pixel::render::Pipeline&) {
    return Unexpected(Error(ErrorCode::Unsupported, "presentation states are not supported yet: " + path));
}

}  // namespace dicomkit::cli
