#include "core/parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace kohort {
namespace {

TEST(BackgroundJob, RunsJobsInOrderEachAfterThePrevious) {
  std::vector<int> events;  // only one job runs at a time, so no lock
  BackgroundJob job;
  for (int i = 0; i < 5; ++i) {
    job.start([&events, i] {
      events.push_back(10 * i);
      // A slow job: the next must not start before it ends.
      std::this_thread::sleep_for(std::chrono::milliseconds(i % 2 ? 20 : 1));
      events.push_back(10 * i + 1);
    });
  }
  job.wait();
  const std::vector<int> expected{0, 1, 10, 11, 20, 21, 30, 31, 40, 41};
  EXPECT_EQ(events, expected);
}

TEST(BackgroundJob, WaitRethrowsTheJobsErrorOnce) {
  BackgroundJob job;
  job.start([] { throw std::runtime_error("disk full"); });
  try {
    job.wait();
    FAIL() << "wait() did not rethrow";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "disk full");
  }
  EXPECT_NO_THROW(job.wait());  // the error was taken
  bool ran = false;
  job.start([&ran] { ran = true; });
  job.wait();
  EXPECT_TRUE(ran);
}

TEST(BackgroundJob, StartRethrowsThePreviousErrorWithoutStartingTheNext) {
  BackgroundJob job;
  job.start([] { throw std::runtime_error("first"); });
  bool ran = false;
  EXPECT_THROW(job.start([&ran] { ran = true; }), std::runtime_error);
  job.wait();
  EXPECT_FALSE(ran);
}

TEST(BackgroundJob, DestructorWaitsForTheRunningJob) {
  std::atomic<bool> finished{false};
  {
    BackgroundJob job;
    job.start([&finished] {
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
      finished = true;
    });
  }
  EXPECT_TRUE(finished);
}

TEST(ParallelFor, CoversEveryItemOnceInChunksOfTheGrain) {
  set_thread_count(3);
  std::vector<int> hits(1000, 0);
  std::mutex mutex;
  std::vector<std::pair<std::size_t, std::size_t>> chunks;
  parallel_for(hits.size(), 64, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) ++hits[i];
    std::lock_guard<std::mutex> lock(mutex);
    chunks.emplace_back(begin, end);
  });
  set_thread_count(0);
  for (int h : hits) ASSERT_EQ(h, 1);
  ASSERT_EQ(chunks.size(), 16u);  // 15 of 64 and one of 40
  for (auto [begin, end] : chunks) {
    EXPECT_EQ(begin % 64, 0u);
    EXPECT_EQ(end, std::min<std::size_t>(begin + 64, 1000));
  }
}

}  // namespace
}  // namespace kohort
