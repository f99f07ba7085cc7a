// Linear association from .bed codes equals the dense path on decoded dosages, with a sample
// subset in a scattered order, missing calls, and both missing-genotype modes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "assoc/linear.h"
#include "assoc/logistic.h"
#include "assoc/packed_products.h"
#include "assoc/packed_sums.h"
#include "core/parallel.h"
#include "core/random.h"

namespace kohort::assoc {

TEST(PackedProducts, LinearFromCodesEqualsDense) {
  Random random(9, 0, 0);
  const std::size_t file_samples = 403, variants = 150;
  const std::size_t bytes = (file_samples + 3) / 4;
  std::vector<std::vector<std::uint8_t>> rows(variants, std::vector<std::uint8_t>(bytes, 0));
  static const double kDosage[4] = {2.0, NAN, 1.0, 0.0};
  // Analysed samples: every sample but a few, in reverse file order.
  std::vector<std::uint32_t> positions;
  for (std::size_t s = file_samples; s-- > 0;)
    if (s % 7 != 3) positions.push_back(static_cast<std::uint32_t>(s));
  const Eigen::Index n = static_cast<Eigen::Index>(positions.size());
  Eigen::MatrixXd dosages(n, static_cast<Eigen::Index>(variants));
  for (std::size_t v = 0; v < variants; ++v) {
    double p = 0.02 + 0.45 * random.uniform();
    for (std::size_t s = 0; s < file_samples; ++s) {
      unsigned code = random.bernoulli(0.03) ? 1u : (random.bernoulli(p) + random.bernoulli(p) == 2 ? 0u : random.bernoulli(2 * p * (1 - p) / (1 - p * p)) ? 2u : 3u);
      rows[v][s / 4] = static_cast<std::uint8_t>(rows[v][s / 4] | (code << (2 * (s % 4))));
    }
    for (Eigen::Index r = 0; r < n; ++r) {
      std::uint32_t s = positions[static_cast<std::size_t>(r)];
      dosages(r, static_cast<Eigen::Index>(v)) = kDosage[(rows[v][s / 4] >> (2 * (s % 4))) & 3];
    }
  }
  Eigen::MatrixXd covariates(n, 2), phenotypes(n, 3);
  for (Eigen::Index i = 0; i < n; ++i) {
    covariates.row(i) << random.normal(), random.uniform();
    for (Eigen::Index p = 0; p < 3; ++p) phenotypes(i, p) = random.normal() + (std::isnan(dosages(i, 0)) ? 0 : 0.2 * dosages(i, 0));
    if (random.bernoulli(0.1)) phenotypes(i, 2) = NAN;
  }
  PackedBlock block;
  block.file_samples = file_samples;
  for (auto& row : rows) block.rows.push_back(row.data());
  // MaCH's r-squared of variant v over the samples with phenotype column `phenotype` and a call:
  // the calls' variance (divided by n) over 2p(1 - p).
  auto expected_info = [&](const Eigen::MatrixXd& values, Eigen::Index phenotype, std::size_t v) {
    double n_called = 0, sum = 0;
    for (Eigen::Index i = 0; i < n; ++i) {
      const double d = dosages(i, static_cast<Eigen::Index>(v));
      if (std::isnan(values(i, phenotype)) || std::isnan(d)) continue;
      n_called += 1;
      sum += d;
    }
    const double mean = sum / n_called;
    double variance = 0;
    for (Eigen::Index i = 0; i < n; ++i) {
      const double d = dosages(i, static_cast<Eigen::Index>(v));
      if (!std::isnan(values(i, phenotype)) && !std::isnan(d)) variance += (d - mean) * (d - mean) / n_called;
    }
    const double p = mean / 2;
    return variance / (2 * p * (1 - p));
  };
  // Binary: the score test (with SPA and Firth on the variants that need them) from codes.
  Eigen::MatrixXd binary(n, 1);
  for (Eigen::Index i = 0; i < n; ++i) binary(i, 0) = random.bernoulli(std::isnan(dosages(i, 0)) ? 0.1 : 0.05 + 0.08 * dosages(i, 0));
  {
    LogisticAssociation logistic(covariates, binary, BinaryOptions{});
    std::vector<VariantResult> dense, packed;
    logistic.test(dosages, dense);
    logistic.prepare_packed(positions, file_samples);
    logistic.test_packed(block, packed);
    std::size_t tails = 0;
    for (std::size_t k = 0; k < dense.size(); ++k) {
      ASSERT_STREQ(dense[k].method, packed[k].method) << k;
      tails += std::strcmp(dense[k].method, "score") != 0;
      ASSERT_NEAR(dense[k].beta, packed[k].beta, 1e-9 * std::fabs(dense[k].beta) + 1e-13) << k;
      ASSERT_NEAR(dense[k].se, packed[k].se, 1e-9 * dense[k].se) << k;
      ASSERT_NEAR(dense[k].log_p, packed[k].log_p, 1e-9 * std::fabs(dense[k].log_p) + 1e-13) << k;
      ASSERT_EQ(dense[k].n, packed[k].n);
      ASSERT_NEAR(dense[k].info, expected_info(binary, 0, k), 1e-12) << k;
      ASSERT_NEAR(packed[k].info, dense[k].info, 1e-12) << k;
    }
    EXPECT_GT(tails, 0u);  // some variants went through SPA or Firth
  }
  for (auto mode : {MissingGenotypes::mean_impute, MissingGenotypes::exclude}) {
    LinearAssociation linear(covariates, phenotypes, mode);
    std::vector<VariantResult> dense, packed;
    linear.test(dosages, dense);
    linear.prepare_packed(positions, file_samples);
    linear.test_packed(block, packed);
    ASSERT_EQ(dense.size(), packed.size());
    for (std::size_t k = 0; k < dense.size(); ++k) {
      ASSERT_EQ(dense[k].n, packed[k].n) << k;
      ASSERT_NEAR(dense[k].beta, packed[k].beta, 1e-10 * std::fabs(dense[k].beta) + 1e-14) << k;
      ASSERT_NEAR(dense[k].se, packed[k].se, 1e-10 * dense[k].se) << k;
      ASSERT_NEAR(dense[k].effect_allele_frequency, packed[k].effect_allele_frequency, 1e-14) << k;
      // Over each phenotype's samples with a call, whether the regression drops the others or not.
      ASSERT_NEAR(dense[k].info, expected_info(phenotypes, static_cast<Eigen::Index>(k % 3), k / 3), 1e-12) << k;
      ASSERT_NEAR(packed[k].info, dense[k].info, 1e-12) << k;
    }
  }
}

namespace {

// Random 2-bit codes for `variants` rows of `file_samples` samples, each row exactly as long as in
// a .bed file (so that reading past its end would be caught by the sanitizer build).
std::vector<std::vector<std::uint8_t>> random_rows(Random& random, std::size_t file_samples, std::size_t variants) {
  std::vector<std::vector<std::uint8_t>> rows(variants, std::vector<std::uint8_t>((file_samples + 3) / 4, 0));
  for (auto& row : rows)
    for (std::size_t s = 0; s < file_samples; ++s) row[s / 4] = static_cast<std::uint8_t>(row[s / 4] | ((random.next() & 3) << (2 * (s % 4))));
  return rows;
}

PackedBlock block_of(const std::vector<std::vector<std::uint8_t>>& rows, std::size_t file_samples) {
  PackedBlock block;
  block.file_samples = file_samples;
  for (auto& row : rows) block.rows.push_back(row.data());
  return block;
}

// Dot product of a row's decoded ALT counts (missing counts 0), or their squares, at `positions`
// with vector v.
double decoded_product(const std::vector<std::uint8_t>& row, const std::vector<std::uint32_t>& positions, const Eigen::MatrixXd& vectors,
                       Eigen::Index v, bool squared = false) {
  static const double kCount[4] = {2.0, 0.0, 1.0, 0.0};
  static const double kSquare[4] = {4.0, 0.0, 1.0, 0.0};
  double sum = 0;
  for (Eigen::Index i = 0; i < vectors.rows(); ++i) {
    const std::uint32_t s = positions[static_cast<std::size_t>(i)];
    const unsigned code = (row[s / 4] >> (2 * (s % 4))) & 3;
    sum += (squared ? kSquare[code] : kCount[code]) * vectors(i, v);
  }
  return sum;
}

// The products of all of `rows` with `vectors` at `positions`, and the rows' calls in `calls`. With
// `last_squared`, the last vector's are with the squared counts (its second-plane tables tripled);
// else all are with the counts.
Eigen::MatrixXd products_of(const Eigen::MatrixXd& vectors, const std::vector<std::uint32_t>& positions, std::size_t file_samples,
                            const std::vector<std::vector<std::uint8_t>>& rows, RowCalls& calls, bool last_squared) {
  std::vector<bool> squared(static_cast<std::size_t>(vectors.cols()), false);
  squared.back() = last_squared;
  PackedProducts products(vectors, positions, file_samples, squared);
  Eigen::MatrixXd out;
  products.compute(block_of(rows, file_samples), 0, rows.size(), out, calls);
  return out;
}

// The calls PackedProducts::compute counted for rows [begin, ...) among `positions`: the counts of
// decoded codes, and the samples with missing calls in file order.
void expect_decoded_calls(const std::vector<std::vector<std::uint8_t>>& rows, std::size_t begin, const std::vector<std::uint32_t>& positions,
                          const RowCalls& calls) {
  ASSERT_EQ(calls.counts.size(), rows.size() - begin);
  std::vector<std::uint32_t> sorted = positions;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t j = begin; j < rows.size(); ++j) {
    CallCounts expected;
    std::vector<std::uint32_t> missing;
    for (std::uint32_t s : sorted) {
      const unsigned code = (rows[j][s / 4] >> (2 * (s % 4))) & 3;
      expected.hom_alt += code == 0;
      expected.missing += code == 1;
      expected.het += code == 2;
      if (code == 1) missing.push_back(s);
    }
    const CallCounts& got = calls.counts[j - begin];
    EXPECT_EQ(got.het, expected.het) << "row " << j;
    EXPECT_EQ(got.hom_alt, expected.hom_alt) << "row " << j;
    EXPECT_EQ(got.missing, expected.missing) << "row " << j;
    const auto listed = calls.missing(j - begin);
    EXPECT_EQ(std::vector<std::uint32_t>(listed.begin(), listed.end()), missing) << "row " << j;
  }
}

// Products of variants [begin, variants) of `rows` with `width` random normal vectors at
// `positions`, from the codes, against decoded dot products (relative tolerance `tolerance`), by
// and again with the last vector's counts squared.
void expect_decoded_products(Random& random, const std::vector<std::vector<std::uint8_t>>& rows, std::size_t file_samples,
                             const std::vector<std::uint32_t>& positions, Eigen::Index width, std::size_t begin, double tolerance) {
  for (bool last_squared : {false, true}) {
    const Eigen::Index n = static_cast<Eigen::Index>(positions.size());
    const std::size_t variants = rows.size();
    Eigen::MatrixXd vectors(n, width);
    for (Eigen::Index i = 0; i < n; ++i)
      for (Eigen::Index v = 0; v < width; ++v) vectors(i, v) = random.normal();
    std::vector<bool> squared(static_cast<std::size_t>(width), false);
    squared.back() = last_squared;
    PackedProducts products(vectors, positions, file_samples, squared);
    Eigen::MatrixXd out;
    RowCalls calls;
    products.compute(block_of(rows, file_samples), begin, variants, out, calls);
    expect_decoded_calls(rows, begin, positions, calls);
    ASSERT_EQ(out.rows(), width);
    ASSERT_EQ(out.cols(), static_cast<Eigen::Index>(variants - begin));
    for (std::size_t j = begin; j < variants; ++j) {
      for (Eigen::Index v = 0; v < width; ++v) {
        const double expected = decoded_product(rows[j], positions, vectors, v, last_squared && v == width - 1);
        ASSERT_NEAR(out(v, static_cast<Eigen::Index>(j - begin)), expected, tolerance * (1 + std::fabs(expected)))
            << "width " << width << " vector " << v << (last_squared ? " (last squared)" : "");
      }
    }
  }
}

}  // namespace

