#include "core/scratch_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "core/error.h"

namespace kohort {

ScratchFile::ScratchFile(const std::filesystem::path& directory) : directory_(directory.empty() ? "." : directory) {
  std::string name = (directory_ / ".kohort-scratch-XXXXXX").string();
  fd_ = ::mkstemp(name.data());
  if (fd_ < 0) throw Error(fmt::format("{}: cannot make a temporary file: {}", directory_.string(), std::strerror(errno)));
  ::unlink(name.c_str());
}

ScratchFile::~ScratchFile() {
  if (fd_ >= 0) ::close(fd_);
}

void ScratchFile::write(std::uint64_t offset, const void* data, std::size_t size) const {
  const char* bytes = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t written = ::pwrite(fd_, bytes, size, static_cast<off_t>(offset));
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0)
      throw Error(fmt::format("{}: cannot write a temporary file (is the disk full?): {}", directory_.string(),
                              written < 0 ? std::strerror(errno) : "nothing written"));
    bytes += written;
    offset += static_cast<std::uint64_t>(written);
    size -= static_cast<std::size_t>(written);
  }
}

void ScratchFile::read(std::uint64_t offset, void* data, std::size_t size) const {
  char* bytes = static_cast<char*>(data);
  while (size > 0) {
    const ssize_t got = ::pread(fd_, bytes, size, static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0)
      throw Error(fmt::format("{}: cannot read back a temporary file: {}", directory_.string(), got < 0 ? std::strerror(errno) : "it ended early"));
    bytes += got;
    offset += static_cast<std::uint64_t>(got);
    size -= static_cast<std::size_t>(got);
  }
}

const char* ScratchFile::map(std::size_t size) const {
  if (size == 0) return nullptr;
  void* data = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd_, 0);
  if (data == MAP_FAILED) throw Error(fmt::format("{}: cannot map a temporary file: {}", directory_.string(), std::strerror(errno)));
  return static_cast<const char*>(data);
}

void ScratchFile::unmap(const char* data, std::size_t size) {
  if (data) ::munmap(const_cast<char*>(data), size);
}

}  // namespace kohort
