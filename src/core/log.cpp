#include "core/log.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>

namespace kohort {
namespace {
std::atomic<bool> g_quiet{false};
}

void set_quiet(bool quiet) { g_quiet = quiet; }
bool is_quiet() { return g_quiet; }

void log_info(const std::string& message) {
  if (!g_quiet) fmt::print(stderr, "kohort: {}\n", message);
}

void log_warning(const std::string& message) { fmt::print(stderr, "kohort: warning: {}\n", message); }

Progress::Progress(std::string label, std::uint64_t total, std::string unit)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      total_(total),
      terminal_(isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() {
  // A task abandoned by an exception leaves the bar's line open; end it cleanly.
  if (!finished_ && terminal_ && !g_quiet) fmt::print(stderr, "\n");
}

void Progress::update(std::uint64_t done) {
  std::lock_guard<std::mutex> lock(mutex_);
  done_ = std::max(done_, done);  // tasks may report out of order
  auto now = std::chrono::steady_clock::now();
  // Terminals redraw often; plain logs get a line every 5 seconds at most.
  auto interval = terminal_ ? std::chrono::milliseconds(200) : std::chrono::milliseconds(5000);
  if (now - last_draw_ >= interval) {
    last_draw_ = now;
    draw(false);
  }
}

void Progress::finish() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (finished_) return;
  done_ = total_;
  draw(true);
  finished_ = true;
}

void Progress::draw(bool final) {
  if (g_quiet) return;
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double fraction = total_ ? static_cast<double>(done_) / static_cast<double>(total_) : 1.0;
  if (terminal_) {
    constexpr int kWidth = 30;
    int filled = static_cast<int>(fraction * kWidth);
    fmt::print(stderr, "\r{:<28} [{:=<{}}{: <{}}] {:5.1f}% {}/{} {} {:.1f}s", label_, "", filled, "",
               kWidth - filled, 100.0 * fraction, done_, total_, unit_, seconds);
    if (final) fmt::print(stderr, "\n");
  } else if (final) {
    fmt::print(stderr, "kohort: {}: done, {} {} in {:.1f}s\n", label_, total_, unit_, seconds);
  } else {
    fmt::print(stderr, "kohort: {}: {}/{} {} ({:.0f}%) after {:.0f}s\n", label_, done_, total_, unit_,
               100.0 * fraction, seconds);
  }
  std::fflush(stderr);
}

}  // namespace kohort
