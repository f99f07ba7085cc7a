#include "genotype/bgen.h"

#include <fcntl.h>
#include <unistd.h>
#include <sqlite3.h>
#include <libdeflate.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <filesystem>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fmt/format.h>
#include <limits>
#include <vector>

#include "core/error.h"
#include "core/input.h"
#include "core/log.h"

namespace kohort::genotype {
namespace {

enum class Compression { kNone = 0, kZlib = 1, kZstd = 2 };

struct BlockLocation {
  std::uint64_t offset;  // of the genotype data block, or of the whole variant when from_index
  std::uint32_t size;    // bytes stored in the file for the genotype data (0 when from_index)
  bool from_index = false;
};

// Sequential reader over a file descriptor with an error naming file and what was being read.
// With a buffer (`buffer_bytes` > 0), small reads are served from one larger read: the scan of the
// variants' headers made ten system calls a variant (300,000 for 20,000 variants, a tenth of a
// GWAS of one phenotype, all on one thread) where one for a few variants will do.
class FileCursor {
 public:
  FileCursor(int fd, std::string path, std::size_t buffer_bytes = 0) : fd_(fd), path_(std::move(path)), buffer_(buffer_bytes) {}
  void read(void* out, std::size_t size, const std::string& what) {
    auto* bytes = static_cast<char*>(out);
    if (!buffer_.empty() && size < buffer_.size()) {
      if (offset_ < buffer_offset_ || offset_ + size > buffer_offset_ + buffered_) fill(what);
      if (offset_ + size > buffer_offset_ + buffered_) {
        throw InputError(path_, fmt::format("file ends inside {} (byte offset {})", what, buffer_offset_ + buffered_));
      }
      std::memcpy(bytes, buffer_.data() + (offset_ - buffer_offset_), size);
      offset_ += size;
      return;
    }
    std::size_t done = 0;
    while (done < size) {
      const ssize_t got = ::pread(fd_, bytes + done, size - done, off_t(offset_ + done));
      if (got <= 0) throw InputError(path_, fmt::format("file ends inside {} (byte offset {})", what, offset_ + done));
      done += std::size_t(got);
    }
    offset_ += size;
  }
  template <typename T>
  T get(const std::string& what) {
    T value;
    read(&value, sizeof(T), what);  // BGEN is little-endian, as are the machines kohort runs on
    return value;
  }
  std::string string16(const std::string& what) { return string(get<std::uint16_t>(what), what); }
  std::string string32(const std::string& what) { return string(get<std::uint32_t>(what), what); }
  std::string string(std::size_t size, const std::string& what) {
    std::string text(size, '\0');
    read(text.data(), size, what);
    return text;
  }
  std::uint64_t offset() const { return offset_; }
  void seek(std::uint64_t offset) { offset_ = offset; }

 private:
  // The buffer from the cursor on, as much of it as the file holds.
  void fill(const std::string& what) {
    buffer_offset_ = offset_;
    buffered_ = 0;
    while (buffered_ < buffer_.size()) {
      const ssize_t got = ::pread(fd_, buffer_.data() + buffered_, buffer_.size() - buffered_, off_t(offset_ + buffered_));
      if (got < 0) throw InputError(path_, fmt::format("cannot read {} (byte offset {}): {}", what, offset_ + buffered_, std::strerror(errno)));
      if (got == 0) break;
      buffered_ += std::size_t(got);
    }
  }

