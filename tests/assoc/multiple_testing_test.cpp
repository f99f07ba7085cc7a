#include "assoc/multiple_testing.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

#include "assoc/pvalue.h"
#include "assoc/pvalue_store.h"
#include "core/parallel.h"

namespace kohort::assoc {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double relative(double a, double b) { return std::fabs(a - b) / std::fabs(b); }

}  // namespace

TEST(MultipleTesting, ChiSquareOfLogPInvertsThePValueFromNearOneToFarBelowUnderflow) {
  // Known quantiles: p 0.05 at 3.841458820694124, the median at kChisq1Median.
  EXPECT_LT(relative(chisq1_of_log_p(std::log(0.05)), 3.841458820694124), 1e-14);
  EXPECT_LT(relative(chisq1_of_log_p(std::log(0.5)), kChisq1Median), 1e-14);
  EXPECT_EQ(chisq1_of_log_p(0.0), 0.0);
  EXPECT_TRUE(std::isnan(chisq1_of_log_p(kNaN)));
  EXPECT_TRUE(std::isnan(chisq1_of_log_p(0.1)));
  // Round trips through log_p_chisq1, on both sides of where exp(log p) underflows (log p -700)
  // and far beyond (p = 1e-4000).
  for (double x : {1e-6, 0.3, 2.0, 30.0, 400.0, 1380.0, 1395.0, 1500.0, 5000.0, 18000.0}) {
    const double log_p = log_p_chisq1(x);
    EXPECT_LT(relative(chisq1_of_log_p(log_p), x), 1e-12) << "x = " << x << ", log p = " << log_p;
  }
  // The two branches meet: no step where the Newton iteration takes over.
  const double below = chisq1_of_log_p(-700.0 - 1e-9), above = chisq1_of_log_p(-700.0 + 1e-9);
  EXPECT_GT(below, above);
  EXPECT_LT(relative(below, above), 1e-9);
}

TEST(MultipleTesting, GenomicInflationIsTheMedianStatisticOverTheChiSquareMedian) {
  // Odd count: the middle p; NaN entries are no tests.
  std::vector<double> log_p = {std::log(0.9), kNaN, std::log(0.05), std::log(0.5), kNaN, std::log(1e-300), std::log(0.7)};
  // Tests: 0.9, 0.05, 0.5, 1e-300, 0.7 -> the median p is 0.5 -> lambda 1.
  EXPECT_NEAR(genomic_inflation(log_p), 1.0, 1e-14);
  // Even count: the mean of the two middle statistics (plink2's median).
  std::vector<double> even = {std::log(0.05), std::log(0.5), std::log(0.9), std::log(1e-8)};
  const double expected = 0.5 * (chisq1_of_log_p(std::log(0.05)) + chisq1_of_log_p(std::log(0.5))) / kChisq1Median;
  EXPECT_NEAR(genomic_inflation(even), expected, 1e-14);
  std::vector<double> none = {kNaN, kNaN};
  EXPECT_TRUE(std::isnan(genomic_inflation(none)));
  // Statistics inflated by 1.1 from a null sample: lambda near 1.1.
  std::mt19937_64 random(7);
  std::normal_distribution<double> normal;
  std::vector<double> inflated;
  for (int i = 0; i < 200001; ++i) {
    const double z = normal(random);
    inflated.push_back(log_p_chisq1(1.1 * z * z));
  }
  EXPECT_NEAR(genomic_inflation(inflated), 1.1, 0.01);
}

