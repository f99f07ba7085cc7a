#include "assoc/gwas.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <string_view>

#include "assoc/case_control_frequency.h"
#include "assoc/linear.h"
#include "assoc/multiple_testing.h"
#include "assoc/pvalue.h"
#include "assoc/pvalue_store.h"
#include "assoc/sample_table.h"
#include "core/error.h"
#include "core/log.h"
#include "core/output.h"
#include "core/parallel.h"
#include "core/system.h"
#include "genotype/sex_chromosomes.h"

namespace kohort::assoc {

PhenotypeSet read_phenotypes(const std::string& path, const std::vector<std::string>& columns,
                             const std::vector<std::string>& sample_ids, TraitType type) {
  SampleTable table(path);
  PhenotypeSet set;
  set.names = table.select_columns(columns, "--pheno-col");
  // Each phenotype's name becomes part of its output file's name.
  std::set<std::string> seen;
  for (const auto& name : set.names) {
    if (!seen.insert(name).second) throw InputError(path, fmt::format("phenotype '{}' is named twice; expected each once", name));
    if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
      throw InputError(path, fmt::format("phenotype name '{}' cannot be part of a file name; rename the column", name));
    }
  }
  set.values.resize(static_cast<Eigen::Index>(sample_ids.size()), static_cast<Eigen::Index>(set.names.size()));
  const std::vector<std::int64_t> rows = table.rows(sample_ids);
  for (std::size_t p = 0; p < set.names.size(); ++p) {
    std::size_t column = table.column_index(set.names[p]);
    if (!table.is_numeric(column)) {
      throw InputError(path, fmt::format("phenotype column '{}' is not numeric; expected numbers, 0/1 or 1/2 for case/control", set.names[p]));
    }
    Eigen::VectorXd values = table.numeric(column, rows);
    std::set<double> distinct;  // up to 4 values: enough to tell a binary trait (3 for PLINK coding)
    std::size_t present = 0;
    for (Eigen::Index i = 0; i < values.size(); ++i) {
      if (values(i) == -9) values(i) = NAN;  // PLINK's missing phenotype
      if (!std::isnan(values(i))) {
        if (distinct.size() < 4) distinct.insert(values(i));
        ++present;
      }
    }
    if (present == 0) throw InputError(path, fmt::format("phenotype '{}' has no values for any genotyped sample; are the sample ids the .fam IIDs?", set.names[p]));
    bool zero_one = !distinct.empty() && std::all_of(distinct.begin(), distinct.end(), [](double v) { return v == 0 || v == 1; });
    bool one_two = !distinct.empty() && std::all_of(distinct.begin(), distinct.end(), [](double v) { return v == 1 || v == 2; });
    // 0, 1 and 2 together are PLINK's case/control coding with 0 for missing, as plink2 reads them.
    bool plink_coded = distinct == std::set<double>{0, 1, 2};
    bool binary = type == TraitType::binary ||
                  (type == TraitType::automatic && (((zero_one || one_two) && distinct.size() == 2) || plink_coded));
    if (binary) {
      if (!zero_one && !one_two && !plink_coded) {
        throw InputError(path, fmt::format("binary phenotype '{}' has values other than 0/1, 1/2, or 1/2 with 0 for missing", set.names[p]));
      }
      if (plink_coded) {
        log_warning(fmt::format("phenotype '{}' has the values 0, 1 and 2: read as PLINK's case/control coding (1 control, 2 case, "
                                "0 missing), as plink2 does; --pheno-type quantitative reads them as numbers",
                                set.names[p]));
        values = values.unaryExpr([](double v) { return std::isnan(v) || v == 0 ? NAN : v - 1.0; });
      } else if (one_two && !zero_one) {
        values = values.unaryExpr([](double v) { return std::isnan(v) ? v : v - 1.0; });
      }
    }
    set.values.col(static_cast<Eigen::Index>(p)) = values;
    set.binary.push_back(binary);
  }
  return set;
}

namespace {

using genotype::ChromosomeKind;
using genotype::Sex;

// One block's results, variant-major: linear[v * quantitative + p], logistic[v * binary + p].
struct BlockResults {
  std::size_t quantitative = 0, binary = 0;
  std::vector<VariantResult> linear, logistic;
};

// The models that test one kind of chromosome, as plink2 --glm does by default: autosomes (and
// XY, MT) with the given covariates; chrX with sex added as a covariate (samples of unknown sex
// left out); chrY among males only.
struct ModelSet {
  std::string where;  // for messages: "" or " on chrX" / " on chrY"
  std::size_t covariates = 0;  // columns of the design, without the intercept
  std::unique_ptr<LinearAssociation> linear;
  std::unique_ptr<LogisticAssociation> logistic;
  bool packed_linear = false, packed_logistic = false;  // tested from .bed rows, not dosages
  std::vector<std::size_t> block_variants;  // the current block's variants this set tests
  // Dosages recoded before the models see them: chrX with males coded 0/1 (--xchr-model 1) halves
  // the males' rows, and the dominant and recessive models recode every dosage. The set then
  // counts each phenotype's frequency itself, from the samples whose chromosomes it lists, and
  // with halved males imputes missing calls from every sample's copies (the binary phenotypes'
  // cases keep the counts).
  std::vector<Eigen::Index> halved_rows;
  GeneticModel genetic_model = GeneticModel::additive;
  struct AlleleCounting {
    std::vector<std::uint8_t> copies;  // per sample: 0 not among the phenotypes' samples, 1 male, 2 other
    std::vector<std::size_t> linear, logistic;  // the phenotypes (columns of their kind) counted so
  };
  std::vector<AlleleCounting> counting;
  std::vector<std::uint8_t> copies;  // per sample: 1 male, 2 other
  std::vector<std::vector<bool>> is_case;  // per binary phenotype, per sample
  std::vector<CaseControlCounter> case_control;  // per binary phenotype, when asked for
  bool mean_impute = false, binary_counts_called = false;  // the latter: cases and controls count calls only
  // Dominant and recessive models of .bed input: each counting group's samples as a mask of .bed
  // columns (sample_mask), to count the ALT allele's frequency from the stored rows.
  std::vector<std::vector<std::uint64_t>> count_masks;
  std::vector<std::size_t> count_samples;  // the samples each mask holds
  std::size_t file_samples = 0;

  bool needs_dosages() const { return (linear && !packed_linear) || (logistic && !packed_logistic); }
  bool recodes() const { return !halved_rows.empty() || genetic_model != GeneticModel::additive; }