  int fd_;
  std::string path_;
  std::uint64_t offset_ = 0;
  std::vector<char> buffer_;
  std::uint64_t buffer_offset_ = 0;
  std::size_t buffered_ = 0;
};
// Bytes a header-scanning cursor reads at once: a few variants of 20,000 8-bit samples, and one
// page-cache copy of little cost where a variant's block is larger.
constexpr std::size_t kHeaderBufferBytes = 64 << 10;

// Reads one variant's identifying data at the cursor; leaves the cursor after its genotype block
// and returns where that block is.
BlockLocation read_variant_header(FileCursor& cursor, const std::string& path, int layout, Compression compression,
                                  std::uint32_t n, const std::string& what, Variant& variant,
                                  std::vector<std::string>& alleles) {
  if (layout == 1) {
    if (cursor.get<std::uint32_t>(what) != n) throw InputError(path, what + ": sample count differs from header");
  }
  const std::string snp_id = cursor.string16(what);
  variant.id = cursor.string16(what);
  if (variant.id.empty() || variant.id == ".") variant.id = snp_id;
  variant.chrom = cursor.string16(what);
  variant.pos = cursor.get<std::uint32_t>(what);
  const unsigned count = layout == 1 ? 2 : cursor.get<std::uint16_t>(what);
  alleles.clear();
  for (unsigned a = 0; a < count; ++a) alleles.push_back(cursor.string32(what));
  std::uint32_t size;
  if (layout == 1 && compression == Compression::kNone) {
    size = 6 * n;
  } else {
    size = cursor.get<std::uint32_t>(what);
  }
  const std::uint64_t offset = cursor.offset();
  cursor.seek(offset + size);
  return BlockLocation{offset, size, false};
}

class BgenSource final : public GenotypeSource {
 public:
  BgenSource(std::string path, int fd, std::vector<Sample> samples, std::vector<Variant> variants,
             std::vector<BlockLocation> blocks, Compression compression, int layout)
      : GenotypeSource(std::move(path), std::move(samples), std::move(variants)),
        fd_(fd),
        blocks_(std::move(blocks)),
        compression_(compression),
        layout_(layout) {}
  ~BgenSource() override { ::close(fd_); }

  bool has_dosages() const override { return true; }
  bool concurrent_reads() const override { return true; }

 protected:
  void read_variant_calls(std::uint32_t file_variant, std::int8_t* out) override {
    thread_local std::vector<double> dosages;
    dosages.resize(sample_count());
    read_variant_dosages(file_variant, dosages.data());
    hard_calls(dosages.data(), dosages.size(), out);
  }

  // The hard calls come from the dosages: one decoding gives both (variant filters count both),
  // packed 32 samples to a word in registers.
  void read_variant_packed_and_dosages(std::uint32_t file_variant, std::uint64_t* packed, double* dosages) override {
    read_variant_dosages(file_variant, dosages);
    const std::size_t n = sample_count();
    for (std::size_t w = 0; w < packed_words(); ++w) {
      // Branch-free: which calls these are depends on the data, and mispredicted branches cost
      // more than the decoding.
      std::uint64_t low = 0, high = 0;  // the codes' bits, one per sample
      const std::size_t first = 32 * w, count = std::min<std::size_t>(32, n - first);
      for (std::size_t k = 0; k < count; ++k) {
        const NearCall near = near_call(dosages[first + k]);
        low |= static_cast<std::uint64_t>(!(near.one || near.two)) << k;  // hom REF 11 and missing 01
        high |= static_cast<std::uint64_t>(near.zero || near.one) << k;   // hom REF 11 and het 10
      }
      packed[w] = spread_bits(low) | spread_bits(high) << 1;
    }
  }

  void read_variant_dosages(std::uint32_t file_variant, double* out) override {
    if (samples_in_file_order()) return decode(file_variant, out);  // no gather, no copy
    thread_local std::vector<double> all;
    const std::size_t n = file_samples().size();
    all.resize(n);
    decode(file_variant, all.data());
    const auto& selected = selected_samples();
    for (std::size_t s = 0; s < selected.size(); ++s) out[s] = all[selected[s]];
  }

