// Data sets built in code for the JSON and XML model tests.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <vector>

#include <dicomkit/core/dataset.hpp>

namespace dicomkit::json::test {

inline Element str(std::uint32_t tag, VR vr, std::string_view value) {
    return Element::from_string(Tag(tag), vr, value);
}

template <typename T>
Element nums(std::uint32_t tag, VR vr, std::initializer_list<T> values) {
    std::vector<T> v(values);
    return Element::from_numbers<T>(Tag(tag), vr, std::span<const T>(v));
}

inline Element bytes(std::uint32_t tag, VR vr, std::initializer_list<std::uint8_t> b) {
    return Element(Tag(tag), vr, Bytes(b));
}

inline Element seq(std::uint32_t tag, std::vector<DataSet> items) {
    return Element(Tag(tag), VR::SQ, Sequence{std::move(items)});
}

inline DataSet make(std::initializer_list<Element> elements) {
    DataSet ds;
    for (const Element& e : elements) ds.set(e);
    return ds;
}

/// Covers every VR family, multi-values, empty values, PN groups, AT, nested and empty sequences
/// and items, private blocks and inline binary, in the default character repertoire.
inline DataSet everything() {
    DataSet item1 = make({str(0x00081150, VR::UI, "1.2.840.10008.5.1.4.1.1.2"),
                          str(0x00081155, VR::UI, "1.2.3.4.5")});
    DataSet deep = make({str(0x00080100, VR::SH, "T-D1100"), str(0x00080104, VR::LO, "Brain")});
    DataSet item2 = make({seq(0x00082218, {deep}), str(0x00081160, VR::IS, "1\\2\\3")});
    return make({
        str(0x00080008, VR::CS, "ORIGINAL\\\\AXIAL"),
        str(0x00080016, VR::UI, "1.2.840.10008.5.1.4.1.1.2"),
        str(0x00080020, VR::DA, "20240131"),
        str(0x00080030, VR::TM, "101530.125"),
        str(0x0008002A, VR::DT, "20240131101530.125+0100"),
        str(0x00080054, VR::AE, "STORE_SCP"),
        str(0x00080090, VR::PN, ""),
        str(0x00081010, VR::SH, "CT01"),
        str(0x00081030, VR::LO, "Head \"routine\" <w/o>"),
        seq(0x00081032, {}),
        str(0x00081070, VR::PN, "Smith^Ann\\\\Jones^Bob^^Dr."),
        seq(0x00081140, {item1, DataSet(), item2}),
        str(0x00100010, VR::PN, "Yamada^Tarou=YAMADA^TAROU=yamada^tarou"),
        str(0x00100020, VR::LO, "ID-1"),
        str(0x00101010, VR::AS, "042Y"),
        str(0x00104000, VR::LT, "line one\r\nline two \\ back\tslash"),
        str(0x00180015, VR::CS, ""),
        str(0x00181030, VR::LO, "Protocol A\\Protocol B"),
        str(0x00200013, VR::IS, "007"),
        str(0x00201041, VR::DS, "-12.50"),
        nums<std::uint16_t>(0x00280010, VR::US, {512, 0, 65535}),
        nums<std::int16_t>(0x00189219, VR::SS, {-32768, 7}),
        nums<std::uint32_t>(0x00081161, VR::UL, {4294967295u}),
        nums<std::int32_t>(0x00186020, VR::SL, {-2147483647 - 1, 5}),
        nums<float>(0x00720076, VR::FL, {0.1f, -2.5f}),
        nums<double>(0x00189087, VR::FD, {3.141592653589793, 1e300, -0.0}),
        nums<std::int64_t>(0x00720082, VR::SV, {-9007199254740993LL, 42}),
        nums<std::uint64_t>(0x00720083, VR::UV, {18446744073709551615ULL, 9007199254740992ULL}),
        nums<std::uint16_t>(0x00209165, VR::AT, {0x0010, 0x0010, 0x7FE0, 0x0010}),
        str(0x00281050, VR::DS, "40.50\\+3\\1e2"),
        str(0x00287FE0, VR::UR, "http://example.com/a b"),
        str(0x00400254, VR::LO, ""),
        str(0x0040A160, VR::UT, "  leading spaces kept"),
        str(0x00720068, VR::ST, "short text"),
        str(0x00720064, VR::UC, "unlimited\\characters"),
        bytes(0x00660040, VR::OL, {1, 0, 0, 0, 2, 0, 0, 0}),
        bytes(0x00660023, VR::OF, {0, 0, 0x80, 0x3F}),
        bytes(0x00660024, VR::OD, {0, 0, 0, 0, 0, 0, 0xF0, 0x3F}),
        bytes(0x00660025, VR::OV, {1, 2, 3, 4, 5, 6, 7, 8}),
        bytes(0x00283006, VR::OW, {1, 2, 3, 4}),
        str(0x00290010, VR::LO, "ACME 1.0"),
        str(0x00290011, VR::LO, "OTHER CREATOR"),
        str(0x00291001, VR::SH, "private"),
        bytes(0x00291002, VR::UN, {0xDE, 0xAD, 0xBE, 0xEF}),
        bytes(0x00291105, VR::OB, {1, 2, 3, 4, 5, 0}),
        bytes(0x7FE00010, VR::OB, {0, 1, 2, 3, 4, 5, 6, 7}),
    });
}

}  // namespace dicomkit::json::test
