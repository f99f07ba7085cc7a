#include "core/output.h"

#include <fmt/format.h>
#include <htslib/hts.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "core/bgzf_writer.h"
#include "core/error.h"

namespace kohort {
namespace fs = std::filesystem;

namespace {
constexpr std::size_t kBufferSize = 1 << 20;

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

fs::path temporary_name(const fs::path& path) {
  return fs::path(path.string() + fmt::format(".tmp{}", getpid()));
}
}  // namespace

OutputFile::OutputFile(fs::path path, int threads, int compression_level)
    : path_(std::move(path)), temp_path_(temporary_name(path_)) {
  if (path_.has_parent_path() && !fs::is_directory(path_.parent_path())) {
    throw InputError(path_.string(), fmt::format("cannot write: directory {} does not exist", path_.parent_path().string()));
  }
  plain_ = std::fopen(temp_path_.c_str(), "wb");
  if (!plain_) throw InputError(path_.string(), fmt::format("cannot open for writing: {}", std::strerror(errno)));
  if (ends_with(path_.string(), ".gz") || ends_with(path_.string(), ".bgz") || ends_with(path_.string(), ".tbi")) {
    try {
      blocks_ = std::make_unique<BgzfWriter>(plain_, compression_level, path_.string(), threads);
    } catch (...) {  // no destructor runs for a constructor that throws
      std::fclose(plain_);
      std::error_code ignored;
      fs::remove(temp_path_, ignored);
      throw;
    }
  } else {
    buffer_.reserve(kBufferSize);
  }
}

OutputFile::~OutputFile() {
  if (committed_) return;
  blocks_.reset();
  if (plain_) std::fclose(plain_);
  std::error_code ignored;
  fs::remove(temp_path_, ignored);
}

void OutputFile::write(std::string_view data) { write(data.data(), data.size()); }

void OutputFile::write(const void* data, std::size_t size) {
  if (blocks_) {
    blocks_->write(data, size);  // it buffers a block itself
    return;
  }
  if (buffer_.size() + size > kBufferSize) flush_buffer();
  if (size >= kBufferSize) {
    put(data, size);  // large writes bypass the buffer
    return;
  }
  buffer_.append(static_cast<const char*>(data), size);
}

void OutputFile::flush_buffer() {
  if (buffer_.empty()) return;
  put(buffer_.data(), buffer_.size());
  buffer_.clear();
}

void OutputFile::put(const void* data, std::size_t size) {
  if (std::fwrite(data, 1, size, plain_) != size) throw Error(fmt::format("{}: write failed: {}", path_.string(), std::strerror(errno)));
  if (md5_) hts_md5_update(md5_.get(), data, static_cast<unsigned long>(size));
}

void OutputFile::FreeMd5::operator()(hts_md5_context* md5) const { hts_md5_destroy(md5); }

void OutputFile::keep_md5() {
  if (md5_) return;
  if (std::ftell(plain_) != 0) throw std::logic_error("OutputFile::keep_md5 after bytes reached the file");
  md5_.reset(hts_md5_init());
  if (!md5_) throw Error(fmt::format("{}: cannot start an MD5 checksum", path_.string()));
  if (blocks_) blocks_->digest_into(md5_.get());
}

std::string OutputFile::md5_hex() const {
  if (!md5_ || !committed_) throw Error(fmt::format("{}: no MD5 kept, or the file is not complete", path_.string()));
  return md5_hex_;
}

std::uint64_t OutputFile::virtual_offset() {
  if (!blocks_) throw Error(fmt::format("{}: virtual offsets need a BGZF (.gz) file", path_.string()));
  return blocks_->virtual_offset();
}

std::uint64_t OutputFile::end_block() {
  if (!blocks_) throw Error(fmt::format("{}: virtual offsets need a BGZF (.gz) file", path_.string()));
  blocks_->flush();
  return blocks_->virtual_offset();
}

void OutputFile::commit() {
  if (committed_) return;
  flush_buffer();
  if (blocks_) blocks_->finish();
  if (md5_) {
    unsigned char digest[16];
    hts_md5_final(digest, md5_.get());
    char hex[33];
    hts_md5_hex(hex, digest);
    md5_hex_ = hex;
  }
  const int rc = std::fclose(plain_);
  plain_ = nullptr;
  if (rc != 0) throw Error(fmt::format("{}: closing failed: {}", path_.string(), std::strerror(errno)));
  std::error_code ec;
  fs::rename(temp_path_, path_, ec);
  if (ec) throw Error(fmt::format("{}: rename from {} failed: {}", path_.string(), temp_path_.string(), ec.message()));
  committed_ = true;
}

OutputDirectory::OutputDirectory(fs::path path) : path_(std::move(path)), temp_path_(temporary_name(path_)) {
  if (path_.has_parent_path() && !fs::is_directory(path_.parent_path())) {
    throw InputError(path_.string(), fmt::format("cannot write: directory {} does not exist", path_.parent_path().string()));
  }
  if (fs::exists(path_) && !fs::is_directory(path_)) {
    throw InputError(path_.string(), "exists and is not a directory; expected a directory name for the output");
  }
  std::error_code ec;
  fs::remove_all(temp_path_, ec);
  fs::create_directory(temp_path_, ec);
  if (ec) throw InputError(path_.string(), fmt::format("cannot create {}: {}", temp_path_.string(), ec.message()));
}

OutputDirectory::~OutputDirectory() {
  if (committed_) return;
  std::error_code ignored;
  fs::remove_all(temp_path_, ignored);
}

void OutputDirectory::commit() {
  if (committed_) return;
  std::error_code ec;
  fs::path old = fs::path(path_.string() + fmt::format(".old{}", getpid()));
  bool had_old = fs::exists(path_);
  if (had_old) fs::rename(path_, old, ec);
  if (ec) throw Error(fmt::format("{}: cannot move the previous output aside: {}", path_.string(), ec.message()));
  fs::rename(temp_path_, path_, ec);
  if (ec) throw Error(fmt::format("{}: rename from {} failed: {}", path_.string(), temp_path_.string(), ec.message()));
  if (had_old) fs::remove_all(old, ec);
  committed_ = true;
}

}  // namespace kohort
