#include "node/signing_state_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/bytes.h"
#include "core/decimal.h"

namespace vt::node {

namespace {

using nlohmann::json;

Status write_all_fd(int fd, std::string_view text) {
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_error(std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  return Status::success();
}

const char* step_name(consensus::Step s) {
  switch (s) {
    case consensus::Step::Propose:
      return "propose";
    case consensus::Step::Prevote:
      return "prevote";
    case consensus::Step::Precommit:
      return "precommit";
  }
  return "?";
}

// Writes a temporary file, fsyncs it, renames it over `path` and fsyncs the
// directory: after a crash the file is the old one or the new one, whole.
Status write_durably(const std::filesystem::path& path, std::string_view bytes) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return make_error("cannot write " + tmp.string() + ": " + std::strerror(errno));
  Status w = write_all_fd(fd, bytes);
  if (w && ::fsync(fd) != 0) w = make_error(std::string("fsync: ") + std::strerror(errno));
  ::close(fd);
  if (!w) return make_error("cannot write " + tmp.string() + ": " + w.error());
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    return make_error("cannot replace " + path.string() + ": " + std::strerror(errno));
  // The rename is durable only once the directory is.
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return make_error("cannot open " + dir.string() + ": " + std::strerror(errno));
  const int rc = ::fsync(dfd);
  ::close(dfd);
  if (rc != 0) return make_error("cannot fsync " + dir.string() + ": " + std::strerror(errno));
  return Status::success();
}

Result<consensus::BlockId> block_id_from_hex(const json& v) {
  auto bytes = from_hex(v.get<std::string>());
  if (!bytes.ok() || bytes->size() != 32) return make_error("not 32 bytes of hex");
  consensus::BlockId id{};
  std::memcpy(id.data(), bytes->data(), 32);
  return id;
}

}  // namespace

std::filesystem::path SigningStateFile::locked_block_path() const {
  return path_.string() + ".locked_block";
}

Status SigningStateFile::save_locked_block(ByteView block) {
  return write_durably(locked_block_path(),
                       std::string_view(reinterpret_cast<const char*>(block.data()), block.size()));
}

Result<std::optional<Bytes>> SigningStateFile::load_locked_block() const {
  std::error_code ec;
  if (!std::filesystem::exists(locked_block_path(), ec)) return std::optional<Bytes>{};
  std::ifstream in(locked_block_path(), std::ios::binary);
  Bytes out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in && !in.eof()) return make_error("cannot read " + locked_block_path().string());
  return std::optional<Bytes>(std::move(out));
}

Result<std::optional<consensus::SignedState>> SigningStateFile::load() const {
  std::error_code ec;
  if (!std::filesystem::exists(path_, ec)) return std::optional<consensus::SignedState>{};
  std::ifstream in(path_, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) return make_error("cannot read the signing state " + path_.string());
  const std::string why = "the signing state " + path_.string() +
                          " is corrupt (it records what this validator signed; restore it "
                          "rather than delete it, or the validator may sign twice): ";
  const json j = json::parse(text.str(), nullptr, false);
  if (!j.is_object()) return make_error(why + "not a JSON object");
  try {
    consensus::SignedState s;
    s.empty = false;
    auto height = parse_u64_decimal(j.at("height").get<std::string>());
    if (!height.ok()) return make_error(why + "height is not a decimal u64");
    s.height = *height;
    s.round = j.at("round").get<uint32_t>();
    const std::string step = j.at("step").get<std::string>();
    if (step == "propose")
      s.step = consensus::Step::Propose;
    else if (step == "prevote")
      s.step = consensus::Step::Prevote;
    else if (step == "precommit")
      s.step = consensus::Step::Precommit;
    else
      return make_error(why + "unknown step '" + step + "'");
    if (!j.at("block").is_null()) {
      auto id = block_id_from_hex(j.at("block"));
      if (!id) return make_error(why + "block is " + id.error());
      s.block = id.value();
    }
    s.pol_round = j.at("pol_round").get<int32_t>();
    // Files written before the lock was kept have neither field.
    if (j.contains("locked_round")) {
      s.locked_round = j.at("locked_round").get<int32_t>();
      if (s.locked_round < -1 || s.locked_round > static_cast<int64_t>(s.round))
        return make_error(why + "locked_round is out of range");
      if (!j.at("locked_block").is_null()) {
        auto id = block_id_from_hex(j.at("locked_block"));
        if (!id) return make_error(why + "locked_block is " + id.error());
        s.locked_block = id.value();
      }
      if ((s.locked_round >= 0) != s.locked_block.has_value())
        return make_error(why + "locked_round and locked_block disagree");
    }
    return std::optional<consensus::SignedState>(s);
  } catch (const std::exception&) {
    return make_error(why + "a field is missing or of the wrong type");
  }
}

Status SigningStateFile::save(const consensus::SignedState& s) {
  const json j = {{"height", std::to_string(s.height)},
                  {"round", s.round},
                  {"step", step_name(s.step)},
                  {"block", s.block ? json(to_hex(*s.block)) : json(nullptr)},
                  {"pol_round", s.pol_round},
                  {"locked_round", s.locked_round},
                  {"locked_block", s.locked_block ? json(to_hex(*s.locked_block)) : json(nullptr)}};
  return write_durably(path_, j.dump() + "\n");
}

}  // namespace vt::node