  // Tests block_variants of a block (its .bed rows, when the input has them, and/or its decoded
  // dosages), writing their rows of `out`; a set that tests the whole block writes all of it.
  void test(const PackedBlock* packed, const Eigen::MatrixXd* dosages, std::size_t count, BlockResults& out) const {
    if (block_variants.empty()) return;
    const bool whole = block_variants.size() == count;
    PackedBlock part;
    Eigen::MatrixXd subset;
    if (packed && !whole) {
      part.file_samples = packed->file_samples;
      for (auto v : block_variants) part.rows.push_back(packed->rows[v]);
    }
    if (dosages && (!whole || recodes())) {
      subset.resize(dosages->rows(), static_cast<Eigen::Index>(block_variants.size()));
      for (std::size_t j = 0; j < block_variants.size(); ++j)
        subset.col(static_cast<Eigen::Index>(j)) = dosages->col(static_cast<Eigen::Index>(block_variants[j]));
    }
    const PackedBlock* block = whole ? packed : &part;
    if (recodes()) {
      // Dominant and recessive codings of .bed rows meet the tables as recoded rows; the models
      // without tables (and chrX with males halved) test recoded dosages.
      if (packed_linear || packed_logistic) test_recoded_rows(*block, out);
      if (needs_dosages()) test_decoded(subset, block_variants, out);
      return;
    }
    const Eigen::MatrixXd* block_dosages = whole ? dosages : &subset;
    std::vector<VariantResult> mine;
    auto run = [&](const auto& model, bool use_packed, std::size_t stride, std::vector<VariantResult>& results) {
      if (!model) return;
      std::vector<VariantResult>& target = whole ? results : mine;
      use_packed ? model->test_packed(*block, target) : model->test(*block_dosages, target);
      if (whole) return;
      for (std::size_t j = 0; j < block_variants.size(); ++j)
        std::copy_n(mine.begin() + static_cast<std::ptrdiff_t>(j * stride), stride,
                    results.begin() + static_cast<std::ptrdiff_t>(block_variants[j] * stride));
    };
    run(linear, packed_linear, out.quantitative, out.linear);
    run(logistic, packed_logistic, out.binary, out.logistic);
  }

  // The dominant or recessive coding of a column of dosages (missing calls stay NaN).
  void recode(double* column, std::size_t n) const { recode_dosages(genetic_model, column, n); }

  // Tests block_variants (rows of `out`, their .bed rows `block`) with the models that have tables,
  // from the rows recoded for the genetic model, a chunk of at most 64 MB of recoded rows at a time
  // (a chunk is many variants: each task of the products builds its tables once). The frequency
  // is then the ALT allele's, counted from the stored rows among each phenotype's samples.
  void test_recoded_rows(const PackedBlock& block, BlockResults& out) const {
    const std::size_t bytes = (file_samples + 3) / 4, count = block.rows.size();
    const std::size_t chunk = std::max<std::size_t>(64, (std::size_t{64} << 20) / std::max<std::size_t>(1, bytes));
    std::vector<std::uint8_t> buffer(std::min(chunk, count) * bytes);
    PackedBlock recoded;
    recoded.file_samples = file_samples;
    std::vector<VariantResult> mine;
    for (std::size_t first = 0; first < count; first += chunk) {
      const std::size_t size = std::min(chunk, count - first);
      recoded.rows.resize(size);
      parallel_for(size, 256, [&](std::size_t begin, std::size_t end) {
        for (std::size_t j = begin; j < end; ++j) {
          recode_row(block.rows[first + j], bytes, genetic_model, buffer.data() + j * bytes);
          recoded.rows[j] = buffer.data() + j * bytes;
        }
      });
      auto run = [&](const auto& model, bool use, std::size_t stride, std::vector<VariantResult>& results) {
        if (!model || !use) return;
        model->test_packed(recoded, mine);
        for (std::size_t j = 0; j < size; ++j)
          std::copy_n(mine.begin() + static_cast<std::ptrdiff_t>(j * stride), stride,
                      results.begin() + static_cast<std::ptrdiff_t>(block_variants[first + j] * stride));
      };
      run(linear, packed_linear, out.quantitative, out.linear);
      run(logistic, packed_logistic, out.binary, out.logistic);
      // (het + 2 hom ALT) / 2 called, the same division as alt_frequency's sums of dosages.
      parallel_for(size, 256, [&](std::size_t begin, std::size_t end) {
        for (std::size_t j = begin; j < end; ++j) {
          for (std::size_t g = 0; g < counting.size(); ++g) {
            const CallCounts calls = count_calls(block.rows[first + j], count_masks[g], file_samples);
            const double chromosomes = 2.0 * static_cast<double>(count_samples[g] - calls.missing);
            const double frequency = chromosomes > 0 ? (calls.het + 2.0 * calls.hom_alt) / chromosomes : std::numeric_limits<double>::quiet_NaN();
            const std::size_t variant = block_variants[first + j];
            if (packed_linear)
              for (auto q : counting[g].linear) out.linear[variant * out.quantitative + q].effect_allele_frequency = frequency;
            if (packed_logistic)
              for (auto b : counting[g].logistic) out.logistic[variant * out.binary + b].effect_allele_frequency = frequency;
          }
        }
      });
    }
  }

