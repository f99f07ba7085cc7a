#include "assoc/sumstats.h"

#include <gtest/gtest.h>
#include <htslib/bgzf.h>
#include <htslib/hts_log.h>
#include <htslib/tbx.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "../core/file_md5.h"
#include "../core/tbi_contents.h"

namespace kohort::assoc {
namespace {

namespace fs = std::filesystem;

fs::path scratch(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("kohort_sumstats_test_" + std::to_string(getpid()));
  fs::create_directories(dir);
  return dir / name;
}

VariantResult some_result(std::size_t i) {
  VariantResult r;
  r.beta = 0.001 * static_cast<double>(i % 97) - 0.05;
  r.se = 0.01 + 1e-5 * static_cast<double>(i % 13);
  r.statistic = r.beta / r.se;
  r.log_p = -0.1 * static_cast<double>(i % 50);
  r.effect_allele_frequency = 0.3;
  r.n = 1000;
  r.method = "linear";
  return r;
}

// A written file's lines, split at tabs.
std::vector<std::vector<std::string>> table_of(const fs::path& path) {
  std::istringstream lines(test_support::inflate_bgzf(path));
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    rows.emplace_back();
    for (std::string field; std::getline(fields, field, '\t');) rows.back().push_back(field);
  }
  return rows;
}

// Writes `variants` and indexes a copy of the file with htslib's own tabix indexer.
void write_and_reindex(const std::vector<genotype::Variant>& variants, const fs::path& path, const fs::path& copy) {
  SummaryStatisticsWriter writer(path.string(), SummaryColumns{});
  for (std::size_t i = 0; i < variants.size(); ++i) writer.write(variants[i], some_result(i));
  SummaryMetadata meta;
  meta.trait_description = "test";
  writer.commit(meta);
  fs::copy_file(path, copy, fs::copy_options::overwrite_existing);
  hts_set_log_level(HTS_LOG_ERROR);  // position 0 draws a warning per line from tabix
  tbx_conf_t conf = {TBX_GENERIC, 1, 2, 2, '#', 1};
  ASSERT_EQ(tbx_index_build(copy.c_str(), 0, &conf), 0);
}

TEST(SummaryStatistics, IndexBuiltWhileWritingEqualsTabixOverManyBlocksAndChromosomes) {
  // About 1.5 MB of rows: many BGZF blocks, three
  // chromosomes (one with the GWAS-SSF code 23), position 0, repeated positions and large gaps.
  std::vector<genotype::Variant> variants;
  for (std::string chrom : {"1", "2", "X"}) {
    std::int64_t pos = chrom == "1" ? 0 : 10;
    for (int i = 0; i < 4000; ++i) {
      variants.push_back({chrom, pos, "rs" + std::to_string(variants.size()), "A", "G"});
      pos += (i % 7 == 0) ? 0 : (i % 11 == 0 ? 250000 : 37);
    }
  }
  fs::path path = scratch("a.tsv.gz"), copy = scratch("copy.tsv.gz");
  write_and_reindex(variants, path, copy);
  // The same bins, chunks and linear index (bins may be listed in another order: tabix lists
  // them in the order of its hash table).
  const auto ours = test_support::parse_tbi(test_support::inflate_bgzf(path.string() + ".tbi"));
  const auto theirs = test_support::parse_tbi(test_support::inflate_bgzf(copy.string() + ".tbi"));
  ASSERT_EQ(theirs.bins.size(), 3u);
  EXPECT_EQ(ours.header, theirs.header);
  EXPECT_EQ(ours.linear, theirs.linear);
  EXPECT_TRUE(ours == theirs);

  // And a region query through the index finds the right rows.
  htsFile* file = hts_open(path.c_str(), "r");
  ASSERT_NE(file, nullptr);
  tbx_t* index = tbx_index_load(path.c_str());
  ASSERT_NE(index, nullptr);
  hts_itr_t* it = tbx_itr_querys(index, "23:10-1000");
  ASSERT_NE(it, nullptr);
  kstring_t line = {0, 0, nullptr};
  int rows = 0;
  while (tbx_itr_next(file, index, it, &line) >= 0) {
    ++rows;
    EXPECT_EQ(std::string(line.s, 3), "23\t");
  }
  std::int64_t expected = 0;
  for (auto& v : variants) expected += v.chrom == "X" && v.pos >= 10 && v.pos <= 1000;
  EXPECT_EQ(rows, expected);
  EXPECT_GT(rows, 10);
  free(line.s);
  tbx_itr_destroy(it);
  tbx_destroy(index);
  hts_close(file);
  fs::remove_all(path.parent_path());
}

TEST(SummaryStatistics, SharedFrequencyTextOnlyForTheSameFrequency) {
  fs::path path = scratch("frequency.tsv.gz");
  {
    SummaryStatisticsWriter writer(path.string(), SummaryColumns{});
    VariantColumns columns = variant_columns({"1", 100, "a", "A", "C"});
    set_shared_frequency(columns, 0.25);
    VariantResult same = some_result(0), other = some_result(1), missing = some_result(2);
    same.effect_allele_frequency = 0.25;
    other.effect_allele_frequency = 0.3125;
    missing.effect_allele_frequency = std::numeric_limits<double>::quiet_NaN();
    writer.write(columns, same);
    columns.position = 101;
    writer.write(columns, other);
    columns.position = 102;
    set_shared_frequency(columns, std::numeric_limits<double>::quiet_NaN());  // never shared
    writer.write(columns, missing);
    writer.commit(SummaryMetadata{});
  }
  std::vector<std::string> frequencies;
  std::istringstream lines(test_support::inflate_bgzf(path));
  std::string line;
  std::getline(lines, line);  // the header
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string field;
    for (int column = 0; column < 7; ++column) std::getline(fields, field, '\t');
    frequencies.push_back(field);
  }
  EXPECT_EQ(frequencies, (std::vector<std::string>{"0.25", "0.3125", "NA"}));
  fs::remove_all(path.parent_path());
}