// Every entry width the kernels have (narrow 8 and 16; wide multiples of 4, also beyond 32, which
// is summed in slices): sums from codes equal the dot products of decoded counts.
TEST(PackedProducts, EveryVectorCountEqualsDecodedDotProducts) {
  Random random(17, 0, 0);
  const std::size_t file_samples = 301, variants = 9;
  const auto rows = random_rows(random, file_samples, variants);
  std::vector<std::uint32_t> positions;
  for (std::size_t s = 0; s < file_samples; s += 2) positions.push_back(static_cast<std::uint32_t>(s));
  for (Eigen::Index width = 1; width <= 41; ++width) expect_decoded_products(random, rows, file_samples, positions, width, 1, 1e-12);
}

// More samples than one batch of copied row pieces holds (4,096 samples per kB), with an odd count so
// that the last chunk is partial, and each row exactly as long as in a .bed file: the copy into
// chunk order must neither drop nor invent bytes at batch and row ends.
TEST(PackedProducts, RowsLongerThanOneCopyBatchGiveDecodedDotProducts) {
  Random random(23, 0, 0);
  const std::size_t file_samples = 9001, variants = 11;
  const auto rows = random_rows(random, file_samples, variants);
  std::vector<std::uint32_t> positions;
  for (std::size_t s = 0; s < file_samples; ++s)
    if (s % 7 != 3) positions.push_back(static_cast<std::uint32_t>(s));
  for (Eigen::Index width : {1, 9, 21, 26, 37}) expect_decoded_products(random, rows, file_samples, positions, width, 0, 1e-10);
}

