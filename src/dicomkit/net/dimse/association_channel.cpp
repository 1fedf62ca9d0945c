// AssociationChannel: the DIMSE layer's view of a ul::Association, and the Association overloads
// of the SCU helpers and the serving loop (kept here so that the rest links without net/ul).
#include <dicomkit/net/dimse/channel.hpp>
#include <dicomkit/net/dimse/scu.hpp>
#include <dicomkit/net/dimse/serve.hpp>

namespace dicomkit::net::dimse {

Result<void> AssociationChannel::send(std::span<const pdu::PdvView> pdvs) { return a_.send(pdvs); }
Result<ul::Incoming> AssociationChannel::receive(ul::Millis timeout) { return a_.receive(timeout); }
Result<void> AssociationChannel::confirm_release() { return a_.confirm_release(); }
void AssociationChannel::abort(std::uint8_t source, std::uint8_t reason) { a_.abort(source, reason); }
const ul::AcceptedContext* AssociationChannel::context_by_id(std::uint8_t id) const noexcept {
    return a_.context_by_id(id);
}
const ul::AcceptedContext* AssociationChannel::find_context(std::string_view abstract_syntax,
                                                            std::string_view transfer_syntax) const noexcept {
    return a_.find_context(abstract_syntax, transfer_syntax);
}
std::uint32_t AssociationChannel::peer_max_pdu() const noexcept { return a_.peer_max_pdu(); }
std::string AssociationChannel::calling_ae() const { return a_.calling_ae(); }
std::string AssociationChannel::peer_address() const { return a_.peer_address(); }
ul::Timeouts AssociationChannel::timeouts() const { return a_.options().timeouts; }
bool AssociationChannel::tracing() const noexcept { return static_cast<bool>(a_.options().trace); }
void AssociationChannel::trace(std::string_view line) const { a_.trace(line); }

Result<EchoResult> echo(ul::Association& a, std::uint16_t message_id) {
    AssociationChannel ch(a);
    return echo(ch, message_id);
}
Result<StoreResult> store(ul::Association& a, const std::string& path, const StoreOptions& options) {
    AssociationChannel ch(a);
    return store(ch, path, options);
}
Result<StoreResult> store(ul::Association& a, const io::DicomFile& file, const StoreOptions& options) {
    AssociationChannel ch(a);
    return store(ch, file, options);
}
Result<ServeSummary> serve(ul::Association& association, const Dispatcher& dispatcher, const ServeOptions& options) {
    AssociationChannel ch(association);
    return serve(ch, dispatcher, options);
}

}  // namespace dicomkit::net::dimse