// --ci: two more columns, beta -/+ z SE (z = 1.959963985 at 95%), NA where there is no estimate;
// a level outside (0, 1) is refused.
TEST(SummaryStatistics, ConfidenceIntervalColumns) {
  fs::path path = scratch("ci.tsv.gz");
  {
    SummaryStatisticsWriter writer(path.string(), SummaryColumns{.binary = true, .confidence_level = 0.95});
    VariantResult estimated = some_result(3), missing;
    estimated.beta = 0.5;
    estimated.se = 0.25;
    writer.write(genotype::Variant{"1", 100, "a", "A", "C"}, estimated);
    writer.write(genotype::Variant{"1", 101, "b", "A", "C"}, missing);
    writer.commit(SummaryMetadata{});
  }
  const std::vector<std::vector<std::string>> rows = table_of(path);
  ASSERT_EQ(rows.size(), 3u);
  ASSERT_EQ(rows[0].size(), 18u);
  EXPECT_EQ(rows[0][16], "ci_lower");
  EXPECT_EQ(rows[0][17], "ci_upper");
  EXPECT_NEAR(std::stod(rows[1][16]), 0.5 - 1.959963985 * 0.25, 1e-9);
  EXPECT_NEAR(std::stod(rows[1][17]), 0.5 + 1.959963985 * 0.25, 1e-9);
  EXPECT_EQ(rows[2][16], "NA");
  EXPECT_EQ(rows[2][17], "NA");
  for (double level : {1.0, -0.1, 95.0})
    EXPECT_THROW(SummaryStatisticsWriter(scratch("bad.tsv.gz").string(), SummaryColumns{.confidence_level = level}), std::invalid_argument);
  fs::remove_all(path.parent_path());
}

