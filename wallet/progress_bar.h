// The CLI's one progress bar: a line on stderr redrawn in place at most ten
// times a second, drawn only when stderr is a terminal (so logs, pipes and CI
// output get no carriage-return noise) and not disabled (--json, --quiet).
// Single-threaded; one bar per task.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace vt::wallet {

bool stderr_is_terminal();

class ProgressBar {
 public:
  explicit ProgressBar(bool enabled = true);
  ~ProgressBar();  // ends the line if a bar was drawn
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // [#####-----] done/total unit  detail   (the last update is always drawn)
  void update(uint64_t done, uint64_t total, std::string_view unit, std::string_view detail = {});
  // Ends the line, so the next output starts on a fresh one.
  void finish();

 private:
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace vt::wallet
