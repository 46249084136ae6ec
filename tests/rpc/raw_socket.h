// Test-only blocking TCP client on POSIX sockets, with hand-written HTTP/1.1 and
// WebSocket framing, so the server is checked against bytes we control (not against
// our own client). Every receive has a timeout, so a broken server fails a test
// instead of hanging it.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>

namespace vt::rpc::test {

class RawSocket {
 public:
  // from: the local address to connect from ("127.0.0.2": any of 127/8 is this
  // machine), so that one test can be several clients to the server.
  explicit RawSocket(std::uint16_t port, int timeout_ms = 5000, const char* from = nullptr) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("socket()");
    if (from != nullptr) {
      sockaddr_in local{};
      local.sin_family = AF_INET;
      if (::inet_pton(AF_INET, from, &local.sin_addr) != 1 ||
          ::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
        ::close(fd_);
        throw std::runtime_error("bind()");
      }
    }
    timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      throw std::runtime_error("connect()");
    }
  }
  ~RawSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  // False if the peer closed or reset before everything was sent.
  bool send_all(const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
      ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  // Reads into the pending buffer; false on EOF, error or timeout.
  bool fill() {
    char chunk[65536];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    pending_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  // True when the server closed the connection (EOF or reset) within the timeout,
  // discarding anything it sent first.
  bool closed_by_peer() {
    for (;;) {
      char chunk[65536];
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n == 0) return true;
      if (n < 0) return errno == ECONNRESET;
    }
  }

  struct HttpResponse {
    int status = 0;
    std::string headers;  // raw, lowercase
    std::string body;
  };

  // One response (Content-Length framing, which is what the server sends).
  std::optional<HttpResponse> read_response() {
    std::size_t end;
    while ((end = pending_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill()) return std::nullopt;
    }
    HttpResponse r;
    r.headers = pending_.substr(0, end);
    for (char& c : r.headers) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (r.headers.rfind("http/1.", 0) != 0) return std::nullopt;
    r.status = std::stoi(r.headers.substr(9, 3));
    std::size_t length = 0;
    auto cl = r.headers.find("content-length:");
    if (cl != std::string::npos) length = std::stoul(r.headers.substr(cl + 15));
    pending_.erase(0, end + 4);
    while (pending_.size() < length) {
      if (!fill()) return std::nullopt;
    }
    r.body = pending_.substr(0, length);
    pending_.erase(0, length);
    return r;
  }

  bool post(const std::string& body, const std::string& content_type = "application/json") {
    return send_all("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + content_type +
                    "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  }

  // WebSocket (RFC 6455) client side: upgrade, masked frames out, unmasked frames in.
  bool ws_handshake() {
    if (!send_all("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                  "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                  "Sec-WebSocket-Version: 13\r\n\r\n")) {
      return false;
    }
    std::size_t end;
    while ((end = pending_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill()) return false;
    }
    bool switched = pending_.rfind("HTTP/1.1 101", 0) == 0 &&
                    pending_.find("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") < end;
    pending_.erase(0, end + 4);
    return switched;
  }

  bool ws_send(const std::string& text, std::uint8_t opcode = 0x1) {
    std::string frame;
    frame.push_back(static_cast<char>(0x80 | opcode));
    const std::uint64_t n = text.size();
    if (n < 126) {
      frame.push_back(static_cast<char>(0x80 | n));
    } else if (n < 65536) {
      frame.push_back(static_cast<char>(0x80 | 126));
      frame.push_back(static_cast<char>(n >> 8));
      frame.push_back(static_cast<char>(n & 0xff));
    } else {
      frame.push_back(static_cast<char>(0x80 | 127));
      for (int i = 7; i >= 0; --i) frame.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
    }
    const unsigned char mask[4] = {0x12, 0x34, 0x56, 0x78};
    frame.append(reinterpret_cast<const char*>(mask), 4);
    for (std::size_t i = 0; i < text.size(); ++i) {
      frame.push_back(static_cast<char>(text[i] ^ static_cast<char>(mask[i % 4])));
    }
    return send_all(frame);
  }

  // The next text message (pings skipped, fragments joined); nullopt on close,
  // error or timeout.
  std::optional<std::string> ws_receive() {
    std::string message;  // fragments so far
    for (;;) {
      while (pending_.size() < 2) {
        if (!fill()) return std::nullopt;
      }
      const auto b0 = static_cast<unsigned char>(pending_[0]);
      const auto b1 = static_cast<unsigned char>(pending_[1]);
      std::size_t header = 2;
      std::uint64_t n = b1 & 0x7f;
      if (n == 126) header = 4;
      if (n == 127) header = 10;
      while (pending_.size() < header) {
        if (!fill()) return std::nullopt;
      }
      if (header > 2) {
        n = 0;
        for (std::size_t i = 2; i < header; ++i)
          n = (n << 8) | static_cast<unsigned char>(pending_[i]);
      }
      while (pending_.size() < header + n) {
        if (!fill()) return std::nullopt;
      }
      std::string payload = pending_.substr(header, n);
      pending_.erase(0, header + n);
      const int opcode = b0 & 0x0f;
      if (opcode == 0x8) {  // close: u16 code, then the reason
        if (payload.size() >= 2) {
          close_code =
              static_cast<unsigned char>(payload[0]) << 8 | static_cast<unsigned char>(payload[1]);
          close_reason = payload.substr(2);
        }
        return std::nullopt;
      }
      if (opcode == 0x0 || opcode == 0x1 || opcode == 0x2) {  // continuation, text, binary
        message += payload;
        if (b0 & 0x80) return message;  // FIN: the last fragment
      }
    }
  }

  int fd() const { return fd_; }
  int close_code = 0;        // of the close frame received, if any
  std::string close_reason;  // likewise

 private:
  int fd_ = -1;
  std::string pending_;
};

}  // namespace vt::rpc::test
