#include "assoc/linear.h"

#include <Eigen/Cholesky>
#include <Eigen/QR>
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>

#include "assoc/design.h"
#include "assoc/dense_sums.h"
#include "assoc/missing_projection.h"
#include "assoc/packed_products.h"
#include "assoc/pvalue.h"
#include "core/error.h"
#include "core/parallel.h"

namespace kohort::assoc {

// Phenotypes that share one set of samples, with the covariates projected out on that set.
struct LinearAssociation::Group {
  std::vector<Eigen::Index> rows;        // samples, as rows of the dosage matrix
  std::vector<std::size_t> phenotypes;   // indices of the phenotypes in this group
  Eigen::MatrixXd q;                     // rows x K orthonormal basis of [1, covariates]
  Eigen::MatrixXd residuals;             // rows x P_g phenotypes with covariates projected out
  Eigen::VectorXd residual_ss;           // per phenotype
  // Per phenotype: nothing is left of it once the covariates are projected out (a constant, or a
  // combination of the covariates), so no variant can be tested against it.
  std::vector<bool> explained;
  // For .bed rows read as codes (prepare_packed): products tables (which count the calls too, and
  // hold the rows of [q residuals] by .bed column), and each row's .bed column.
  std::unique_ptr<PackedProducts> packed;  // when all tables fit the memory limit
  std::vector<std::uint32_t> positions;    // the .bed column of each row
  // [q residuals] by sample, each row padded with zeros to `stride` doubles: the vectors of the
  // dense sums (assoc/dense_sums.h), and the rows added for missing calls filled with the mean.
  std::vector<double> vectors_by_row;
  std::size_t stride = 0;

  void lay_out_vectors() {
    const Eigen::Index k = q.cols(), pg = residuals.cols();
    stride = static_cast<std::size_t>(k + pg + 7) / 8 * 8;
    vectors_by_row.assign(static_cast<std::size_t>(q.rows()) * stride, 0.0);
    for (Eigen::Index r = 0; r < q.rows(); ++r) {
      double* row = vectors_by_row.data() + static_cast<std::size_t>(r) * stride;
      for (Eigen::Index c = 0; c < k; ++c) row[c] = q(r, c);
      for (Eigen::Index c = 0; c < pg; ++c) row[k + c] = residuals(r, c);
    }
  }

  // Missing calls counted as `fill`: adds fill times the sums of those samples' vectors to qg and
  // gy. `missing` holds their rows of [q residuals] (`sum` is scratch space).
  void add_missing_calls(const std::vector<const double*>& missing, double fill, Eigen::VectorXd& qg, Eigen::VectorXd& gy,
                         std::vector<double>& sum) const {
    if (missing.empty() || fill == 0.0) return;
    const Eigen::Index k = q.cols(), pg = residuals.cols();
    sum.assign(static_cast<std::size_t>(k + pg), 0.0);
    for (const double* row : missing) {
      for (std::size_t v = 0; v < sum.size(); ++v) sum[v] += row[v];
    }
    for (Eigen::Index v = 0; v < k; ++v) qg(v) += fill * sum[static_cast<std::size_t>(v)];
    for (Eigen::Index p = 0; p < pg; ++p) gy(p) += fill * sum[static_cast<std::size_t>(k + p)];
  }
};

LinearAssociation::LinearAssociation(const Eigen::MatrixXd& covariates, const Eigen::MatrixXd& phenotypes,
                                     MissingGenotypes missing)
    : phenotype_count_(static_cast<std::size_t>(phenotypes.cols())),
      covariate_count_(static_cast<std::size_t>(covariates.cols()) + 1),
      missing_(missing) {
  const Eigen::Index n = phenotypes.rows();
  if (covariates.rows() != n) throw Error("covariate and phenotype rows differ");
  explained_.assign(phenotype_count_, false);
  dropped_.assign(phenotype_count_, {});
  std::vector<bool> covariates_complete(static_cast<std::size_t>(n), true);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index c = 0; c < covariates.cols(); ++c)
      if (std::isnan(covariates(i, c))) covariates_complete[static_cast<std::size_t>(i)] = false;

