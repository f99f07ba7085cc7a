#include "genotype/bed.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <fmt/format.h>
#include <vector>

#include "core/error.h"
#include "core/input.h"

namespace kohort::genotype {
namespace {

// .bed 2-bit code -> ALT count: 00 hom A1 (ALT) = 2, 01 missing, 10 het = 1, 11 hom A2 (REF) = 0.
constexpr std::array<std::int8_t, 4> kCodeToCall{2, kMissingCall, 1, 0};

// One packed byte (4 samples, low bits first) -> 4 calls as one little-endian word.
constexpr std::array<std::uint32_t, 256> make_byte_table() {
  std::array<std::uint32_t, 256> table{};
  for (unsigned byte = 0; byte < 256; ++byte) {
    std::uint32_t word = 0;
    for (unsigned k = 0; k < 4; ++k) {
      const auto call = static_cast<std::uint8_t>(kCodeToCall[(byte >> (2 * k)) & 3]);
      word |= std::uint32_t(call) << (8 * k);
    }
    table[byte] = word;
  }
  return table;
}
constexpr std::array<std::uint32_t, 256> kByteToCalls = make_byte_table();

class BedSource final : public GenotypeSource {
 public:
  BedSource(const std::string& bed, std::vector<Sample> samples, std::vector<Variant> variants)
      : GenotypeSource(bed, std::move(samples), std::move(variants)) {
    bytes_per_variant_ = (file_samples().size() + 3) / 4;
    map_file(bed);
  }
  ~BedSource() override {
    if (map_ && map_ != MAP_FAILED) munmap(map_, map_size_);
  }

  bool concurrent_reads() const override { return true; }

  const std::uint8_t* packed_row(std::uint32_t file_variant) const override {
    return static_cast<const std::uint8_t*>(map_) + 3 + std::size_t(file_variant) * bytes_per_variant_;
  }

  void release_packed_rows(std::uint32_t first, std::uint32_t end) const override {
    if (!map_ || end <= first) return;
    // Whole pages inside the range only: a page shared with a later row stays mapped. The page
    // cache keeps the data, so releasing costs nothing if a row is read again.
    const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    const std::size_t begin_byte = 3 + std::size_t(first) * bytes_per_variant_;
    const std::size_t end_byte = 3 + std::size_t(end) * bytes_per_variant_;
    const std::size_t begin_page = (begin_byte + page - 1) / page * page, end_page = end_byte / page * page;
    if (end_page > begin_page) madvise(static_cast<std::uint8_t*>(map_) + begin_page, end_page - begin_page, MADV_DONTNEED);
  }

 protected:
  void read_variant_calls(std::uint32_t file_variant, std::int8_t* out) override {
    const auto* packed = packed_row(file_variant);
    const std::size_t n = file_samples().size();
    const auto& selected = selected_samples();
    if (samples_in_file_order()) return decode_all(packed, n, out);
    if (selected.size() * 8 < n) {  // a small subset: pick its calls out of the packed bytes
      for (std::size_t s = 0; s < selected.size(); ++s) {
        const std::uint32_t f = selected[s];
        out[s] = kCodeToCall[(packed[f >> 2] >> (2 * (f & 3))) & 3];
      }
      return;
    }
    // A large subset: decode everything through the table, then gather (faster than bit picking).
    thread_local std::vector<std::int8_t> all;
    all.resize(n);
    decode_all(packed, n, all.data());
    for (std::size_t s = 0; s < selected.size(); ++s) out[s] = all[selected[s]];
  }

  static void decode_all(const std::uint8_t* packed, std::size_t n, std::int8_t* out) {
    const std::size_t full = n / 4;
    for (std::size_t b = 0; b < full; ++b) std::memcpy(out + 4 * b, &kByteToCalls[packed[b]], 4);
    for (std::size_t s = 4 * full; s < n; ++s) out[s] = kCodeToCall[(packed[s / 4] >> (2 * (s % 4))) & 3];
  }

  const std::uint8_t* packed_view(std::uint32_t file_variant) const override {
    return samples_in_file_order() ? packed_row(file_variant) : nullptr;
  }

  void read_variant_packed(std::uint32_t file_variant, std::uint64_t* out) override {
    const auto* packed = packed_row(file_variant);
    const std::size_t words = packed_words();
    out[words - 1] = 0;
    if (samples_in_file_order()) {
      std::memcpy(out, packed, bytes_per_variant_);
      const std::size_t n = file_samples().size();
      if (n % 32 != 0) out[words - 1] &= (std::uint64_t(1) << (2 * (n % 32))) - 1;  // clear the padding
      return;
    }
    std::fill(out, out + words, 0);
    const auto& selected = selected_samples();
    for (std::size_t s = 0; s < selected.size(); ++s) {
      const std::uint32_t f = selected[s];
      out[s / 32] |= std::uint64_t((packed[f >> 2] >> (2 * (f & 3))) & 3) << (2 * (s % 32));
    }
  }

