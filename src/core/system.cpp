#include "core/system.h"

#include <sys/resource.h>
#include <unistd.h>

#include <initializer_list>
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
  if (limit.rlim_cur == limit.rlim_max) return open_file_limit();
  rlimit raised = limit;
  raised.rlim_cur = limit.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &raised) == 0) return open_file_limit();
  // An unlimited hard limit is refused above the kernel's cap (Linux: fs.nr_open, 1,048,576 by
  // default): try that and smaller ones, keeping the limit where none is allowed.
  for (rlim_t cap : {rlim_t{1} << 20, rlim_t{1} << 19, rlim_t{1} << 16}) {
    if (cap <= limit.rlim_cur || (limit.rlim_max != RLIM_INFINITY && cap > limit.rlim_max)) continue;
    raised.rlim_cur = cap;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) break;
  }
  return open_file_limit();
}

std::size_t open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return std::numeric_limits<std::size_t>::max();
  return as_count(limit.rlim_cur);
}

}  // namespace kohort
