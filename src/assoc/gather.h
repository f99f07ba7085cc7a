#pragma once
// Dense genotypes of one sample set for a range of variants: the rows a model uses, with missing
// calls listed and replaced (by the variant's mean over those rows, or by zero), and the means and
// sums of squares of the observed ones.
#include <Eigen/Core>
#include <vector>

namespace kohort::assoc::detail {

struct GatheredGenotypes {
  Eigen::MatrixXd values;                           // rows x width, unless in place
  // Every row of the dosages and no missing call: the dosage columns themselves are the genotypes,
  // and `values` stays empty (copying them cost as much as the products).
  bool in_place = false;
  std::vector<std::vector<Eigen::Index>> missing;   // per variant, rows with a missing call
  std::vector<double> means;                        // per variant, over observed rows
  std::vector<double> squares;                      // per variant, sum of squares over observed rows
};

// Columns [begin, end) of `dosages` (NaN missing) restricted to `rows`; missing calls become the
// mean when `mean_fill`, else 0.
void gather_genotypes(const Eigen::MatrixXd& dosages, const std::vector<Eigen::Index>& rows, std::size_t begin, std::size_t end,
                      bool mean_fill, GatheredGenotypes& out);

// The gathered genotypes: `values`, or the dosage columns when in place.
inline Eigen::Ref<const Eigen::MatrixXd> genotype_matrix(const GatheredGenotypes& gathered, const Eigen::MatrixXd& dosages,
                                                         std::size_t begin, std::size_t end) {
  if (!gathered.in_place) return gathered.values;
  return dosages.middleCols(static_cast<Eigen::Index>(begin), static_cast<Eigen::Index>(end - begin));
}

}  // namespace kohort::assoc::detail