// Rare variants are summed over the few samples off the common genotype, hom REF or hom ALT (then
// as hom ALT's value times the vector totals, minus what each such sample falls short of it).
// Rows with 0.5% of other genotypes and 0.5% missing calls take that path whatever the width; a
// monomorphic row, one of hom ALT and missing calls only, and common variants are mixed in; the
// padding codes are set. The sums, of counts and of squared counts, equal those of decoded
// genotypes.
TEST(PackedProducts, RareVariantsEqualDecodedDotProducts) {
  Random random(31, 0, 0);
  const std::size_t file_samples = 1037;  // the last 64-bit word of a row is partial
  std::vector<std::uint32_t> positions;
  for (std::size_t s = file_samples; s-- > 0;)
    if (s % 5 != 2) positions.push_back(static_cast<std::uint32_t>(s));
  std::vector<std::vector<std::uint8_t>> rows;
  auto add_row = [&](unsigned common, double other, double missing) {
    std::vector<std::uint8_t> row((file_samples + 3) / 4, 0);
    for (std::size_t s = 0; s < file_samples; ++s) {
      unsigned code = common;
      if (random.bernoulli(other)) code = random.bernoulli(0.5) ? 2u : (common == 3 ? 0u : 3u);
      if (random.bernoulli(missing)) code = 1;
      row[s / 4] = static_cast<std::uint8_t>(row[s / 4] | (code << (2 * (s % 4))));
    }
    rows.push_back(row);
  };
  for (int k = 0; k < 6; ++k) {
    add_row(3, 0.005, 0.005);  // hom REF common
    add_row(0, 0.005, 0.005);  // hom ALT common
  }
  add_row(3, 0.0, 0.0);   // monomorphic
  add_row(0, 0.0, 0.01);  // hom ALT and missing calls only
  add_row(3, 0.6, 0.02);  // common variants: the table sums
  add_row(0, 0.6, 0.02);
  // Padding codes after the last sample should be 0 in a .bed, but must not count if they are not.
  for (auto& row : rows) row.back() = static_cast<std::uint8_t>(row.back() | 0xfc);
  const Eigen::Index n = static_cast<Eigen::Index>(positions.size());
  for (Eigen::Index width : {3, 8, 13, 26, 37}) {
    Eigen::MatrixXd vectors(n, width);
    for (Eigen::Index i = 0; i < n; ++i)
      for (Eigen::Index v = 0; v < width; ++v) vectors(i, v) = random.normal() + (v == 0 ? 3.0 : 0.0);  // vector 0 far from centred
    for (bool last_squared : {true, false}) {
      RowCalls calls;
      const Eigen::MatrixXd out = products_of(vectors, positions, file_samples, rows, calls, last_squared);
      expect_decoded_calls(rows, 0, positions, calls);
      ASSERT_EQ(out.cols(), static_cast<Eigen::Index>(rows.size()));
      for (std::size_t j = 0; j < rows.size(); ++j) {
        for (Eigen::Index v = 0; v < width; ++v) {
          const double expected = decoded_product(rows[j], positions, vectors, v, last_squared && v == width - 1);
          ASSERT_NEAR(out(v, static_cast<Eigen::Index>(j)), expected, 1e-11 * (1 + std::fabs(expected)))
              << "width " << width << " row " << j << " vector " << v << (last_squared ? " (last squared)" : "");
        }
      }
    }
  }
}

