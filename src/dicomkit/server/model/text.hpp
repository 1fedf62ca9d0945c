// Element values as UTF-8 text for the index: decoded with the data set's Specific Character Set.
#pragma once

#include <string>
#include <vector>

#include <dicomkit/core/charset.hpp>
#include <dicomkit/core/dataset.hpp>

namespace dicomkit::server::model {

/// PS3.5 6.1.2.5: the values of a string element decoded to UTF-8 (lenient: undecodable bytes
/// become U+FFFD), padding removed; empty for a non-string or empty element.
[[nodiscard]] std::vector<std::string> decoded_values(const Element& e, const SpecificCharacterSet& charset);
/// The first value of `tag` in `ds` as UTF-8, "" when absent.
[[nodiscard]] std::string decoded_value(const DataSet& ds, Tag tag, const SpecificCharacterSet& charset);

}  // namespace dicomkit::server::model