TEST(MultipleTesting, AdjustmentsFollowTheirDefinitions) {
  // Five tests; reference values worked by hand from the definitions (m = 5, H(5) = 137/60).
  const std::vector<double> p = {0.001, 0.01, 0.02, 0.04, 0.5};
  std::vector<double> log_p;
  for (double v : p) log_p.push_back(std::log(v));
  PValueAdjuster adjuster(log_p, 1.0);
  const double harmonic = 137.0 / 60.0;
  const double bonferroni[] = {0.005, 0.05, 0.1, 0.2, 1};
  const double holm[] = {0.005, 0.04, 0.06, 0.08, 0.5};                  // p (m - i + 1), running max
  const double bh[] = {0.005, 0.025, 0.1 / 3, 0.05, 0.5};                // p m / i, running min from the end
  for (std::size_t i = 0; i < p.size(); ++i) {
    const AdjustedLogP a = adjuster.next();
    EXPECT_NEAR(std::exp(a.genomic_control), p[i], 1e-12 * p[i]) << i;
    EXPECT_NEAR(std::exp(a.bonferroni), bonferroni[i], 1e-12) << i;
    EXPECT_NEAR(std::exp(a.holm), holm[i], 1e-12) << i;
    EXPECT_NEAR(std::exp(a.sidak_single_step), 1 - std::pow(1 - p[i], 5.0), 1e-12) << i;
    double step_down = 0;
    for (std::size_t j = 0; j <= i; ++j) step_down = std::max(step_down, 1 - std::pow(1 - p[j], 5.0 - static_cast<double>(j)));
    EXPECT_NEAR(std::exp(a.sidak_step_down), step_down, 1e-12) << i;
    EXPECT_NEAR(std::exp(a.fdr_bh), bh[i], 1e-12) << i;
    EXPECT_NEAR(std::exp(a.fdr_by), std::min(1.0, bh[i] * harmonic), 1e-12) << i;
  }
}

TEST(MultipleTesting, GenomicControlDividesTheStatisticAndAdjustmentsStayExactBelowUnderflow) {
  const std::vector<double> log_p = {-2000.0, std::log(1e-10), std::log(0.2)};
  PValueAdjuster adjuster(log_p, 1.25);
  const AdjustedLogP first = adjuster.next();
  EXPECT_NEAR(first.genomic_control, log_p_chisq1(chisq1_of_log_p(-2000.0) / 1.25), 1e-9);
  EXPECT_NEAR(first.bonferroni, -2000.0 + std::log(3.0), 1e-12);
  EXPECT_NEAR(first.sidak_single_step, -2000.0 + std::log(3.0), 1e-12);
  EXPECT_NEAR(first.fdr_bh, -2000.0 + std::log(3.0), 1e-12);
  const AdjustedLogP second = adjuster.next();
  EXPECT_NEAR(std::exp(second.genomic_control), std::erfc(std::sqrt(chisq1_of_log_p(std::log(1e-10)) / 1.25 / 2)), 1e-22);
  EXPECT_NEAR(std::exp(second.sidak_single_step), -std::expm1(3 * std::log1p(-1e-10)), 1e-24);
}

// plink2's --adjust gc: Bonferroni to BY adjust the controlled p-values, which are what an adjuster
// of those p-values at lambda 1 gives; the expected p of a QQ plot is (i - 1/2) / m either way.
TEST(MultipleTesting, AdjustmentsFromGenomicControlAreThoseOfTheControlledPValues) {
  const std::vector<double> log_p = {-800.0, std::log(1e-10), std::log(1e-4), std::log(0.03), std::log(0.2), std::log(0.9)};
  const double lambda = 1.3;
  std::vector<double> controlled;
  for (double value : log_p) controlled.push_back(log_p_chisq1(chisq1_of_log_p(value) / lambda));
  PValueAdjuster from_gc(log_p, lambda, true), of_controlled(controlled, 1.0), plain(log_p, lambda);
  for (std::size_t i = 0; i < log_p.size(); ++i) {
    const AdjustedLogP a = from_gc.next(), b = of_controlled.next(), c = plain.next();
    EXPECT_EQ(a.genomic_control, controlled[i]) << i;
    EXPECT_NEAR(a.genomic_control, c.genomic_control, 1e-12 * std::abs(c.genomic_control)) << i;
    EXPECT_EQ(a.bonferroni, b.bonferroni) << i;
    EXPECT_EQ(a.holm, b.holm) << i;
    EXPECT_EQ(a.sidak_single_step, b.sidak_single_step) << i;
    EXPECT_EQ(a.sidak_step_down, b.sidak_step_down) << i;
    EXPECT_EQ(a.fdr_bh, b.fdr_bh) << i;
    EXPECT_EQ(a.fdr_by, b.fdr_by) << i;
    EXPECT_GT(a.bonferroni, c.bonferroni - 1e-15) << i;  // controlling at lambda > 1 only raises p
    EXPECT_NEAR(std::exp(a.expected), (static_cast<double>(i) + 0.5) / 6.0, 1e-15) << i;
    EXPECT_EQ(a.expected, c.expected) << i;
  }
}

