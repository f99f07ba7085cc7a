#pragma once
// Genomic control and multiple-testing adjustments of one phenotype's p-values (plink2 --adjust):
// the inflation factor lambda_GC and, for p-values sorted from the smallest, their Bonferroni, Holm,
// Sidak, Benjamini-Hochberg and Benjamini-Yekutieli adjustments. All in natural-log space.
#include <cstddef>
#include <vector>

namespace kohort::assoc {

// The median of a chi-square distribution with 1 degree of freedom: lambda_GC divides by it.
// plink (1.9 and 2) divides by 0.456; its lambda is this one times 0.99766.
inline constexpr double kChisq1Median = 0.45493642311957283;

// The 1-df chi-square statistic whose upper-tail p-value has natural logarithm `log_p` (<= 0), exact
// to a few units in the last place far below p = 1e-308. NaN for NaN or positive `log_p`.
double chisq1_of_log_p(double log_p);

// lambda_GC of the tests whose natural-log p-values are `log_p` (NaN entries are not tests): the
// median of their 1-df chi-square statistics over kChisq1Median, the mean of the two middle ones
// for an even count. NaN without a test. Reorders `log_p`.
double genomic_inflation(std::vector<double>& log_p);

// One test's adjusted p-values (natural logarithms, at most 0).
struct AdjustedLogP {
  double genomic_control;    // the chi-square statistic over lambda
  double bonferroni;         // m p
  double holm;               // step-down Bonferroni
  double sidak_single_step;  // 1 - (1 - p)^m
  double sidak_step_down;    // 1 - (1 - p_(i))^(m - i + 1), made monotone
  double fdr_bh;             // Benjamini-Hochberg false discovery rate, p_(i) m / i made monotone
  double fdr_by;             // Benjamini-Yekutieli, BH times the harmonic number of m
  double expected;           // the i-th of m p-values expected under the null, (i - 1/2) / m: a QQ plot's
};

// The adjustments of m tests taken in ascending order of p (ties in any order give the same
// values), one after the other: the step-down ones run along, and the false discovery rates, which
// look ahead, are computed first (two doubles a test).
class PValueAdjuster {
 public:
  // `sorted_log_p`: the tests' natural-log p-values, ascending (kept by reference); the genomic
  // control divides each chi-square statistic by `lambda`. With `from_genomic_control` (plink2's
  // --adjust gc), Bonferroni to Benjamini-Yekutieli adjust the genomic-control p-values instead
  // (the order is the same: the control is monotone in p).
  PValueAdjuster(const std::vector<double>& sorted_log_p, double lambda, bool from_genomic_control = false);
  // The next test's adjusted p-values: the first test's at the first call.
  AdjustedLogP next();

 private:
  const std::vector<double>& sorted_log_p_;
  double lambda_;
  std::vector<double> controlled_;  // with from_genomic_control: the controlled p-values
  const std::vector<double>& basis_;  // what Bonferroni to FDR adjust: sorted_log_p_ or controlled_
  double log_tests_;
  std::vector<double> fdr_bh_, fdr_by_;
  std::size_t next_ = 0;
  double holm_, sidak_step_down_;
};

}  // namespace kohort::assoc
