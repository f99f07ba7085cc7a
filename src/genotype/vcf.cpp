#include "genotype/vcf.h"

#include <htslib/bgzf.h>
#include <htslib/hfile.h>
#include <htslib/kseq.h>
#include <htslib/vcf.h>

#include <cmath>
#include <fmt/format.h>
#include <limits>

#include "core/error.h"
#include "core/log.h"

namespace kohort::genotype {
namespace {

// One variant of the source: which record (in file order) and which ALT allele of it.
struct RecordAllele {
  std::uint64_t record;
  std::int64_t offset;  // where the record starts (VcfFile::tell)
  int alt_index;  // 1-based allele index in the record
};

// The open htslib file, header and record buffer, released together.
struct VcfFile {
  htsFile* file = nullptr;
  bcf_hdr_t* header = nullptr;
  bcf1_t* record = nullptr;
  std::uint64_t next_record = 0;  // index of the record the next bcf_read returns

  explicit VcfFile(const std::string& path) {
    file = hts_open(path.c_str(), "r");
    if (!file) throw InputError(path, "cannot open as VCF/BCF");
    header = bcf_hdr_read(file);
    if (!header) {
      hts_close(file);
      throw InputError(path, "no valid VCF/BCF header");
    }
    record = bcf_init();
  }
  ~VcfFile() {
    bcf_destroy(record);
    bcf_hdr_destroy(header);
    hts_close(file);
  }
  VcfFile(const VcfFile&) = delete;
  VcfFile& operator=(const VcfFile&) = delete;

  // Where the next record starts: a BGZF virtual offset or a byte offset in plain text.
  std::int64_t tell() const { return file->is_bgzf ? bgzf_tell(file->fp.bgzf) : htell(file->fp.hfile); }
  // Returns to a position from tell(); the record read next is `record`.
  void seek(const std::string& path, std::int64_t offset, std::uint64_t record) {
    const bool ok = file->is_bgzf ? bgzf_seek(file->fp.bgzf, offset, SEEK_SET) == 0
                                  : hseek(file->fp.hfile, offset, SEEK_SET) == offset;
    if (!ok) throw InputError(path, fmt::format("cannot seek back to record {}", record + 1));
    next_record = record;
  }

  // Reads the next record; false at the end. Throws for a record htslib cannot parse.
  bool read(const std::string& path, const std::string& previous) {
    const std::string where = fmt::format("record {} (after {})", next_record + 1,
                                          previous.empty() ? "the header" : previous);
    int status;
    if (file->format.format == vcf) {
      // Text: take the line first, to check what htslib's parser would paper over.
      status = hts_getline(file, KS_SEP_LINE, &file->line);
      if (status == -1) return false;
      if (status < -1) throw InputError(path, fmt::format("{}: cannot read the line", where));
      check_text_line(path, where);
      status = vcf_parse(&file->line, header, record);
      if (status < 0) status = -2;
    } else {
      status = bcf_read(file, header, record);
      if (status == -1) return false;
    }
    if (status < -1 || record->errcode != 0) {
      throw InputError(path, fmt::format("{}: malformed VCF/BCF record (htslib error code {})", where,
                                         status < -1 ? status : record->errcode));
    }
    if (record->n_allele < 1) throw InputError(path, fmt::format("{}: no REF allele", where));
    ++next_record;
    return true;
  }

