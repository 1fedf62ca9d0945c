// The place `dicomkit render --pstate` applies a Grayscale Softcopy Presentation State.
#pragma once

#include <functional>
#include <string>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/dataset.hpp>
#include <dicomkit/pixel/render/pipeline.hpp>

namespace dicomkit::cli {

/// What a presentation state does after the pipeline: applied to the full-size rendered frame
/// (spatial transformation, displayed area, shutters, annotations).
using RasterStep = std::function<Result<void>(pixel::render::Raster&)>;

/// Reads the presentation state at `path`, checks that it references `image`, and sets its
/// modality, VOI and presentation stages in `pipeline`; returns the step for the raster.
[[nodiscard]] Result<RasterStep> apply_presentation_state(const std::string& path, const DataSet& image,
                                                          pixel::render::Pipeline& pipeline);

}  // namespace dicomkit::cli
