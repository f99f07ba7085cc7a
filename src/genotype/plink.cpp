#include "genotype/plink.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/error.h"
#include "core/input.h"
#include "core/parallel.h"

namespace kohort::genotype {
namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

// ALT dosage of each 2-bit code: 00 hom first allele (ALT), 01 missing, 10 het, 11 hom REF.
constexpr double kDosage[4] = {2.0, kMissing, 1.0, 0.0};

// Four dosages per .bed byte, so a row decodes one byte at a time.
struct ByteTable {
  double values[256][4];
  ByteTable() {
    for (int b = 0; b < 256; ++b)
      for (int k = 0; k < 4; ++k) values[b][k] = kDosage[(b >> (2 * k)) & 3];
  }
};
const ByteTable kByteTable;

}  // namespace

std::vector<FamSample> read_fam(const std::string& path) {
  LineReader reader(path);
  std::string line;
  std::vector<std::string_view> fields;
  std::vector<FamSample> samples;
  while (reader.next(line)) {
    split_whitespace(line, fields);
    if (fields.empty()) continue;
    if (fields.size() != 6) {
      throw InputError(path, reader.line_number(), fmt::format("{} fields, expected 6 (FID IID father mother sex phenotype)", fields.size()));
    }
    FamSample s;
    s.family_id = fields[0];
    s.id = fields[1];
    s.sex = fields[4] == "1" ? 1 : fields[4] == "2" ? 2 : 0;
    samples.push_back(std::move(s));
  }
  return samples;
}

std::vector<Variant> read_bim(const std::string& path) {
  LineReader reader(path);
  std::string line;
  std::vector<std::string_view> fields;
  std::vector<Variant> variants;
  while (reader.next(line)) {
    split_whitespace(line, fields);
    if (fields.empty()) continue;
    if (fields.size() != 6) {
      throw InputError(path, reader.line_number(),
                       fmt::format("{} fields, expected 6 (chromosome id cM position allele1 allele2)", fields.size()));
    }
    Variant v;
    v.chromosome = fields[0];
    v.id = fields[1];
    auto cm = std::from_chars(fields[2].data(), fields[2].data() + fields[2].size(), v.genetic_position_cm);
    auto pos = std::from_chars(fields[3].data(), fields[3].data() + fields[3].size(), v.position);
    if (cm.ec != std::errc() || pos.ec != std::errc() || pos.ptr != fields[3].data() + fields[3].size()) {
      throw InputError(path, reader.line_number(), fmt::format("position '{}' or cM '{}' is not a number", fields[3], fields[2]));
    }
    v.alt = fields[4];
    v.ref = fields[5];
    variants.push_back(std::move(v));
  }
  return variants;
}

std::unordered_set<std::string> read_sample_list(const std::string& path) {
  LineReader reader(path);
  std::string line;
  std::vector<std::string_view> fields;
  std::unordered_set<std::string> ids;
  while (reader.next(line)) {
    split_whitespace(line, fields);
    if (fields.empty()) continue;
    std::string_view id = fields.size() >= 2 ? fields[1] : fields[0];
    if (reader.line_number() == 1 && (fields[0] == "#FID" || fields[0] == "FID" || fields[0] == "#IID" || fields[0] == "IID")) continue;
    ids.emplace(id);
  }
  return ids;
}

std::unordered_set<std::string> read_variant_list(const std::string& path) {
  LineReader reader(path);
  std::string line;
  std::vector<std::string_view> fields;
  std::unordered_set<std::string> ids;
  while (reader.next(line)) {
    split_whitespace(line, fields);
    if (!fields.empty()) ids.emplace(fields[0]);
  }
  return ids;
}