// With hom ALT common, a sum is 2 x the vector's total minus a small sum. For the intercept's basis
// vector (a constant) the total must be accurate to the last bit: the genotype variance left after
// the intercept is a difference of numbers of order n, and a total summed naively in doubles put
// 2e-8 relative errors into the betas of singletons.
TEST(PackedProducts, HomAltCommonSumsKeepFullPrecision) {
  const std::size_t file_samples = 20000;
  std::vector<std::uint32_t> positions(file_samples);
  for (std::size_t s = 0; s < file_samples; ++s) positions[s] = static_cast<std::uint32_t>(s);
  const double constant = 1.0 / std::sqrt(static_cast<double>(file_samples));
  const Eigen::MatrixXd vectors = Eigen::MatrixXd::Constant(static_cast<Eigen::Index>(file_samples), 1, constant);
  std::vector<std::vector<std::uint8_t>> rows(1, std::vector<std::uint8_t>(file_samples / 4, 0));  // hom ALT: code 00
  rows[0][1234 / 4] = static_cast<std::uint8_t>(2u << (2 * (1234 % 4)));                          // one het
  PackedProducts products(vectors, positions, file_samples, {false});
  Eigen::MatrixXd out;
  RowCalls calls;
  products.compute(block_of(rows, file_samples), 0, 1, out, calls);
  const long double expected = (2.0L * file_samples - 1.0L) * static_cast<long double>(constant);
  EXPECT_NEAR(out(0, 0), static_cast<double>(expected), 4 * std::numeric_limits<double>::epsilon() * static_cast<double>(expected));
}

