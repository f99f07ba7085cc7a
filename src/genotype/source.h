#pragma once
// One interface over every genotype file format (PLINK .bed, VCF/BCF, BGEN): blocks of B variants x
// N selected samples as hard calls (with a missing mark) or dosages, plus variant metadata.
// Genotype memory grows with N x B only; metadata (ids, alleles) is held for all variants.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "genotype/sex_chromosomes.h"

namespace kohort::genotype {

struct Variant {
  std::string chrom;
  std::int64_t pos = 0;
  std::string id;
  std::string ref;
  std::string alt;  // counted allele: calls and dosages are ALT allele counts
};

struct Sample {
  std::string fid;
  std::string iid;
  Sex sex = Sex::unknown;  // from the .fam or the .sample's sex column; VCF has none
};

// A hard call is the ALT allele count 0, 1, 2, or kMissingCall.
inline constexpr std::int8_t kMissingCall = -1;

// How read_dosages fills missing calls, and whether it standardises each variant.
struct DosageOptions {
  bool mean_impute = true;   // missing -> the variant's mean dosage over observed samples; else NaN
  bool standardise = false;  // (x - mean) / sd over observed samples; a constant variant becomes all 0
};

// Per-variant summary that read_dosages reports (e.g. for the GWAS engine's exact-missing mode).
struct DosageStats {
  double mean = 0;          // mean ALT dosage over observed samples
  double sd = 0;            // population standard deviation over observed samples
  std::uint32_t observed = 0;
};

class GenotypeSource {
 public:
  virtual ~GenotypeSource() = default;
  GenotypeSource(const GenotypeSource&) = delete;
  GenotypeSource& operator=(const GenotypeSource&) = delete;

  const std::string& path() const { return path_; }
  // Everything in the file, in file order.
  const std::vector<Sample>& file_samples() const { return samples_; }
  const std::vector<Variant>& file_variants() const { return variants_; }

  // Restricts (and orders) the samples that blocks contain: indexes into file_samples().
  void select_samples(std::vector<std::uint32_t> file_indexes);
  // Restricts the variants: ascending indexes into file_variants().
  void select_variants(std::vector<std::uint32_t> file_indexes);

  std::size_t sample_count() const { return selected_samples_.size(); }
  std::size_t variant_count() const { return selected_variants_.size(); }
  const Sample& sample(std::size_t i) const { return samples_[selected_samples_[i]]; }
  const Variant& variant(std::size_t i) const { return variants_[selected_variants_[i]]; }
  std::uint32_t file_variant_index(std::size_t i) const { return selected_variants_[i]; }

  // The variant's PLINK 1 .bed row (2-bit codes over all file samples) when the source is a .bed,
  // else nullptr: kernels that work on the codes directly (the GWAS engine) use it.
  virtual const std::uint8_t* packed_row(std::uint32_t file_variant) const {
    (void)file_variant;
    return nullptr;
  }
  // Says that the packed rows of file variants [first, end) will not be read again, so that they
  // leave the process's resident memory (a mapped .bed stays bounded by the block, not the file).
  virtual void release_packed_rows(std::uint32_t first, std::uint32_t end) const {
    (void)first;
    (void)end;
  }
  // File indexes of the selected samples, in block order.
  const std::vector<std::uint32_t>& selected_sample_indexes() const { return selected_samples_; }

  // True when the file stores dosages (DS/GP, BGEN probabilities) rather than hard calls only.
  virtual bool has_dosages() const { return false; }
  // True when read_calls / read_dosages may run on disjoint ranges from several threads at once.
  virtual bool concurrent_reads() const { return false; }

  // Hard calls of selected variants [first, first + count): out[v * sample_count() + s].
  void read_calls(std::size_t first, std::size_t count, std::int8_t* out);
  // Hard calls packed 2 bits per sample in the PLINK .bed code (00 hom ALT, 01 missing, 10 het,
  // 11 hom REF; low bits first), selected samples in order, packed_words() words per variant and
  // unused high bits 00: the compact form for counting with popcount.
  std::size_t packed_words() const { return (sample_count() + 31) / 32; }
  void read_packed_calls(std::size_t first, std::size_t count, std::uint64_t* out);
  // The packed calls of selected variant i as bytes ((sample_count() + 3) / 4 of them; bits past the
  // last sample undefined): a view into the source's own memory when it holds them in this form
  // (a .bed with every sample selected), else packed into `scratch` (packed_words() words).
  const std::uint8_t* packed_bytes(std::size_t i, std::uint64_t* scratch);
  // packed_bytes and the dosages (NaN where missing) of selected variant i together: from one
  // decoding where the source derives its hard calls from its dosages (BGEN), instead of two.
  const std::uint8_t* packed_bytes_and_dosages(std::size_t i, std::uint64_t* scratch, double* dosages);
  // Dosages of selected variants [first, first + count), variant-major, i.e. a column-major
  // sample_count() x count matrix ready for BLAS. `stats` (optional) gets `count` entries.
  void read_dosages(std::size_t first, std::size_t count, double* out, const DosageOptions& options,
                    DosageStats* stats = nullptr);
  // The same in single precision (half the memory; statistics still computed in double).
  void read_dosages(std::size_t first, std::size_t count, float* out, const DosageOptions& options,
                    DosageStats* stats = nullptr);
  // Dosages of one variant by its file index, selected or not (e.g. a covariate from a variant
  // outside the tested range), for the selected samples.
  void read_file_variant_dosages(std::uint32_t file_variant, double* out, const DosageOptions& options);

 protected:
  GenotypeSource(std::string path, std::vector<Sample> samples, std::vector<Variant> variants);
  // Hard calls of one variant (file index) for the selected samples.
  virtual void read_variant_calls(std::uint32_t file_variant, std::int8_t* out) = 0;
  // A view of one variant's packed calls, or nullptr when the source has none (see packed_bytes).
  virtual const std::uint8_t* packed_view(std::uint32_t file_variant) const {
    (void)file_variant;
    return nullptr;
  }
  // Packed hard calls of one variant (see read_packed_calls); default: packs read_variant_calls.
  virtual void read_variant_packed(std::uint32_t file_variant, std::uint64_t* out);
  // Dosages of one variant for the selected samples, NaN when missing; default: from hard calls.
  virtual void read_variant_dosages(std::uint32_t file_variant, double* out);
  // Both of the above; default: each on its own.
  virtual void read_variant_packed_and_dosages(std::uint32_t file_variant, std::uint64_t* packed, double* dosages) {
    read_variant_packed(file_variant, packed);
    read_variant_dosages(file_variant, dosages);
  }
  // Packs hard calls (ALT counts, kMissingCall) of the selected samples as read_packed_calls does.
  void pack_calls(const std::int8_t* calls, std::uint64_t* out) const;

  const std::vector<std::uint32_t>& selected_samples() const { return selected_samples_; }
  // True when the selection is every file sample in file order: readers then skip the gather.
  bool samples_in_file_order() const { return samples_in_file_order_; }

 private:
  template <typename Real>
  void read_dosages_as(const std::uint32_t* file_variants, std::size_t count, Real* out, const DosageOptions& options,
                       DosageStats* stats);

  std::string path_;
  std::vector<Sample> samples_;
  std::vector<Variant> variants_;
  std::vector<std::uint32_t> selected_samples_;
  bool samples_in_file_order_ = true;
  std::vector<std::uint32_t> selected_variants_;
};

}  // namespace kohort::genotype
