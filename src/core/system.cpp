#include "core/system.h"

#include <sys/resource.h>
#include <unistd.h>

#include <limits>

namespace kohort {
namespace {

std::size_t as_count(rlim_t limit) {
  return limit == RLIM_INFINITY ? std::numeric_limits<std::size_t>::max() : static_cast<std::size_t>(limit);
}

}  // namespace

std::size_t physical_memory() {
  const long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page_size > 0 ? static_cast<std::size_t>(pages) * static_cast<std::size_t>(page_size) : std::size_t{8} << 30;
}

std::size_t raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return open_file_limit();
  if (limit.rlim_cur != limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    // Refused (some systems cap the soft limit below an unlimited hard one): the limit stays.
    if (setrlimit(RLIMIT_NOFILE, &raised) != 0) return as_count(limit.rlim_cur);
  }
  return open_file_limit();
}

std::size_t open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return std::numeric_limits<std::size_t>::max();
  return as_count(limit.rlim_cur);
}

}  // namespace kohort