 private:
  // The hard call of a dosage (in [0, 2]) is the ALT count it lies within 0.1 of, if any, else
  // missing (NaN too): which count that is.
  struct NearCall {
    bool zero, one, two;
  };
  static NearCall near_call(double d) { return {std::fabs(d) <= 0.1, std::fabs(d - 1) <= 0.1, std::fabs(d - 2) <= 0.1}; }
  static std::int8_t hard_call(double d) {
    const NearCall near = near_call(d);
    return near.zero ? 0 : near.one ? 1 : near.two ? 2 : kMissingCall;
  }
  static void hard_calls(const double* dosages, std::size_t n, std::int8_t* out) {
    for (std::size_t s = 0; s < n; ++s) out[s] = hard_call(dosages[s]);
  }
  // Bit k of the low 32 bits to bit 2k.
  static std::uint64_t spread_bits(std::uint64_t x) {
    x = (x | x << 16) & 0x0000FFFF0000FFFFULL;
    x = (x | x << 8) & 0x00FF00FF00FF00FFULL;
    x = (x | x << 4) & 0x0F0F0F0F0F0F0F0FULL;
    x = (x | x << 2) & 0x3333333333333333ULL;
    x = (x | x << 1) & 0x5555555555555555ULL;
    return x;
  }

  [[noreturn]] void bad_block(std::uint32_t v, const std::string& what) const {
    throw InputError(path(), fmt::format("variant {} ({}): bad genotype block: {}", v + 1, file_variants()[v].id, what));
  }

  // Decompressed probability data of one variant into `data` (with 8 bytes of zero padding).
  void load(std::uint32_t v, std::vector<std::uint8_t>& data) {
    thread_local std::vector<std::uint8_t> stored;
    BlockLocation block = blocks_[v];
    if (block.from_index) {  // the .bgi points at the variant: step over its identifying data
      FileCursor header(fd_, path(), 1024);  // the identifying data: ids, alleles, the block's length
      header.seek(block.offset);
      Variant variant;
      std::vector<std::string> alleles;
      block = read_variant_header(header, path(), layout_, compression_, std::uint32_t(file_samples().size()),
                                  fmt::format("variant {} ({})", v + 1, file_variants()[v].id), variant, alleles);
    }
    stored.resize(block.size);
    FileCursor cursor(fd_, path());
    cursor.seek(block.offset);
    cursor.read(stored.data(), block.size, fmt::format("the genotype block of variant {}", v + 1));
    const std::size_t n = file_samples().size();
    const std::uint8_t* source = stored.data();
    std::size_t source_size = block.size;
    std::size_t expected;
    if (layout_ == 1) {
      expected = 6 * n;
    } else if (compression_ != Compression::kNone) {
      if (block.size < 4) bad_block(v, "shorter than its length field");
      std::uint32_t d;
      std::memcpy(&d, stored.data(), 4);
      expected = d;
      source += 4;
      source_size -= 4;
    } else {
      expected = block.size;
    }
    data.assign(expected + 8, 0);
    if (compression_ == Compression::kNone) {
      if (source_size != expected) bad_block(v, "size does not match the sample count");
      std::memcpy(data.data(), source, expected);
    } else if (compression_ == Compression::kZlib) {
      // libdeflate inflates whole buffers about twice as fast as zlib: with BGEN input,
      // decompression is a large share of a GWAS.
      struct FreeDecompressor {
        void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
      };
      thread_local std::unique_ptr<libdeflate_decompressor, FreeDecompressor> decompressor(libdeflate_alloc_decompressor());
      if (!decompressor) throw Error("cannot allocate a zlib decompressor");
      std::size_t produced = 0;
      const libdeflate_result status = libdeflate_zlib_decompress(decompressor.get(), source, source_size, data.data(), expected, &produced);
      if (status != LIBDEFLATE_SUCCESS || produced != expected) {
        bad_block(v, fmt::format("zlib decompression failed ({}; {} of {} bytes)",
                                 status == LIBDEFLATE_BAD_DATA ? "corrupt data" : status == LIBDEFLATE_INSUFFICIENT_SPACE ? "longer than stated" : "shorter than stated",
                                 produced, expected));
      }
    } else {
      const std::size_t produced = ZSTD_decompress(data.data(), expected, source, source_size);
      if (ZSTD_isError(produced) || produced != expected) {
        bad_block(v, fmt::format("zstd decompression failed ({})",
                                 ZSTD_isError(produced) ? ZSTD_getErrorName(produced) : "wrong size"));
      }
    }
  }

