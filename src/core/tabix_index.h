#pragma once
// A tabix (.tbi) index of a sorted BGZF text file, built from its rows' virtual offsets while the
// file is written: the index `tabix` builds by reading the file back (same bins, chunks and linear
// index as htslib's), saved through kohort's BGZF writer at its fastest level.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kohort {

// Which columns hold the sequence and the interval, as tabix's -s, -b, -e and -S options and its
// generic preset give them (1-based columns; positions 1-based and inclusive in the file).
struct TabixColumns {
  std::int32_t sequence = 1, begin = 2, end = 2;
  char comment = '#';
  std::int32_t skip_lines = 0;
};

class TabixIndex {
 public:
  // `name` (the indexed file) names it in error messages; `first_row` is the virtual offset where
  // the first indexed row starts (after any header).
  TabixIndex(std::string name, TabixColumns columns, std::uint64_t first_row);

  // The next row in file order: on sequence `sequence`, covering [begin, end) 0-based (a 1-based
  // position p is [p - 1, p); [-1, 0) counts as [0, 1)), read up to virtual offset `row_end`, where
  // a reader stands after it. A sequence's rows must be contiguous and sorted by begin; a row that
  // is not throws kohort::Error.
  void add(std::string_view sequence, std::int64_t begin, std::int64_t end, std::uint64_t row_end);
  // Completes the index; `data_end` is the virtual offset at the end of the data. No row may follow.
  void finish(std::uint64_t data_end);
  // Writes the finished index to `path` (BGZF), complete or not at all.
  void save(const std::string& path) const;

  std::size_t sequence_count() const { return sequences_.size(); }

 private:
  struct Chunk {
    std::uint64_t begin, end;  // virtual offsets
  };
  struct BinChunks {
    std::uint32_t bin;
    std::size_t first, count;  // its chunks in Sequence::chunks
  };
  struct Sequence {
    // Each chunk's bin, in file order; after finish the chunks are by bin, merged as htslib
    // merges them, and `bins` says whose they are.
    std::vector<std::uint32_t> chunk_bins;
    std::vector<Chunk> chunks;
    std::vector<BinChunks> bins;
    std::vector<std::uint64_t> linear;    // first offset of a row overlapping each 16 kb window
    Chunk span{};                         // the sequence's first and end offsets (the meta bin)
    std::uint64_t rows = 0;
  };
  void close_bin(std::uint64_t end);
  static void compress_bins(Sequence& sequence);
  std::string serialise() const;

  std::string name_;
  TabixColumns columns_;
  std::vector<Sequence> sequences_;
  std::string names_;  // NUL-terminated, in order
  std::string last_name_;
  std::int64_t last_begin_ = 0;
  std::uint32_t open_bin_ = 0;   // the bin of the rows since open_begin_
  std::uint64_t open_begin_ = 0;  // where those rows start
  std::uint64_t last_end_ = 0;    // where the last row ends (the next row starts)
  bool bin_open_ = false;
  bool finished_ = false;
};

}  // namespace kohort
