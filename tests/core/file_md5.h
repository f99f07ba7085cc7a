#pragma once
// Test support: a file's bytes and their MD5 (htslib's), to check checksums kohort keeps while it
// writes against the file as it lies on disk.
#include <htslib/hts.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace kohort::test_support {

inline std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline std::string md5_hex(const std::string& bytes) {
  hts_md5_context* context = hts_md5_init();
  hts_md5_update(context, bytes.data(), static_cast<unsigned long>(bytes.size()));
  unsigned char digest[16];
  hts_md5_final(digest, context);
  hts_md5_destroy(context);
  char hex[33];
  hts_md5_hex(hex, digest);
  return std::string(hex, 32);
}

}  // namespace kohort::test_support