 private:
  // A text record needs 8 fixed fields, FORMAT and one per sample, and a numeric POS.
  void check_text_line(const std::string& path, const std::string& where) const {
    const char* line = file->line.s;
    const std::size_t length = file->line.l;
    const std::size_t samples = std::size_t(bcf_hdr_nsamples(header));
    const std::size_t expected = 8 + (samples > 0 ? 1 + samples : 0);
    std::size_t fields = 1;
    for (std::size_t i = 0; i < length; ++i) fields += line[i] == '\t';
    // htslib reads POS "abc" as 0, which is also a legal POS.
    std::size_t i = 0;
    while (i < length && line[i] != '\t') ++i;
    bool numeric = i + 1 < length && line[i + 1] != '\t';
    for (++i; i < length && line[i] != '\t'; ++i) numeric = numeric && line[i] >= '0' && line[i] <= '9';
    if (!numeric) throw InputError(path, fmt::format("{}: POS is not a non-negative integer", where));
    if (fields != expected) {
      throw InputError(path, fmt::format("{}: {} tab-separated fields, expected {} (8 fixed, FORMAT and {} samples)",
                                         where, fields, expected, samples));
    }
  }
};

int header_has_format(bcf_hdr_t* header, const char* key) {
  return bcf_hdr_idinfo_exists(header, BCF_HL_FMT, bcf_hdr_id2int(header, BCF_DT_ID, key));
}

class VcfSource final : public GenotypeSource {
 public:
  VcfSource(std::string path, std::vector<Sample> samples, std::vector<Variant> variants,
            std::vector<RecordAllele> alleles, std::string dosage_field)
      : GenotypeSource(path, std::move(samples), std::move(variants)),
        alleles_(std::move(alleles)),
        dosage_field_(std::move(dosage_field)) {
    file_ = std::make_unique<VcfFile>(this->path());
  }

  bool has_dosages() const override { return !dosage_field_.empty(); }

 protected:
  void read_variant_calls(std::uint32_t file_variant, std::int8_t* out) override {
    const RecordAllele where = alleles_[file_variant];
    seek(where.record, file_variant);
    const int n_file = bcf_hdr_nsamples(file_->header);
    int stored = bcf_get_genotypes(file_->header, file_->record, &gt_, &gt_size_);
    const auto& selected = selected_samples();
    if (stored <= 0) {  // no GT: every call missing
      for (std::size_t s = 0; s < selected.size(); ++s) out[s] = kMissingCall;
      return;
    }
    const int ploidy = stored / n_file;
    for (std::size_t s = 0; s < selected.size(); ++s) {
      const std::int32_t* gt = gt_ + std::size_t(selected[s]) * ploidy;
      int alt = 0, present = 0;
      bool missing = false;
      for (int k = 0; k < ploidy; ++k) {
        if (gt[k] == bcf_int32_vector_end) break;
        if (bcf_gt_is_missing(gt[k])) {
          missing = true;
          break;
        }
        ++present;
        alt += bcf_gt_allele(gt[k]) == where.alt_index;
      }
      // A haploid call counts as homozygous, as plink2 imports it.
      out[s] = missing || present == 0 ? kMissingCall : std::int8_t(present == 1 ? 2 * alt : std::min(alt, 2));
    }
  }

  void read_variant_dosages(std::uint32_t file_variant, double* out) override {
    if (dosage_field_.empty()) return GenotypeSource::read_variant_dosages(file_variant, out);
    const RecordAllele where = alleles_[file_variant];
    seek(where.record, file_variant);
    const int n_file = bcf_hdr_nsamples(file_->header);
    const int stored = bcf_get_format_float(file_->header, file_->record, dosage_field_.c_str(), &values_, &values_size_);
    if (stored <= 0) return GenotypeSource::read_variant_dosages(file_variant, out);
    const int per_sample = stored / n_file;
    const auto& selected = selected_samples();
    // A sample without a dosage value falls back to its GT (plink2 omits DS where it equals GT).
    thread_local std::vector<std::int8_t> calls;
    calls.resize(selected.size());
    read_variant_calls(file_variant, calls.data());
    const int n_alt = int(file_->record->n_allele) - 1;
    for (std::size_t s = 0; s < selected.size(); ++s) {
      const float* v = values_ + std::size_t(selected[s]) * per_sample;
      double dosage = std::numeric_limits<double>::quiet_NaN();
      if (dosage_field_ == "DS") {
        // DS holds one value per ALT allele.
        const int k = where.alt_index - 1;
        if (k < per_sample && !bcf_float_is_missing(v[k]) && !bcf_float_is_vector_end(v[k])) dosage = v[k];
      } else if (n_alt == 1 && per_sample >= 3 && !bcf_float_is_missing(v[0])) {
        dosage = double(v[1]) + 2.0 * double(v[2]);  // GP: P(0/0), P(0/1), P(1/1)
      } else if (per_sample >= 2 && per_sample < 3 && !bcf_float_is_missing(v[0])) {
        dosage = 2.0 * double(v[1]);  // haploid GP
      }
      out[s] = std::isnan(dosage) && calls[s] != kMissingCall ? double(calls[s]) : dosage;
    }
  }

