#include "wallet/progress_bar.h"

#include <unistd.h>

#include <cstdio>

namespace vt::wallet {

bool stderr_is_terminal() {
  return isatty(STDERR_FILENO) == 1;
}

ProgressBar::ProgressBar(bool enabled) : enabled_(enabled && stderr_is_terminal()) {}

ProgressBar::~ProgressBar() {
  finish();
}

void ProgressBar::update(uint64_t done, uint64_t total, std::string_view unit,
                         std::string_view detail) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  const bool last = done >= total;
  if (drawn_ && !last && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  constexpr uint64_t kWidth = 30;
  const uint64_t filled = total ? std::min(kWidth, kWidth * done / total) : kWidth;
  std::string line = "\r[" + std::string(filled, '#') + std::string(kWidth - filled, '-') + "] " +
                     std::to_string(done) + "/" + std::to_string(total) + " " + std::string(unit);
  if (!detail.empty()) line += "  " + std::string(detail);
  line += "\033[K";  // clear what a longer previous line left
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
  drawn_ = true;
  if (last) finish();
}

void ProgressBar::finish() {
  if (!drawn_) return;
  std::fputc('\n', stderr);
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace vt::wallet
