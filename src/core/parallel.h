#pragma once
// A minimal fork-join loop over [0, n) in contiguous chunks. Chunk boundaries depend only on n
// and `grain`, never on the thread count, so per-chunk results combine identically at any count.
// And a job run on a thread of its own while the caller goes on (writing one block's output while
// the next is computed).
#include <cstddef>
#include <exception>
#include <functional>
#include <thread>

namespace kohort {

// Number of threads the user asked for (--threads); 0 means all cores.
void set_thread_count(int threads);
int thread_count();

// Calls body(begin, end) for chunks of at most `grain` items, on up to thread_count() threads.
// The first exception thrown by any chunk is rethrown after all threads stop.
void parallel_for(std::size_t n, std::size_t grain, const std::function<void(std::size_t, std::size_t)>& body);

// One job at a time on a thread of its own. Jobs run in the order they are started, each after the
// previous one has finished; a job's error is rethrown by the next start() or wait().
class BackgroundJob {
 public:
  BackgroundJob() = default;
  BackgroundJob(const BackgroundJob&) = delete;
  BackgroundJob& operator=(const BackgroundJob&) = delete;
  // Waits for a running job; its error is dropped (the caller is unwinding from one of its own,
  // or has not asked).
  ~BackgroundJob();

  // Waits for the previous job (rethrowing its error), then starts `job`.
  void start(std::function<void()> job);
  // Waits for the running job, if any, and rethrows its error.
  void wait();

 private:
  std::thread thread_;
  std::exception_ptr error_;
};

}  // namespace kohort
