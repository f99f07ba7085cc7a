// The simulated genotypes: frequencies match the truth, LD decays with distance, calls are missing
// at the configured rate, relatives share alleles.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "simulate_fixture.h"

namespace kohort::test {

TEST(SimulatedGenotypes, FrequenciesAgreeWithTruthWithinSamplingError) {
  const auto& dir = shared_simulation();
  BedFile bed(dir / "genotypes");
  auto truth = read_tsv(dir / "truth_variants.tsv");
  ASSERT_EQ(truth.size() - 1, bed.variants());
  std::vector<int> g;
  double chi2 = 0;
  std::size_t tested = 0, outliers = 0;
  for (std::size_t v = 0; v < bed.variants(); ++v) {
    bed.read(v, g);
    double sum = 0, observed = 0;
    for (int x : g)
      if (x >= 0) sum += x, observed += 2;
    double p = std::stod(truth[v + 1][5]);
    if (p < 0.01 || p > 0.99) continue;
    // Binomial sampling error of an allele frequency from `observed` alleles (relatives add little).
    double z = (sum / observed - p) / std::sqrt(p * (1 - p) / observed);
    chi2 += z * z;
    outliers += std::fabs(z) > 4.5;
    ++tested;
  }
  ASSERT_GT(tested, 2000u);
  double mean_chi2 = chi2 / static_cast<double>(tested);
  EXPECT_GT(mean_chi2, 0.85);
  EXPECT_LT(mean_chi2, 1.2);
  EXPECT_LE(outliers, 2u);
}

TEST(SimulatedGenotypes, SpectrumRunsFromRareToCommon) {
  auto truth = read_tsv(shared_simulation() / "truth_variants.tsv");
  std::size_t rare = 0, low = 0, common = 0;
  for (std::size_t r = 1; r < truth.size(); ++r) {
    double p = std::stod(truth[r][5]);
    double maf = std::min(p, 1 - p);
    (maf < 0.01 ? rare : maf < 0.05 ? low : common)++;
  }
  double n = static_cast<double>(truth.size() - 1);
  EXPECT_GT(rare / n, 0.15);
  EXPECT_GT(low / n, 0.08);
  EXPECT_GT(common / n, 0.35);
}

TEST(SimulatedGenotypes, LinkageDisequilibriumDecaysWithDistance) {
  const auto& dir = shared_simulation();
  BedFile bed(dir / "genotypes");
  auto bim = read_tsv(dir / "genotypes.bim");
  auto truth = read_tsv(dir / "truth_variants.tsv");
  // Mean r^2 of common-variant pairs by distance bin: <20 kb, 20-100 kb, 100-500 kb, >2 Mb.
  const double edges[] = {0, 20e3, 100e3, 500e3};
  double sum[5] = {}, count[5] = {};
  std::vector<int> a, b;
  std::vector<std::size_t> common;
  for (std::size_t v = 0; v < bed.variants(); ++v) {
    double p = std::stod(truth[v + 1][5]);
    if (p > 0.1 && p < 0.9) common.push_back(v);
  }
  for (std::size_t i = 0; i < common.size(); ++i) {
    bed.read(common[i], a);
    for (std::size_t j = i + 1; j < common.size() && j < i + 40; ++j) {
      if (bim[common[i]][0] != bim[common[j]][0]) break;
      double distance = std::stod(bim[common[j]][3]) - std::stod(bim[common[i]][3]);
      int bin = distance > 2e6 ? 4 : distance > edges[3] ? 3 : distance > edges[2] ? 2 : distance > edges[1] ? 1 : 0;
      if (bin == 3) continue;  // 0.5-2 Mb: not used
      bed.read(common[j], b);
      double n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
      for (std::size_t k = 0; k < a.size(); ++k) {
        if (a[k] < 0 || b[k] < 0) continue;
        n += 1, sx += a[k], sy += b[k], sxx += a[k] * a[k], syy += b[k] * b[k], sxy += a[k] * b[k];
      }
      double cov = sxy / n - sx * sy / (n * n), vx = sxx / n - sx * sx / (n * n), vy = syy / n - sy * sy / (n * n);
      sum[bin == 4 ? 3 : bin] += cov * cov / (vx * vy);
      count[bin == 4 ? 3 : bin] += 1;
    }
  }
  double mean[4];
  for (int k = 0; k < 4; ++k) {
    ASSERT_GT(count[k], 20) << "bin " << k;
    mean[k] = sum[k] / count[k];
  }
  std::printf("mean r2 by distance: <20kb %.3f, 20-100kb %.3f, 100-500kb %.3f, >2Mb %.4f\n", mean[0], mean[1], mean[2], mean[3]);
  EXPECT_GT(mean[0], 0.15);
  EXPECT_GT(mean[0], mean[1]);
  EXPECT_GT(mean[1], mean[2]);
  EXPECT_LT(mean[3], 0.01);
}

TEST(SimulatedGenotypes, AboutOnePercentMissingAndRelativesShareAlleles) {
  const auto& dir = shared_simulation();
  BedFile bed(dir / "genotypes");
  auto fam = read_tsv(dir / "genotypes.fam");
  std::map<std::string, std::size_t> index;
  for (std::size_t k = 0; k < fam.size(); ++k) index[fam[k][1]] = k;
  auto relatives = read_tsv(dir / "truth_relatives.tsv");
  ASSERT_GT(relatives.size(), 10u);
  std::vector<int> g;
  double missing = 0, total = 0;
  // Identity by state of relatives vs unrelated pairs: first-degree relatives share an allele at every
  // locus (parent-offspring) or at 75% (siblings), so their mean genotype distance is much smaller.
  double related_distance = 0, unrelated_distance = 0, related_n = 0, unrelated_n = 0;
  for (std::size_t v = 0; v < bed.variants(); v += 3) {
    bed.read(v, g);
    for (int x : g) missing += x < 0, total += 1;
    for (std::size_t r = 1; r < relatives.size(); ++r) {
      int x = g[index.at(relatives[r][0])], y = g[index.at(relatives[r][1])];
      if (x >= 0 && y >= 0) related_distance += std::abs(x - y), related_n += 1;
      int u = g[(r * 37) % g.size()], w = g[(r * 91 + 5) % g.size()];
      if (u >= 0 && w >= 0) unrelated_distance += std::abs(u - w), unrelated_n += 1;
    }
  }
  EXPECT_NEAR(missing / total, 0.01, 0.003);
  EXPECT_LT(related_distance / related_n, 0.75 * unrelated_distance / unrelated_n);
}

}  // namespace kohort::test