BedReader::BedReader(const std::string& prefix, const Selection& selection) : bed_path_(prefix + ".bed") {
  fam_ = read_fam(prefix + ".fam");
  bim_ = read_bim(prefix + ".bim");
  bytes_per_variant_ = (fam_.size() + 3) / 4;

  int fd = ::open(bed_path_.c_str(), O_RDONLY);
  if (fd < 0) throw InputError(bed_path_, fmt::format("cannot open: {}", std::strerror(errno)));
  struct stat info;
  ::fstat(fd, &info);
  mapped_size_ = static_cast<std::size_t>(info.st_size);
  std::size_t expected = 3 + bytes_per_variant_ * bim_.size();
  if (mapped_size_ >= 3) {
    void* map = ::mmap(nullptr, mapped_size_, PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (map == MAP_FAILED) throw Error(fmt::format("{}: cannot map: {}", bed_path_, std::strerror(errno)));
    data_ = static_cast<const std::uint8_t*>(map);
    ::madvise(map, mapped_size_, MADV_SEQUENTIAL);
  } else {
    ::close(fd);
  }
  if (mapped_size_ < 3 || data_[0] != 0x6c || data_[1] != 0x1b) {
    throw InputError(bed_path_, "not a PLINK .bed file: the first two bytes are not 0x6c 0x1b");
  }
  if (data_[2] != 0x01) {
    throw InputError(bed_path_, "sample-major .bed (third byte 0x00) is not supported; expected variant-major (0x01); convert with plink --make-bed");
  }
  if (mapped_size_ != expected) {
    throw InputError(bed_path_, fmt::format("has {} bytes, expected {} for {} samples (.fam) x {} variants (.bim): {}", mapped_size_, expected,
                                            fam_.size(), bim_.size(),
                                            mapped_size_ < expected ? "truncated, or the .fam/.bim do not belong to it" : "the .fam/.bim do not belong to it"));
  }

  for (std::uint32_t s = 0; s < fam_.size(); ++s) {
    const std::string& id = fam_[s].id;
    if ((!selection.keep.empty() && !selection.keep.count(id)) || selection.remove.count(id)) continue;
    selected_samples_.push_back(s);
    sample_ids_.push_back(id);
  }
  all_samples_ = selected_samples_.size() == fam_.size();
  for (std::uint32_t v = 0; v < bim_.size(); ++v) {
    const std::string& id = bim_[v].id;
    if ((!selection.extract.empty() && !selection.extract.count(id)) || selection.exclude.count(id)) continue;
    selected_variants_.push_back(v);
  }
}

BedReader::~BedReader() {
  if (data_) ::munmap(const_cast<std::uint8_t*>(data_), mapped_size_);
}

std::size_t BedReader::next_rows(std::size_t max_variants, std::vector<Variant>& variants, std::vector<const std::uint8_t*>& rows) {
  std::size_t count = std::min(max_variants, selected_variants_.size() - next_);
  variants.resize(count);
  rows.resize(count);
  for (std::size_t j = 0; j < count; ++j) {
    variants[j] = bim_[selected_variants_[next_ + j]];
    rows[j] = data_ + 3 + bytes_per_variant_ * selected_variants_[next_ + j];
  }
  next_ += count;
  return count;
}

void BedReader::decode_rows(const std::vector<const std::uint8_t*>& rows, Eigen::MatrixXd& dosages) const {
  const std::size_t count = rows.size();
  const Eigen::Index n = static_cast<Eigen::Index>(selected_samples_.size());
  if (dosages.rows() != n || dosages.cols() != static_cast<Eigen::Index>(count)) dosages.resize(n, static_cast<Eigen::Index>(count));
  parallel_for(count, 16, [&](std::size_t begin, std::size_t end) {
    for (std::size_t j = begin; j < end; ++j) {
      const std::uint8_t* row = rows[j];
      double* out = dosages.col(static_cast<Eigen::Index>(j)).data();
      if (all_samples_) {
        const std::size_t full = static_cast<std::size_t>(n) / 4;
        for (std::size_t b = 0; b < full; ++b) std::memcpy(out + 4 * b, kByteTable.values[row[b]], 4 * sizeof(double));
        for (std::size_t s = 4 * full; s < static_cast<std::size_t>(n); ++s) out[s] = kDosage[(row[s / 4] >> (2 * (s % 4))) & 3];
      } else {
        for (Eigen::Index s = 0; s < n; ++s) {
          std::uint32_t k = selected_samples_[static_cast<std::size_t>(s)];
          out[s] = kDosage[(row[k / 4] >> (2 * (k % 4))) & 3];
        }
      }
    }
  });
}

std::size_t BedReader::next_block(std::size_t max_variants, std::vector<Variant>& variants, Eigen::MatrixXd& dosages) {
  std::vector<const std::uint8_t*> rows;
  std::size_t count = next_rows(max_variants, variants, rows);
  decode_rows(rows, dosages);
  return count;
}

}  // namespace kohort::genotype