// A vector's sums are the same bits whatever other vectors share the table (every entry width and
// grouping of variants folds alike, and the choice between the table and the sparse sum does not
// depend on the width), so one
// phenotype alone and the same phenotype among many give the same results. Rows run from rare
// (1 in 25 and 1 in 12 samples off the common genotype: either side of where the two kernels'
// speeds cross) to common; 2,001 samples leave a partial block of pairs and a partial last pair.
TEST(PackedProducts, SumsOfAVectorDoNotDependOnTheOtherVectors) {
  Random random(41, 0, 0);
  const std::size_t file_samples = 2001;
  std::vector<std::uint32_t> positions;
  for (std::size_t s = 0; s < file_samples; ++s)
    if (s % 9 != 4) positions.push_back(static_cast<std::uint32_t>(s));
  std::vector<std::vector<std::uint8_t>> rows;
  for (double other : {0.0, 0.04, 0.08, 0.3, 0.7}) {
    for (unsigned common : {3u, 0u}) {
      std::vector<std::uint8_t> row((file_samples + 3) / 4, 0);
      for (std::size_t s = 0; s < file_samples; ++s) {
        unsigned code = random.bernoulli(other) ? (random.bernoulli(0.5) ? 2u : 3u - common) : common;
        if (random.bernoulli(0.01)) code = 1;
        row[s / 4] = static_cast<std::uint8_t>(row[s / 4] | (code << (2 * (s % 4))));
      }
      rows.push_back(row);
    }
  }
  const Eigen::Index n = static_cast<Eigen::Index>(positions.size());
  Eigen::MatrixXd shared(n, 2);
  for (Eigen::Index i = 0; i < n; ++i) shared.row(i) << random.normal() + 2.0, random.normal();
  for (bool last_squared : {true, false}) {
    Eigen::MatrixXd reference;
    for (Eigen::Index width : {2, 7, 13, 26, 37, 45}) {
      // The shared vectors sit at the end of the entries, past the other vectors.
      Eigen::MatrixXd vectors(n, width);
      for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index v = 0; v < width - 2; ++v) vectors(i, v) = random.normal();
      vectors.rightCols(2) = shared;
      RowCalls calls;
      const Eigen::MatrixXd sums = products_of(vectors, positions, file_samples, rows, calls, last_squared).bottomRows(2);
      if (reference.size() == 0) {
        reference = sums;
        for (std::size_t j = 0; j < rows.size(); ++j)
          EXPECT_NEAR(sums(0, static_cast<Eigen::Index>(j)), decoded_product(rows[j], positions, shared, 0), 1e-10) << "row " << j;
        continue;
      }
      for (std::size_t j = 0; j < rows.size(); ++j)
        for (Eigen::Index v = 0; v < 2; ++v)
          EXPECT_EQ(sums(v, static_cast<Eigen::Index>(j)), reference(v, static_cast<Eigen::Index>(j)))
              << "width " << width << " row " << j << " vector " << v << (last_squared ? " (last squared)" : "");
    }
  }
}

namespace {

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Every field of two result lists is the same, bit for bit.
void expect_same_results(const std::vector<VariantResult>& expected, const std::vector<VariantResult>& actual, const char* label) {
  ASSERT_EQ(expected.size(), actual.size()) << label;
  for (std::size_t k = 0; k < expected.size(); ++k) {
    EXPECT_TRUE(same_bits(expected[k].beta, actual[k].beta)) << label << " result " << k;
    EXPECT_TRUE(same_bits(expected[k].se, actual[k].se)) << label << " result " << k;
    EXPECT_TRUE(same_bits(expected[k].log_p, actual[k].log_p)) << label << " result " << k;
    EXPECT_TRUE(same_bits(expected[k].effect_allele_frequency, actual[k].effect_allele_frequency)) << label << " result " << k;
    EXPECT_EQ(expected[k].n, actual[k].n) << label << " result " << k;
    EXPECT_STREQ(expected[k].method, actual[k].method) << label << " result " << k;
    EXPECT_EQ(expected[k].error == nullptr, actual[k].error == nullptr) << label << " result " << k;
  }
}

}  // namespace