  // Tests `variants` (rows of `out`) from their dosages, the columns of `x`, recoded first (with
  // males coded 0/1, a missing call, when imputed, is the expected count of the sample's copies
  // of X at the variant's frequency among all samples: it does not depend on which allele counts,
  // nor on the other phenotypes of the run).
  void test_decoded(Eigen::MatrixXd& x, const std::vector<std::size_t>& variants, BlockResults& out) const {
    for (auto row : halved_rows) x.row(row) *= 0.5;
    const bool impute = mean_impute && !halved_rows.empty();
    const std::size_t groups = counting.size();
    std::vector<double> frequency(variants.size() * groups), info(variants.size() * groups);
    std::vector<std::vector<std::size_t>> imputed(impute ? variants.size() : 0);  // rows, per variant
    // The ALT allele's frequency among the samples of `copies`, and (unless null) the MaCH
    // r-squared of their dosages as stored, before any recoding.
    auto alt_frequency = [](const double* column, const std::vector<std::uint8_t>& copies, double* r2 = nullptr) {
      double alt = 0, chromosomes = 0, squares = 0, observed = 0;
      for (std::size_t i = 0; i < copies.size(); ++i) {
        if (copies[i] == 0 || std::isnan(column[i])) continue;
        alt += column[i];
        squares += column[i] * column[i];
        chromosomes += copies[i];
        observed += 1;
      }
      if (r2) *r2 = mach_r2(alt, squares, observed);
      return chromosomes > 0 ? alt / chromosomes : std::numeric_limits<double>::quiet_NaN();
    };
    parallel_for(variants.size(), 16, [&](std::size_t begin, std::size_t end) {
      for (std::size_t j = begin; j < end; ++j) {
        double* column = x.col(static_cast<Eigen::Index>(j)).data();
        for (std::size_t g = 0; g < groups; ++g)
          frequency[j * groups + g] = alt_frequency(column, counting[g].copies, &info[j * groups + g]);
        if (impute) {
          const double f = alt_frequency(column, copies);
          for (std::size_t i = 0; i < copies.size(); ++i) {
            if (!std::isnan(column[i])) continue;
            column[i] = std::isnan(f) ? 0.0 : f * copies[i];
            imputed[j].push_back(i);
          }
        }
        recode(column, static_cast<std::size_t>(x.rows()));
      }
    });
    std::vector<VariantResult> mine;
    auto run = [&](const auto& model, bool from_rows, std::size_t stride, std::vector<VariantResult>& results) {
      if (!model || from_rows) return;  // tested by test_recoded_rows
      model->test(x, mine);
      for (std::size_t j = 0; j < variants.size(); ++j)
        std::copy_n(mine.begin() + static_cast<std::ptrdiff_t>(j * stride), stride,
                    results.begin() + static_cast<std::ptrdiff_t>(variants[j] * stride));
    };
    run(linear, packed_linear, out.quantitative, out.linear);
    run(logistic, packed_logistic, out.binary, out.logistic);
    // The models' frequency is the mean recoded dosage over 2; here it is the ALT copies over the
    // chromosomes counted before recoding (plink2's A1_CT / ALLELE_CT). The models saw the imputed
    // calls as calls: their counts lose them again.
    // Models tested from recoded rows have their frequencies from test_recoded_rows.
    static const std::vector<std::size_t> kFromRows;
    for (std::size_t j = 0; j < variants.size(); ++j) {
      for (std::size_t g = 0; g < groups; ++g) {
        const AlleleCounting& group = counting[g];
        std::uint32_t missing = 0;
        if (impute)
          for (auto i : imputed[j]) missing += group.copies[i] > 0;
        for (auto q : packed_linear ? kFromRows : group.linear) {
          VariantResult& r = out.linear[variants[j] * out.quantitative + q];
          r.effect_allele_frequency = frequency[j * groups + g];
          r.info = info[j * groups + g];
          r.n -= missing;
        }
        for (auto b : packed_logistic ? kFromRows : group.logistic) {
          VariantResult& r = out.logistic[variants[j] * out.binary + b];
          r.effect_allele_frequency = frequency[j * groups + g];
          r.info = info[j * groups + g];
          r.n -= missing;
          if (!binary_counts_called || missing == 0) continue;
          std::uint32_t cases = 0;
          for (auto i : imputed[j]) cases += group.copies[i] > 0 && is_case[b][i];
          r.cases -= cases;
          r.controls -= missing - cases;
        }
      }
    }
  }
};

// chrY and MT are haploid: coded 0/1 (the stored 0/2 halved), as plink2 codes them, which doubles
// beta and its SE and leaves the tests unchanged (Firth's penalty too is invariant under scaling).
bool haploid(ChromosomeKind kind) { return kind == ChromosomeKind::y || kind == ChromosomeKind::mitochondrial; }

// Each selected variant's kind of chromosome (names repeat: one lookup per run of a name).
std::vector<ChromosomeKind> chromosome_kinds(const genotype::GenotypeSource& source) {
  std::vector<ChromosomeKind> kinds(source.variant_count());
  const std::string* last = nullptr;
  ChromosomeKind kind = ChromosomeKind::autosome;
  for (std::size_t v = 0; v < kinds.size(); ++v) {
    const std::string& chromosome = source.variant(v).chrom;
    if (!last || chromosome != *last) kind = genotype::chromosome_kind(chromosome);
    last = &chromosome;
    kinds[v] = kind;
  }
  return kinds;
}

// Warnings for what a set of models cannot test: phenotypes (their results are NA) and covariates
// left out for some phenotypes (one warning per set of covariates).
void warn_untestable(const ModelSet& set, const PhenotypeSet& phenotypes, const std::vector<Eigen::Index>& quantitative,
                     const std::vector<std::size_t>& kind_index, const std::function<std::string(std::size_t)>& covariate_name) {
  for (std::size_t q = 0; q < quantitative.size(); ++q) {
    const std::string& name = phenotypes.names[static_cast<std::size_t>(quantitative[q])];
    // The intercept, the covariates its samples estimate, and the genotype.
    const std::size_t parameters = set.covariates + 2 - set.linear->dropped_covariates(q).size();
    if (set.linear->sample_count(q) <= parameters) {
      log_warning(fmt::format("quantitative phenotype '{}'{} has {} samples with all covariates, too few for {} parameters: its results are NA",
                              name, set.where, set.linear->sample_count(q), parameters));
    } else if (set.linear->phenotype_explained(q)) {
      log_warning(fmt::format("quantitative phenotype '{}'{} is constant, or a combination of the covariates, among its {} samples: "
                              "its results are NA (CONST_PHENO)",
                              name, set.where, set.linear->sample_count(q)));
    }
  }
  std::map<std::vector<std::size_t>, std::vector<std::string>> left_out;
  for (std::size_t p = 0; p < phenotypes.names.size(); ++p) {
    const std::vector<std::size_t>& dropped = phenotypes.binary[p] ? set.logistic->dropped_covariates(kind_index[p])
                                                                   : set.linear->dropped_covariates(kind_index[p]);
    if (!dropped.empty()) left_out[dropped].push_back(phenotypes.names[p]);
  }
  for (const auto& [dropped, names] : left_out) {
    std::vector<std::string> covariate_list, phenotype_list;
    for (auto c : dropped) covariate_list.push_back(fmt::format("'{}'", covariate_name(c)));
    for (std::size_t i = 0; i < std::min<std::size_t>(names.size(), 5); ++i) phenotype_list.push_back(fmt::format("'{}'", names[i]));
    const bool several = dropped.size() > 1, many = names.size() > 1;
    log_warning(fmt::format("{} {} {} constant, or a combination of the covariates before, among the samples of {} {}{}: left out for {}{}",
                            several ? "covariates" : "covariate", fmt::join(covariate_list, ", "), several ? "are" : "is",
                            many ? "phenotypes" : "phenotype", fmt::join(phenotype_list, ", "),
                            names.size() > 5 ? fmt::format(" and {} more", names.size() - 5) : std::string(), many ? "them" : "it",
                            set.where));
  }
}

// A set that recodes dosages counts each phenotype's chromosomes itself (`copies` per sample: 1 a
// male's X under --xchr-model 1, else 2) among its samples: those with every covariate and the
// phenotype. With males halved (`halve`), it imputes missing calls by copies, keeping the counts.
// Each sample's copies of the chromosome (`copies`) where it is among the samples a phenotype
// (column `column` of `values`) is tested on: every covariate and the phenotype; 0 elsewhere.
std::vector<std::uint8_t> tested_copies(const Eigen::MatrixXd& design, const Eigen::MatrixXd& values, Eigen::Index column,
                                        const std::vector<std::uint8_t>& copies) {
  std::vector<std::uint8_t> tested(copies.size(), 0);
  for (Eigen::Index i = 0; i < design.rows(); ++i)
    if (design.row(i).allFinite() && std::isfinite(values(i, column))) tested[static_cast<std::size_t>(i)] = copies[static_cast<std::size_t>(i)];
  return tested;
}

// Per sample: 1 for a male's X coded 0/1 (`halve`), else 2.
std::vector<std::uint8_t> chromosome_copies(const std::vector<Sex>& sexes, bool halve) {
  std::vector<std::uint8_t> copies(sexes.size());
  for (std::size_t i = 0; i < sexes.size(); ++i) copies[i] = halve && sexes[i] == Sex::male ? 1 : 2;
  return copies;
}

void add_allele_counting(ModelSet& set, const Eigen::MatrixXd& design, const Eigen::MatrixXd& values, const std::vector<Eigen::Index>& quantitative,
                         const std::vector<Eigen::Index>& binary, const std::vector<Sex>& sexes, bool halve, const GwasSettings& settings) {
  set.genetic_model = settings.genetic_model;
  set.copies = chromosome_copies(sexes, halve);
  for (std::size_t i = 0; i < sexes.size(); ++i)
    if (set.copies[i] == 1) set.halved_rows.push_back(static_cast<Eigen::Index>(i));
  auto add = [&](Eigen::Index column, std::size_t kind_column, bool is_binary) {
    std::vector<std::uint8_t> copies = tested_copies(design, values, column, set.copies);
    // Phenotypes with the same samples share a count (few distinct sets: a linear search).
    auto group = std::find_if(set.counting.begin(), set.counting.end(), [&](const ModelSet::AlleleCounting& g) { return g.copies == copies; });
    if (group == set.counting.end()) group = set.counting.insert(group, {std::move(copies), {}, {}});
    (is_binary ? group->logistic : group->linear).push_back(kind_column);
  };
  for (std::size_t q = 0; q < quantitative.size(); ++q) add(quantitative[q], q, false);
  for (std::size_t b = 0; b < binary.size(); ++b) {
    add(binary[b], b, true);
    std::vector<bool> cases(sexes.size());
    for (std::size_t i = 0; i < sexes.size(); ++i) cases[i] = values(static_cast<Eigen::Index>(i), binary[b]) == 1.0;
    set.is_case.push_back(std::move(cases));
  }
  set.mean_impute = settings.missing == MissingGenotypes::mean_impute;
  // Wald and Firth fits count the cases and controls with a call; the score test all of them.
  set.binary_counts_called = settings.binary.test != BinaryTest::score;
}

// Each binary phenotype's counter of its cases' and controls' ALT frequencies, among the set's
// samples with every covariate and the phenotype; with `halve`, a male counts one X.
void add_case_control_counting(ModelSet& set, const Eigen::MatrixXd& design, const Eigen::MatrixXd& values,
                               const std::vector<Eigen::Index>& binary, const std::vector<Sex>& sexes, bool halve, bool from_rows,
                               const std::vector<std::uint32_t>& positions, std::size_t file_samples) {
  const std::vector<std::uint8_t> all_copies = chromosome_copies(sexes, halve);
  for (auto column : binary) {
    const std::vector<std::uint8_t> copies = tested_copies(design, values, column, all_copies);
    std::vector<bool> is_case(sexes.size(), false);
    for (std::size_t i = 0; i < is_case.size(); ++i) is_case[i] = copies[i] > 0 && values(static_cast<Eigen::Index>(i), column) == 1.0;
    set.case_control.push_back(from_rows ? CaseControlCounter::for_rows(copies, is_case, positions, file_samples)
                                          : CaseControlCounter::for_dosages(copies, is_case));
  }
}

// The minor allele frequency bins of lambda_GC by frequency (PheWeb's QQ plots split so):
// below 1%, 1% to 5%, 5% and above; kNoBin without a frequency.
constexpr std::uint8_t kNoBin = 255;
std::uint8_t frequency_bin(double frequency) {
  if (!(frequency >= 0 && frequency <= 1)) return kNoBin;
  const double minor = std::min(frequency, 1 - frequency);
  return minor < 0.01 ? 0 : minor < 0.05 ? 1 : 2;
}

// The first of a tab-led list of columns ("\tA\tB" -> "A").
std::string_view first_column(std::string_view columns) {
  const std::size_t end = columns.find('\t', 1);
  return columns.substr(1, end == std::string_view::npos ? std::string_view::npos : end - 1);
}

std::string number_or_na(double value) { return std::isfinite(value) ? fmt::format("{:.6g}", value) : std::string("NA"); }

// PREFIX.summary.tsv: a line per phenotype, what a PheWAS is first read by.
void write_run_summary(const std::string& path, const PhenotypeSet& phenotypes, const std::vector<SummaryMetadata>& metadata,
                       const GwasSummary& summary) {
  OutputFile out(path);
  out.write(
      "phenotype\ttype\tn\tn_cases\tn_controls\tvariants\ttests\tp_below_5e-8\tlambda_gc\tlambda_gc_maf_below_0.01\t"
      "lambda_gc_maf_0.01_to_0.05\tlambda_gc_maf_0.05_up\ttop_variant_id\ttop_p_value\tfile\n");
  for (std::size_t p = 0; p < phenotypes.names.size(); ++p) {
    const SummaryMetadata& meta = metadata[p];
    const bool binary = phenotypes.binary[p];
    const auto& by_frequency = summary.lambda_gc_by_frequency[p];
    out.write(fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n", phenotypes.names[p],
                          binary ? "binary" : "quantitative", meta.sample_size, binary ? std::to_string(meta.cases) : "NA",
                          binary ? std::to_string(meta.controls) : "NA", summary.variants, summary.tests[p], summary.significant[p],
                          number_or_na(summary.lambda_gc[p]), number_or_na(by_frequency[0]), number_or_na(by_frequency[1]),
                          number_or_na(by_frequency[2]), summary.top_variant[p].empty() ? "NA" : summary.top_variant[p],
                          std::isfinite(summary.top_log_p[p]) ? format_p_value(summary.top_log_p[p]) : "NA", summary.files[p]));
  }
  out.commit();
}

}  // namespace

