#pragma once
// Files and directories that appear only when complete: data goes to a temporary name that is
// renamed into place by commit(); without commit (an error, an exception) the temporary is removed.
// Names ending in .gz (or .bgz) are written BGZF-compressed (gzip-compatible, indexable by tabix),
// and so are .tbi names (tabix indexes are BGZF files themselves).
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

struct hts_md5_context;

namespace kohort {

class BgzfWriter;

class OutputFile {
 public:
  // Opens `path` for writing through a temporary file beside it; `threads` > 1 compresses in parallel;
  // `compression_level` (0 stored, 1 fastest .. 12 smallest) applies to .gz names.
  explicit OutputFile(std::filesystem::path path, int threads = 1, int compression_level = 6);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  void write(std::string_view data);
  void write(const void* data, std::size_t size);
  // Flushes, closes and renames into place. Throws kohort::Error on an I/O failure.
  void commit();

  // BGZF virtual offset (compressed block address << 16 | offset in the block) of the next byte to
  // be written, as tabix records offsets: lets an index be built while writing. Only for a .gz
  // file; throws otherwise. With threads, it first compresses the blocks waiting for compression.
  std::uint64_t virtual_offset();
  // Compresses what is buffered into a block of its own and returns the virtual offset after it:
  // where a reader stands at the end of the data (tabix's offset for the last row and the end).
  std::uint64_t end_block();

  // Keeps the MD5 of the file's bytes as they are written (call before the first write), so
  // that a checksum needs no second read of the file: md5_hex() after commit().
  void keep_md5();
  std::string md5_hex() const;

  const std::filesystem::path& path() const { return path_; }
  bool compressed() const { return blocks_ != nullptr; }

 private:
  void flush_buffer();
  void put(const void* data, std::size_t size);  // to the file (and the MD5)
  struct FreeMd5 {
    void operator()(hts_md5_context* md5) const;
  };

  std::filesystem::path path_;
  std::filesystem::path temp_path_;
  std::FILE* plain_ = nullptr;  // the file itself, written through `blocks_` for .gz names
  std::unique_ptr<BgzfWriter> blocks_;
  std::string buffer_;
  std::unique_ptr<hts_md5_context, FreeMd5> md5_;
  std::string md5_hex_;  // set by commit() when the MD5 is kept
  bool committed_ = false;
};

// A directory of outputs built under a temporary name and swapped into place on commit();
// an existing directory at `path` is replaced only then.
class OutputDirectory {
 public:
  explicit OutputDirectory(std::filesystem::path path);
  ~OutputDirectory();
  OutputDirectory(const OutputDirectory&) = delete;
  OutputDirectory& operator=(const OutputDirectory&) = delete;

  // Where to write a file named `name` while the directory is being built.
  std::filesystem::path file(std::string_view name) const { return temp_path_ / name; }
  void commit();

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::filesystem::path temp_path_;
  bool committed_ = false;
};

}  // namespace kohort
