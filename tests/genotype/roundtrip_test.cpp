// plink2 exports a PLINK fileset to VCF, BCF, BGEN 1.2 (8-bit, zlib) and BGEN 1.3 (zstd); every
// reader must return the .bed reader's calls exactly, and dosages equal to them (hard calls are
// stored exactly at any bit depth). Runs on the real EUR subset and on a set with missing calls.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"
#include "genotype/bed.h"
#include "genotype/bgen.h"
#include "genotype/qc.h"
#include "genotype/vcf.h"

#include <array>
#include <sqlite3.h>
#include <fmt/format.h>
#include <cstring>
#include <fstream>
#include <random>

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

// BGEN variants: layout 1 (v1.1), bit depths 1 to 32, phased data; all against the .bed calls.
TEST(BgenVariants, LayoutsBitDepthsAndPhase) {
  const auto dir = fs::temp_directory_path() / ("kohort_bgen_variants_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string d = dir.string();
  const std::string prefix = d + "/set";
  ASSERT_EQ(shell("cd " + d + " && plink2 --silent --dummy 70 120 0.05 acgt --make-bed --out set >/dev/null"), 0);
  auto bed = open_bed(prefix);
  ASSERT_EQ(shell("cd " + d + " && plink2 --silent --bfile set --export bgen-1.1 ref-first --out v11 >/dev/null"), 0);
  auto v11 = open_bgen(d + "/v11.bgen", d + "/v11.sample");
  expect_same(*bed, *v11, "BGEN 1.1 (layout 1)");
  for (int bits : {1, 3, 12, 16}) {  // plink2 exports at most 16 bits; WrittenBgen covers 17-32
    const std::string name = "bits" + std::to_string(bits);
    ASSERT_EQ(shell("cd " + d + " && plink2 --silent --bfile set --export bgen-1.2 ref-first bits=" +
                    std::to_string(bits) + " --out " + name + " >/dev/null"),
              0);
    auto source = open_bgen(d + "/" + name + ".bgen", d + "/" + name + ".sample");
    expect_same(*bed, *source, "BGEN 1.2 " + name);
  }
  // Phased: the VCF with every '/' made '|', through plink2 into a phased BGEN.
  ASSERT_EQ(shell("cd " + d + " && plink2 --silent --bfile set --export vcf --out set >/dev/null && "
                  "sed -i '/^#/!s#/#|#g' set.vcf && plink2 --silent --vcf set.vcf --export bgen-1.3 ref-first "
                  "--out phased >/dev/null 2>&1"),
            0);
  auto phased_vcf = open_vcf(d + "/set.vcf", VcfOptions{});
  auto phased_bgen = open_bgen(d + "/phased.bgen", "");
  expect_same(*bed, *phased_vcf, "phased VCF");
  expect_same(*bed, *phased_bgen, "phased BGEN 1.3");
  fs::remove_all(dir);
}

// Sex chromosomes: plink2 writes chrX males and chrY as haploid (ploidy 1) and chrY females with
// ploidy 0 (no probabilities stored); the readers give the .bed's calls (haploid as homozygous)
// and the sexes of the .fam and the .sample.
TEST(BgenVariants, SexChromosomesAndSexes) {
  const auto dir = fs::temp_directory_path() / ("kohort_bgen_sex_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string d = dir.string();
  ASSERT_EQ(shell("cd " + d + " && plink2 --silent --dummy 60 120 0.05 acgt --make-bed --out raw >/dev/null && "
                  "awk 'BEGIN { OFS = \"\\t\" } NR <= 40 { $1 = \"X\" } NR > 40 && NR <= 80 { $1 = \"Y\" } { print }' raw.bim > t.bim && "
                  "mv t.bim raw.bim && awk '{ $5 = NR % 7 == 0 ? 0 : NR % 2 ? 1 : 2; print }' raw.fam > t.fam && mv t.fam raw.fam && "
                  "plink2 --silent --bfile raw --set-hh-missing --make-bed --out set >/dev/null && "
                  "plink2 --silent --bfile set --export bgen-1.2 bits=8 ref-first --out b12 >/dev/null"),
            0);
  auto bed = open_bed(d + "/set");
  auto bgen = open_bgen(d + "/b12.bgen", d + "/b12.sample");
  expect_same(*bed, *bgen, "BGEN 1.2 with chrX and chrY");
  std::size_t males = 0, females = 0, unknown = 0;
  for (std::size_t s = 0; s < bed->sample_count(); ++s) {
    const Sex expected = (s + 1) % 7 == 0 ? Sex::unknown : (s + 1) % 2 ? Sex::male : Sex::female;
    EXPECT_EQ(bed->sample(s).sex, expected) << "sample " << s;
    EXPECT_EQ(bgen->sample(s).sex, expected) << "sample " << s;
    males += expected == Sex::male;
    females += expected == Sex::female;
    unknown += expected == Sex::unknown;
  }
  EXPECT_GT(males, 20u);
  EXPECT_GT(females, 20u);
  EXPECT_GT(unknown, 5u);
  fs::remove_all(dir);
}

// Fractional dosages: plink2 writes the same dosages to VCF (DS, 5 decimals at most) and BGEN
// (16-bit): they agree within the formats' precision, and hard calls (0.1 threshold) agree.
TEST(Dosages, VcfDsAndBgenAgree) {
  const auto dir = fs::temp_directory_path() / ("kohort_dosages_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string d = dir.string();
  ASSERT_EQ(shell("cd " + d + " && plink2 --silent --dummy 200 300 0.02 dosage-freq=0.5 --export vcf vcf-dosage=DS "
                  "--out set >/dev/null 2>&1 && plink2 --silent --vcf set.vcf dosage=DS --export bgen-1.2 ref-first "
                  "bits=16 --out set >/dev/null 2>&1"),
            0);
  auto vcf = open_vcf(d + "/set.vcf", VcfOptions{"DS", false});
  auto bgen = open_bgen(d + "/set.bgen", d + "/set.sample");
  ASSERT_EQ(vcf->variant_count(), bgen->variant_count());
  ASSERT_EQ(vcf->sample_count(), bgen->sample_count());
  const std::size_t n = vcf->sample_count(), m = vcf->variant_count();
  std::vector<double> a(n * m), b(n * m);
  vcf->read_dosages(0, m, a.data(), DosageOptions{false, false});
  bgen->read_dosages(0, m, b.data(), DosageOptions{false, false});
  double worst = 0;
  std::size_t fractional = 0, missing = 0;
  for (std::size_t i = 0; i < n * m; ++i) {
    ASSERT_EQ(std::isnan(a[i]), std::isnan(b[i])) << i;
    if (std::isnan(a[i])) {
      ++missing;
      continue;
    }
    worst = std::max(worst, std::fabs(a[i] - b[i]));
    fractional += a[i] != std::nearbyint(a[i]);
  }
  EXPECT_LT(worst, 1e-4);  // DS rounding (5e-6) plus 16-bit probabilities (3 / 65535)
  std::vector<float> single(n * m);
  bgen->read_dosages(0, m, single.data(), DosageOptions{true, false});
  std::vector<double> imputed(n * m);
  bgen->read_dosages(0, m, imputed.data(), DosageOptions{true, false});
  for (std::size_t i = 0; i < n * m; ++i) ASSERT_EQ(single[i], float(imputed[i])) << i;
  std::vector<std::int8_t> calls_vcf(n * m), calls_bgen(n * m);
  vcf->read_calls(0, m, calls_vcf.data());
  bgen->read_calls(0, m, calls_bgen.data());
  std::size_t call_mismatches = 0;
  for (std::size_t i = 0; i < n * m; ++i) call_mismatches += calls_vcf[i] != calls_bgen[i];
  EXPECT_EQ(call_mismatches, 0u);
  EXPECT_GT(fractional, n * m / 10);
  std::printf("dosages: %zu values, %zu fractional, %zu missing, max |VCF DS - BGEN| %.3g\n", n * m, fractional,
              missing, worst);

  // MaCH's r-squared: the dosages' variance (over n) divided by 2p(1 - p), over the selected
  // samples with a dosage; the two formats agree within their precision.
  auto direct_r2 = [](GenotypeSource& source, std::size_t v) {
    std::vector<double> column(source.sample_count());
    source.read_dosages(v, 1, column.data(), DosageOptions{false, false});
    double observed = 0, sum = 0;
    for (double d : column)
      if (!std::isnan(d)) observed += 1, sum += d;
    const double mean = sum / observed;
    double variance = 0;
    for (double d : column)
      if (!std::isnan(d)) variance += (d - mean) * (d - mean) / observed;
    return variance / (2 * (mean / 2) * (1 - mean / 2));
  };
  auto mach_r2_of = [](GenotypeSource& source) {
    std::vector<double> r2;
    for (const VariantQc& q : compute_qc(source, false).variants) r2.push_back(q.mach_r2);
    return r2;
  };
  const std::vector<double> r2_vcf = mach_r2_of(*vcf), r2_bgen = mach_r2_of(*bgen);
  ASSERT_EQ(r2_bgen.size(), m);
  std::size_t finite = 0;
  for (std::size_t v = 0; v < m; ++v) {
    ASSERT_EQ(std::isnan(r2_vcf[v]), std::isnan(r2_bgen[v])) << v;
    if (std::isnan(r2_bgen[v])) continue;
    ++finite;
    ASSERT_NEAR(r2_bgen[v], direct_r2(*bgen, v), 1e-12) << v;
    ASSERT_NEAR(r2_vcf[v], r2_bgen[v], 1e-3) << v;
  }
  EXPECT_GT(finite, m / 2);
  // Over a selection of the samples: theirs alone.
  std::vector<std::uint32_t> half;
  for (std::uint32_t s = 0; s < n; s += 2) half.push_back(s);
  bgen->select_samples(half);
  const std::vector<double> r2_half = mach_r2_of(*bgen);
  std::size_t changed = 0;
  for (std::size_t v = 0; v < m; ++v) {
    if (std::isnan(r2_half[v])) continue;
    ASSERT_NEAR(r2_half[v], direct_r2(*bgen, v), 1e-12) << v;
    changed += std::isnan(r2_bgen[v]) || std::fabs(r2_half[v] - r2_bgen[v]) > 1e-6;
  }
  EXPECT_GT(changed, m / 2);
  fs::remove_all(dir);
}

}  // namespace

namespace {

// Writes an uncompressed layout-2 BGEN with `bits`-bit unphased diploid probabilities.
// Returns each variant's start offset and size in bytes (what a .bgi index records).
std::vector<std::pair<std::uint64_t, std::uint64_t>> write_bgen(
    const std::string& path, unsigned bits, const std::vector<std::vector<std::array<double, 3>>>& probs) {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> where;
  const std::uint32_t n = std::uint32_t(probs[0].size()), m = std::uint32_t(probs.size());
  std::string out;
  auto u32 = [&](std::uint32_t x) { out.append(reinterpret_cast<const char*>(&x), 4); };
  auto u16 = [&](std::uint16_t x) { out.append(reinterpret_cast<const char*>(&x), 2); };
  u32(20);  // offset of the first variant, relative to byte 4
  u32(20);
  u32(m);
  u32(n);
  out.append("bgen", 4);
  u32(2u << 2);  // no compression, layout 2, no sample identifiers
  const double top = double((std::uint64_t(1) << bits) - 1);
  for (std::uint32_t v = 0; v < m; ++v) {
    const std::uint64_t start = out.size();
    const std::string id = fmt::format("v{}", v);
    u16(std::uint16_t(id.size()));
    out += id;
    u16(std::uint16_t(id.size()));
    out += id;
    u16(1);
    out.push_back('1');
    u32(1000 + v);
    u16(2);
    u32(1);
    out.push_back('A');
    u32(1);
    out.push_back('G');
    std::string data;
    auto d32 = [&](std::uint32_t x) { data.append(reinterpret_cast<const char*>(&x), 4); };
    d32(n);
    data.append("\x02\x00\x02\x02", 4);  // K = 2, min and max ploidy 2
    for (std::uint32_t s = 0; s < n; ++s) data.push_back(char(s % 7 == 3 ? 0x82 : 0x02));  // every 7th missing
    data.push_back(0);  // unphased
    data.push_back(char(bits));
    std::vector<std::uint8_t> packed((2 * n * bits + 7) / 8 + 8, 0);
    std::uint64_t bit = 0;
    for (std::uint32_t s = 0; s < n; ++s) {
      for (int k = 0; k < 2; ++k) {
        const std::uint64_t value = std::uint64_t(std::llround(probs[v][s][k] * top));
        for (unsigned b = 0; b < bits; ++b, ++bit) packed[bit / 8] |= std::uint8_t(((value >> b) & 1) << (bit % 8));
      }
    }
    data.append(reinterpret_cast<const char*>(packed.data()), (2 * n * bits + 7) / 8);
    u32(std::uint32_t(data.size()));
    out += data;
    where.emplace_back(start, out.size() - start);
  }
  std::ofstream(path, std::ios::binary).write(out.data(), std::streamsize(out.size()));
  return where;
}

// Writes a bgenix-style .bgi for write_bgen's file, with rsids renamed "idx<v>" (to see it used).
void write_bgi(const std::string& path, const std::vector<std::pair<std::uint64_t, std::uint64_t>>& where) {
  fs::remove(path);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  std::string sql =
      "CREATE TABLE Variant (chromosome TEXT, position INT, rsid TEXT, number_of_alleles INT, allele1 TEXT, "
      "allele2 TEXT, file_start_position INT, size_in_bytes INT);";
  for (std::size_t v = 0; v < where.size(); ++v) {
    sql += fmt::format("INSERT INTO Variant VALUES ('1', {}, 'idx{}', 2, 'A', 'G', {}, {});", 1000 + v, v,
                       where[v].first, where[v].second);
  }
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
}

// Random genotype probabilities (P11, P12, P22) of m variants x n samples; with `grid` > 0, P11
// and P12 are multiples of 1 / grid (what an 8-bit BGEN stores exactly for grid 255).
std::vector<std::vector<std::array<double, 3>>> random_probabilities(std::uint64_t seed, std::size_t n, std::size_t m, double grid) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform(0, 1);
  auto on_grid = [&](double x) { return grid > 0 ? std::round(x * grid) / grid : x; };
  std::vector<std::vector<std::array<double, 3>>> probs(m, std::vector<std::array<double, 3>>(n));
  for (auto& variant : probs) {
    for (auto& p : variant) {
      const double a = on_grid(uniform(rng)), b = on_grid(uniform(rng) * (1 - a));
      p = {a, b, 1 - a - b};
    }
  }
  return probs;
}

// All dosages of a write_bgen file (variant-major). Every 7th sample's call is missing there and
// must read as NaN; `check(v, s, dosage)` sees every other dosage.
template <class Check>
std::vector<double> read_written_dosages(GenotypeSource& source, std::size_t n, std::size_t m, Check check) {
  std::vector<double> dosages(n * m);
  source.read_dosages(0, m, dosages.data(), DosageOptions{false, false});
  for (std::size_t v = 0; v < m; ++v) {
    for (std::size_t s = 0; s < n; ++s) {
      const double got = dosages[v * n + s];
      if (s % 7 == 3) {
        EXPECT_TRUE(std::isnan(got));
        continue;
      }
      check(v, s, got);
    }
  }
  return dosages;
}

TEST(WrittenBgen, UncompressedHighBitDepths) {
  const auto dir = fs::temp_directory_path() / ("kohort_written_bgen_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::size_t n = 37, m = 11;
  const auto probs = random_probabilities(3, n, m, 0);
  for (unsigned bits : {17u, 24u, 31u, 32u}) {
    const std::string path = (dir / fmt::format("b{}.bgen", bits)).string();
    const auto where = write_bgen(path, bits, probs);
    auto source = open_bgen(path, "");
    ASSERT_EQ(source->variant_count(), m);
    EXPECT_EQ(source->variant(4).id, "v4");
    EXPECT_EQ(source->variant(4).alt, "G");
    double worst = 0;
    const auto dosages = read_written_dosages(*source, n, m, [&](std::size_t v, std::size_t s, double got) {
      worst = std::max(worst, std::fabs(got - (probs[v][s][1] + 2 * probs[v][s][2])));
    });
    EXPECT_LT(worst, 3.0 / double((std::uint64_t(1) << bits) - 1)) << bits << " bits";

    // With a .bgi beside it: metadata comes from the index, genotypes stay the same.
    write_bgi(path + ".bgi", where);
    auto indexed = open_bgen(path, "");
    ASSERT_EQ(indexed->variant_count(), m);
    EXPECT_EQ(indexed->variant(4).id, "idx4");
    std::vector<double> again(n * m);
    indexed->read_dosages(0, m, again.data(), DosageOptions{false, false});
    for (std::size_t i = 0; i < n * m; ++i) {
      if (std::isnan(dosages[i])) {
        EXPECT_TRUE(std::isnan(again[i]));
      } else {
        EXPECT_EQ(dosages[i], again[i]);
      }
    }
    if (bits == 32) {  // an index for another file is refused, naming it
      write_bgi(path + ".bgi", {where.begin(), where.end() - 1});
      try {
        open_bgen(path, "");
        ADD_FAILURE() << "stale .bgi accepted";
      } catch (const kohort::InputError& e) {
        EXPECT_NE(std::string(e.what()).find(".bgi"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("lists 10 variants but the BGEN header says 11"), std::string::npos)
            << e.what();
      }
    }
  }
  fs::remove_all(dir);
}

// A file cut short is an error at open, naming the file and the variant where it ends, whether
// the cut falls in a variant's identifying data (read through the header scan's buffer) or in the
// last variant's genotype block.
TEST(WrittenBgen, TruncatedFileNamesTheVariant) {
  const auto dir = fs::temp_directory_path() / ("kohort_truncated_bgen_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::size_t n = 37, m = 11;
  const std::string path = (dir / "cut.bgen").string();
  const auto where = write_bgen(path, 16, random_probabilities(7, n, m, 0));
  const auto expect_error = [&](std::uint64_t size, const std::string& expected) {
    fs::resize_file(path, size);
    try {
      open_bgen(path, "");
      ADD_FAILURE() << "a file cut at byte " << size << " was accepted";
    } catch (const kohort::InputError& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    }
  };
  expect_error(where.back().first + where.back().second - 1, fmt::format("the genotype block of variant {}", m));
  expect_error(where[6].first + 9, "file ends inside variant 7");
  fs::remove_all(dir);
}

// The 8-bit unphased diploid layout (UK Biobank's) has a decoder of its own: each dosage is the one
// correctly rounded quotient (b12 + 2 (255 - b11 - b12)) / 255 of the stored bytes, sure genotypes
// are exact, and a sample whose probabilities sum above 1 is an error naming the variant and sample.
TEST(WrittenBgen, EightBitDosagesAreExactQuotients) {
  const auto dir = fs::temp_directory_path() / ("kohort_written_bgen8_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::size_t n = 61, m = 5;
  auto probs = random_probabilities(5, n, m, 255);
  probs[1][0] = {1, 0, 0};  // sure genotypes: dosages 0, 1 and 2 exactly
  probs[1][1] = {0, 1, 0};
  probs[1][2] = {0, 0, 1};
  const std::string path = (dir / "b8.bgen").string();
  write_bgen(path, 8, probs);
  auto source = open_bgen(path, "");
  auto dosages = read_written_dosages(*source, n, m, [&](std::size_t v, std::size_t s, double got) {
    const long b11 = std::lround(probs[v][s][0] * 255), b12 = std::lround(probs[v][s][1] * 255);
    EXPECT_EQ(got, double(b12 + 2 * (255 - b11 - b12)) / 255.0) << "variant " << v << " sample " << s;
  });
  EXPECT_EQ(dosages[1 * n + 0], 0.0);
  EXPECT_EQ(dosages[1 * n + 1], 1.0);
  EXPECT_EQ(dosages[1 * n + 2], 2.0);

  probs[2][4] = {0.7, 0.6, 0};  // 179 + 153 > 255
  write_bgen(path, 8, probs);
  auto bad = open_bgen(path, "");
  try {
    bad->read_dosages(2, 1, dosages.data(), DosageOptions{false, false});
    ADD_FAILURE() << "probabilities above 1 accepted";
  } catch (const kohort::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("variant 3 (v2)"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("sample 5 sum to more than 1"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

}  // namespace

namespace kohort::genotype {
namespace {

// The .bed code of a hard call from a dosage, by the rule read_calls documents: the nearest ALT
// count when within 0.1 of it, else missing.
unsigned expected_code(double dosage) {
  if (std::isnan(dosage)) return 1;
  const double nearest = std::nearbyint(dosage);
  if (std::fabs(dosage - nearest) > 0.1) return 1;
  return nearest == 0 ? 3 : nearest == 1 ? 2 : 0;
}

}  // namespace

// Variant filters read a BGEN variant's hard calls and dosages from one decoding: the same calls
// and dosages as reading each on its own, around every threshold, with all samples and a subset.
TEST(WrittenBgen, PackedCallsAndDosagesFromOneDecodingMatchEachAlone) {
  const auto dir = fs::temp_directory_path() / ("kohort_bgen_calls_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::size_t n = 70, m = 3;
  // Dosages P12 + 2 P22 close to the 0.1 margins of 0, 1 and 2, and in between.
  const double targets[] = {0, 0.05, 0.0999, 0.1001, 0.3, 0.5, 0.8999, 0.9001, 1, 1.0999, 1.1001, 1.5, 1.8999, 1.9001, 2};
  std::vector<std::vector<std::array<double, 3>>> probs(m, std::vector<std::array<double, 3>>(n));
  for (std::size_t v = 0; v < m; ++v) {
    for (std::size_t s = 0; s < n; ++s) {
      const double d = targets[(s + 5 * v) % std::size(targets)];
      probs[v][s] = d <= 1 ? std::array<double, 3>{1 - d, d, 0} : std::array<double, 3>{0, 2 - d, d - 1};
    }
  }
  const std::string path = (dir / "calls.bgen").string();
  write_bgen(path, 16, probs);
  for (const bool subset : {false, true}) {
    auto source = open_bgen(path, "");
    if (subset) {
      std::vector<std::uint32_t> keep;
      for (std::uint32_t s = 0; s < n; s += 3) keep.push_back(s);
      source->select_samples(keep);
    }
    const std::size_t kept = source->sample_count();
    std::vector<std::uint64_t> alone(source->packed_words()), together(source->packed_words());
    std::vector<double> dosages(kept), both(kept);
    std::size_t missing = 0, het = 0;
    for (std::size_t v = 0; v < m; ++v) {
      const std::uint8_t* a = source->packed_bytes(v, alone.data());
      source->read_dosages(v, 1, dosages.data(), DosageOptions{false, false});
      const std::uint8_t* b = source->packed_bytes_and_dosages(v, together.data(), both.data());
      for (std::size_t s = 0; s < kept; ++s) {
        const unsigned code_a = (a[s / 4] >> (2 * (s % 4))) & 3, code_b = (b[s / 4] >> (2 * (s % 4))) & 3;
        EXPECT_EQ(code_b, code_a) << "variant " << v << " sample " << s;
        EXPECT_EQ(code_b, expected_code(dosages[s])) << "variant " << v << " sample " << s << " dosage " << dosages[s];
        if (std::isnan(dosages[s])) {
          EXPECT_TRUE(std::isnan(both[s]));
        } else {
          EXPECT_EQ(both[s], dosages[s]);
        }
        missing += code_b == 1;
        het += code_b == 2;
      }
      // Codes past the last sample stay 00 in the last word.
      const std::size_t last = kept % 32;
      if (last) {
        EXPECT_EQ(together[kept / 32] >> (2 * last), 0u);
      }
    }
    EXPECT_GT(missing, 10u);
    EXPECT_GT(het, 5u);
  }
  fs::remove_all(dir);
}

}  // namespace kohort::genotype
