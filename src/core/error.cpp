#include "core/error.h"

#include <fmt/format.h>

namespace kohort {

InputError::InputError(const std::string& message) : std::runtime_error(message) {}

InputError::InputError(const std::string& file, const std::string& message)
    : std::runtime_error(fmt::format("{}: {}", file, message)), file_(file) {}

InputError::InputError(const std::string& file, std::uint64_t line, const std::string& message)
    : std::runtime_error(fmt::format("{}:{}: {}", file, line, message)), file_(file), line_(line) {}

}  // namespace kohort