// Tables kept within a memory limit (phenotypes split into several tables, built for each block
// in batches) give the same bits as all tables built once, over two blocks.
TEST(PackedProducts, MemoryLimitChangesNoResult) {
  Random random(23, 0, 0);
  const std::size_t file_samples = 611, variants = 120;
  auto rows = random_rows(random, file_samples, variants);
  std::vector<std::uint32_t> positions;
  for (std::size_t s = 0; s < file_samples; ++s)
    if (s % 5 != 1) positions.push_back(static_cast<std::uint32_t>(s));
  const Eigen::Index n = static_cast<Eigen::Index>(positions.size());
  Eigen::MatrixXd covariates(n, 2), quantitative(n, 7), binary(n, 3);
  for (Eigen::Index i = 0; i < n; ++i) {
    covariates.row(i) << random.normal(), random.uniform();
    for (Eigen::Index p = 0; p < quantitative.cols(); ++p) quantitative(i, p) = random.normal() + 0.3 * covariates(i, 0);
    if (random.bernoulli(0.1)) quantitative(i, 6) = NAN;  // a missingness group of its own
    for (Eigen::Index p = 0; p < binary.cols(); ++p) binary(i, p) = random.bernoulli(0.05 + 0.15 * static_cast<double>(p));
  }
  const std::vector<std::vector<std::vector<std::uint8_t>>> blocks = {
      {rows.begin(), rows.begin() + 70}, {rows.begin() + 70, rows.end()}};
  // Limits: none; two phenotypes' tables at a time (linear: one table of two phenotypes; logistic:
  // two tables of one); less than one table (one phenotype at a time).
  const std::size_t linear_pair = PackedProducts::memory_bytes(3 + 2, file_samples);
  const std::size_t pair = 2 * PackedProducts::memory_bytes(3 + 2, file_samples);
  for (auto mode : {MissingGenotypes::mean_impute, MissingGenotypes::exclude}) {
    std::vector<std::vector<VariantResult>> reference;
    for (std::size_t limit : {SIZE_MAX, linear_pair, std::size_t{1}}) {
      LinearAssociation linear(covariates, quantitative, mode);
      linear.prepare_packed(positions, file_samples, limit);
      if (limit == SIZE_MAX) {
        EXPECT_EQ(linear.table_batches(), 1u);
      } else {
        EXPECT_GT(linear.table_batches(), 1u);
        EXPECT_LE(linear.table_bytes(), std::max(limit, PackedProducts::memory_bytes(3 + 1, file_samples)));
      }
      if (limit == 1) {
        EXPECT_EQ(linear.table_batches(), 7u);  // one phenotype at a time
      }
      for (std::size_t b = 0; b < blocks.size(); ++b) {
        std::vector<VariantResult> results;
        linear.test_packed(block_of(blocks[b], file_samples), results);
        if (limit == SIZE_MAX) {
          reference.push_back(results);
        } else {
          expect_same_results(reference[b], results, "linear");
        }
      }
    }
  }
  std::vector<std::vector<VariantResult>> reference;
  for (std::size_t limit : {SIZE_MAX, pair, std::size_t{1}}) {
    LogisticAssociation logistic(covariates, binary, BinaryOptions{});
    logistic.prepare_packed(positions, file_samples, limit);
    EXPECT_EQ(logistic.table_batches(), limit == SIZE_MAX ? 1u : limit == 1 ? 3u : 2u);
    for (std::size_t b = 0; b < blocks.size(); ++b) {
      std::vector<VariantResult> results;
      logistic.test_packed(block_of(blocks[b], file_samples), results);
      if (limit == SIZE_MAX) {
        reference.push_back(results);
      } else {
        expect_same_results(reference[b], results, "logistic");
      }
    }
  }
}