// --af-cc: a binary trait's file gets the effect allele's frequency among cases and controls after
// n_cases and n_controls (NA where a group has no call); a quantitative trait's does not.
TEST(SummaryStatistics, CaseControlFrequencyColumns) {
  fs::path path = scratch("cc.tsv.gz");
  {
    SummaryStatisticsWriter writer(path.string(), SummaryColumns{.binary = true, .case_control_frequencies = true});
    VariantResult counted = some_result(2), uncounted = some_result(4);
    counted.frequency_cases = 0.328571;
    counted.frequency_controls = 0.405405;
    uncounted.frequency_controls = 0.25;
    writer.write(genotype::Variant{"1", 100, "a", "A", "C"}, counted);
    writer.write(genotype::Variant{"1", 101, "b", "A", "C"}, uncounted);
    writer.commit(SummaryMetadata{});
  }
  const std::vector<std::vector<std::string>> rows = table_of(path);
  ASSERT_EQ(rows.size(), 3u);
  ASSERT_EQ(rows[0].size(), 18u);
  EXPECT_EQ(rows[0][13], "n_controls");
  EXPECT_EQ(rows[0][14], "effect_allele_frequency_cases");
  EXPECT_EQ(rows[0][15], "effect_allele_frequency_controls");
  EXPECT_EQ(rows[0][16], "test");
  EXPECT_EQ(rows[1][14], "0.328571");
  EXPECT_EQ(rows[1][15], "0.405405");
  EXPECT_EQ(rows[2][14], "NA");
  EXPECT_EQ(rows[2][15], "0.25");
  fs::path quantitative = scratch("cc_quantitative.tsv.gz");
  {
    SummaryStatisticsWriter writer(quantitative.string(), SummaryColumns{.case_control_frequencies = true});
    writer.write(genotype::Variant{"1", 100, "a", "A", "C"}, some_result(2));
    writer.commit(SummaryMetadata{});
  }
  EXPECT_EQ(table_of(quantitative)[0].size(), 14u);
  fs::remove_all(path.parent_path());
}

// Dosage input adds the info column (MaCH's r-squared) last, after the confidence interval.
TEST(SummaryStatistics, InfoColumnComesLast) {
  fs::path path = scratch("info.tsv.gz");
  {
    SummaryStatisticsWriter writer(path.string(), SummaryColumns{.confidence_level = 0.95, .info = true});
    VariantResult imputed = some_result(3), monomorphic = some_result(4);
    imputed.info = 0.8123456789123;
    writer.write(genotype::Variant{"1", 100, "a", "A", "C"}, imputed);
    writer.write(genotype::Variant{"1", 101, "b", "A", "C"}, monomorphic);
    writer.commit(SummaryMetadata{});
  }
  const std::vector<std::vector<std::string>> rows = table_of(path);
  ASSERT_EQ(rows.size(), 3u);
  ASSERT_EQ(rows[0].size(), 17u);
  EXPECT_EQ(rows[0][14], "ci_lower");
  EXPECT_EQ(rows[0][16], "info");
  ASSERT_EQ(rows[1].size(), 17u);
  EXPECT_EQ(rows[1][16], "0.8123456789");
  EXPECT_EQ(rows[2][16], "NA");
  fs::remove_all(path.parent_path());
}

// MaCH's r-squared is 1 for calls in Hardy-Weinberg proportions (p = 2/3: 1, 4 and 4 of 9 samples
// with 0, 1 and 2 copies), the variance ratio otherwise, and NaN without variation.
TEST(MachR2, VarianceOverBinomialVariance) {
  EXPECT_DOUBLE_EQ(mach_r2(4 * 1.0 + 4 * 2.0, 4 * 1.0 + 4 * 4.0, 9), 1.0);
  // Every sample a heterozygote: variance 0, r-squared 0. Half 0, half 2: variance 1 against 0.5.
  EXPECT_DOUBLE_EQ(mach_r2(10, 10, 10), 0.0);
  EXPECT_DOUBLE_EQ(mach_r2(10, 20, 10), 2.0);
  // Dosages 0.5 and 1.5 in equal numbers: variance 0.25 against 2 (1/2)(1/2) = 0.5.
  EXPECT_DOUBLE_EQ(mach_r2(0.5 * 50 + 1.5 * 50, 0.25 * 50 + 2.25 * 50, 100), 0.5);
  EXPECT_TRUE(std::isnan(mach_r2(0, 0, 10)));
  EXPECT_TRUE(std::isnan(mach_r2(20, 40, 10)));
  EXPECT_TRUE(std::isnan(mach_r2(0, 0, 0)));
}