  // Group phenotypes by their pattern of present samples.
  std::map<std::vector<bool>, std::vector<std::size_t>> patterns;
  for (Eigen::Index p = 0; p < phenotypes.cols(); ++p) {
    std::vector<bool> present(static_cast<std::size_t>(n));
    for (Eigen::Index i = 0; i < n; ++i)
      present[static_cast<std::size_t>(i)] = covariates_complete[static_cast<std::size_t>(i)] && !std::isnan(phenotypes(i, p));
    patterns[present].push_back(static_cast<std::size_t>(p));
  }
  const Eigen::Index k = static_cast<Eigen::Index>(covariate_count_);
  for (auto& [present, members] : patterns) {
    auto group = std::make_unique<Group>();
    group->phenotypes = members;
    for (Eigen::Index i = 0; i < n; ++i)
      if (present[static_cast<std::size_t>(i)]) group->rows.push_back(i);
    const Eigen::Index rows = static_cast<Eigen::Index>(group->rows.size());
    Eigen::MatrixXd design(rows, k);
    Eigen::MatrixXd y(rows, static_cast<Eigen::Index>(members.size()));
    for (Eigen::Index r = 0; r < rows; ++r) {
      Eigen::Index i = group->rows[static_cast<std::size_t>(r)];
      design(r, 0) = 1.0;
      for (Eigen::Index c = 1; c < k; ++c) design(r, c) = covariates(i, c - 1);
      for (Eigen::Index j = 0; j < y.cols(); ++j) y(r, j) = phenotypes(i, static_cast<Eigen::Index>(members[static_cast<std::size_t>(j)]));
    }
    // Centred first: the intercept takes the mean anyway, and a phenotype recorded as a small
    // deviation from a large offset (1e9 + x) kept only the offset's digits of precision in its
    // residuals. The mean is summed in extended precision.
    for (Eigen::Index j = 0; j < y.cols(); ++j) {
      long double sum = 0;
      for (Eigen::Index r = 0; r < rows; ++r) sum += y(r, j);
      if (rows > 0) y.col(j).array() -= static_cast<double>(sum / static_cast<long double>(rows));
    }
    // Covariates these samples cannot estimate (constant among them, or a combination of the
    // columns before) are left out for these phenotypes.
    const std::vector<Eigen::Index> kept = independent_columns(design);
    if (static_cast<Eigen::Index>(kept.size()) < k) {
      const std::vector<std::size_t> dropped = left_out_covariates(kept, k);
      for (auto member : members) dropped_[member] = dropped;
      design = select_columns(design, kept);
    }
    const Eigen::Index kept_count = design.cols();
    if (rows <= kept_count + 1) {
      group->q.resize(0, 0);
      group->explained.assign(members.size(), false);
      groups_.push_back(std::move(group));
      continue;
    }
    Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(design);
    if (qr.rank() < kept_count) {
      throw InputError("the covariates are collinear (the design matrix with an intercept has rank " + std::to_string(qr.rank()) +
                       " < " + std::to_string(kept_count) + "); remove redundant covariates");
    }
    group->q = qr.householderQ() * Eigen::MatrixXd::Identity(rows, kept_count);
    // One phenotype at a time: a matrix product's rounding depends on how many columns it has,
    // and a phenotype's results do not depend on which others run with it (the products with the
    // genotypes, from .bed codes or from dosages, are lane by lane too).
    group->residuals.resize(rows, y.cols());
    for (Eigen::Index j = 0; j < y.cols(); ++j) {
      const Eigen::VectorXd column = y.col(j);
      const Eigen::VectorXd qy = group->q.transpose() * column;
      group->residuals.col(j) = column - group->q * qy;
    }
    group->residual_ss = group->residuals.colwise().squaredNorm();
    group->lay_out_vectors();
    // What is left of an explained phenotype is rounding: about 1e-32 of its centred sum of
    // squares. A real phenotype keeps far more, whatever its offset (centring removed it).
    for (Eigen::Index j = 0; j < y.cols(); ++j) {
      const bool explained = !(group->residual_ss(j) > 1e-20 * y.col(j).squaredNorm());
      group->explained.push_back(explained);
      if (explained) explained_[group->phenotypes[static_cast<std::size_t>(j)]] = true;
    }
    groups_.push_back(std::move(group));
  }
}

LinearAssociation::~LinearAssociation() = default;

std::size_t LinearAssociation::sample_count(std::size_t p) const {
  for (auto& g : groups_)
    for (auto member : g->phenotypes)
      if (member == p) return g->rows.size();
  return 0;
}

