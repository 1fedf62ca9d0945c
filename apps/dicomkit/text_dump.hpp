// The human-readable dump of a data set, in the layout dcmdump users know:
// tag, VR, value, then "# length, VM keyword".
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <dicomkit/core/charset.hpp>
#include <dicomkit/core/dataset.hpp>

namespace dicomkit::cli {

struct DumpOptions {
    bool full = false;               ///< do not cut long values
    std::size_t max_value_chars = 64;
    std::vector<Tag> only_tags;      ///< when not empty: print only these (at any depth)
    /// The first bytes of a deferred value, for display (values are deferred to skip pixel data).
    std::function<Bytes(const Element&, std::size_t)> peek_deferred;
};

/// Appends the dump of `ds` (and its items, indented) to `out`.
void dump_dataset(const DataSet& ds, const SpecificCharacterSet& charset, const DumpOptions& options,
                  std::string& out, int depth = 0);

}  // namespace dicomkit::cli