// Null models are fitted in parallel: one that does not converge (a covariate separates cases from
// controls) makes only its phenotype NA, and the others' results do not depend on the threads.
TEST(PackedProducts, NullModelFailureStaysWithItsPhenotype) {
  Random random(31, 0, 0);
  const std::size_t file_samples = 500, variants = 40;
  auto rows = random_rows(random, file_samples, variants);
  std::vector<std::uint32_t> positions;
  for (std::size_t s = 0; s < file_samples; ++s) positions.push_back(static_cast<std::uint32_t>(s));
  const Eigen::Index n = static_cast<Eigen::Index>(file_samples);
  Eigen::MatrixXd covariates(n, 1), binary(n, 4);
  for (Eigen::Index i = 0; i < n; ++i) {
    covariates(i, 0) = random.normal();
    binary(i, 0) = random.bernoulli(0.3);
    binary(i, 1) = covariates(i, 0) > 0.5;  // separated by the covariate
    binary(i, 2) = random.bernoulli(0.1);
    binary(i, 3) = random.bernoulli(0.5);
  }
  std::vector<std::vector<VariantResult>> runs;
  for (int threads : {1, 3}) {
    set_thread_count(threads);
    LogisticAssociation logistic(covariates, binary, BinaryOptions{});
    logistic.prepare_packed(positions, file_samples);
    runs.emplace_back();
    logistic.test_packed(block_of(rows, file_samples), runs.back());
  }
  set_thread_count(0);
  for (std::size_t v = 0; v < variants; ++v) {
    EXPECT_STREQ(runs[0][v * 4 + 1].error, "NULL_MODEL_FAIL") << v;
    EXPECT_TRUE(std::isnan(runs[0][v * 4 + 1].beta)) << v;
    for (std::size_t p : {0, 2, 3}) {
      EXPECT_TRUE(std::isfinite(runs[0][v * 4 + p].beta)) << v << " " << p;
      EXPECT_TRUE(same_bits(runs[0][v * 4 + p].beta, runs[1][v * 4 + p].beta)) << v << " " << p;
      EXPECT_TRUE(same_bits(runs[0][v * 4 + p].log_p, runs[1][v * 4 + p].log_p)) << v << " " << p;
    }
  }
}

}  // namespace kohort::assoc

