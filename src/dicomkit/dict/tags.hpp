// Tag constants named by their PS3.6 / PS3.7 keyword: dicomkit::tags::PatientName, ...
#pragma once

#include <dicomkit/dict/generated/tags.hpp>
