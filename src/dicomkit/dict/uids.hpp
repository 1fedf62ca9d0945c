// UID constants named by their PS3.6 Table A-1 keyword: dicomkit::uids::ExplicitVRLittleEndian, ...
#pragma once

#include <dicomkit/dict/generated/uids.hpp>