GwasSummary run_gwas(genotype::GenotypeSource& source, const PhenotypeSet& phenotypes, const Eigen::MatrixXd& covariates,
                     const GwasSettings& settings, const std::string& out_prefix) {
  const Eigen::Index n = static_cast<Eigen::Index>(source.sample_count());
  if (phenotypes.values.rows() != n || covariates.rows() != n) throw Error("phenotypes and covariates are not aligned with the genotype samples");
  if (!settings.sexes.empty() && settings.sexes.size() != static_cast<std::size_t>(n)) throw Error("sexes are not aligned with the genotype samples");
  // Every phenotype's file is open until the end, beside the genotype files, the standard streams
  // and, while files are committed, each task's index and -meta.yaml. Said before any work, not
  // as a failure to open the 1,021st file after the null models are fitted.
  const std::size_t reserved_files = 16 + 2 * static_cast<std::size_t>(thread_count());
  if (const std::size_t limit = open_file_limit(); phenotypes.names.size() + reserved_files > limit) {
    throw InputError(fmt::format("{} phenotypes need {} files open at once, and this process may open {} (ulimit -n, already raised to "
                                 "the hard limit): raise the hard limit, or run the phenotypes in groups of at most {} (--pheno-col)",
                                 phenotypes.names.size(), phenotypes.names.size() + reserved_files, limit,
                                 limit > reserved_files ? limit - reserved_files : 0));
  }
  // The score test keeps one null model for all of a phenotype's samples, so it cannot drop a
  // variant's samples without a call: as in SAIGE and REGENIE, they count as the variant's mean.
  if (settings.missing == MissingGenotypes::exclude && settings.binary.test == BinaryTest::score &&
      std::find(phenotypes.binary.begin(), phenotypes.binary.end(), true) != phenotypes.binary.end()) {
    log_warning("--missing-genotypes exclude applies to the quantitative phenotypes: the binary score test (with its SPA and Firth "
                "fits) counts a missing call as the variant's mean among the phenotype's samples; --binary-test wald or firth "
                "drop those samples, variant by variant, as plink2 does");
  }
  const std::size_t total = source.variant_count();
  const std::vector<ChromosomeKind> kinds = chromosome_kinds(source);
  const bool has_x = std::find(kinds.begin(), kinds.end(), ChromosomeKind::x) != kinds.end();
  const bool has_y = std::find(kinds.begin(), kinds.end(), ChromosomeKind::y) != kinds.end();
  std::vector<Sex> sexes = settings.sexes;
  if (sexes.empty())
    for (Eigen::Index i = 0; i < n; ++i) sexes.push_back(source.sample(static_cast<std::size_t>(i)).sex);
  const auto males = static_cast<std::size_t>(std::count(sexes.begin(), sexes.end(), Sex::male));
  const auto known = males + static_cast<std::size_t>(std::count(sexes.begin(), sexes.end(), Sex::female));
  const bool x_models = has_x && settings.x_sex && known > 0;  // chrX with sex as a covariate
  const bool halve_x = has_x && settings.male_x_haploid && males > 0;
  const bool recoded = settings.genetic_model != GeneticModel::additive;
  if (recoded && settings.male_x_haploid) throw Error("dominant and recessive models do not combine with males coded 0/1 on chrX");
  const bool y_models = has_y && males > 0;
  if (has_x && settings.x_sex && known == 0) {
    log_warning("no sample has a known sex (the .fam's 5th column, the .sample's sex column, or --sex): chrX is tested "
                "without sex as a covariate");
  } else if ((x_models || y_models) && known < static_cast<std::size_t>(n)) {
    log_warning(fmt::format("{} of {} samples have no known sex: they are left out on chrX, where sex is a covariate, and on chrY",
                            static_cast<std::size_t>(n) - known, n));
  }
  if (has_y && males == 0) log_warning("no sample is known to be male: chrY variants are reported as NA (NO_MALES)");

  std::function<std::string(std::size_t)> covariate_name = [&](std::size_t c) {
    if (c == static_cast<std::size_t>(covariates.cols())) return std::string("sex");  // chrX's added covariate
    return c < settings.covariate_names.size() ? settings.covariate_names[c] : fmt::format("covariate {}", c + 1);
  };
  // Split the phenotypes by kind; remember where each one's results land.
  std::vector<Eigen::Index> quantitative, binary;
  for (std::size_t p = 0; p < phenotypes.names.size(); ++p) (phenotypes.binary[p] ? binary : quantitative).push_back(static_cast<Eigen::Index>(p));
  std::vector<std::size_t> kind_index(phenotypes.names.size());  // phenotype's column among its kind
  for (std::size_t q = 0; q < quantitative.size(); ++q) kind_index[static_cast<std::size_t>(quantitative[q])] = q;
  for (std::size_t b = 0; b < binary.size(); ++b) kind_index[static_cast<std::size_t>(binary[b])] = b;

  // The model sets: [0] autosomes, then chrX and chrY where they need their own.
  auto make_models = [&](const std::string& where, const Eigen::MatrixXd& design, const Eigen::MatrixXd& values) {
    ModelSet set;
    set.where = where;
    set.covariates = static_cast<std::size_t>(design.cols());
    auto select = [&](const std::vector<Eigen::Index>& columns) {
      Eigen::MatrixXd out(n, static_cast<Eigen::Index>(columns.size()));
      for (std::size_t c = 0; c < columns.size(); ++c) out.col(static_cast<Eigen::Index>(c)) = values.col(columns[c]);
      return out;
    };
    if (!quantitative.empty()) set.linear = std::make_unique<LinearAssociation>(design, select(quantitative), settings.missing);
    if (!binary.empty()) {
      BinaryOptions options = settings.binary;
      options.missing = settings.missing;
      std::vector<std::string> names;
      for (auto b : binary) names.push_back(phenotypes.names[static_cast<std::size_t>(b)] + where);
      set.logistic = std::make_unique<LogisticAssociation>(design, select(binary), options, names);
    }
    return set;
  };
  // Case and control frequencies count among each set's samples, as the models do.
  const bool packed_input = total > 0 && source.packed_row(source.file_variant_index(0)) != nullptr;
  auto count_cases = [&](ModelSet& set, const Eigen::MatrixXd& design, const Eigen::MatrixXd& values, bool halve) {
    if (settings.case_control_frequencies)
      add_case_control_counting(set, design, values, binary, sexes, halve, packed_input, source.selected_sample_indexes(),
                                source.file_samples().size());
  };
  std::vector<ModelSet> sets;
  sets.push_back(make_models("", covariates, phenotypes.values));
  count_cases(sets.back(), covariates, phenotypes.values, false);
  if (recoded) add_allele_counting(sets.back(), covariates, phenotypes.values, quantitative, binary, sexes, false, settings);
  std::size_t x_set = 0, y_set = 0;  // 0: the autosomes' set
  if (x_models || halve_x) {
    Eigen::MatrixXd design(n, covariates.cols() + (x_models ? 1 : 0));
    design.leftCols(covariates.cols()) = covariates;
    if (x_models) {
      for (Eigen::Index i = 0; i < n; ++i) {
        const Sex sex = sexes[static_cast<std::size_t>(i)];
        design(i, covariates.cols()) = sex == Sex::male ? 1.0 : sex == Sex::female ? 2.0 : NAN;  // plink2's coding
      }
    }
    x_set = sets.size();
    sets.push_back(make_models(" on chrX", design, phenotypes.values));
    count_cases(sets.back(), design, phenotypes.values, halve_x);
    if (halve_x || recoded) add_allele_counting(sets.back(), design, phenotypes.values, quantitative, binary, sexes, halve_x, settings);
  }
  if (y_models) {
    Eigen::MatrixXd values = phenotypes.values;
    for (Eigen::Index i = 0; i < n; ++i)
      if (sexes[static_cast<std::size_t>(i)] != Sex::male) values.row(i).setConstant(NAN);
    y_set = sets.size();
    sets.push_back(make_models(" on chrY", covariates, values));
    count_cases(sets.back(), covariates, values, false);
    if (recoded) add_allele_counting(sets.back(), covariates, values, quantitative, binary, sexes, false, settings);
  }
  auto set_of = [&](ChromosomeKind kind) -> std::ptrdiff_t {
    if (kind == ChromosomeKind::x) return static_cast<std::ptrdiff_t>(x_set);
    if (kind == ChromosomeKind::y) return y_models ? static_cast<std::ptrdiff_t>(y_set) : -1;  // -1: not tested
    return 0;
  };
  const ModelSet& autosomes = sets[0];

  GwasSummary summary;
  summary.significant.assign(phenotypes.names.size(), 0);
  summary.top_log_p.assign(phenotypes.names.size(), std::numeric_limits<double>::infinity());
  summary.top_variant.assign(phenotypes.names.size(), std::string());
  std::vector<std::unique_ptr<SummaryStatisticsWriter>> writers(phenotypes.names.size());
  std::vector<SummaryMetadata> metadata(phenotypes.names.size());
  for (std::size_t p = 0; p < phenotypes.names.size(); ++p) {
    std::string path = fmt::format("{}.{}.tsv.gz", out_prefix, phenotypes.names[p]);
    SummaryColumns optional;
    optional.binary = phenotypes.binary[p];
    optional.case_control_frequencies = settings.case_control_frequencies;
    optional.confidence_level = settings.confidence_level;
    optional.info = source.has_dosages();
    writers[p] = std::make_unique<SummaryStatisticsWriter>(path, optional);
    summary.files.push_back(path);
    SummaryMetadata& meta = metadata[p];
    meta.trait_description = phenotypes.names[p];
    meta.genome_assembly = settings.genome_assembly;
    meta.binary = phenotypes.binary[p];
  }
  for (std::size_t q = 0; q < quantitative.size(); ++q) metadata[static_cast<std::size_t>(quantitative[q])].sample_size = autosomes.linear->sample_count(q);
  for (std::size_t b = 0; b < binary.size(); ++b) {
    auto& meta = metadata[static_cast<std::size_t>(binary[b])];
    meta.cases = autosomes.logistic->case_count(b);
    meta.controls = autosomes.logistic->control_count(b);
    meta.sample_size = meta.cases + meta.controls;
  }
  // A phenotype that cannot be tested does not stop a run over many: warn, and report it as NA.
  for (const ModelSet& set : sets) warn_untestable(set, phenotypes, quantitative, kind_index, covariate_name);
  // A line per phenotype, up to a screenful: a PheWAS of thousands says how many of each kind.
  constexpr std::size_t kListed = 20;
  for (std::size_t p = 0; p < std::min(kListed, phenotypes.names.size()); ++p) {
    log_info(fmt::format("phenotype {}: {} ({} samples{})", phenotypes.names[p], phenotypes.binary[p] ? "binary" : "quantitative",
                         metadata[p].sample_size,
                         phenotypes.binary[p] ? fmt::format(", {} cases", metadata[p].cases) : std::string()));
  }
  if (phenotypes.names.size() > kListed) {
    log_info(fmt::format("... and {} more phenotypes; in all {} binary, {} quantitative", phenotypes.names.size() - kListed, binary.size(),
                         quantitative.size()));
  }

  // PLINK filesets skip decoding: products come from the 2-bit codes directly (packed_input).
  PackedBlock packed;
  packed.file_samples = source.file_samples().size();
  // The products tables grow with samples x phenotypes (x covariates for binary traits): beyond the
  // memory limit they are built block by block in batches instead. The autosomes' models share the
  // limit first; chrX's and chrY's, used for few blocks, share what is left (at the least, they
  // build one phenotype's table at a time for each of their blocks).
  std::size_t table_memory = settings.table_memory ? settings.table_memory : physical_memory() / 2;
  // chrX with males coded 0/1 is tested from decoded dosages (a table counts a sample's stored
  // code); dominant and recessive models from recoded rows.
  for (ModelSet& set : sets) {
    set.packed_linear = packed_input && set.linear && set.halved_rows.empty();
    set.packed_logistic = packed_input && set.logistic && set.logistic->packed_supported() && set.halved_rows.empty();
    if (!set.recodes() || !(set.packed_linear || set.packed_logistic)) continue;
    set.file_samples = packed.file_samples;
    const std::vector<std::uint32_t>& positions = source.selected_sample_indexes();
    for (const ModelSet::AlleleCounting& group : set.counting) {
      std::vector<std::uint32_t> members;
      for (std::size_t i = 0; i < group.copies.size(); ++i)
        if (group.copies[i] > 0) members.push_back(positions[i]);
      set.count_masks.push_back(sample_mask(members, packed.file_samples));
      set.count_samples.push_back(members.size());
    }
  }
  auto report_tables = [](const char* kind, const std::string& where, std::size_t bytes, std::size_t batches) {
    log_info(fmt::format("{} products tables{}: {:.1f} MB{}", kind, where, static_cast<double>(bytes) / 1e6,
                         batches > 1 ? fmt::format(" at a time, built for each block in {} batches (see --memory)", batches) : std::string()));
  };
  bool need_dosages = false;
  std::size_t held = 0;  // bytes of the autosomes' tables
  for (std::size_t s = 0; s < sets.size(); ++s) {
    ModelSet& set = sets[s];
    std::size_t models = std::size_t{set.packed_linear} + set.packed_logistic;
    if (s > 0) models *= sets.size() - 1;  // the other sets share the rest
    const std::size_t budget = s == 0 ? table_memory : table_memory > held ? table_memory - held : 1;
    const std::size_t limit = std::max<std::size_t>(1, budget / std::max<std::size_t>(1, models));
    if (set.packed_linear) {
      set.linear->prepare_packed(source.selected_sample_indexes(), packed.file_samples, limit);
      report_tables("quantitative", set.where, set.linear->table_bytes(), set.linear->table_batches());
      if (s == 0) held += set.linear->table_bytes();
    }
    if (set.packed_logistic) {
      set.logistic->prepare_packed(source.selected_sample_indexes(), packed.file_samples, limit);
      report_tables("binary", set.where, set.logistic->table_bytes(), set.logistic->table_batches());
      if (s == 0) held += set.logistic->table_bytes();
    }
    // With .bed input, chrX's halving set decodes its own variants (below), in chunks.
    need_dosages |= set.needs_dosages() && !(packed_input && !set.halved_rows.empty());
  }

  Progress progress("association", total, "variants");
  Eigen::MatrixXd dosages;
  BlockResults results;
  results.quantitative = quantitative.size();
  results.binary = binary.size();
  std::vector<VariantColumns> columns;  // the variant's own columns, shared by every phenotype's file
  // The previous block's results and columns, written while this block is tested: with one
  // phenotype, the other threads would otherwise wait after each block while its file is written,
  // and with many, for the slowest file. Each file is still written by one task at a time, block
  // after block, so its content does not depend on the threads. With one thread, blocks are
  // written in turn.
  BlockResults written = results;  // the same counts, no results yet
  std::vector<VariantColumns> written_columns;
  BackgroundJob writing;  // declared after what its jobs read: destroyed, so joined, first
  genotype::DosageOptions raw;
  raw.mean_impute = false;  // missing calls stay NaN: each model decides how to treat them
  const double significance = std::log(5e-8);
  const bool filtered = settings.p_filter < 1;
  const double log_p_filter = std::log(settings.p_filter);
  // Every test's p-value, for lambda_GC and the adjusted tables, beside the output.
  const std::filesystem::path out_directory = std::filesystem::path(out_prefix).parent_path();
  PValueStore store(out_directory, phenotypes.names.size(), settings.adjust);
  // Decoded dosages are held as doubles, a block at a time: the block is kept to about 8 MB
  // (4,096 variants of 500,000 samples would be 16 GB), small enough to be still in the cache when
  // the models read it after decoding (BGEN, 20,000 samples, 1 phenotype: 0.74 s against 0.82 s
  // with 128-variant blocks, medians of 5 interleaved runs). The cap is a multiple of 64
  // variants and does not depend on the threads, so the models' fixed column chunks, and so the
  // results, stay the same at any thread count.
  std::size_t block_size = settings.block_size;
  const std::size_t per_variant = sizeof(double) * std::max<std::size_t>(1, static_cast<std::size_t>(n));
  const std::size_t dosage_cap = std::max<std::size_t>(64, (std::size_t{8} << 20) / per_variant / 64 * 64);
  if (need_dosages) block_size = std::min(block_size, dosage_cap);
  // A set that needs dosages of .bed input without the block's (chrX with males coded 0/1)
  // decodes its variants of the block, dosage_cap at a time.
  auto test_decoding = [&](const ModelSet& set, std::size_t first, BlockResults& out) {
    for (std::size_t a = 0; a < set.block_variants.size(); a += dosage_cap) {
      const std::vector<std::size_t> chunk(set.block_variants.begin() + static_cast<std::ptrdiff_t>(a),
                                           set.block_variants.begin() + static_cast<std::ptrdiff_t>(std::min(a + dosage_cap, set.block_variants.size())));
      Eigen::MatrixXd x(n, static_cast<Eigen::Index>(chunk.size()));
      auto decode = [&](std::size_t begin, std::size_t end) {
        for (std::size_t j = begin; j < end; ++j) source.read_dosages(first + chunk[j], 1, x.col(static_cast<Eigen::Index>(j)).data(), raw);
      };
      if (source.concurrent_reads()) {
        parallel_for(chunk.size(), 16, decode);
      } else {
        decode(0, chunk.size());
      }
      set.test_decoded(x, chunk, out);
    }
  };
  for (std::size_t first = 0; first < total; first += block_size) {
    const std::size_t count = std::min(block_size, total - first);
    if (packed_input) {
      packed.rows.resize(count);
      for (std::size_t v = 0; v < count; ++v) packed.rows[v] = source.packed_row(source.file_variant_index(first + v));
    }
    if (need_dosages) {
      dosages.resize(n, static_cast<Eigen::Index>(count));
      if (source.concurrent_reads()) {
        // Decoding (BGEN: decompression and unpacking) is most of the work with dosage input;
        // each variant is decoded on its own, so the result does not depend on the threads.
        parallel_for(count, 16, [&](std::size_t begin, std::size_t end) {
          source.read_dosages(first + begin, end - begin, dosages.data() + static_cast<Eigen::Index>(begin) * n, raw);
        });
      } else {
        source.read_dosages(first, count, dosages.data(), raw);
      }
    }
    // Each set of models tests its own variants of the block (all of them, mostly: blocks rarely
    // straddle a sex chromosome's boundary).
    for (ModelSet& set : sets) set.block_variants.clear();
    for (std::size_t v = 0; v < count; ++v) {
      const std::ptrdiff_t s = set_of(kinds[first + v]);
      if (s >= 0) sets[static_cast<std::size_t>(s)].block_variants.push_back(v);
    }
    // A set that tests the whole block from its rows or the block's dosages sizes the results itself.
    if (std::none_of(sets.begin(), sets.end(), [&](const ModelSet& set) {
          return set.block_variants.size() == count && !set.recodes() && (need_dosages || !set.needs_dosages());
        })) {
      results.linear.assign(count * results.quantitative, VariantResult{});
      results.logistic.assign(count * results.binary, VariantResult{});
    }
    for (const ModelSet& set : sets) {
      if (!need_dosages && set.needs_dosages()) {
        test_decoding(set, first, results);
      } else {
        set.test(packed_input ? &packed : nullptr, need_dosages ? &dosages : nullptr, count, results);
      }
    }
    // Case and control frequencies from the stored rows or dosages, whatever the models recoded.
    for (const ModelSet& set : sets) {
      if (set.case_control.empty()) continue;
      parallel_for(set.block_variants.size(), 64, [&](std::size_t begin, std::size_t end) {
        for (std::size_t j = begin; j < end; ++j) {
          const std::size_t v = set.block_variants[j];
          for (std::size_t b = 0; b < set.case_control.size(); ++b) {
            const CaseControlCounter& counter = set.case_control[b];
            const CaseControlFrequency frequency =
                packed_input ? counter.from_row(packed.rows[v]) : counter.from_dosages(dosages.col(static_cast<Eigen::Index>(v)).data());
            VariantResult& r = results.logistic[v * results.binary + b];
            r.frequency_cases = frequency.cases;
            r.frequency_controls = frequency.controls;
          }
        }
      });
    }
    for (std::size_t v = 0; v < count; ++v) {
      const ChromosomeKind kind = kinds[first + v];
      for (auto* kind_results : {&results.linear, &results.logistic}) {
        const std::size_t stride = kind_results == &results.linear ? results.quantitative : results.binary;
        for (std::size_t j = 0; j < stride; ++j) {
          VariantResult& r = (*kind_results)[v * stride + j];
          // MaCH's r-squared assumes two copies of the chromosome in every sample (plink2 leaves
          // it out on chrX and MT too).
          if (kind == ChromosomeKind::x || haploid(kind)) r.info = VariantResult::kNaN;
          if (set_of(kind) < 0) {
            r.error = "NO_MALES";
          } else if (haploid(kind) && !recoded) {  // dominant and recessive code stored 0/2 as 0/1 already
            r.beta *= 2;
            r.se *= 2;
          }
        }
      }
    }
    // Formatting and compressing the rows is a large share of the work with many phenotypes:
    // each phenotype's file is written by one task, so its content never depends on the threads.
    columns.resize(count);
    parallel_for(count, 256, [&](std::size_t begin, std::size_t end) {
      for (std::size_t v = begin; v < end; ++v) {
        columns[v] = variant_columns(source.variant(first + v));
        // Phenotypes of one set of samples share the frequency: the first's is formatted once.
        if (results.quantitative > 0) {
          set_shared_frequency(columns[v], results.linear[v * results.quantitative].effect_allele_frequency);
        } else if (results.binary > 0) {
          set_shared_frequency(columns[v], results.logistic[v * results.binary].effect_allele_frequency);
        }
      }
    });
    if (settings.adjust) {
      std::string label;
      for (std::size_t v = 0; v < count; ++v) {
        // chromosome, position, alleles and variant_id (the first of ids' two columns), then the
        // genotype file's own id
        const VariantColumns& c = columns[v];
        label.assign(c.head);
        label += first_column(c.ids);
        label += '\t';
        label += source.variant(first + v).id;
        store.add_label(label);
      }
    }
    writing.wait();
    std::swap(written, results);
    std::swap(written_columns, columns);
    const std::uint64_t stored = store.add_block(count);
    auto write_block = [&, count, stored] {
      parallel_for(phenotypes.names.size(), 1, [&](std::size_t begin, std::size_t end) {
        std::vector<double> log_p(count);
        std::vector<std::uint8_t> bins(count);
        for (std::size_t p = begin; p < end; ++p) {
          const bool is_binary = phenotypes.binary[p];
          const std::vector<VariantResult>& kind_results = is_binary ? written.logistic : written.linear;
          const std::size_t stride = is_binary ? written.binary : written.quantitative;
          const std::size_t index = kind_index[p];
          for (std::size_t v = 0; v < count; ++v) {
            const VariantResult& r = kind_results[v * stride + index];
            summary.significant[p] += r.log_p < significance;
            log_p[v] = r.log_p;
            bins[v] = frequency_bin(r.effect_allele_frequency);
            if (r.log_p < summary.top_log_p[p]) {
              summary.top_log_p[p] = r.log_p;
              summary.top_variant[p] = first_column(written_columns[v].ids);
            }
            if (filtered && !(r.log_p <= log_p_filter)) continue;  // NaN (no p-value) too, as plink2
            writers[p]->write(written_columns[v], r);
          }
          store.record(stored, count, p, log_p.data(), bins.data());
        }
      });
    };
    if (thread_count() > 1) {
      writing.start(write_block);
    } else {
      write_block();
    }
    if (packed_input) source.release_packed_rows(source.file_variant_index(first), source.file_variant_index(first + count - 1) + 1);
    summary.variants += count;
    progress.update(summary.variants);
  }
  writing.wait();
  progress.finish();
  // Indexing reads each file back: one task per file.
  parallel_for(writers.size(), 1, [&](std::size_t begin, std::size_t end) {
    for (std::size_t p = begin; p < end; ++p) writers[p]->commit(metadata[p]);
  });
  // lambda_GC of every phenotype, and the adjusted tables: one task per phenotype, each holding
  // that phenotype's p-values alone.
  store.finish();
  summary.tests.assign(phenotypes.names.size(), 0);
  summary.lambda_gc.assign(phenotypes.names.size(), std::numeric_limits<double>::quiet_NaN());
  summary.lambda_gc_by_frequency.assign(phenotypes.names.size(), {});
  if (settings.adjust)
    for (const auto& name : phenotypes.names) summary.adjusted_files.push_back(fmt::format("{}.{}.adjusted.tsv.gz", out_prefix, name));
  parallel_for(phenotypes.names.size(), 1, [&](std::size_t begin, std::size_t end) {
    for (std::size_t p = begin; p < end; ++p) {
      std::vector<double> log_p = store.log_p(p);
      summary.tests[p] = static_cast<std::uint64_t>(std::count_if(log_p.begin(), log_p.end(), [](double v) { return !std::isnan(v); }));
      const std::vector<std::uint8_t> bins = store.classes(p);
      for (std::size_t bin = 0; bin < kFrequencyBins; ++bin) {
        std::vector<double> in_bin;
        for (std::size_t v = 0; v < log_p.size(); ++v)
          if (bins[v] == bin) in_bin.push_back(log_p[v]);
        summary.lambda_gc_by_frequency[p][bin] = genomic_inflation(in_bin);
      }
      if (!settings.adjust) {
        summary.lambda_gc[p] = genomic_inflation(log_p);  // reorders them
        continue;
      }
      std::vector<double> reordered = log_p;
      summary.lambda_gc[p] = genomic_inflation(reordered);
      const double lambda = settings.adjust_lambda > 0 ? settings.adjust_lambda : std::max(1.0, summary.lambda_gc[p]);
      store.write_adjusted(log_p, summary.adjusted_files[p], lambda, filtered ? log_p_filter : std::numeric_limits<double>::infinity(),
                           settings.adjust_from_gc);
    }
  });
  write_run_summary(out_prefix + ".summary.tsv", phenotypes, metadata, summary);
  // One order for every file: one warning.
  if (!writers.empty() && !writers[0]->sorted()) {
    log_warning(fmt::format("{}{}: variants are not sorted by chromosome and position as written (GWAS-SSF codes X and XY "
                            "both 23), so no tabix index was built; is_sorted is false in the -meta.yaml",
                            summary.files[0], writers.size() > 1 ? fmt::format(" and the {} other files", writers.size() - 1) : std::string()));
  }
  return summary;
}

}  // namespace kohort::assoc
