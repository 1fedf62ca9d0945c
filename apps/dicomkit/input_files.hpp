// The files a command is given: files as named, folders read recursively in name order.
#pragma once

#include <string>
#include <vector>

namespace dicomkit::cli {

struct InputFile {
    std::string path;
    bool from_folder = false;  ///< found in a folder (not named on the command line)
};

/// Appends the files of `inputs` to `out`; false (each problem logged, naming the path) when a
/// path does not exist or a folder cannot be read to its end.
bool collect_input_files(const std::vector<std::string>& inputs, std::vector<InputFile>& out);

}  // namespace dicomkit::cli
