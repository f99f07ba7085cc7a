#pragma once
// Messages and progress on stderr. A progress bar is drawn on a terminal; elsewhere (logs, CI)
// plain lines are printed every few seconds. `set_quiet(true)` silences both.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace kohort {

void set_quiet(bool quiet);
bool is_quiet();

// One line on stderr, prefixed `kohort: `, unless quiet.
void log_info(const std::string& message);
// A warning is printed even when quiet.
void log_warning(const std::string& message);

// Progress of one long task, counted in units (variants, persons, rows).
class Progress {
 public:
  Progress(std::string label, std::uint64_t total, std::string unit);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Records that `done` units are complete in total; cheap enough to call per block, and safe to
  // call from the tasks of a parallel loop (the largest count so far is shown).
  void update(std::uint64_t done);
  // Prints the final line (elapsed time and rate).
  void finish();

 private:
  void draw(bool final);

  std::string label_;
  std::string unit_;
  std::uint64_t total_;
  std::uint64_t done_ = 0;
  bool terminal_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  std::mutex mutex_;  // tasks of a parallel loop report their blocks as they finish
};

}  // namespace kohort
