// file_floor: the file work of a de-identification run and nothing else, as a lower bound for
// bench/deid. Reads every regular file under IN (one read of up to 256 KB each, as
// `dicomkit anonymize` reads a small file: openat, read, close) and writes its bytes unchanged
// under OUT as `dicomkit anonymize` writes an output (an unnamed file in the target folder, then
// linked under its name: openat O_TMPFILE, write, linkat, close), one output folder per input
// folder, the files cut into JOBS contiguous runs, one thread each.
// usage: file_floor IN OUT JOBS
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {

struct File {
    std::size_t folder;
    std::string name;
};

void scan(const std::string& dir, const std::string& rel, std::vector<std::string>& folders, std::vector<File>& files) {
    DIR* d = ::opendir(dir.c_str());
    if (!d) return;
    const std::size_t index = folders.size();
    folders.push_back(rel);
    std::vector<std::string> subs;
    while (const dirent* e = ::readdir(d)) {
        const std::string name = e->d_name;
        if (name == "." || name == "..") continue;
        if (e->d_type == DT_DIR) subs.push_back(name);
        else if (e->d_type == DT_REG) files.push_back(File{index, name});
    }
    ::closedir(d);
    for (const std::string& s : subs) scan(dir + "/" + s, rel + "/" + s, folders, files);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: file_floor IN OUT JOBS\n");
        return 2;
    }
    const std::string in = argv[1], out = argv[2];
    const unsigned jobs = static_cast<unsigned>(std::max(1, std::atoi(argv[3])));
    std::vector<std::string> folders;
    std::vector<File> files;
    scan(in, "", folders, files);
    for (const std::string& f : folders) ::mkdir((out + f).c_str(), 0755);
    int failures = 0;
    auto work = [&](unsigned w) {
        std::vector<char> buffer(256 * 1024);
        std::size_t open_folder = SIZE_MAX;
        int in_dir = -1, out_dir = -1;
        const std::size_t begin = files.size() * w / jobs, end = files.size() * (w + 1) / jobs;
        for (std::size_t i = begin; i < end; ++i) {
            const File& f = files[i];
            if (f.folder != open_folder) {
                if (in_dir >= 0) ::close(in_dir);
                if (out_dir >= 0) ::close(out_dir);
                open_folder = f.folder;
                in_dir = ::open((in + folders[f.folder]).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                out_dir = ::open((out + folders[f.folder]).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            }
            const int fd = ::openat(in_dir, f.name.c_str(), O_RDONLY | O_CLOEXEC);
            const ssize_t n = fd < 0 ? -1 : ::read(fd, buffer.data(), buffer.size());
            if (fd >= 0) ::close(fd);
            const int o = ::openat(out_dir, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
            const bool ok = n >= 0 && o >= 0 && ::write(o, buffer.data(), static_cast<std::size_t>(n)) == n &&
                            ::linkat(o, "", out_dir, f.name.c_str(), AT_EMPTY_PATH) == 0;
            if (o >= 0) ::close(o);
            if (!ok) __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
        }
        if (in_dir >= 0) ::close(in_dir);
        if (out_dir >= 0) ::close(out_dir);
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < jobs; ++t) pool.emplace_back(work, t);
    work(0);
    for (auto& t : pool) t.join();
    std::fprintf(stderr, "file_floor: %zu files, %d failed\n", files.size(), failures);
    return failures == 0 ? 0 : 1;
}
