#include "core/tabix_index.h"

#include <gtest/gtest.h>
#include <htslib/bgzf.h>
#include <htslib/hts_log.h>
#include <htslib/tbx.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/output.h"
#include "core/random.h"
#include "tbi_contents.h"

namespace kohort {
namespace {

namespace fs = std::filesystem;

fs::path scratch(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("kohort_tabix_test_" + std::to_string(getpid()));
  fs::create_directories(dir);
  return dir / name;
}

struct Row {
  std::string sequence;
  std::int64_t begin, end;  // 1-based, inclusive, as in the file
};

// Writes the rows (after a header line) as a BGZF file, indexing them as they are written: each
// row's end is where the writer stands after it, the last one's the end of the data.
void write_indexed(const fs::path& path, const std::vector<Row>& rows) {
  OutputFile out(path, 1, 1);
  out.write("#sequence\tbegin\tend\tpayload\n");
  TabixColumns columns;
  columns.begin = 2;
  columns.end = 3;
  columns.skip_lines = 1;
  TabixIndex index(path.string(), columns, out.virtual_offset());
  Random random(7, 0);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    std::string line = row.sequence + "\t" + std::to_string(row.begin) + "\t" + std::to_string(row.end) + "\t";
    // Payloads of random digits: the compressed file grows steadily, over many blocks.
    for (std::uint64_t n = 8 + random.next() % 40; n > 0; --n) line.push_back(static_cast<char>('0' + random.next() % 10));
    line.push_back('\n');
    out.write(line);
    const std::uint64_t row_end = i + 1 < rows.size() ? out.virtual_offset() : out.end_block();
    index.add(row.sequence, row.begin - 1, row.end, row_end);
  }
  index.finish(rows.empty() ? out.end_block() : out.virtual_offset());
  out.commit();
  index.save(path.string() + ".tbi");
}

test_support::TbiContents tabix_of(const fs::path& path) {
  fs::path copy = path.parent_path() / ("copy_" + path.filename().string());
  fs::copy_file(path, copy, fs::copy_options::overwrite_existing);
  hts_set_log_level(HTS_LOG_ERROR);
  tbx_conf_t conf = {TBX_GENERIC, 1, 2, 3, '#', 1};
  EXPECT_EQ(tbx_index_build(copy.c_str(), 0, &conf), 0);
  return test_support::parse_tbi(test_support::inflate_bgzf(copy.string() + ".tbi"));
}

TEST(TabixIndex, EqualsTabixWithLongRowsSparseWindowsAndManySequences) {
  // Rows of 1 base to several megabases, so that bins of every level get rows and small bins are
  // merged into their parents; gaps of empty windows; rows nested in a long one; three sequences.
  Random random(11, 0);
  std::vector<Row> rows;
  for (std::string sequence : {"chr1", "chr2", "chrX"}) {
    std::int64_t begin = sequence == "chr2" ? 1 : 40000;
    for (int i = 0; i < 6000; ++i) {
      const std::uint64_t kind = random.next() % 100;
      const std::int64_t length = kind < 80 ? 1 : kind < 92 ? 1 + static_cast<std::int64_t>(random.next() % 30000)
                                                             : 1 + static_cast<std::int64_t>(random.next() % 3000000);
      rows.push_back({sequence, begin, begin + length - 1});
      begin += kind % 9 == 0 ? 0 : kind % 13 == 0 ? 400000 : static_cast<std::int64_t>(random.next() % 3000);
    }
  }
  fs::path path = scratch("long.tsv.gz");
  write_indexed(path, rows);
  const test_support::TbiContents ours = test_support::parse_tbi(test_support::inflate_bgzf(path.string() + ".tbi")), theirs = tabix_of(path);
  ASSERT_EQ(theirs.bins.size(), 3u);
  std::size_t bins = 0, high = 0, chunks = 0;
  for (const auto& sequence : theirs.bins) {
    for (const auto& [bin, list] : sequence) {
      bins += 1;
      high += bin < 4681;  // above the bottom level
      chunks += list.size();
    }
  }
  EXPECT_GT(high, 20u);
  EXPECT_GT(chunks, bins);
  EXPECT_EQ(ours.header, theirs.header);
  for (std::size_t r = 0; r < theirs.bins.size(); ++r) {
    EXPECT_EQ(ours.bins[r], theirs.bins[r]) << "sequence " << r;
    EXPECT_EQ(ours.linear[r], theirs.linear[r]) << "sequence " << r;
  }
  EXPECT_TRUE(ours == theirs);
  fs::remove_all(path.parent_path());
}

TEST(TabixIndex, OneRowAndPositionZero) {
  fs::path path = scratch("one.tsv.gz");
  write_indexed(path, {{"1", 0, 0}});
  EXPECT_TRUE(test_support::parse_tbi(test_support::inflate_bgzf(path.string() + ".tbi")) == tabix_of(path));
  fs::remove_all(path.parent_path());
}

TEST(TabixIndex, RejectsRowsOutOfOrder) {
  TabixIndex index("rows.tsv.gz", TabixColumns{}, 0);
  index.add("1", 100, 101, 10);
  try {
    index.add("1", 50, 51, 20);
    ADD_FAILURE() << "an unsorted row was taken";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("rows.tsv.gz"), std::string::npos) << e.what();  // names the file
    EXPECT_NE(std::string(e.what()).find("51 after 101"), std::string::npos) << e.what();
  }
  index.add("2", 5, 6, 30);
  EXPECT_THROW(index.add("1", 500, 501, 40), Error);  // sequence 1 again
  EXPECT_THROW(index.add("2", 1LL << 30, (1LL << 30) + 1, 50), Error);  // beyond a .tbi's reach
}

}  // namespace
}  // namespace kohort
