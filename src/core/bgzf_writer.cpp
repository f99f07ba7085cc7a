#include "core/bgzf_writer.h"

#include <fmt/format.h>
#include <htslib/hts.h>
#include <libdeflate.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "core/error.h"
#include "core/parallel.h"

namespace kohort {
namespace {

// Uncompressed bytes per block, as htslib's writer fills them: a block that does not compress
// still fits the 64 kB limit when stored.
constexpr std::size_t kBlockData = 0xff00;
constexpr std::size_t kMaxBlock = 0x10000;
constexpr std::size_t kHeader = 18, kFooter = 8;
constexpr std::size_t kMaxDeflate = kMaxBlock - kHeader - kFooter;
// The empty block that ends every BGZF file.
constexpr std::uint8_t kEndOfFile[28] = {0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, 'B', 'C', 2, 0,
                                         0x1b, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0};

void put_le16(std::uint8_t* at, std::size_t value) {
  at[0] = static_cast<std::uint8_t>(value);
  at[1] = static_cast<std::uint8_t>(value >> 8);
}

void put_le32(std::uint8_t* at, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) at[i] = static_cast<std::uint8_t>(value >> (8 * i));
}

// A deflate stream of one stored block: for data that does not compress, and level 0.
std::size_t store(const std::uint8_t* data, std::size_t size, std::uint8_t* out) {
  out[0] = 1;  // final block, stored
  put_le16(out + 1, size);
  put_le16(out + 3, ~size & 0xffff);
  std::memcpy(out + 5, data, size);
  return size + 5;
}

}  // namespace

namespace detail {

// A thread's compressor at one level: whole BGZF blocks from up to kBlockData bytes. Every block
// is compressed on its own, so one compressor (and its buffers) serves all the files a thread
// writes: held per file, they were 150 kB of each of thousands of phenotypes' open files.
class BlockCompressor {
 public:
  // This thread's compressor at `level` (`name` names the file in an error message).
  static BlockCompressor& of_thread(int level, const std::string& name) {
    thread_local std::unique_ptr<BlockCompressor> by_level[13];
    std::unique_ptr<BlockCompressor>& compressor = by_level[level];
    if (!compressor) compressor.reset(new BlockCompressor(level, name));
    return *compressor;
  }
  ~BlockCompressor() {
    if (libdeflate_) libdeflate_free_compressor(libdeflate_);
  }
  BlockCompressor(const BlockCompressor&) = delete;
  BlockCompressor& operator=(const BlockCompressor&) = delete;

  // Writes the block of `size` bytes of `data` to `out` (kMaxBlock bytes); returns its length.
  std::size_t block(const std::uint8_t* data, std::size_t size, std::uint8_t* out) {
    std::uint8_t* deflated = out + kHeader;
    const std::size_t deflated_size = deflate(data, size, deflated);
    const std::size_t total = kHeader + deflated_size + kFooter;
    const std::uint8_t fixed[16] = {0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, 'B', 'C', 2, 0};
    std::memcpy(out, fixed, sizeof fixed);
    put_le16(out + 16, total - 1);
    std::uint8_t* footer = deflated + deflated_size;
    put_le32(footer, libdeflate_crc32(0, data, size));
    put_le32(footer + 4, static_cast<std::uint32_t>(size));
    return total;
  }

 private:
  BlockCompressor(int level, const std::string& name) : level_(level) {
    if (level_ > 0) {
      libdeflate_ = libdeflate_alloc_compressor(level_);
      if (!libdeflate_) throw Error(fmt::format("{}: cannot start a level {} compressor (out of memory?)", name, level_));
    }
  }

  std::size_t deflate(const std::uint8_t* data, std::size_t size, std::uint8_t* out) {
    if (level_ == 0) return store(data, size, out);
    const std::size_t produced = libdeflate_deflate_compress(libdeflate_, data, size, out, kMaxDeflate);
    return produced ? produced : store(data, size, out);
  }

  int level_;
  libdeflate_compressor* libdeflate_ = nullptr;
};

}  // namespace detail

BgzfWriter::BgzfWriter(std::FILE* file, int level, std::string name, int threads)
    : file_(file), name_(std::move(name)), level_(std::clamp(level, 0, 12)) {
  workers_ = static_cast<std::size_t>(std::max(threads, 1));
  // A few blocks per thread per batch: the threads start once per batch, not per block.
  batch_blocks_ = workers_ == 1 ? 1 : 4 * workers_;
  pending_.reserve(batch_blocks_ * kBlockData);
  detail::BlockCompressor::of_thread(level_, name_);  // fails here, not at the first block, without memory
}

BgzfWriter::~BgzfWriter() = default;

void BgzfWriter::write(const void* data, std::size_t size) {
  const auto* bytes = static_cast<const std::uint8_t*>(data);
  const std::size_t batch_bytes = batch_blocks_ * kBlockData;
  while (size > 0) {
    const std::size_t take = std::min(size, batch_bytes - pending_.size());
    pending_.insert(pending_.end(), bytes, bytes + take);
    bytes += take;
    size -= take;
    // Full blocks are written at once, so the next byte's virtual offset is the next block's start.
    if (pending_.size() == batch_bytes) write_blocks(batch_blocks_);
  }
}

std::uint64_t BgzfWriter::virtual_offset() {
  if (pending_.size() >= kBlockData) write_blocks(pending_.size() / kBlockData);
  return block_address_ << 16 | pending_.size();
}

void BgzfWriter::flush() {
  if (!pending_.empty()) write_blocks((pending_.size() + kBlockData - 1) / kBlockData);
}

void BgzfWriter::finish() {
  flush();
  put(kEndOfFile, sizeof kEndOfFile);
  block_address_ += sizeof kEndOfFile;
}

void BgzfWriter::put(const void* data, std::size_t size) {
  if (std::fwrite(data, 1, size, file_) != size) throw Error(fmt::format("{}: write failed: {}", name_, std::strerror(errno)));
  if (md5_) hts_md5_update(md5_, data, static_cast<unsigned long>(size));
}

void BgzfWriter::write_blocks(std::size_t blocks) {
  // Compressed blocks go to the file at once: the calling thread's buffer serves every file it
  // writes (the compressing tasks reach it through this reference, not thread-local storage of
  // their own).
  thread_local std::vector<std::uint8_t> scratch;
  std::vector<std::uint8_t>& compressed = scratch;
  if (compressed.size() < blocks * kMaxBlock) compressed.resize(blocks * kMaxBlock);
  compressed_sizes_.resize(blocks);
  const std::size_t workers = std::min(blocks, workers_);
  const std::size_t grain = (blocks + workers - 1) / workers;
  auto compress = [&](std::size_t begin, std::size_t end) {
    detail::BlockCompressor& compressor = detail::BlockCompressor::of_thread(level_, name_);
    for (std::size_t b = begin; b < end; ++b) {
      const std::size_t offset = b * kBlockData;
      compressed_sizes_[b] = compressor.block(pending_.data() + offset, std::min(kBlockData, pending_.size() - offset),
                                              compressed.data() + b * kMaxBlock);
    }
  };
  if (workers > 1) {
    parallel_for(blocks, grain, compress);
  } else {
    compress(0, blocks);
  }
  for (std::size_t b = 0; b < blocks; ++b) {
    put(compressed.data() + b * kMaxBlock, compressed_sizes_[b]);
    block_address_ += compressed_sizes_[b];
  }
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(std::min(pending_.size(), blocks * kBlockData)));
}

}  // namespace kohort