void LinearAssociation::test(const Eigen::MatrixXd& dosages, std::vector<VariantResult>& results) const {
  // prepare_packed released the by-row vectors (its tables hold them by .bed column).
  if (file_samples_ != 0) throw std::logic_error("LinearAssociation::test after prepare_packed");
  const std::size_t b_count = static_cast<std::size_t>(dosages.cols());
  results.assign(b_count * phenotype_count_, VariantResult{});
  // Small column chunks, so that the small dosage blocks (see run_gwas) still give every thread
  // work; a variant's sums do not depend on the chunks (assoc/dense_sums.h) nor on the threads.
  parallel_for(b_count, 16, [&](std::size_t begin, std::size_t end) {
    for (auto& group : groups_) test_group(*group, dosages, begin, end, results);
  });
}

void LinearAssociation::test_group(const Group& group, const Eigen::MatrixXd& dosages, std::size_t begin, std::size_t end,
                                   std::vector<VariantResult>& results) const {
  const Eigen::Index width = static_cast<Eigen::Index>(end - begin);
  if (group.q.size() == 0) return;  // too few samples: results stay NA

  // One pass over each variant's dosages gives its sums and its products with [q residuals],
  // missing calls counted 0; they are then filled (with the mean, or left at 0 when excluded) by
  // adding those samples' vectors.
  std::vector<const double*> columns(static_cast<std::size_t>(width));
  for (Eigen::Index j = 0; j < width; ++j) columns[static_cast<std::size_t>(j)] = dosages.col(static_cast<Eigen::Index>(begin) + j).data();
  const std::size_t rows = group.rows.size();
  const bool every_row = static_cast<Eigen::Index>(rows) == dosages.rows();  // rows are increasing: all of them, in order
  detail::DenseSums sums;
  detail::dense_sums(columns.data(), columns.size(), every_row ? nullptr : group.rows.data(), rows, group.vectors_by_row.data(),
                     group.stride, sums);
  const Eigen::Index k = group.q.cols(), pg = group.residuals.cols();
  Eigen::VectorXd qg(k), gy(pg);
  std::vector<const double*> missing_vectors;
  std::vector<double> missing_sum;
  for (Eigen::Index j = 0; j < width; ++j) {
    const std::size_t v = static_cast<std::size_t>(j);
    const auto& missing = sums.missing[v];
    const double observed = static_cast<double>(rows - missing.size());
    const double mean = observed > 0 ? sums.sums[v] / observed : 0.0;
    const double fill = missing_ == MissingGenotypes::mean_impute ? mean : 0.0;
    const double* products = sums.products.data() + v * group.stride;
    for (Eigen::Index c = 0; c < k; ++c) qg(c) = products[c];
    for (Eigen::Index c = 0; c < pg; ++c) gy(c) = products[k + c];
    missing_vectors.clear();
    for (auto r : missing) missing_vectors.push_back(group.vectors_by_row.data() + std::size_t{r} * group.stride);
    group.add_missing_calls(missing_vectors, fill, qg, gy, missing_sum);
    const double gg = sums.squares[v] + static_cast<double>(missing.size()) * fill * fill;
    finish_variant(group, begin + v, qg, gy, gg, missing_vectors, group.stride, mean, mach_r2(sums.sums[v], sums.squares[v], observed),
                   results);
  }
}

