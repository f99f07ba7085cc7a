// The .bed reader on small hand-made filesets: decoding, subsetting, dosages and malformed input.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "genotype/bed.h"

namespace fs = std::filesystem;
using kohort::genotype::kMissingCall;

namespace {

// Writes PREFIX.bed/.bim/.fam holding `calls` (variant-major ALT counts, -1 missing).
void write_fileset(const std::string& prefix, std::size_t n, const std::vector<std::vector<int>>& calls) {
  std::ofstream fam(prefix + ".fam"), bim(prefix + ".bim");
  for (std::size_t s = 0; s < n; ++s) fam << "F" << s << " I" << s << " 0 0 1 -9\n";
  std::ofstream bed(prefix + ".bed", std::ios::binary);
  bed.put(0x6c).put(0x1b).put(0x01);
  for (std::size_t v = 0; v < calls.size(); ++v) {
    bim << "1\trs" << v << "\t0\t" << 100 + v << "\tA\tG\n";
    std::vector<unsigned char> bytes((n + 3) / 4, 0);
    for (std::size_t s = 0; s < n; ++s) {
      const int c = calls[v][s];
      const unsigned code = c == 2 ? 0 : c == 1 ? 2 : c == 0 ? 3 : 1;
      bytes[s / 4] |= code << (2 * (s % 4));
    }
    bed.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  }
}

class BedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kohort_bed_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> call(-1, 2);
    calls_.assign(9, std::vector<int>(n_));
    for (auto& variant : calls_) {
      for (auto& c : variant) c = call(rng);
    }
    prefix_ = (dir_ / "set").string();
    write_fileset(prefix_, n_, calls_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  std::string prefix_;
  const std::size_t n_ = 23;  // not a multiple of 4: exercises the last partial byte
  std::vector<std::vector<int>> calls_;
};

TEST_F(BedTest, DecodesEveryCallAndMetadata) {
  auto source = kohort::genotype::open_bed(prefix_);
  ASSERT_EQ(source->sample_count(), n_);
  ASSERT_EQ(source->variant_count(), calls_.size());
  EXPECT_EQ(source->variant(3).id, "rs3");
  EXPECT_EQ(source->variant(3).alt, "A");  // first .bim allele is ALT, as in plink2
  EXPECT_EQ(source->variant(3).ref, "G");
  std::vector<std::int8_t> block(n_ * calls_.size());
  source->read_calls(0, calls_.size(), block.data());
  for (std::size_t v = 0; v < calls_.size(); ++v) {
    for (std::size_t s = 0; s < n_; ++s) EXPECT_EQ(block[v * n_ + s], calls_[v][s]) << v << " " << s;
  }
}

TEST_F(BedTest, SubsetsSamplesAndVariants) {
  auto source = kohort::genotype::open_bed(prefix_);
  const std::vector<std::uint32_t> samples = {22, 0, 5, 6, 7};
  source->select_samples(samples);
  source->select_variants({1, 4, 8});
  std::vector<std::int8_t> block(samples.size() * 2);
  source->read_calls(1, 2, block.data());  // selected variants 4 and 8
  for (std::size_t s = 0; s < samples.size(); ++s) {
    EXPECT_EQ(block[s], calls_[4][samples[s]]);
    EXPECT_EQ(block[samples.size() + s], calls_[8][samples[s]]);
  }
}

TEST_F(BedTest, ReadsAFileVariantOutsideTheSelection) {
  auto source = kohort::genotype::open_bed(prefix_);
  const std::vector<std::uint32_t> samples = {22, 0, 5, 6, 7};
  source->select_samples(samples);
  source->select_variants({1, 4});
  std::vector<double> dosages(samples.size());
  source->read_file_variant_dosages(2, dosages.data(), {false, false});  // variant 2 is not selected
  for (std::size_t s = 0; s < samples.size(); ++s) {
    if (calls_[2][samples[s]] == kMissingCall) {
      EXPECT_TRUE(std::isnan(dosages[s])) << s;
    } else {
      EXPECT_EQ(dosages[s], calls_[2][samples[s]]) << s;
    }
  }
  EXPECT_EQ(source->variant_count(), 2u);  // the selection is unchanged
  EXPECT_THROW(source->read_file_variant_dosages(static_cast<std::uint32_t>(calls_.size()), dosages.data(), {false, false}), kohort::Error);
}

TEST_F(BedTest, DosagesImputeAndStandardise) {
  auto source = kohort::genotype::open_bed(prefix_);
  std::vector<double> raw(n_), imputed(n_), standard(n_);
  kohort::genotype::DosageStats stats;
  source->read_dosages(2, 1, raw.data(), {false, false}, &stats);
  source->read_dosages(2, 1, imputed.data(), {true, false});
  source->read_dosages(2, 1, standard.data(), {true, true});
  double sum = 0;
  unsigned observed = 0;
  for (std::size_t s = 0; s < n_; ++s) {
    if (calls_[2][s] == kMissingCall) {
      EXPECT_TRUE(std::isnan(raw[s]));
    } else {
      EXPECT_EQ(raw[s], calls_[2][s]);
      sum += calls_[2][s];
      ++observed;
    }
  }
  ASSERT_EQ(stats.observed, observed);
  EXPECT_NEAR(stats.mean, sum / observed, 1e-15);
  double standard_sum = 0, standard_squares = 0;
  for (std::size_t s = 0; s < n_; ++s) {
    if (calls_[2][s] == kMissingCall) {
      EXPECT_NEAR(imputed[s], stats.mean, 1e-15);
      EXPECT_EQ(standard[s], 0.0);
    } else {
      standard_sum += standard[s];
      standard_squares += standard[s] * standard[s];
    }
  }
  EXPECT_NEAR(standard_sum, 0.0, 1e-12);
  EXPECT_NEAR(standard_squares / observed, 1.0, 1e-12);
  std::vector<float> single(n_);
  source->read_dosages(2, 1, single.data(), {true, true});
  for (std::size_t s = 0; s < n_; ++s) EXPECT_EQ(single[s], float(standard[s]));
}

std::string error_of(const std::string& prefix) {
  try {
    kohort::genotype::open_bed(prefix);
  } catch (const kohort::InputError& e) {
    return e.what();
  }
  return "";
}

// Released rows leave resident memory only: read again, they hold the same codes (rows of 10,000
// bytes span whole pages, so pages really are released).
TEST_F(BedTest, ReleasedRowsReadBackUnchanged) {
  const std::size_t n = 40000, variants = 6;
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> call(-1, 2);
  std::vector<std::vector<int>> calls(variants, std::vector<int>(n));
  for (auto& variant : calls)
    for (auto& c : variant) c = call(rng);
  const std::string prefix = (dir_ / "wide").string();
  write_fileset(prefix, n, calls);
  auto source = kohort::genotype::open_bed(prefix);
  const std::size_t bytes = (n + 3) / 4;
  std::vector<std::vector<std::uint8_t>> before;
  for (std::uint32_t v = 0; v < variants; ++v) before.emplace_back(source->packed_row(v), source->packed_row(v) + bytes);
  source->release_packed_rows(1, 5);
  source->release_packed_rows(0, variants);
  for (std::uint32_t v = 0; v < variants; ++v) {
    ASSERT_EQ(std::vector<std::uint8_t>(source->packed_row(v), source->packed_row(v) + bytes), before[v]) << v;
  }
  std::vector<std::int8_t> block(n * variants);
  source->read_calls(0, variants, block.data());
  for (std::size_t v = 0; v < variants; ++v)
    for (std::size_t s = 0; s < n; s += 97) ASSERT_EQ(block[v * n + s], calls[v][s]) << v << " " << s;
}

TEST_F(BedTest, RejectsBadMagic) {
  std::fstream bed(prefix_ + ".bed", std::ios::in | std::ios::out | std::ios::binary);
  bed.put(0x6d);
  bed.close();
  const auto message = error_of(prefix_);
  EXPECT_NE(message.find("set.bed"), std::string::npos) << message;
  EXPECT_NE(message.find("magic"), std::string::npos) << message;
}

TEST_F(BedTest, RejectsTruncatedBedNamingTheVariant) {
  fs::resize_file(prefix_ + ".bed", 3 + 6 * 4 + 2);  // ends inside the 7th variant (6 bytes per variant)
  const auto message = error_of(prefix_);
  EXPECT_NE(message.find("set.bed"), std::string::npos) << message;
  EXPECT_NE(message.find("variant 5 (rs4"), std::string::npos) << message;
}

TEST_F(BedTest, RejectsFamWithMoreSamples) {
  std::ofstream fam(prefix_ + ".fam", std::ios::app);
  for (int i = 0; i < 4; ++i) fam << "X" << i << " Y" << i << " 0 0 1 -9\n";  // 27 samples: 7 bytes per variant
  fam.close();
  const auto message = error_of(prefix_);
  EXPECT_NE(message.find("27 samples"), std::string::npos) << message;
  EXPECT_NE(message.find("fit 21 to 24 samples, so the .fam does not match"), std::string::npos) << message;
}

TEST_F(BedTest, RejectsShortBimLineWithLineNumber) {
  std::ofstream bim(prefix_ + ".bim", std::ios::app);
  bim << "1 rsX 0 5 A\n";
  bim.close();
  const auto message = error_of(prefix_);
  EXPECT_NE(message.find("set.bim:10"), std::string::npos) << message;
}

}  // namespace
