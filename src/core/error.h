#pragma once
// Error types shared by every stage. InputError is the user's fault (bad file, bad flag: exit 2),
// Error is ours (exit 1). Both print as `kohort: error: FILE:LINE: message`.
#include <cstdint>
#include <stdexcept>
#include <string>

namespace kohort {

// An internal failure: a bug, an I/O failure of the machine, a broken invariant.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Bad input from the user: names where (file and line or record, when known) and what was expected.
class InputError : public std::runtime_error {
 public:
  explicit InputError(const std::string& message);
  InputError(const std::string& file, const std::string& message);
  InputError(const std::string& file, std::uint64_t line, const std::string& message);

  const std::string& file() const { return file_; }
  std::uint64_t line() const { return line_; }

 private:
  std::string file_;
  std::uint64_t line_ = 0;
};

// Exit codes of the kohort command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitInternal = 1;
inline constexpr int kExitBadInput = 2;

}  // namespace kohort
