// Header parse throughput: reads every file given (stop before pixel data) N times and prints
// files/s. The peer figure comes from parse/pydicom_header.py on the same files.
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <dicomkit/io/dicom_file.hpp>

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: bench_header_parse REPEAT LISTFILE\n");
        return 2;
    }
    int repeat = std::atoi(argv[1]);
    std::vector<std::string> files;
    std::ifstream list(argv[2]);
    for (std::string line; std::getline(list, line);)
        if (!line.empty()) files.push_back(line);
    dicomkit::io::ReadOptions o;
    o.stop_before = dicomkit::Tag(0x7FE0, 0x0010);
    std::size_t ok = 0, elements = 0;
    // CPU time of this process: the figure does not depend on what else the machine is doing.
    std::clock_t c0 = std::clock();
    for (int r = 0; r < repeat; ++r) {
        for (const auto& f : files) {
            auto file = dicomkit::io::read_file(f, o);
            if (file) {
                ++ok;
                elements += file->dataset.size();
            }
        }
    }
    double s = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
    std::printf("dicomkit header parse: %zu files in %.3f s CPU = %.1f files/s (%zu top-level elements)\n", ok, s, ok / s,
                elements);
    return 0;
}
