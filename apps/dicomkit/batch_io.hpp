// BatchFileIo: one worker's file access for a batch that reads many files and writes one output
// each (anonymize): folders stay open between files, so a name is looked up in its folder rather
// than walked from the root, and the read and write buffers are reused, so a small file costs
// openat + read + close to read and openat + write + close + renameat to write, with no
// allocation for its bytes. Outputs appear only complete: written as an unnamed file in the
// target folder (O_TMPFILE) and linked under its name (openat + write + linkat + close), or
// where that is not available written under a temporary name, then renamed; an existing target
// is replaced by a rename. On failure no partial file remains and the target is untouched.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <sys/types.h>

#include <dicomkit/base/error.hpp>
#include <dicomkit/base/mapped_file.hpp>

namespace dicomkit::cli {

class BatchFileIo {
public:
    /// `pid` names the temporary files (".NAME.tmpPID"), so that two runs writing into one folder
    /// never share one; it is asked for once, not per file.
    explicit BatchFileIo(pid_t pid) : pid_(pid) {}
    BatchFileIo(const BatchFileIo&) = delete;
    BatchFileIo& operator=(const BatchFileIo&) = delete;
    ~BatchFileIo();

    /// Reads the regular file `name` of folder `dir` whole; the bytes stay valid until the next
    /// read. Errors name dir/name.
    [[nodiscard]] Result<std::span<const std::uint8_t>> read(const std::string& dir, const std::string& name);
    /// Writes `bytes` as `name` in folder `dir` (which must exist) through a temporary file and a
    /// rename. Errors name dir/name.
    [[nodiscard]] Result<void> write(const std::string& dir, const std::string& name, std::span<const std::uint8_t> bytes);

    /// The buffer callers encode into (its capacity is kept from file to file).
    std::vector<std::uint8_t> out;

private:
    struct Folder {
        std::string path;
        int fd = -1;
    };
    [[nodiscard]] Result<int> folder(Folder& f, const std::string& path);

    pid_t pid_;
    bool unnamed_files_ = true;  ///< O_TMPFILE + linkat works here (until it fails once)
    Folder in_, out_dir_;
    RawBuffer buffer_;
    std::string tmp_;
};

}  // namespace dicomkit::cli