void LinearAssociation::finish_variant(const Group& group, std::size_t variant, const Eigen::VectorXd& qg, const Eigen::VectorXd& gy_all,
                                       double gg, const std::vector<const double*>& missing, std::size_t stride, double mean,
                                       double info, std::vector<VariantResult>& results) const {
  const Eigen::Index rows = static_cast<Eigen::Index>(group.rows.size());
  const Eigen::Index k = group.q.cols();  // the covariates these samples estimate, with the intercept
  const std::size_t m = missing.size();
  const bool exclude = missing_ == MissingGenotypes::exclude && m > 0;
  const double n_used = static_cast<double>(rows) - (exclude ? static_cast<double>(m) : 0.0);
  const double df = n_used - static_cast<double>(k) - 1.0;

  // Projection pieces on the samples actually used. Without exclusions: Q'Q = I.
  // Residuals are orthogonal to Q on all the group's samples; on the used ones Q'y = -Q_M' y_M.
  const Eigen::Index pg = static_cast<Eigen::Index>(group.phenotypes.size());
  double g_res_ss;
  // Exact-missing: with P = Q_M' y_M (k x P_g, from the dropped rows) and A = I - Q_M' Q_M, each
  // phenotype's g'y gains qg' A^-1 P_p and its y'y loses |y_M|^2 + P_p' A^-1 P_p.
  thread_local std::vector<double> cross, squares, gy_update, yy_update, scratch;
  if (exclude) {
    cross.resize(static_cast<std::size_t>(k) * stride);
    squares.resize(stride);
    detail::missing_cross_products(missing.data(), m, static_cast<std::size_t>(k), stride, cross.data(), squares.data());
    Eigen::MatrixXd a(k, k);
    for (Eigen::Index c = 0; c < k; ++c)
      for (Eigen::Index d = 0; d < k; ++d) a(c, d) = (c == d ? 1.0 : 0.0) - cross[static_cast<std::size_t>(c) * stride + static_cast<std::size_t>(d)];
    const Eigen::LLT<Eigen::MatrixXd> a_factor(a);
    // Without a factor, the samples left cannot estimate the covariates: no test (CONST_ALLELE).
    g_res_ss = a_factor.info() == Eigen::Success ? gg - qg.dot(a_factor.solve(qg)) : std::numeric_limits<double>::quiet_NaN();
    if (a_factor.info() == Eigen::Success) {
      const Eigen::MatrixXd l = a_factor.matrixL();
      const Eigen::VectorXd inverse_diagonal = l.diagonal().cwiseInverse();
      const std::size_t width = static_cast<std::size_t>(pg);
      gy_update.resize(width);
      yy_update.resize(width);
      scratch.resize(static_cast<std::size_t>(k) * width);
      detail::solve_lanes(l.data(), inverse_diagonal.data(), static_cast<std::size_t>(k), cross.data() + k, stride, width, qg.data(),
                          gy_update.data(), yy_update.data(), scratch.data());
    }
  } else {
    g_res_ss = gg - qg.squaredNorm();
  }

  for (std::size_t p = 0; p < group.phenotypes.size(); ++p) {
    VariantResult& out = results[variant * phenotype_count_ + group.phenotypes[p]];
    out.method = "linear";
    out.n = static_cast<std::uint32_t>(rows) - static_cast<std::uint32_t>(m);
    out.effect_allele_frequency = mean / 2.0;
    out.info = info;
    if (group.explained[p]) {
      out.error = "CONST_PHENO";
      continue;
    }
    if (!(g_res_ss > 1e-9 * gg) || df < 1) {
      out.error = "CONST_ALLELE";  // the genotype is constant, or a combination of the covariates
      continue;
    }
    const Eigen::Index column = static_cast<Eigen::Index>(p);
    double gy = gy_all(column);
    double yy = group.residual_ss(column);
    if (exclude) {
      gy += gy_update[p];
      yy = yy - squares[static_cast<std::size_t>(k) + p] - yy_update[p];
    }
    double beta = gy / g_res_ss;
    double rss = std::max(0.0, yy - beta * gy);
    double se = std::sqrt(rss / df / g_res_ss);
    out.beta = beta;
    if (!(se > 0)) {
      // The variant and the covariates fit the phenotype exactly: no residual variance to test
      // against (R's lm calls it an essentially perfect fit).
      out.error = "PERFECT_FIT";
      continue;
    }
    out.se = se;
    out.statistic = beta / se;
    out.log_p = log_p_t(out.statistic, df);
  }
}

std::unique_ptr<PackedProducts> LinearAssociation::make_table(const Group& group) const {
  Eigen::MatrixXd vectors(group.q.rows(), group.q.cols() + group.residuals.cols());
  vectors << group.q, group.residuals;
  return std::make_unique<PackedProducts>(vectors, group.positions, file_samples_, std::vector<bool>(static_cast<std::size_t>(vectors.cols()), false));
}

