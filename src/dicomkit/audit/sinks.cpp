// The audit sinks: file, UDP syslog, stream (TLS) syslog.
#include <dicomkit/audit/sinks.hpp>

#include <fcntl.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace dicomkit::audit {

namespace {

std::string os_error(const std::string& what) { return what + ": " + std::strerror(errno); }

class FileSink final : public Sink {
public:
    FileSink(std::string path, std::uint64_t max_bytes) : path_(std::move(path)), max_(max_bytes) {}
    ~FileSink() override {
        if (fd_ >= 0) ::close(fd_);
    }
    std::string name() const override { return "file " + path_; }
    Result<void> write(const std::string& xml, std::chrono::system_clock::time_point) override {
        if (fd_ < 0)
            if (auto r = open(); !r) return r;
        if (max_ > 0 && size_ > 0 && size_ + xml.size() + 1 > max_)
            if (auto r = rotate(); !r) return r;
        std::string line = xml;
        line += '\n';
        std::size_t done = 0;
        while (done < line.size()) {
            const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                auto e = make_error(ErrorCode::IoError, os_error(path_));
                ::close(fd_);
                fd_ = -1;
                return e;
            }
            done += static_cast<std::size_t>(n);
        }
        size_ += line.size();
        return {};
    }

private:
    Result<void> open() {
        fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (fd_ < 0) return make_error(ErrorCode::IoError, os_error(path_));
        struct stat st{};
        size_ = ::fstat(fd_, &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
        return {};
    }
    Result<void> rotate() {
        ::close(fd_);
        fd_ = -1;
        const std::string old = path_ + ".1";
        if (std::rename(path_.c_str(), old.c_str()) != 0 && errno != ENOENT)
            return make_error(ErrorCode::IoError, os_error("rename " + path_ + " to " + old));
        return open();
    }

    std::string path_;
    std::uint64_t max_;
    int fd_ = -1;
    std::uint64_t size_ = 0;
};

class UdpSink final : public Sink {
public:
    UdpSink(std::string host, std::uint16_t port, SyslogHeader header)
        : host_(std::move(host)), port_(port), header_(std::move(header)) {}
    ~UdpSink() override {
        if (fd_ >= 0) ::close(fd_);
    }
    std::string name() const override { return "syslog udp://" + host_ + ":" + std::to_string(port_); }
    Result<void> write(const std::string& xml, std::chrono::system_clock::time_point t) override {
        const std::string msg = syslog_message(header_, t, xml);
        if (msg.size() > 65507)
            return make_error(ErrorCode::LimitExceeded,
                              "a message of " + std::to_string(msg.size()) + " bytes does not fit in a UDP datagram");
        if (fd_ < 0)
            if (auto r = connect(); !r) return r;
        for (;;) {
            const ssize_t n = ::send(fd_, msg.data(), msg.size(), MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                auto e = make_error(ErrorCode::IoError, os_error(name()));
                ::close(fd_);
                fd_ = -1;
                return e;
            }
            return {};
        }
    }

private:
    Result<void> connect() {
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_DGRAM;
        addrinfo* found = nullptr;
        const std::string service = std::to_string(port_);
        if (int rc = ::getaddrinfo(host_.c_str(), service.c_str(), &hints, &found); rc != 0)
            return make_error(ErrorCode::IoError, name() + ": " + ::gai_strerror(rc));
        std::string why = "no address";
        for (addrinfo* a = found; a; a = a->ai_next) {
            const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
            if (fd < 0) {
                why = std::strerror(errno);
                continue;
            }
            if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
                fd_ = fd;
                break;
            }
            why = std::strerror(errno);
            ::close(fd);
        }
        ::freeaddrinfo(found);
        if (fd_ < 0) return make_error(ErrorCode::IoError, name() + ": " + why);
        return {};
    }

    std::string host_;
    std::uint16_t port_;
    SyslogHeader header_;
    int fd_ = -1;
};

class StreamSink final : public Sink {
public:
    StreamSink(std::string label, StreamConnector connect, SyslogHeader header)
        : label_(std::move(label)), connect_(std::move(connect)), header_(std::move(header)) {}
    std::string name() const override { return "syslog " + label_; }
    Result<void> write(const std::string& xml, std::chrono::system_clock::time_point t) override {
        if (!stream_) {
            auto s = connect_();
            if (!s) return make_error(s.error().code, name() + ": " + s.error().message);
            stream_ = std::move(*s);
        }
        const std::string framed = octet_counted(syslog_message(header_, t, xml));
        auto r = stream_->write(std::span(reinterpret_cast<const std::uint8_t*>(framed.data()), framed.size()));
        if (!r) {
            stream_.reset();
            return make_error(r.error().code, name() + ": " + r.error().message);
        }
        return {};
    }

private:
    std::string label_;
    StreamConnector connect_;
    SyslogHeader header_;
    std::unique_ptr<Stream> stream_;
};

}  // namespace

std::unique_ptr<Sink> file_sink(std::string path, std::uint64_t max_bytes) {
    return std::make_unique<FileSink>(std::move(path), max_bytes);
}

std::unique_ptr<Sink> udp_syslog_sink(std::string host, std::uint16_t port, SyslogHeader header) {
    return std::make_unique<UdpSink>(std::move(host), port, std::move(header));
}

std::unique_ptr<Sink> stream_syslog_sink(std::string label, StreamConnector connect, SyslogHeader header) {
    return std::make_unique<StreamSink>(std::move(label), std::move(connect), std::move(header));
}

}  // namespace dicomkit::audit