// The -meta.yaml's data_file_md5sum (kept while the file is written) is the MD5 of the file's bytes.
TEST(SummaryStatistics, MetadataChecksumIsTheFiles) {
  fs::path path = scratch("md5.tsv.gz");
  std::vector<genotype::Variant> variants;
  for (int i = 0; i < 30000; ++i) variants.push_back({"1", 100 + i, std::to_string(i), "A", "G"});
  {
    SummaryStatisticsWriter writer(path.string(), SummaryColumns{});
    for (std::size_t i = 0; i < variants.size(); ++i) writer.write(variants[i], some_result(i));
    writer.commit(SummaryMetadata{});
  }
  const std::string bytes = test_support::file_bytes(path);
  const std::string yaml = test_support::file_bytes(path.string() + "-meta.yaml");
  std::string expected = "data_file_md5sum: ";
  expected += test_support::md5_hex(bytes);
  expected.push_back('\n');
  EXPECT_NE(yaml.find(expected), std::string::npos) << yaml;
  EXPECT_GT(bytes.size(), 65536u);  // several BGZF blocks
  fs::remove_all(path.parent_path());
}

TEST(SummaryStatistics, UnsortedRowsGetNoIndex) {
  std::vector<genotype::Variant> variants = {{"1", 100, "a", "A", "C"}, {"2", 5, "b", "A", "C"}, {"1", 200, "c", "A", "C"}};
  fs::path path = scratch("unsorted.tsv.gz");
  SummaryStatisticsWriter writer(path.string(), SummaryColumns{});
  for (std::size_t i = 0; i < variants.size(); ++i) writer.write(variants[i], some_result(i));
  writer.commit(SummaryMetadata{});
  EXPECT_TRUE(fs::exists(path));
  EXPECT_FALSE(fs::exists(path.string() + ".tbi"));
  EXPECT_FALSE(fs::exists(path.string() + ".tbi.tmp"));
  fs::remove_all(path.parent_path());
}

}  // namespace
}  // namespace kohort::assoc

// GWAS-SSF numbers X 23, Y 24, MT 25; PLINK's 25 (XY, the pseudo-autosomal regions on X's
// coordinates) is X, its 26 MT.
TEST(SummaryStatistics, ChromosomeCodes) {
  EXPECT_EQ(kohort::assoc::gwas_ssf_chromosome("1"), "1");
  EXPECT_EQ(kohort::assoc::gwas_ssf_chromosome("chr7"), "7");
  EXPECT_EQ(kohort::assoc::gwas_ssf_chromosome("chrX"), "23");
  EXPECT_EQ(kohort::assoc::gwas_ssf_chromosome("23"), "23");
  EXPECT_EQ(kohort::assoc::gwas_ssf_chromosome("XY"), "23");
  EXPECT_EQ(kohort::assoc::gwas_ssf_chromosome("25"), "23");
  EXPECT_EQ(kohort::assoc::gwas_ssf_chromosome("Y"), "24");
  EXPECT_EQ(kohort::assoc::gwas_ssf_chromosome("24"), "24");
  EXPECT_EQ(kohort::assoc::gwas_ssf_chromosome("MT"), "25");
  EXPECT_EQ(kohort::assoc::gwas_ssf_chromosome("chrM"), "25");
  EXPECT_EQ(kohort::assoc::gwas_ssf_chromosome("26"), "25");
}
