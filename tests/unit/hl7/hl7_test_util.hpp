// Reading the sample messages of tests/data/hl7.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

namespace dicomkit::hl7::test {

inline std::string sample(const std::string& name) {
    std::ifstream in(std::string(DICOMKIT_TEST_DATA) + "/hl7/" + name, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace dicomkit::hl7::test
