// plink2 exports a PLINK fileset to VCF, BCF, BGEN 1.2 (8-bit, zlib) and BGEN 1.3 (zstd); every
// reader must return the .bed reader's calls exactly, and dosages equal to them (hard calls are
// stored exactly at any bit depth). Runs on the real EUR subset and on a set with missing calls.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "genotype/bed.h"
#include "genotype/bgen.h"
#include "genotype/vcf.h"

namespace fs = std::filesystem;
using namespace kohort::genotype;

namespace {

int shell(const std::string& command) { return std::system(command.c_str()); }

class RoundTrip : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() / ("kohort_roundtrip_" + std::to_string(::getpid())));
    fs::create_directories(*dir_);
    const std::string d = dir_->string();
    ASSERT_EQ(shell("cd " + d + " && tar xf /usr/share/doc/bolt-lmm/examples/examples.tar.xz EUR_subset.bed "
                    "EUR_subset.bim EUR_subset.fam"), 0);
    ASSERT_EQ(shell("cd " + d + " && plink2 --silent --dummy 150 400 0.05 acgt --make-bed --out dummy >/dev/null"), 0);
    for (const std::string set : {"EUR_subset", "dummy"}) {
      const std::string in = "cd " + d + " && plink2 --silent --bfile " + set;
      ASSERT_EQ(shell(in + " --export vcf vcf-dosage=DS-force --out " + set + "_vcf >/dev/null"), 0);
      ASSERT_EQ(shell(in + " --export bcf --out " + set + "_bcf >/dev/null"), 0);
      ASSERT_EQ(shell(in + " --export bgen-1.2 bits=8 ref-first --out " + set + "_b12 >/dev/null"), 0);
      ASSERT_EQ(shell(in + " --export bgen-1.3 ref-first --out " + set + "_b13 >/dev/null"), 0);
    }
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }
  static fs::path* dir_;
};
fs::path* RoundTrip::dir_ = nullptr;

void expect_same(GenotypeSource& expected, GenotypeSource& got, const std::string& what) {
  ASSERT_EQ(expected.variant_count(), got.variant_count()) << what;
  ASSERT_EQ(expected.sample_count(), got.sample_count()) << what;
  const std::size_t n = expected.sample_count();
  const std::size_t block = 64;
  std::vector<std::int8_t> a(n * block), b(n * block);
  std::vector<double> dosages(n * block);
  std::size_t call_mismatches = 0, dosage_mismatches = 0, missing = 0;
  for (std::size_t first = 0; first < expected.variant_count(); first += block) {
    const std::size_t count = std::min(block, expected.variant_count() - first);
    expected.read_calls(first, count, a.data());
    got.read_calls(first, count, b.data());
    got.read_dosages(first, count, dosages.data(), DosageOptions{false, false});
    for (std::size_t v = 0; v < count; ++v) {
      const auto& ve = expected.variant(first + v);
      const auto& vg = got.variant(first + v);
      ASSERT_EQ(ve.id, vg.id) << what;
      ASSERT_EQ(ve.ref, vg.ref) << what << " " << ve.id;
      ASSERT_EQ(ve.alt, vg.alt) << what << " " << ve.id;
      ASSERT_EQ(ve.pos, vg.pos) << what << " " << ve.id;
    }
    for (std::size_t i = 0; i < count * n; ++i) {
      call_mismatches += a[i] != b[i];
      missing += a[i] == kMissingCall;
      const bool dosage_ok = a[i] == kMissingCall ? std::isnan(dosages[i]) : std::fabs(dosages[i] - a[i]) < 1e-6;
      dosage_mismatches += !dosage_ok;
    }
  }
  EXPECT_EQ(call_mismatches, 0u) << what;
  EXPECT_EQ(dosage_mismatches, 0u) << what;
  std::printf("%s: %zu variants x %zu samples identical (%zu missing calls)\n", what.c_str(), expected.variant_count(),
              n, missing);
}

TEST_P(RoundTrip, EveryFormatReadsTheSameCallsAndDosages) {
  const std::string prefix = (*dir_ / GetParam()).string();
  auto bed = open_bed(prefix);
  auto vcf = open_vcf(prefix + "_vcf.vcf", VcfOptions{"DS", false});
  auto bcf = open_vcf(prefix + "_bcf.bcf", VcfOptions{});
  auto b12 = open_bgen(prefix + "_b12.bgen", prefix + "_b12.sample");
  auto b13 = open_bgen(prefix + "_b13.bgen", prefix + "_b13.sample");
  EXPECT_TRUE(vcf->has_dosages());
  EXPECT_EQ(b12->file_samples()[5].iid, bed->file_samples()[5].iid);
  expect_same(*bed, *vcf, GetParam() + " VCF (DS)");
  expect_same(*bed, *bcf, GetParam() + " BCF (GT)");
  expect_same(*bed, *b12, GetParam() + " BGEN 1.2 8-bit");
  expect_same(*bed, *b13, GetParam() + " BGEN 1.3 zstd");

  // The same after subsetting samples (reordered) and variants.
  std::vector<std::uint32_t> samples, variants;
  for (std::uint32_t s = 0; s < bed->file_samples().size(); s += 3) samples.insert(samples.begin(), s);
  for (std::uint32_t v = 1; v < bed->file_variants().size(); v += 7) variants.push_back(v);
  for (GenotypeSource* source : {bed.get(), vcf.get(), b13.get()}) {
    source->select_samples(samples);
    source->select_variants(variants);
  }
  expect_same(*bed, *vcf, GetParam() + " VCF subset");
  expect_same(*bed, *b13, GetParam() + " BGEN 1.3 subset");
}

INSTANTIATE_TEST_SUITE_P(Plink2Exports, RoundTrip, ::testing::Values("EUR_subset", "dummy"));

}  // namespace
