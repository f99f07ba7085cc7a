#include "core/scratch_file.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/parallel.h"

namespace kohort {

TEST(ScratchFile, WritesAndReadsAtOffsetsFromThreadsAndLeavesNothingBehind) {
  const auto directory = std::filesystem::temp_directory_path() / "kohort_scratch_file_test";
  std::filesystem::remove_all(directory);
  std::filesystem::create_directories(directory);
  {
    ScratchFile file(directory);
    EXPECT_TRUE(std::filesystem::is_empty(directory));  // unlinked at once
    // 64 chunks of 1,000 bytes, written out of order from the threads.
    parallel_for(64, 1, [&](std::size_t begin, std::size_t end) {
      for (std::size_t c = begin; c < end; ++c) {
        const std::size_t chunk = 63 - c;
        std::vector<unsigned char> bytes(1000, static_cast<unsigned char>(chunk));
        file.write(chunk * 1000, bytes.data(), bytes.size());
      }
    });
    std::vector<unsigned char> back(1000);
    file.read(17 * 1000, back.data(), back.size());
    EXPECT_EQ(back, std::vector<unsigned char>(1000, 17));
    const char* mapped = file.map(64000);
    EXPECT_EQ(mapped[63 * 1000 + 999], 63);
    EXPECT_EQ(mapped[0], 0);
    ScratchFile::unmap(mapped, 64000);
    // Reading past what was written is an error, not silence.
    EXPECT_THROW(file.read(63 * 1000, back.data(), 2000), Error);
  }
  EXPECT_TRUE(std::filesystem::is_empty(directory));
  std::filesystem::remove_all(directory);
  // A directory that does not exist: an error naming it.
  try {
    ScratchFile missing(directory / "no" / "such");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no/such"), std::string::npos) << e.what();
  }
}

}  // namespace kohort
