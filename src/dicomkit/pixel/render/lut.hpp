// The functions of the grayscale pipeline one by one (PS3.3 C.11): VOI window functions, LUT
// lookup and LUT Descriptor/Data parsing, each usable and testable on its own.
#pragma once

#include <cstdint>
#include <optional>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/dataset.hpp>
#include <dicomkit/pixel/render/pipeline.hpp>

namespace dicomkit::pixel::render {

/// PS3.3 C.11.2.1.2.1: the LINEAR function of window centre `c` and width `w` (w >= 1) for
/// input `x`, output in [ymin, ymax].
[[nodiscard]] double voi_linear(double x, double c, double w, double ymin, double ymax) noexcept;
/// PS3.3 C.11.2.1.3.2: LINEAR_EXACT (w > 0).
[[nodiscard]] double voi_linear_exact(double x, double c, double w, double ymin, double ymax) noexcept;
/// PS3.3 C.11.2.1.3.1: SIGMOID, ymax / (1 + exp(-4 (x - c) / w)) shifted to [ymin, ymax].
[[nodiscard]] double voi_sigmoid(double x, double c, double w, double ymin, double ymax) noexcept;
/// The window's function applied to `x`.
[[nodiscard]] double apply_window(const Window& win, double x, double ymin, double ymax) noexcept;

/// PS3.3 C.11.1.1: the entry of `lut` for input `x` (inputs below the first mapped value give
/// the first entry, above the last the last entry). An empty LUT gives 0.
[[nodiscard]] std::uint16_t lut_lookup(const Lut& lut, std::int64_t x) noexcept;

/// The largest value an entry of `lut` may have: 2^bits - 1.
[[nodiscard]] double lut_max(const Lut& lut) noexcept;

/// A LUT from an item holding LUT Descriptor (0028,3002), LUT Data (0028,3006) and LUT
/// Explanation (0028,3003) (Modality, VOI or Presentation LUT Sequence items). The descriptor's
/// first value 0 means 65536 entries; its second is signed when `signed_first` (Pixel
/// Representation 1 for Modality and VOI LUTs), unsigned otherwise; 8-bit entries are read one a
/// word, or two a word when the data holds exactly as many bytes as entries.
[[nodiscard]] Result<Lut> parse_lut(const DataSet& item, bool signed_first);

/// A palette LUT (PS3.3 C.7.6.3.1.5-6): descriptor `descriptor`, data `data` or, when absent,
/// the Segmented Palette Color LUT Data `segmented` (C.7.9.2: discrete, linear and indirect
/// segments).
[[nodiscard]] Result<Lut> parse_palette_lut(const DataSet& ds, Tag descriptor, Tag data, Tag segmented);

}  // namespace dicomkit::pixel::render