  void decode(std::uint32_t v, double* out) {
    thread_local std::vector<std::uint8_t> data;
    load(v, data);
    const std::size_t n = file_samples().size();
    constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
    if (layout_ == 1) {
      for (std::size_t s = 0; s < n; ++s) {
        std::uint16_t p[3];
        std::memcpy(p, data.data() + 6 * s, 6);
        out[s] = p[0] == 0 && p[1] == 0 && p[2] == 0 ? kNaN : (p[1] + 2.0 * p[2]) / 32768.0;
      }
      return;
    }
    const std::uint8_t* d = data.data();
    const std::size_t size = data.size() - 8;
    if (size < 10) bad_block(v, "too short for its header");
    std::uint32_t stored_n;
    std::uint16_t alleles;
    std::memcpy(&stored_n, d, 4);
    std::memcpy(&alleles, d + 4, 2);
    if (stored_n != n) bad_block(v, fmt::format("holds {} samples, the header says {}", stored_n, n));
    if (alleles != 2) bad_block(v, fmt::format("{} alleles where the variant header said 2", alleles));
    const std::uint8_t max_ploidy = d[7];
    const std::uint8_t* ploidy = d + 8;
    if (size < 8 + n + 2) bad_block(v, "too short for its ploidy list");
    const bool phased = d[8 + n] == 1;
    const unsigned bits = d[9 + n];
    if (bits < 1 || bits > 32) bad_block(v, fmt::format("{} bits per probability (1-32 allowed)", bits));
    if (max_ploidy > 2) bad_block(v, "ploidy above 2 is not supported");
    const std::uint8_t* packed = d + 10 + n;
    const std::uint64_t mask = bits == 64 ? ~0ull : ((1ull << bits) - 1);
    // Divided, not multiplied by 1/mask: a stored probability of mask/mask is then exactly 1, so
    // a sure genotype gets an exact dosage (a monomorphic variant has frequency 0, not 1e-17).
    const double denominator = double(mask);
    std::uint64_t bit = 0;
    const bool all_diploid = d[6] == 2 && max_ploidy == 2;  // the header's least and most ploidy
    std::uint64_t values = 2 * std::uint64_t{n};
    if (!all_diploid) {
      values = 0;
      // Two alleles: a sample of ploidy Z stores Z probabilities, phased or not (none for Z = 0,
      // as plink2 writes females on chrY).
      for (std::size_t s = 0; s < n; ++s) values += ploidy[s] & 63;
    }
    if (10 + n + (values * bits + 7) / 8 != size) bad_block(v, "probability data size does not match its header");
    if (!phased && bits == 8 && all_diploid) {
      // The common case (UK Biobank style: unphased diploid, 8 bits): two bytes a sample. The
      // dosage p12 + 2 p22 is (b12 + 2 (255 - b11 - b12)) / 255 for stored bytes b11, b12: one
      // correctly rounded quotient, from a table of the 511 possible numerators.
      static const std::array<double, 511> kDosage = [] {
        std::array<double, 511> table{};
        for (unsigned i = 0; i < 511; ++i) table[i] = double(i) / 255.0;
        return table;
      }();
      for (std::size_t s = 0; s < n; ++s) {
        const int b11 = packed[2 * s], b12 = packed[2 * s + 1];
        if (b11 + b12 > 255) bad_block(v, fmt::format("the probabilities of sample {} sum to more than 1", s + 1));
        out[s] = (ploidy[s] & 128) != 0 ? kNaN : kDosage[static_cast<unsigned>(510 - 2 * b11 - b12)];
      }
      return;
    }
    auto next = [&]() {
      std::uint64_t word;
      std::memcpy(&word, packed + bit / 8, 8);
      const double value = double((word >> (bit % 8)) & mask) / denominator;
      bit += bits;
      return value;
    };
    for (std::size_t s = 0; s < n; ++s) {
      const unsigned z = ploidy[s] & 63;
      const bool missing = (ploidy[s] & 128) != 0;
      double dosage = 0;
      if (phased) {
        for (unsigned k = 0; k < z; ++k) dosage += 1.0 - next();  // stored: P(haplotype carries allele 1)
        if (z == 1) dosage *= 2;  // haploid as homozygous, as for the other formats
      } else if (z == 2) {
        const double p11 = next(), p12 = next();
        dosage = p12 + 2.0 * (1.0 - p11 - p12);
      } else if (z == 1) {
        dosage = 2.0 * (1.0 - next());
      }
      out[s] = missing || z == 0 ? kNaN : dosage;
    }
  }