namespace kohort::assoc {

// The bit planes of .bed rows: a sample's bits are (ALT count >= 1, ALT count == 2), missing calls
// and the padding codes after the last sample in neither, over a partial last block.
TEST(PlaneSums, PlanesHoldTheAltCounts) {
  Random random(41, 0, 0);
  const std::size_t file_samples = 64 * 5 - 23, blocks = 5, count = 3;
  std::vector<std::vector<std::uint8_t>> rows = random_rows(random, file_samples, count);
  for (auto& row : rows) row.back() = static_cast<std::uint8_t>(row.back() | 0xfc);  // padding codes set
  std::vector<const std::uint8_t*> pointers;
  for (auto& row : rows) pointers.push_back(row.data());
  for (std::size_t first_block : {0, 2}) {
    std::vector<std::uint8_t> planes((blocks - first_block) * count * detail::kPlaneBytes, 0xAA);
    detail::extract_planes(pointers.data(), count, file_samples, first_block, blocks - first_block, planes.data());
    for (std::size_t b = first_block; b < blocks; ++b)
      for (std::size_t j = 0; j < count; ++j)
        for (std::size_t k = 0; k < detail::kPlaneBlockSamples; ++k) {
          const std::size_t s = b * detail::kPlaneBlockSamples + k;
          const unsigned code = s < file_samples ? (rows[j][s / 4] >> (2 * (s % 4))) & 3 : 1;
          const unsigned alt = code == 0 ? 2 : code == 2 ? 1 : 0;
          const std::uint8_t* row_planes = planes.data() + ((b - first_block) * count + j) * detail::kPlaneBytes;
          EXPECT_EQ((row_planes[k / 8] >> (k % 8)) & 1, alt >= 1 ? 1 : 0) << "sample " << s << " row " << j;
          EXPECT_EQ((row_planes[detail::kPlaneBlockGroups + k / 8] >> (k % 8)) & 1, alt == 2 ? 1 : 0) << "sample " << s << " row " << j;
        }
  }
}

// A block's tables are the subset sums their comment gives, bit for bit (samples past the file's
// last count 0), and a row's sums fold its entries as documented, with the second plane's tables
// tripled in one lane (squared counts).
TEST(PlaneSums, TablesAreSubsetSumsAndSumsFoldTheirEntries) {
  Random random(47, 0, 0);
  const std::size_t file_samples = 64 * 3 - 5, stride = 24, offset = 8, width = 16, count = 7;
  std::vector<double> by_sample(file_samples * stride);
  for (auto& value : by_sample) value = random.normal();
  const std::size_t first_sample = 128;  // the last, partial block
  const std::size_t entries = detail::kPlaneBlockGroups * detail::kPlaneEntries;
  std::vector<double> tables(entries * width);
  detail::build_plane_tables(by_sample.data(), stride, offset, width, first_sample, file_samples, tables.data());
  auto value = [&](std::size_t sample, std::size_t lane) {
    return sample < file_samples ? by_sample[sample * stride + offset + lane] : 0.0;
  };
  for (std::size_t g = 0; g < detail::kPlaneBlockGroups; ++g)
    for (unsigned e = 0; e < detail::kPlaneEntries; ++e)
      for (std::size_t lane = 0; lane < width; ++lane) {
        double half[2] = {0.0, 0.0};
        for (unsigned h = 0; h < 2; ++h)
          for (int bit = 3; bit >= 0; --bit)
            if ((e >> (4 * h + static_cast<unsigned>(bit))) & 1) half[h] += value(first_sample + 8 * g + 4 * h + static_cast<std::size_t>(bit), lane);
        const double expected = half[0] + half[1];
        ASSERT_TRUE(std::memcmp(&tables[(g * detail::kPlaneEntries + e) * width + lane], &expected, sizeof expected) == 0)
            << "group " << g << " entry " << e << " lane " << lane;
      }
  std::vector<double> two_tables = tables;
  for (std::size_t e = 0; e < entries; ++e) two_tables[e * width + 5] *= 3.0;
  std::vector<std::uint8_t> planes(count * detail::kPlaneBytes);
  for (auto& byte : planes) byte = static_cast<std::uint8_t>(random.uniform() * 256);
  const std::size_t out_step = 20;
  std::vector<double> sums(count * out_step, 0.5);
  detail::accumulate_plane_sums(tables.data(), two_tables.data(), width, planes.data(), count, sums.data(), out_step);
  for (std::size_t j = 0; j < count; ++j)
    for (std::size_t lane = 0; lane < width; ++lane) {
      double block = 0.0;
      for (std::size_t g = 0; g < detail::kPlaneBlockGroups; ++g) {
        const std::uint8_t* row = planes.data() + j * detail::kPlaneBytes;
        block += tables[(g * detail::kPlaneEntries + row[g]) * width + lane] +
                 two_tables[(g * detail::kPlaneEntries + row[detail::kPlaneBlockGroups + g]) * width + lane];
      }
      const double expected = 0.5 + block;
      EXPECT_TRUE(std::memcmp(&sums[j * out_step + lane], &expected, sizeof expected) == 0) << "row " << j << " lane " << lane;
    }
}

// Rows mostly without an ALT allele (hom REF and missing calls), whose planes are mostly zero bytes,
// through PackedProducts with wide entries: the decoded dot products.
TEST(PackedProducts, MostlyHomRefRowsEqualDecodedDotProducts) {
  Random random(43, 0, 0);
  const std::size_t file_samples = 2013, variants = 10;
  std::vector<std::vector<std::uint8_t>> rows(variants, std::vector<std::uint8_t>((file_samples + 3) / 4, 0));
  for (auto& row : rows)
    for (std::size_t s = 0; s < file_samples; ++s) {
      const double u = random.uniform();
      const unsigned code = u < 0.8 ? 3 : u < 0.85 ? 1 : u < 0.95 ? 2 : 0;
      row[s / 4] = static_cast<std::uint8_t>(row[s / 4] | code << (2 * (s % 4)));
    }
  std::vector<std::uint32_t> positions;
  for (std::size_t s = 0; s < file_samples; ++s)
    if (s % 5 != 2) positions.push_back(static_cast<std::uint32_t>(s));
  for (Eigen::Index width : {21, 28, 33, 40}) expect_decoded_products(random, rows, file_samples, positions, width, 0, 1e-11);
}

// Dominant and recessive rows: every code of every sample (and the padding of a partial last
// byte, and a partial last word) recoded as min(c, 1) and max(c - 1, 0), missing kept.
TEST(PackedProducts, RecodedRowsHoldTheModelsCounts) {
  Random random(17, 0, 0);
  for (std::size_t file_samples : {1u, 3u, 31u, 32u, 33u, 67u, 403u}) {
    const std::size_t bytes = (file_samples + 3) / 4;
    std::vector<std::uint8_t> row(bytes), out(bytes, 0xAA);
    for (auto& byte : row) byte = static_cast<std::uint8_t>(random.uniform() * 256);
    constexpr int kMissing = -1;
    auto count = [](unsigned code) { return code == 0 ? 2 : code == 2 ? 1 : code == 3 ? 0 : kMissing; };
    for (GeneticModel model : {GeneticModel::dominant, GeneticModel::recessive}) {
      recode_row(row.data(), bytes, model, out.data());
      for (std::size_t s = 0; s < 4 * bytes; ++s) {
        const int before = count((row[s / 4] >> (2 * (s % 4))) & 3), after = count((out[s / 4] >> (2 * (s % 4))) & 3);
        const int expected = before == kMissing ? kMissing : model == GeneticModel::dominant ? std::min(before, 1) : std::max(before - 1, 0);
        EXPECT_EQ(after, expected) << "sample " << s << " of " << file_samples << (model == GeneticModel::dominant ? ", dominant" : ", recessive");
      }
    }
  }
  std::uint8_t byte = 0, out = 0;
  EXPECT_THROW(recode_row(&byte, 1, GeneticModel::additive, &out), std::logic_error);
}

}  // namespace kohort::assoc
