// Weighted logistic regression against R's glm(binomial) on a simulated table: coefficients to
// 1e-6 relative, standard errors to 1e-5 relative. Needs Rscript (r-base-core, a build dependency).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "core/random.h"
#include "stats/logistic.h"

using namespace kohort::stats;

TEST(Logistic, MatchesRGlmWithWeights) {
  const auto dir = std::filesystem::temp_directory_path() / "kohort_logistic_vs_r";
  std::filesystem::create_directories(dir);
  const std::size_t n = 3000, p = 3;
  kohort::Random rng(7, 0, 0);
  std::vector<double> x(n * p), y(n), w(n);
  std::ofstream data(dir / "d.csv");
  data << "y,x1,x2,x3,w\n";
  for (std::size_t i = 0; i < n; ++i) {
    double eta = -0.4;
    for (std::size_t j = 0; j < p; ++j) {
      x[j * n + i] = std::round(rng.normal() * 1000) / 1000;
      eta += (0.3 * static_cast<double>(j) - 0.2) * x[j * n + i];
    }
    y[i] = rng.uniform() < 1 / (1 + std::exp(-eta)) ? 1 : 0;
    w[i] = 0.5 + std::round(rng.uniform() * 100) / 100;
    data << fmt::format("{},{},{},{},{}\n", y[i], x[i], x[n + i], x[2 * n + i], w[i]);
  }
  data.close();
  const std::string script = (dir / "glm.R").string();
  std::ofstream(script) << "d <- read.csv('" << (dir / "d.csv").string() << "')\n"
                        << "f <- suppressWarnings(glm(y ~ x1 + x2 + x3, binomial, d, weights = w))\n"
                        << "write(format(c(coef(f), sqrt(diag(vcov(f)))), digits = 17), '"
                        << (dir / "r.txt").string() << "', ncolumns = 1)\n";
  ASSERT_EQ(std::system(("Rscript " + script).c_str()), 0) << "Rscript with glm is needed for this test";
  std::ifstream in(dir / "r.txt");
  std::vector<double> ref;
  for (double v; in >> v;) ref.push_back(v);
  ASSERT_EQ(ref.size(), 2 * (p + 1));

  const LogisticFit fit = fit_logistic(x, n, p, y, w);
  ASSERT_TRUE(fit.converged);
  for (std::size_t j = 0; j <= p; ++j) {
    EXPECT_NEAR(fit.beta[j], ref[j], 1e-6 * std::fabs(ref[j])) << "coefficient " << j;
    EXPECT_NEAR(std::sqrt(fit.var[j * (p + 1) + j]), ref[p + 1 + j], 1e-5 * ref[p + 1 + j]) << "SE " << j;
  }
  std::filesystem::remove_all(dir);
}
