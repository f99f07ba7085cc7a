#include "core/system.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

namespace {

// Restores the process's open-file limits when a test ends, whatever it changed.
class OpenFileLimit : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved_), 0); }
  void TearDown() override { setrlimit(RLIMIT_NOFILE, &saved_); }
  rlimit saved_{};
};

TEST_F(OpenFileLimit, RaisesTheSoftLimitToTheHardOne) {
  if (saved_.rlim_max != RLIM_INFINITY && saved_.rlim_max < 64) GTEST_SKIP() << "hard limit below 64";
  rlimit low = saved_;
  low.rlim_cur = 32;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  EXPECT_EQ(kohort::open_file_limit(), 32u);
  const std::size_t raised = kohort::raise_open_file_limit();
  rlimit now{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &now), 0);
  // Where the system refuses an unlimited soft limit, the limit stays; otherwise soft = hard.
  if (now.rlim_cur != 32) {
    EXPECT_EQ(now.rlim_cur, saved_.rlim_max);
    EXPECT_EQ(raised, kohort::open_file_limit());
  }
  EXPECT_GE(raised, 32u);
}

TEST_F(OpenFileLimit, LeavesALimitAlreadyAtTheHardOne) {
  if (saved_.rlim_max == RLIM_INFINITY) GTEST_SKIP() << "no finite hard limit";
  rlimit same = saved_;
  same.rlim_cur = saved_.rlim_max;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &same), 0);
  EXPECT_EQ(kohort::raise_open_file_limit(), static_cast<std::size_t>(saved_.rlim_max));
  EXPECT_EQ(kohort::open_file_limit(), static_cast<std::size_t>(saved_.rlim_max));
}

TEST(PhysicalMemory, IsAtLeastAHundredMegabytes) { EXPECT_GE(kohort::physical_memory(), std::size_t{100} << 20); }

}  // namespace
