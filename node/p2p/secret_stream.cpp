#include "node/p2p/secret_stream.h"

#include <poll.h>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "node/blob_store.h"

namespace vt::node::p2p {

namespace {

using Clock = std::chrono::steady_clock;

// Waits until the socket is ready for `events` or the deadline passes.
Status wait_ready(boost::asio::ip::tcp::socket& s, short events, Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (left.count() <= 0) return make_error("timed out");
  pollfd p{s.native_handle(), events, 0};
  const int n = ::poll(&p, 1, static_cast<int>(left.count()));
  if (n == 0) return make_error("timed out");
  if (n < 0) return make_error("poll failed");
  return Status::success();
}

// Reads exactly out.size() bytes before the deadline (the socket is non-blocking).
Status read_exact(boost::asio::ip::tcp::socket& s, std::span<uint8_t> out,
                  Clock::time_point deadline) {
  size_t got = 0;
  while (got < out.size()) {
    boost::system::error_code ec;
    const size_t n = s.read_some(boost::asio::buffer(out.data() + got, out.size() - got), ec);
    got += n;
    if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) {
      if (auto w = wait_ready(s, POLLIN, deadline); !w) return w;
    } else if (ec == boost::asio::error::eof) {
      return make_error("the peer closed the connection");
    } else if (ec) {
      return make_error("read: " + ec.message());
    }
  }
  return Status::success();
}

Status write_all(boost::asio::ip::tcp::socket& s, ByteView data, Clock::time_point deadline) {
  size_t sent = 0;
  while (sent < data.size()) {
    boost::system::error_code ec;
    sent += s.write_some(boost::asio::buffer(data.data() + sent, data.size() - sent), ec);
    if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) {
      if (auto w = wait_ready(s, POLLOUT, deadline); !w) return w;
    } else if (ec) {
      return make_error("write: " + ec.message());
    }
  }
  return Status::success();
}

// One frame: its length prefix (checked before anything is allocated) and body.
Result<std::pair<uint32_t, Bytes>> read_frame(boost::asio::ip::tcp::socket& s,
                                              Clock::time_point deadline) {
  std::array<uint8_t, kLengthBytes> prefix{};
  if (auto r = read_exact(s, prefix, deadline); !r) return r.take_error();
  const uint32_t length = (uint32_t{prefix[0]} << 24) | (uint32_t{prefix[1]} << 16) |
                          (uint32_t{prefix[2]} << 8) | uint32_t{prefix[3]};
  if (auto c = SecretChannel::check_frame_length(length); !c) return c.take_error();
  Bytes body(length);
  if (auto r = read_exact(s, body, deadline); !r) return r.take_error();
  return std::make_pair(length, std::move(body));
}

}  // namespace

const char* message_type_name(MessageType t) {
  switch (t) {
    case MessageType::ping:
      return "ping";
    case MessageType::pong:
      return "pong";
    case MessageType::proposal:
      return "proposal";
    case MessageType::vote:
      return "vote";
    case MessageType::block:
      return "block";
    case MessageType::block_request:
      return "block_request";
    case MessageType::tx:
      return "tx";
    case MessageType::evidence:
      return "evidence";
    case MessageType::txs:
      return "txs";
    case MessageType::blob_request:
      return "blob_request";
    case MessageType::blob_chunk:
      return "blob_chunk";
    case MessageType::peers:
      return "peers";
  }
  return "unknown";
}

uint32_t MessageLimits::limit_of(MessageType t) const {
  switch (t) {
    case MessageType::ping:
    case MessageType::pong:
      return 0;
    case MessageType::proposal:  // the fields, the signature and the whole block
      return max_block_bytes + 256;
    case MessageType::vote:
      return 256;
    case MessageType::block:  // the block, its commit (index, flag, signature each) and framing
      return max_block_bytes + 8 + 69 * max_validators + 64;
    case MessageType::block_request:
      return 8;
    case MessageType::tx:
      return max_tx_bytes;
    case MessageType::evidence:
      return 1024;
    case MessageType::txs:  // a batch never holds more than a block's worth
      return max_block_bytes + 4 * kMaxGossipBatch + 4;
    case MessageType::blob_request:  // hash, offset
      return 40;
    case MessageType::blob_chunk:  // hash, offset, flag, size, length and one chunk
      return kBlobChunkBytes + 64;
    case MessageType::peers:  // count and the ids
      return 4 + kNodeIdBytes * kMaxPeerList;
  }
  return 0;
}

Bytes encode(const Message& m) {
  Bytes out;
  out.reserve(1 + m.payload.size());
  out.push_back(static_cast<uint8_t>(m.type));
  out.insert(out.end(), m.payload.begin(), m.payload.end());
  return out;
}

Result<Message> decode_message(ByteView in, const MessageLimits& limits) {
  if (in.empty()) return make_error("empty message");
  const uint8_t type = in[0];
  if (type < 1 || type > static_cast<uint8_t>(MessageType::peers))
    return make_error("unknown message type " + std::to_string(type));
  Message m;
  m.type = static_cast<MessageType>(type);
  const size_t size = in.size() - 1;
  if (size > limits.limit_of(m.type))
    return make_error(std::string(message_type_name(m.type)) + " message of " +
                      std::to_string(size) + " bytes is above its limit " +
                      std::to_string(limits.limit_of(m.type)));
  m.payload.assign(in.begin() + 1, in.end());
  return m;
}

Result<SecretStream> SecretStream::establish(boost::asio::ip::tcp::socket socket,
                                             const Ed25519Key& identity,
                                             std::optional<std::string> expected_peer,
                                             std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  auto fail = [&](const std::string& why) -> Result<SecretStream> {
    boost::system::error_code ignored;
    socket.close(ignored);
    return make_error(why);
  };
  boost::system::error_code ec;
  socket.non_blocking(true, ec);
  if (ec) return fail("cannot make the socket non-blocking: " + ec.message());
  Handshake hs(identity, std::move(expected_peer));
  // Both sides write first: 32 bytes always fit the socket buffer.
  if (auto w = write_all(socket, ByteView(hs.hello().data(), hs.hello().size()), deadline); !w)
    return fail("handshake: " + w.error());
  std::array<uint8_t, kHelloBytes> hello{};
  if (auto r = read_exact(socket, hello, deadline); !r) return fail("handshake: " + r.error());
  if (auto h = hs.on_hello(ByteView(hello.data(), hello.size())); !h) return fail(h.error());
  auto auth = hs.auth_frame();
  if (!auth) return fail(auth.error());
  if (auto w = write_all(socket, *auth, deadline); !w) return fail("handshake: " + w.error());
  auto frame = read_frame(socket, deadline);
  if (!frame) return fail("handshake: " + frame.error());
  auto peer = hs.on_auth(frame->first, frame->second);
  if (!peer) return fail(peer.error());
  return SecretStream(std::move(socket), hs.channel(), std::move(peer).value(), timeout);
}

Status SecretStream::send(const Message& m) {
  auto frame = channel_.seal(encode(m));
  if (!frame) return frame.take_error();
  return write_all(socket_, *frame, Clock::now() + timeout_);
}

Result<Message> SecretStream::receive(const MessageLimits& limits) {
  auto frame = read_frame(socket_, Clock::now() + timeout_);
  if (!frame) return frame.take_error();
  auto plain = channel_.open(frame->first, frame->second);
  if (!plain) return plain.take_error();
  return decode_message(*plain, limits);
}

void SecretStream::shutdown() {
  boost::system::error_code ignored;
  socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
}

void SecretStream::close() {
  boost::system::error_code ignored;
  socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

}  // namespace vt::node::p2p
