#include "node/signing_state_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/bytes.h"
#include "core/decimal.h"

namespace vt::node {

namespace {

using nlohmann::json;

Status write_all_fd(int fd, const std::string& text) {
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

}  // namespace

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
      auto bytes = from_hex(j.at("block").get<std::string>());
      if (!bytes.ok() || bytes->size() != 32)
        return make_error(why + "block is not 32 bytes of hex");
      consensus::BlockId id{};
      std::memcpy(id.data(), bytes->data(), 32);
      s.block = id;
    }
    s.pol_round = j.at("pol_round").get<int32_t>();
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
                  {"pol_round", s.pol_round}};
  const std::string text = j.dump() + "\n";
  const std::filesystem::path tmp = path_.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return make_error("cannot write " + tmp.string() + ": " + std::strerror(errno));
  Status w = write_all_fd(fd, text);
  if (w && ::fsync(fd) != 0) w = make_error(std::string("fsync: ") + std::strerror(errno));
  ::close(fd);
  if (!w) return make_error("cannot write " + tmp.string() + ": " + w.error());
  if (::rename(tmp.c_str(), path_.c_str()) != 0)
    return make_error("cannot replace " + path_.string() + ": " + std::strerror(errno));
  // The rename is durable only once the directory is.
  const std::filesystem::path dir = path_.has_parent_path() ? path_.parent_path() : ".";
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return make_error("cannot open " + dir.string() + ": " + std::strerror(errno));
  const int rc = ::fsync(dfd);
  ::close(dfd);
  if (rc != 0) return make_error("cannot fsync " + dir.string() + ": " + std::strerror(errno));
  return Status::success();
}

}  // namespace vt::node