  int fd_;
  std::vector<BlockLocation> blocks_;
  Compression compression_;
  int layout_;
};

// Variant metadata and positions from a bgenix .bgi index (SQLite table Variant), in file order.
void read_bgi(const std::string& index_path, std::uint32_t expected, std::vector<Variant>& variants,
              std::vector<BlockLocation>& blocks, std::uint64_t& skipped) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(index_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    throw InputError(index_path, "cannot open the .bgi index as SQLite");
  }
  sqlite3_stmt* query = nullptr;
  const char* sql =
      "SELECT chromosome, position, rsid, number_of_alleles, allele1, allele2, file_start_position, size_in_bytes "
      "FROM Variant ORDER BY file_start_position";
  if (sqlite3_prepare_v2(db, sql, -1, &query, nullptr) != SQLITE_OK) {
    const std::string message = sqlite3_errmsg(db);
    sqlite3_close(db);
    throw InputError(index_path, "not a bgenix index (no Variant table with the usual columns): " + message);
  }
  auto text = [&](int column) {
    const auto* value = sqlite3_column_text(query, column);
    return value ? std::string(reinterpret_cast<const char*>(value)) : std::string();
  };
  std::uint64_t rows = 0;
  int status;
  while ((status = sqlite3_step(query)) == SQLITE_ROW) {
    ++rows;
    Variant variant;
    variant.chrom = text(0);
    variant.pos = sqlite3_column_int64(query, 1);
    variant.id = text(2);
    const int alleles = sqlite3_column_int(query, 3);
    if (alleles != 2) {
      if (skipped < 5) {
        log_warning(fmt::format("{}: variant {} ({}) has {} alleles: skipped", index_path, rows, variant.id, alleles));
      }
      ++skipped;
      continue;
    }
    variant.ref = text(4);
    variant.alt = text(5);
    const auto size = sqlite3_column_int64(query, 7);
    variants.push_back(std::move(variant));
    blocks.push_back(BlockLocation{std::uint64_t(sqlite3_column_int64(query, 6)), std::uint32_t(size), true});
  }
  sqlite3_finalize(query);
  sqlite3_close(db);
  if (status != SQLITE_DONE) throw InputError(index_path, "cannot read the Variant table");
  if (rows != expected) {
    throw InputError(index_path, fmt::format("lists {} variants but the BGEN header says {}: a stale index?", rows,
                                             expected));
  }
}

}  // namespace

std::vector<Sample> read_oxford_sample(const std::string& path) {
  LineReader reader(path);
  std::vector<Sample> samples;
  std::string line;
  std::vector<std::string_view> fields;
  std::size_t sex_column = 0;  // 0: none (column 0 is ID_1)
  while (reader.next(line)) {
    split_whitespace(line, fields);
    if (reader.line_number() <= 2) {  // column names, then column types
      if (reader.line_number() == 1) {
        for (std::size_t c = 1; c < fields.size(); ++c) {
          if (fields[c] == "sex" || fields[c] == "Sex" || fields[c] == "SEX") sex_column = c;
        }
      }
      if (reader.line_number() == 2 && (fields.empty() || fields[0] != "0")) {
        throw InputError(path, 2, "expected the .sample type line starting with 0");
      }
      continue;
    }
    if (fields.empty()) continue;
    if (fields.size() < 2) throw InputError(path, reader.line_number(), "expected ID_1 ID_2 columns");
    const Sex sex = sex_column && sex_column < fields.size() ? parse_sex(fields[sex_column]) : Sex::unknown;
    samples.push_back(Sample{std::string(fields[0]), std::string(fields[1]), sex});
  }
  return samples;
}