void LinearAssociation::prepare_packed(const std::vector<std::uint32_t>& positions, std::size_t file_samples, std::size_t memory_limit) {
  file_samples_ = file_samples;
  // Groups whose table alone would pass the limit are split by phenotype. A vector's sums do not
  // depend on the others in its table, so the split changes no result.
  std::vector<std::unique_ptr<Group>> split;
  for (auto& group : groups_) {
    const std::size_t pg = group->phenotypes.size();
    std::size_t per_table = pg;
    const std::size_t k = static_cast<std::size_t>(group->q.cols());
    while (per_table > 1 && PackedProducts::memory_bytes(k + per_table, file_samples) > memory_limit) --per_table;
    if (group->q.size() == 0 || per_table == pg) {
      split.push_back(std::move(group));
      continue;
    }
    for (std::size_t first = 0; first < pg; first += per_table) {
      const std::size_t count = std::min(per_table, pg - first);
      auto part = std::make_unique<Group>();
      part->rows = group->rows;
      part->phenotypes.assign(group->phenotypes.begin() + static_cast<std::ptrdiff_t>(first),
                              group->phenotypes.begin() + static_cast<std::ptrdiff_t>(first + count));
      part->q = group->q;
      part->residuals = group->residuals.middleCols(static_cast<Eigen::Index>(first), static_cast<Eigen::Index>(count));
      part->residual_ss = group->residual_ss.segment(static_cast<Eigen::Index>(first), static_cast<Eigen::Index>(count));
      part->explained.assign(group->explained.begin() + static_cast<std::ptrdiff_t>(first),
                             group->explained.begin() + static_cast<std::ptrdiff_t>(first + count));
      split.push_back(std::move(part));
    }
    group.reset();
  }
  groups_ = std::move(split);

  // Batches of consecutive groups whose tables fit together.
  std::vector<std::pair<std::size_t, std::size_t>> tables;
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    Group& group = *groups_[g];
    if (group.q.size() == 0) continue;
    group.positions.clear();
    for (auto r : group.rows) group.positions.push_back(positions[static_cast<std::size_t>(r)]);
    // The tables hold the vectors by .bed column: the rows added for missing calls come from there.
    std::vector<double>().swap(group.vectors_by_row);
    tables.emplace_back(g, PackedProducts::memory_bytes(static_cast<std::size_t>(group.q.cols()) + group.phenotypes.size(), file_samples));
  }
  table_batches_ = batch_tables(tables, memory_limit);
  // Tables that all fit are built once; otherwise each block builds each batch's in turn.
  if (table_batches_.batches.size() == 1) {
    const auto& batch = table_batches_.batches.front();
    parallel_for(batch.size(), 1, [&](std::size_t begin, std::size_t end) {
      for (std::size_t i = begin; i < end; ++i) groups_[batch[i]]->packed = make_table(*groups_[batch[i]]);
    });
  }
}

void LinearAssociation::test_packed(const PackedBlock& block, std::vector<VariantResult>& results) const {
  const std::size_t b_count = block.rows.size();
  results.assign(b_count * phenotype_count_, VariantResult{});
  const bool kept = table_batches_.batches.size() == 1;
  for (const auto& batch : table_batches_.batches) {
    std::vector<std::unique_ptr<PackedProducts>> built(kept ? 0 : batch.size());
    parallel_for(built.size(), 1, [&](std::size_t begin, std::size_t end) {
      for (std::size_t i = begin; i < end; ++i) built[i] = make_table(*groups_[batch[i]]);
    });
    parallel_for(b_count, packed_task_size(b_count, 1), [&](std::size_t begin, std::size_t end) {
      Eigen::MatrixXd sums;
      RowCalls calls;
      std::vector<const double*> missing;
      std::vector<double> missing_sum;
      for (std::size_t i = 0; i < batch.size(); ++i) {
        const Group& group = *groups_[batch[i]];
        const PackedProducts& table = kept ? *group.packed : *built[i];
        const Eigen::Index pg = static_cast<Eigen::Index>(group.phenotypes.size()), k = group.q.cols();
        table.compute(block, begin, end, sums, calls);
        for (std::size_t j = begin; j < end; ++j) {
          const CallCounts counts = calls.counts[j - begin];
          missing.clear();
          for (auto position : calls.missing(j - begin)) missing.push_back(table.sample_vectors(position));
          const double observed = static_cast<double>(group.rows.size() - missing.size());
          const double sum = counts.het + 2.0 * counts.hom_alt;
          const double mean = observed > 0 ? sum / observed : 0.0;
          Eigen::VectorXd qg = sums.col(static_cast<Eigen::Index>(j - begin)).head(k);
          Eigen::VectorXd gy = sums.col(static_cast<Eigen::Index>(j - begin)).segment(k, pg);
          double gg = counts.het + 4.0 * counts.hom_alt;
          if (missing_ == MissingGenotypes::mean_impute) {
            group.add_missing_calls(missing, mean, qg, gy, missing_sum);
            gg += static_cast<double>(missing.size()) * mean * mean;
          }
          finish_variant(group, j, qg, gy, gg, missing, table.vector_stride(), mean, mach_r2(sum, counts.het + 4.0 * counts.hom_alt, observed),
                         results);
        }
      }
    });
  }
}

}  // namespace kohort::assoc
