// OpenJphApi: the part of the HTJ2K codec that calls OpenJPH. It is built as a module of its own,
// dicomkit-openjph.so, which alone links libopenjph and which the codec opens (dlopen) at the first
// frame OpenJPH codes: libopenjph's static initialisers (its block coder's tables, some 7 million
// instructions) then run in the processes that code HTJ2K, not at every start of every command.
// The interface has standard types only, so the module needs nothing of the rest of dicomkit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace dicomkit::pixel::htj2k {

/// One component as a codestream's SIZ marker segment describes it.
struct OjphComponent {
    std::uint32_t bit_depth = 0;
    bool is_signed = false;
    bool subsampled = false;       ///< horizontal or vertical sub-sampling other than 1
    std::uint64_t width = 0, height = 0;  ///< the reconstructed size
};

/// The image of a codestream: its size and its first (up to four) components.
struct OjphImage {
    static constexpr std::uint32_t kMaxComponents = 4;
    std::uint64_t width = 0, height = 0;
    std::uint32_t components = 0;
    OjphComponent component[kMaxComponents];
};

/// Where a decode puts its samples.
class OjphDecodeSink {
public:
    /// Asked once the headers are read, before any sample: an empty answer lets the decoding go
    /// on, anything else ends it with that message.
    virtual std::string check(const OjphImage& image) = 0;
    /// Row `y` of component `component`: image.width values, which the sink may change.
    virtual void row(std::size_t y, std::uint32_t component, std::int32_t* values) = 0;

protected:
    ~OjphDecodeSink() = default;
};

/// What an encode codes.
struct OjphEncodeParams {
    std::uint32_t columns = 0, rows = 0, components = 0, bits_stored = 0;
    bool is_signed = false;
    std::uint32_t decomposition_levels = 0;
    bool rpcl = false;              ///< resolution-position-component-layer order, else LRCP
    bool colour_transform = false;
    bool reversible = true;
    float quantisation_step = 0.0f;  ///< for the irreversible path
    std::size_t size_hint = 0;       ///< the expected stream size, for the first buffer
};

/// Where an encode takes its samples from.
class OjphEncodeSource {
public:
    /// Fills `values` (columns of them) with row `y` of component `component`.
    virtual void row(std::size_t y, std::uint32_t component, std::int32_t* values) = 0;

protected:
    ~OjphEncodeSource() = default;
};

/// OpenJPH's failures are C++ exceptions (std::runtime_error after it wrote its message): they pass
/// through these calls to the caller, which has the message from its MessageSink.
class OpenJphApi {
public:
    /// Where OpenJPH's error messages go: called on the thread that made the call into OpenJPH.
    /// The caller keeps them per thread (the module holds no thread-local state: LeakSanitizer's
    /// tracer faults on the dynamic TLS of a dlopen'ed module).
    using MessageSink = void (*)(const char* text, std::size_t size);
    /// Routes OpenJPH's process-wide message streams (once): errors to `sink`, warnings and info
    /// dropped. Later calls change nothing.
    virtual void route_messages(MessageSink sink) = 0;
    /// Decodes a codestream into `sink`: "" when done, else why it stopped.
    virtual std::string decode(const std::uint8_t* data, std::size_t size, OjphDecodeSink& sink) = 0;
    /// Encodes one frame: the codestream as OpenJPH writes it.
    virtual std::vector<std::uint8_t> encode(const OjphEncodeParams& params, OjphEncodeSource& source) = 0;

protected:
    ~OpenJphApi() = default;
};

inline constexpr const char* kOpenJphModuleFile = "dicomkit-openjph.so";
/// The module's one exported function: `OpenJphApi* dicomkit_openjph_api()`.
inline constexpr const char* kOpenJphModuleEntry = "dicomkit_openjph_api";
using OpenJphEntry = OpenJphApi* (*)();

}  // namespace dicomkit::pixel::htj2k