TEST(PValueStore, KeepsEachPhenotypesValuesAcrossBlocksAndWritesTheSortedTable) {
  const auto directory = std::filesystem::temp_directory_path() / "kohort_pvalue_store_test";
  std::filesystem::remove_all(directory);
  std::filesystem::create_directories(directory);
  {
    PValueStore store(directory, 2, true);
    // Two blocks of 3 and 2 variants; phenotype 1 has no test for variant 1.
    const std::vector<std::vector<double>> first = {{-1.0, -5.0, -0.1}, {-2.0, kNaN, -3.0}};
    const std::vector<std::vector<double>> second = {{-5.0, -0.5}, {-0.2, -9.0}};
    const std::vector<std::vector<std::uint8_t>> classes = {{0, 1, 2, 0, 1}, {2, 2, 1, 0, 0}};
    std::uint64_t block = store.add_block(3);
    for (int v = 0; v < 3; ++v) store.add_label("1\t" + std::to_string(v + 10) + "\tA\tG\tid" + std::to_string(v) + "\trs" + std::to_string(v));
    parallel_for(2, 1, [&](std::size_t begin, std::size_t end) {
      for (std::size_t p = begin; p < end; ++p) store.record(block, 3, p, first[p].data(), classes[p].data());
    });
    block = store.add_block(2);
    for (int v = 3; v < 5; ++v) store.add_label("2\t" + std::to_string(v + 10) + "\tC\tT\tid" + std::to_string(v) + "\trs" + std::to_string(v));
    for (std::size_t p = 0; p < 2; ++p) store.record(block, 2, p, second[p].data(), classes[p].data() + 3);
    store.finish();
    const std::vector<double> zero = store.log_p(0), one = store.log_p(1);
    EXPECT_EQ(zero, (std::vector<double>{-1.0, -5.0, -0.1, -5.0, -0.5}));
    ASSERT_EQ(one.size(), 5u);
    EXPECT_TRUE(std::isnan(one[1]));
    EXPECT_EQ(one[4], -9.0);
    EXPECT_EQ(store.classes(0), classes[0]);
    EXPECT_EQ(store.classes(1), classes[1]);
    // Ties (variants 1 and 3 at log p -5) stay in variant order; the filter keeps p <= e^-0.5.
    const auto path = (directory / "zero.adjusted.tsv").string();
    EXPECT_EQ(store.write_adjusted(zero, path, 1.0, -0.5), 4u);
    std::FILE* file = std::fopen(path.c_str(), "r");
    ASSERT_NE(file, nullptr);
    char line[512];
    std::vector<std::string> ids;
    ASSERT_NE(std::fgets(line, sizeof line, file), nullptr);
    EXPECT_EQ(std::string(line), PValueStore::adjusted_header());
    while (std::fgets(line, sizeof line, file)) {
      std::string text(line);
      ids.push_back(text.substr(text.find("id"), 3));
    }
    std::fclose(file);
    EXPECT_EQ(ids, (std::vector<std::string>{"id1", "id3", "id0", "id4"}));
  }
  // The scratch files were unlinked at once: only the table is left.
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(directory)) ++files;
  EXPECT_EQ(files, 1u);
  std::filesystem::remove_all(directory);
}

}  // namespace kohort::assoc