 private:
  void map_file(const std::string& bed) {
    const int fd = ::open(bed.c_str(), O_RDONLY);
    if (fd < 0) throw InputError(bed, fmt::format("cannot open: {}", std::strerror(errno)));
    struct stat info {};
    if (fstat(fd, &info) != 0) {
      ::close(fd);
      throw InputError(bed, "cannot stat");
    }
    map_size_ = std::size_t(info.st_size);
    const std::size_t n = file_samples().size();
    const std::size_t m = file_variants().size();
    const std::size_t expected = 3 + m * bytes_per_variant_;
    if (map_size_ > 0) {
      map_ = mmap(nullptr, map_size_, PROT_READ, MAP_PRIVATE, fd, 0);
      ::close(fd);
      if (map_ == MAP_FAILED) throw Error(fmt::format("{}: mmap failed: {}", bed, std::strerror(errno)));
      madvise(map_, map_size_, MADV_SEQUENTIAL);
    } else {
      ::close(fd);
    }
    const auto* bytes = static_cast<const std::uint8_t*>(map_);
    if (map_size_ < 3 || bytes[0] != 0x6c || bytes[1] != 0x1b) {
      throw InputError(bed, "not a PLINK 1 .bed file: expected the magic bytes 0x6c 0x1b at the start");
    }
    if (bytes[2] != 0x01) {
      throw InputError(bed, fmt::format("third byte is 0x{:02x}: only variant-major .bed files (0x01) are supported",
                                        bytes[2]));
    }
    if (map_size_ != expected) {
      const std::size_t body = map_size_ - 3;
      std::string where;
      if (m > 0 && body % m == 0 && body / m != bytes_per_variant_) {
        // Whole variants of another width: the .fam, not the .bed, is out of step.
        where = fmt::format("; its {} bytes per variant fit {} to {} samples, so the .fam does not match it",
                            body / m, 4 * (body / m) - 3, 4 * (body / m));
        throw InputError(bed, fmt::format("has {} bytes but the .bim lists {} variants and the .fam {} samples, "
                                          "which need 3 + {} x {} = {} bytes{}",
                                          map_size_, m, n, m, bytes_per_variant_, expected, where));
      }
      if (map_size_ < expected) {
        const std::size_t complete = body / bytes_per_variant_;
        where = fmt::format("; data ends inside variant {} ({}, .bim line {})", complete + 1,
                            file_variants()[complete].id, complete + 1);
      }
      throw InputError(bed, fmt::format("has {} bytes but the .bim lists {} variants and the .fam {} samples, "
                                        "which need 3 + {} x {} = {} bytes{}{}",
                                        map_size_, m, n, m, bytes_per_variant_, expected, where,
                                        map_size_ < expected ? " (truncated, or the .fam lists too many samples)"
                                                             : " (the .fam or .bim does not belong to this .bed)"));
    }
  }

  void* map_ = nullptr;
  std::size_t map_size_ = 0;
  std::size_t bytes_per_variant_ = 0;
};

}  // namespace

std::vector<Sample> read_fam(const std::string& path) {
  LineReader reader(path);
  std::vector<Sample> samples;
  std::string line;
  std::vector<std::string_view> fields;
  while (reader.next(line)) {
    split_whitespace(line, fields);
    if (fields.empty()) continue;
    if (fields.size() < 6) {
      throw InputError(path, reader.line_number(),
                       fmt::format("expected 6 fields (FID IID father mother sex phenotype), found {}", fields.size()));
    }
    samples.push_back(Sample{std::string(fields[0]), std::string(fields[1]), parse_sex(fields[4])});
  }
  if (samples.empty()) throw InputError(path, "no samples: the .fam file is empty");
  return samples;
}

std::vector<Variant> read_bim(const std::string& path) {
  LineReader reader(path);
  std::vector<Variant> variants;
  std::string line;
  std::vector<std::string_view> fields;
  while (reader.next(line)) {
    split_whitespace(line, fields);
    if (fields.empty()) continue;
    if (fields.size() != 6) {
      throw InputError(path, reader.line_number(),
                       fmt::format("expected 6 fields (chrom id cM pos A1 A2), found {}", fields.size()));
    }
    Variant variant;
    variant.chrom = std::string(fields[0]);
    variant.id = std::string(fields[1]);
    const auto pos = fields[3];
    auto [end, ec] = std::from_chars(pos.data(), pos.data() + pos.size(), variant.pos);
    if (ec != std::errc() || end != pos.data() + pos.size()) {
      throw InputError(path, reader.line_number(), fmt::format("position '{}' is not an integer", pos));
    }
    variant.alt = std::string(fields[4]);
    variant.ref = std::string(fields[5]);
    variants.push_back(std::move(variant));
  }
  return variants;
}

std::unique_ptr<GenotypeSource> open_bed(const std::string& bed, const std::string& bim, const std::string& fam) {
  auto samples = read_fam(fam);
  auto variants = read_bim(bim);
  return std::make_unique<BedSource>(bed, std::move(samples), std::move(variants));
}

std::unique_ptr<GenotypeSource> open_bed(const std::string& prefix) {
  return open_bed(prefix + ".bed", prefix + ".bim", prefix + ".fam");
}

}  // namespace kohort::genotype