std::unique_ptr<GenotypeSource> open_bgen(const std::string& path, const std::string& sample_file) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throw InputError(path, fmt::format("cannot open: {}", std::strerror(errno)));
  try {
    FileCursor cursor(fd, path, kHeaderBufferBytes);
    const auto first_variant = cursor.get<std::uint32_t>("the header");
    const auto header_size = cursor.get<std::uint32_t>("the header");
    const auto m = cursor.get<std::uint32_t>("the header");
    const auto n = cursor.get<std::uint32_t>("the header");
    const auto magic = cursor.string(4, "the header");
    if (magic != "bgen" && magic != std::string(4, '\0')) {
      throw InputError(path, "not a BGEN file: expected the magic bytes 'bgen' at offset 16");
    }
    if (header_size < 20 || header_size > first_variant) throw InputError(path, "header length out of range");
    cursor.seek(4 + header_size - 4);
    const auto flags = cursor.get<std::uint32_t>("the header flags");
    const auto compression = static_cast<Compression>(flags & 3);
    const int layout = int((flags >> 2) & 15);
    if ((flags & 3) == 3) throw InputError(path, "unknown compression type 3 in the header flags");
    if (layout != 1 && layout != 2) throw InputError(path, fmt::format("layout {} is not BGEN layout 1 or 2", layout));
    if (layout == 1 && compression == Compression::kZstd) throw InputError(path, "layout 1 cannot use zstd");

    std::vector<Sample> samples;
    if (flags & 0x80000000u) {
      cursor.seek(4 + header_size);
      cursor.get<std::uint32_t>("the sample identifier block");
      const auto count = cursor.get<std::uint32_t>("the sample identifier block");
      if (count != n) throw InputError(path, fmt::format("sample block lists {} samples, the header {}", count, n));
      for (std::uint32_t s = 0; s < n; ++s) samples.push_back(Sample{"", cursor.string16("a sample identifier")});
    }
    if (!sample_file.empty()) {
      samples = read_oxford_sample(sample_file);
      if (samples.size() != n) {
        throw InputError(sample_file, fmt::format("lists {} samples but {} holds {}", samples.size(), path, n));
      }
    } else if (samples.empty()) {
      for (std::uint32_t s = 0; s < n; ++s) samples.push_back(Sample{"", fmt::format("sample_{}", s + 1)});
    }

    std::vector<Variant> variants;
    std::vector<BlockLocation> blocks;
    cursor.seek(std::uint64_t(first_variant) + 4);
    std::uint64_t skipped = 0;
    const std::string index_path = path + ".bgi";
    if (std::filesystem::exists(index_path)) {
      read_bgi(index_path, m, variants, blocks, skipped);
    } else {
      std::vector<std::string> alleles;
      for (std::uint32_t v = 0; v < m; ++v) {
        Variant variant;
        const BlockLocation block = read_variant_header(cursor, path, layout, compression, n,
                                                        fmt::format("variant {}", v + 1), variant, alleles);
        if (alleles.size() != 2) {
          if (skipped < 5) {
            log_warning(fmt::format("{}: variant {} ({}) has {} alleles: skipped", path, v + 1, variant.id,
                                    alleles.size()));
          }
          ++skipped;
          continue;
        }
        variant.ref = alleles[0];
        variant.alt = alleles[1];
        variants.push_back(std::move(variant));
        blocks.push_back(block);
      }
    }
    if (skipped > 0) log_warning(fmt::format("{}: {} multi-allelic variants skipped", path, skipped));
    // The last block must lie inside the file: a truncated file fails here, not mid-analysis.
    if (!blocks.empty()) {
      std::uint8_t byte;
      FileCursor end(fd, path);
      end.seek(blocks.back().offset + std::max<std::uint32_t>(blocks.back().size, 1) - 1);
      end.read(&byte, 1, fmt::format("the genotype block of variant {} ({})", m, variants.back().id));
    }
    return std::make_unique<BgenSource>(path, fd, std::move(samples), std::move(variants), std::move(blocks),
                                        compression, layout);
  } catch (...) {
    ::close(fd);
    throw;
  }
}

}  // namespace kohort::genotype