 private:
  // Positions the reader on `record`, reading forward (or reopening to go back).
  void seek(std::uint64_t record, std::uint32_t file_variant) {
    if (current_ == record && have_current_) return;
    // Jump when going back or far ahead; read on for the next few records.
    if (!have_current_ || record < current_ || record > current_ + 16) {
      file_->seek(path(), alleles_[file_variant].offset, record);
      have_current_ = false;
    }
    while (!have_current_ || current_ < record) {
      const std::string previous = file_variant > 0 ? file_variants()[file_variant - 1].id : std::string();
      if (!file_->read(path(), previous)) {
        throw InputError(path(), fmt::format("record {} disappeared: the file changed while being read", record + 1));
      }
      current_ = file_->next_record - 1;
      have_current_ = true;
    }
    bcf_unpack(file_->record, BCF_UN_ALL);
  }

  std::vector<RecordAllele> alleles_;
  std::string dosage_field_;
  std::unique_ptr<VcfFile> file_;
  std::uint64_t current_ = 0;
  bool have_current_ = false;
  std::int32_t* gt_ = nullptr;
  int gt_size_ = 0;
  float* values_ = nullptr;
  int values_size_ = 0;

 public:
  ~VcfSource() override {
    free(gt_);
    free(values_);
  }
};

}  // namespace

std::unique_ptr<GenotypeSource> open_vcf(const std::string& path, const VcfOptions& options) {
  VcfFile file(path);
  std::vector<Sample> samples;
  const int n = bcf_hdr_nsamples(file.header);
  if (n == 0) throw InputError(path, "the VCF has no sample columns");
  for (int s = 0; s < n; ++s) samples.push_back(Sample{"", file.header->samples[s]});

  std::string dosage_field = options.dosage_field;
  if (!dosage_field.empty() && dosage_field != "DS" && dosage_field != "GP") {
    throw InputError(path, fmt::format("dosage field must be DS or GP, not {}", dosage_field));
  }
  if (!dosage_field.empty() && !header_has_format(file.header, dosage_field.c_str())) {
    throw InputError(path, fmt::format("the header defines no FORMAT/{} field", dosage_field));
  }
  if (dosage_field.empty()) {
    if (header_has_format(file.header, "DS")) {
      dosage_field = "DS";
    } else if (header_has_format(file.header, "GP")) {
      dosage_field = "GP";
    }
  }

  std::vector<Variant> variants;
  std::vector<RecordAllele> alleles;
  std::uint64_t skipped = 0;
  std::string previous;
  std::int64_t offset = file.tell();
  for (; file.read(path, previous); offset = file.tell()) {
    bcf1_t* record = file.record;
    bcf_unpack(record, BCF_UN_STR);
    const std::uint64_t index = file.next_record - 1;
    Variant variant;
    variant.chrom = bcf_seqname(file.header, record);
    variant.pos = record->pos + 1;
    variant.id = record->d.id ? record->d.id : ".";
    variant.ref = record->n_allele > 0 ? record->d.allele[0] : ".";
    previous = fmt::format("{}:{} {}", variant.chrom, variant.pos, variant.id);
    const int n_allele = record->n_allele;
    if (n_allele > 2 && !options.split_multiallelic) {
      if (skipped < 5) log_warning(fmt::format("{}: record {} ({}) has {} ALT alleles: skipped (--multiallelic split "
                                               "keeps one variant per ALT)", path, index + 1, previous, n_allele - 1));
      ++skipped;
      continue;
    }
    if (n_allele < 2) {
      variant.alt = ".";
      variants.push_back(variant);
      alleles.push_back({index, offset, 1});
      continue;
    }
    for (int a = 1; a < n_allele; ++a) {
      Variant split = variant;
      split.alt = record->d.allele[a];
      variants.push_back(std::move(split));
      alleles.push_back({index, offset, a});
    }
  }
  if (skipped > 0) log_warning(fmt::format("{}: {} multi-allelic records skipped", path, skipped));
  return std::make_unique<VcfSource>(path, std::move(samples), std::move(variants), std::move(alleles), dosage_field);
}

}  // namespace kohort::genotype
