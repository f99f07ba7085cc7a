#pragma once
// A minimal fork-join loop over [0, n) in contiguous chunks. Chunk boundaries depend only on n
// and `grain`, never on the thread count, so per-chunk results combine identically at any count.
#include <cstddef>
#include <functional>

namespace kohort {

// Number of threads the user asked for (--threads); 0 means all cores.
void set_thread_count(int threads);
int thread_count();

// Calls body(begin, end) for chunks of at most `grain` items, on up to thread_count() threads.
// The first exception thrown by any chunk is rethrown after all threads stop.
void parallel_for(std::size_t n, std::size_t grain, const std::function<void(std::size_t, std::size_t)>& body);

}  // namespace kohort
