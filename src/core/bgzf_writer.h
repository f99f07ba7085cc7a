#pragma once
// BGZF (the blocked gzip of the SAM specification, section 4.1) written block by block: every
// block of up to 65,280 bytes is a gzip member of its own, so the file reads as gzip and tabix can
// index it by virtual offsets. Blocks are compressed with libdeflate, each on its own, so the bytes
// written depend on the data alone: not on the threads, nor on the run. (ISA-L's level 1, about
// twice as fast, was used until 2026-12-08; on the AMD EPYC machines kohort is tested on, one block
// in several thousand came out of it differently from run to run, content equal.)
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

struct hts_md5_context;

namespace kohort {
class BgzfWriter {
 public:
  // Writes to `file` (owned by the caller, left open); `name` names it in error messages.
  // `level`: 0 stores blocks uncompressed, 1 is the fastest compression, 12 the smallest.
  // `threads` > 1 compresses a batch of blocks at a time in parallel.
  BgzfWriter(std::FILE* file, int level, std::string name, int threads = 1);
  ~BgzfWriter();
  BgzfWriter(const BgzfWriter&) = delete;
  BgzfWriter& operator=(const BgzfWriter&) = delete;

  void write(const void* data, std::size_t size);
  // The virtual offset of the next byte: the file offset of its block << 16 | its offset in the
  // block, as htslib's bgzf_tell and tabix indexes have it. With threads, the blocks waiting for
  // compression are compressed first (their sizes are needed).
  std::uint64_t virtual_offset();
  // Compresses what is buffered, the last partial block into a block of its own.
  void flush();
  // Flushes and writes the empty end-of-file block readers use to tell a complete file.
  void finish();

  // Every byte written to the file from now on also goes into `md5` (owned by the caller).
  void digest_into(hts_md5_context* md5) { md5_ = md5; }

 private:
  // Compresses and writes the first `blocks` blocks of `pending_`.
  void write_blocks(std::size_t blocks);
  // Writes `size` bytes to the file (and the digest).
  void put(const void* data, std::size_t size);

  std::FILE* file_;
  std::string name_;
  int level_;
  std::size_t batch_blocks_;      // full blocks gathered before they are compressed
  std::vector<std::uint8_t> pending_;  // uncompressed data: full blocks, then the one being filled
  std::vector<std::size_t> compressed_sizes_;
  std::size_t workers_ = 1;  // threads compressing a batch, each with its own thread's compressor
  std::uint64_t block_address_ = 0;  // file offset where the next block starts
  hts_md5_context* md5_ = nullptr;
};

}  // namespace kohort
