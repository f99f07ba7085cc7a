// `kohort gwas`: association of many phenotypes with every variant, written as GWAS-SSF.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <limits>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_map>
#include <memory>

#include "assoc/gwas.h"
#include "assoc/quantile_normalize.h"
#include "assoc/sample_table.h"
#include "cli/command.h"
#include "cli/variant_filters.h"
#include "core/error.h"
#include "core/log.h"
#include "genotype/open.h"
#include "genotype/qc.h"
#include "genotype/selection.h"
#include "genotype/sex_chromosomes.h"

namespace kohort::cli {
namespace {

struct GwasArguments {
  std::string bfile, vcf, bgen, sample, keep, remove, extract, exclude;
  std::string pheno, covar, out, sex, sex_column, condition, condition_list;
  std::vector<std::string> pheno_columns, covar_columns;
  std::string pheno_type = "auto", binary_test = "score", missing = "mean";
  double firth_threshold = 0.05, spa_cutoff = 2.0;
  bool no_spa = false, no_x_sex = false, firth_approx = false;
  int xchr_model = 2;
  std::string genetic_model = "additive";
  std::string condition_model = "additive";  // how --condition's dosages are coded (plink2 --condition ... dominant)
  double confidence_level = 0;  // --ci; 0: none
  bool case_control_frequencies = false;  // --af-cc
  double p_filter = 1;          // --pfilter; 1: every row
  bool adjust = false;          // --adjust: the adjusted tables
  std::vector<std::string> adjust_modifiers;  // --adjust's: gc
  double lambda = std::numeric_limits<double>::quiet_NaN();  // --lambda; NaN: lambda_GC
  std::size_t block_size = 4096;
  std::size_t memory_mib = 0;
  std::string genome_assembly = "unknown";
  genotype::VariantRange range;
  genotype::VariantFilters filters;
  bool hwe_midp = false;
  bool quantile_normalize = false;
};

// Keeps the selected variants that pass `filters`, counted over the selected samples (as plink2
// applies --maf --mac --geno --hwe before --glm: every sample kept, with or without a phenotype),
// with `sexes` (from --sex; empty: the genotype file's) on the sex chromosomes.
void filter_variants(genotype::GenotypeSource& source, const genotype::VariantFilters& filters, bool hwe_midp,
                     const std::vector<genotype::Sex>& sexes) {
  const genotype::QcResult qc = genotype::compute_qc(source, hwe_midp, sexes);
  std::vector<std::uint32_t> kept;
  for (std::size_t v = 0; v < qc.variants.size(); ++v)
    if (genotype::passes(qc.variants[v], filters)) kept.push_back(source.file_variant_index(v));
  log_info(fmt::format("{}: {} of {} variants pass the variant filters", source.path(), kept.size(), source.variant_count()));
  if (kept.empty()) throw InputError(source.path(), "no variants pass the variant filters (--maf, --mac, --geno, --hwe, --mach-r2-filter)");
  source.select_variants(std::move(kept));
}

// Leaves out the chrX variants (plink2 --xchr-model 0 writes no rows for them; XY, the
// pseudo-autosomal regions, stays).
void skip_chromosome_x(genotype::GenotypeSource& source) {
  std::vector<std::uint32_t> kept;
  for (std::size_t v = 0; v < source.variant_count(); ++v)
    if (genotype::chromosome_kind(source.variant(v).chrom) != genotype::ChromosomeKind::x) kept.push_back(source.file_variant_index(v));
  log_info(fmt::format("{}: {} chrX variants skipped (--xchr-model 0)", source.path(), source.variant_count() - kept.size()));
  if (kept.empty()) throw InputError(source.path(), "every selected variant is on chrX, which --xchr-model 0 skips");
  source.select_variants(std::move(kept));
}

// The ids that --condition and --condition-list name, in that order (the list: the first field of
// each non-empty line), each once.
std::vector<std::string> condition_ids(const std::string& condition, const std::string& list) {
  std::vector<std::string> ids;
  if (!condition.empty()) ids.push_back(condition);
  if (!list.empty()) {
    std::ifstream in(list);
    if (!in) throw InputError(list, "cannot open the --condition-list file");
    std::string line;
    for (std::size_t number = 1; std::getline(in, line); ++number) {
      std::istringstream fields(line);
      std::string id;
      if (!(fields >> id)) continue;
      if (std::find(ids.begin(), ids.end(), id) != ids.end())
        throw InputError(list, number, fmt::format("variant '{}' is named twice; expected each conditioning variant once", id));
      ids.push_back(id);
    }
    if (ids.empty()) throw InputError(list, "no variant ids; expected one per line");
  }
  return ids;
}

// Adds the ALT dosages of the `ids` variants as covariates named by their ids (plink2
// --condition): looked up among every variant of the file, whatever --extract, --chr or the
// filters select, so that a lead variant conditions a region it lies outside of. A missing call
// leaves the sample out, as any missing covariate does. `model` codes the dosage d as the tested
// variants' --genetic-model does (dominant min(d, 1), recessive max(d - 1, 0)) but on its own, as
// plink2's --condition modifiers: the conditioning variant's coding need not be the scan's.
void add_condition_covariates(genotype::GenotypeSource& source, const std::vector<std::string>& ids, const std::string& named_in,
                              assoc::GeneticModel model, Eigen::MatrixXd& covariates, std::vector<std::string>& names) {
  std::unordered_map<std::string, std::uint32_t> index;
  for (const auto& id : ids) index.emplace(id, UINT32_MAX);
  const auto& variants = source.file_variants();
  for (std::size_t v = 0; v < variants.size(); ++v) {
    auto it = index.find(variants[v].id);
    if (it == index.end()) continue;
    if (it->second != UINT32_MAX)
      throw InputError(source.path(), fmt::format("variant id '{}' ({}) names more than one variant; a conditioning variant needs a unique id",
                                                  variants[v].id, named_in));
    it->second = static_cast<std::uint32_t>(v);
  }
  std::vector<std::uint32_t> wanted;
  for (const auto& id : ids) {
    const std::uint32_t v = index.at(id);
    if (v == UINT32_MAX) throw InputError(named_in, fmt::format("conditioning variant '{}' is not in {}", id, source.path()));
    wanted.push_back(v);
  }
  const auto n = static_cast<Eigen::Index>(source.sample_count());
  const Eigen::Index first = covariates.cols();
  covariates.conservativeResize(n, first + static_cast<Eigen::Index>(ids.size()));
  genotype::DosageOptions raw;
  raw.mean_impute = false;  // a missing call is a missing covariate
  for (std::size_t c = 0; c < ids.size(); ++c) {
    auto column = covariates.col(first + static_cast<Eigen::Index>(c));
    source.read_file_variant_dosages(wanted[c], column.data(), raw);
    assoc::recode_dosages(model, column.data(), static_cast<std::size_t>(n));
    names.push_back(ids[c]);
  }
  const char* model_name = model == assoc::GeneticModel::dominant ? "dominant" : model == assoc::GeneticModel::recessive ? "recessive" : "additive";
  log_info(fmt::format("conditioning on {} variant{} ({}): {}", ids.size(), ids.size() > 1 ? "s" : "", model_name, fmt::join(ids, ", ")));
}

// Sex per genotype sample from a sample table's `column` (default: the column named SEX, any case,
// or the file's only column): 1/M/male, 2/F/female; 0, -9 and missing values are unknown.
std::vector<genotype::Sex> read_sexes(const std::string& path, std::string column, const std::vector<std::string>& sample_ids) {
  assoc::SampleTable table(path);
  if (column.empty()) {
    for (const auto& name : table.columns()) {
      std::string lower = name;
      for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower == "sex") column = name;
    }
    if (column.empty() && table.columns().size() == 1) column = table.columns()[0];
    if (column.empty()) throw InputError(path, "no column named SEX; name the column with --sex-col");
  }
  const std::vector<std::string> values = table.text(table.column_index(column), sample_ids);
  std::vector<genotype::Sex> sexes;
  std::size_t known = 0;
  for (std::size_t s = 0; s < values.size(); ++s) {
    const std::string& value = values[s];
    const genotype::Sex sex = genotype::parse_sex(value);
    if (sex == genotype::Sex::unknown && !value.empty() && value != "0" && value != "-9" && !assoc::is_missing_value(value)) {
      throw InputError(path, fmt::format("sample '{}': sex '{}'; expected 1 or M (male), 2 or F (female), 0 or NA (unknown)",
                                         sample_ids[s], value));
    }
    known += sex != genotype::Sex::unknown;
    sexes.push_back(sex);
  }
  log_info(fmt::format("{}: sex known for {} of {} samples", path, known, sexes.size()));
  return sexes;
}

// The model a --genetic-model or --condition-model value names (CLI has checked it).
assoc::GeneticModel genetic_model(const std::string& name) {
  return name == "dominant" ? assoc::GeneticModel::dominant : name == "recessive" ? assoc::GeneticModel::recessive : assoc::GeneticModel::additive;
}

void run(const GwasArguments& a) {
  if (a.xchr_model == 1 && a.genetic_model != "additive")
    throw InputError(fmt::format("--genetic-model {} does not combine with --xchr-model 1 (males coded 0/1)", a.genetic_model));
  if (a.condition_model != "additive" && a.condition.empty() && a.condition_list.empty())
    throw InputError(fmt::format("--condition-model {} codes conditioning variants, but none is named; add --condition or --condition-list",
                                 a.condition_model));
  if (a.firth_approx && a.binary_test != "score")
    throw InputError(fmt::format("--firth-approx approximates the Firth fits of --binary-test score, not of --binary-test {}", a.binary_test));
  if (!(a.p_filter > 0 && a.p_filter <= 1))
    throw InputError(fmt::format("--pfilter {}: expected a p-value threshold in (0, 1], e.g. 1e-5", a.p_filter));
  const bool lambda_given = !std::isnan(a.lambda);
  if (lambda_given && !a.adjust) throw InputError(fmt::format("--lambda {} sets the genomic control of --adjust; add --adjust", a.lambda));
  if (lambda_given && !(a.lambda > 0 && std::isfinite(a.lambda)))
    throw InputError(fmt::format("--lambda {}: expected a genomic inflation factor above 0, e.g. 1.05", a.lambda));
  if (a.confidence_level != 0 && !(a.confidence_level > 0 && a.confidence_level < 1))
    throw InputError(fmt::format("--ci {}: expected a confidence level between 0 and 1 (exclusive), e.g. 0.95", a.confidence_level));
  genotype::InputFiles inputs;
  inputs.bfile = a.bfile;
  inputs.vcf = a.vcf;
  inputs.bgen = a.bgen;
  inputs.sample = a.sample;
  auto source = genotype::open_genotypes(inputs);
  auto keep = a.keep.empty() ? std::vector<std::string>{} : std::vector<std::string>{a.keep};
  auto remove = a.remove.empty() ? std::vector<std::string>{} : std::vector<std::string>{a.remove};
  auto extract = a.extract.empty() ? std::vector<std::string>{} : std::vector<std::string>{a.extract};
  auto exclude = a.exclude.empty() ? std::vector<std::string>{} : std::vector<std::string>{a.exclude};
  source->select_samples(genotype::select_samples(source->file_samples(), keep, remove));
  source->select_variants(genotype::select_variants(source->file_variants(), extract, exclude, a.range));
  // Named by the filter file that left nothing (or the genotypes, when none was given).
  auto named = [&](const std::string& first, const std::string& second) {
    return !first.empty() ? first : !second.empty() ? second : source->path();
  };
  if (source->sample_count() == 0) throw InputError(named(a.keep, a.remove), "no genotyped samples left after --keep/--remove");
  if (source->variant_count() == 0)
    throw InputError(named(a.extract, a.exclude), "no variants left after --extract/--exclude/--chr/--from-bp/--to-bp");
  std::vector<std::string> sample_ids;
  for (std::size_t s = 0; s < source->sample_count(); ++s) sample_ids.push_back(source->sample(s).iid);
  assoc::GwasSettings settings;
  if (!a.sex.empty()) settings.sexes = read_sexes(a.sex, a.sex_column, sample_ids);
  if (a.xchr_model == 0) skip_chromosome_x(*source);
  if (a.filters.any()) filter_variants(*source, a.filters, a.hwe_midp, settings.sexes);
  log_info(fmt::format("{}: {} samples, {} variants selected", source->path(), sample_ids.size(), source->variant_count()));

  assoc::TraitType type = a.pheno_type == "quantitative" ? assoc::TraitType::quantitative
                          : a.pheno_type == "binary"     ? assoc::TraitType::binary
                                                         : assoc::TraitType::automatic;
  assoc::PhenotypeSet phenotypes = assoc::read_phenotypes(a.pheno, a.pheno_columns, sample_ids, type);
  if (a.quantile_normalize) {
    // Over the samples with the phenotype, as plink2 does before it leaves out samples without covariates.
    for (std::size_t p = 0; p < phenotypes.names.size(); ++p)
      if (!phenotypes.binary[p]) assoc::quantile_normalize(phenotypes.values.col(static_cast<Eigen::Index>(p)));
  }
  Eigen::MatrixXd covariates(static_cast<Eigen::Index>(sample_ids.size()), 0);
  if (!a.covar.empty()) {
    assoc::SampleTable table(a.covar);
    covariates = assoc::covariate_matrix(table, table.select_columns(a.covar_columns, "--covar-col"), sample_ids,
                                         settings.covariate_names);
    log_info(fmt::format("covariates: {}", fmt::join(settings.covariate_names, ", ")));
  }

  if (!a.condition.empty() || !a.condition_list.empty()) {
    const std::string named_in = !a.condition_list.empty() ? a.condition_list : std::string("--condition");
    add_condition_covariates(*source, condition_ids(a.condition, a.condition_list), named_in, genetic_model(a.condition_model), covariates,
                             settings.covariate_names);
    assoc::check_covariates(covariates, settings.covariate_names, named_in);
  }
  settings.confidence_level = a.confidence_level;
  settings.case_control_frequencies = a.case_control_frequencies;
  settings.p_filter = a.p_filter;
  settings.adjust = a.adjust;
  settings.adjust_from_gc = std::find(a.adjust_modifiers.begin(), a.adjust_modifiers.end(), "gc") != a.adjust_modifiers.end();
  settings.adjust_lambda = lambda_given ? a.lambda : 0;
  if (lambda_given && a.lambda < 1) {
    log_warning(fmt::format("--lambda {} is below 1: the genomic control divides by 1 instead (as plink2 does), never inflating a test", a.lambda));
    settings.adjust_lambda = 1;
  }
  settings.x_sex = !a.no_x_sex;
  settings.male_x_haploid = a.xchr_model == 1;
  settings.genetic_model = genetic_model(a.genetic_model);
  settings.missing = a.missing == "exclude" ? assoc::MissingGenotypes::exclude : assoc::MissingGenotypes::mean_impute;
  settings.binary.test = a.binary_test == "wald" ? assoc::BinaryTest::wald : a.binary_test == "firth" ? assoc::BinaryTest::firth : assoc::BinaryTest::score;
  settings.binary.spa = !a.no_spa;
  settings.binary.spa_cutoff = a.spa_cutoff;
  settings.binary.firth_threshold = a.firth_threshold;
  settings.binary.firth_approx = a.firth_approx;
  settings.block_size = a.block_size;
  settings.table_memory = a.memory_mib << 20;
  settings.genome_assembly = a.genome_assembly;
  std::filesystem::path prefix(a.out);
  if (prefix.has_parent_path()) std::filesystem::create_directories(prefix.parent_path());
  assoc::GwasSummary summary = assoc::run_gwas(*source, phenotypes, covariates, settings, a.out);
  for (std::size_t p = 0; p < summary.files.size(); ++p) {
    fmt::print("{}\t{} variants\t{} with p < 5e-8\tlambda_GC {}\n", summary.files[p], summary.variants, summary.significant[p],
               std::isnan(summary.lambda_gc[p]) ? std::string("NA") : fmt::format("{:.6g}", summary.lambda_gc[p]));
  }
  for (const std::string& adjusted : summary.adjusted_files) fmt::print("{}\n", adjusted);
}

const Subcommand gwas_command{
    "gwas", "Genome-wide association: linear and logistic (score + SPA, Firth) for many phenotypes, GWAS-SSF output", 40,
    [](CLI::App& app) {
      auto a = std::make_shared<GwasArguments>();
      auto* bfile = app.add_option("--bfile", a->bfile, "PLINK 1 fileset prefix (.bed/.bim/.fam)");
      auto* vcf = app.add_option("--vcf", a->vcf, "VCF or BCF file (GT, or DS when present)");
      auto* bgen = app.add_option("--bgen", a->bgen, "BGEN v1.2/1.3 file (with --sample)");
      app.add_option("--sample", a->sample, "The .sample file of a BGEN");
      bfile->excludes(vcf)->excludes(bgen);
      vcf->excludes(bgen);
      app.add_option("--keep", a->keep, "Samples to keep (FID IID or IID per line)")->check(CLI::ExistingFile);
      app.add_option("--remove", a->remove, "Samples to remove")->check(CLI::ExistingFile);
      app.add_option("--extract", a->extract, "Variant ids to keep, one per line")->check(CLI::ExistingFile);
      app.add_option("--exclude", a->exclude, "Variant ids to drop")->check(CLI::ExistingFile);
      app.add_option("--chr", a->range.chromosomes, "Only these chromosomes (comma-separated)")->delimiter(',');
      app.add_option("--from-bp", a->range.from_bp, "With one --chr: only positions >= this")->check(CLI::NonNegativeNumber);
      app.add_option("--to-bp", a->range.to_bp, "With one --chr: only positions <= this")->check(CLI::NonNegativeNumber);
      app.add_option("--maf", a->filters.maf, "Test only variants with minor allele frequency >= X among the kept samples")
          ->check(CLI::Range(0.0, 0.5));
      app.add_option("--mac", a->filters.mac, "Test only variants with minor allele count >= X")->check(CLI::NonNegativeNumber);
      app.add_option("--geno", a->filters.geno, "Test only variants with missing call rate <= X")->check(CLI::Range(0.0, 1.0));
      app.add_option("--hwe", a->filters.hwe, "Test only variants with Hardy-Weinberg exact p >= X")->check(CLI::Range(0.0, 1.0));
      app.add_flag("--hwe-midp", a->hwe_midp, "--hwe compares the mid-p (plink2 --hwe midp)");
      auto mach_r2_filter = add_mach_r2_filter(app, a->filters);
      app.add_option("--pheno", a->pheno, "Phenotype file: FID IID ... (PLINK) or a TSV whose first column is the sample id")
          ->required()->check(CLI::ExistingFile);
      app.add_option("--pheno-col", a->pheno_columns, "Phenotype columns, or ranges FIRST-LAST in the file's order (default: all)")->delimiter(',');
      app.add_option("--pheno-type", a->pheno_type, "auto: 0/1, 1/2, and 0/1/2 (PLINK: 0 missing) columns are binary")
          ->check(CLI::IsMember({"auto", "quantitative", "binary"}))->capture_default_str();
      app.add_flag("--pheno-quantile-normalize", a->quantile_normalize,
                   "Quantitative phenotypes to the normal quantiles of their ranks (rank-based inverse normal; ties share the mean rank)");
      app.add_option("--covar", a->covar, "Covariate file (same layouts); text columns become indicators")->check(CLI::ExistingFile);
      app.add_option("--covar-col", a->covar_columns, "Covariate columns, or ranges FIRST-LAST in the file's order (default: all)")->delimiter(',');
      app.add_option("--condition", a->condition, "A variant id whose ALT dosage is added as a covariate (plink2 --condition)");
      app.add_option("--condition-list", a->condition_list, "A file of such variant ids, one per line (plink2 --condition-list)")
          ->check(CLI::ExistingFile);
      app.add_option("--condition-model", a->condition_model,
                     "How the conditioning variants' ALT dosage d is coded: additive d; dominant min(d, 1); recessive max(d - 1, 0) "
                     "(plink2 --condition ... dominant/recessive; independent of --genetic-model)")
          ->check(CLI::IsMember({"additive", "dominant", "recessive"}))->capture_default_str();
      app.add_option("--binary-test", a->binary_test, "score: score test + SPA + Firth below the threshold; wald: logistic per variant (plink2); firth")
          ->check(CLI::IsMember({"score", "wald", "firth"}))->capture_default_str();
      app.add_option("--firth-threshold", a->firth_threshold, "Score-test p below which Firth regression is fitted (0: never)")->capture_default_str();
      app.add_flag("--firth-approx", a->firth_approx,
                   "Approximate those Firth fits as REGENIE's --firth --approx: the genotype alone (residualised on the "
                   "covariates), the covariates' effects fixed at the null Firth fit");
      app.add_flag("--no-spa", a->no_spa, "Normal approximation for the score test, no saddlepoint approximation");
      app.add_option("--spa-cutoff", a->spa_cutoff, "|z| above which the saddlepoint approximation is used")->capture_default_str();
      app.add_option("--missing-genotypes", a->missing, "mean: impute the mean; exclude: drop the sample per variant (as plink2)")
          ->check(CLI::IsMember({"mean", "exclude"}))->capture_default_str();
      app.add_option("--sex", a->sex,
                     "Sex of each sample (a file like --pheno with a SEX column: 1/M male, 2/F female), instead of the .fam's or "
                     ".sample's: chrX is tested with sex as a covariate, chrY in males only")
          ->check(CLI::ExistingFile);
      app.add_option("--sex-col", a->sex_column, "The --sex file's column (default: SEX, or its only column)");
      app.add_flag("--no-x-sex", a->no_x_sex, "Test chrX without sex as a covariate, on samples of any sex (plink2 --glm no-x-sex)");
      app.add_option("--genetic-model", a->genetic_model,
                     "How the ALT dosage d is coded: additive d; dominant min(d, 1); recessive max(d - 1, 0) (plink2 --glm dominant/recessive)")
          ->check(CLI::IsMember({"additive", "dominant", "recessive"}))->capture_default_str();
      app.add_option("--xchr-model", a->xchr_model,
                     "chrX as plink2 --xchr-model: 0 skips it; 1 codes males 0/1; 2 codes males 0/2 (sex a covariate with 1 and 2)")
          ->check(CLI::IsMember({0, 1, 2}))->capture_default_str();
      app.add_option("--pfilter", a->p_filter,
                     "Write only the rows with p <= X, and none without a p-value (plink2 --pfilter): a PheWAS's files shrink "
                     "to the associations");
      auto* adjust = app.add_option("--adjust", a->adjust_modifiers,
                                    "Also write PREFIX.<phenotype>.adjusted.tsv.gz: the tests sorted by p, with genomic-control, Bonferroni, "
                                    "Holm, Sidak (single-step, step-down) and FDR (Benjamini-Hochberg, -Yekutieli) adjusted p-values and "
                                    "the expected p of a QQ plot (plink2 --adjust cols=+qq); '--adjust gc' bases the other adjustments on "
                                    "the genomic-control p-values (plink2's gc modifier)")
                         ->expected(0, 1)
                         ->check(CLI::IsMember({"gc"}));
      app.add_option("--lambda", a->lambda,
                     "With --adjust: the genomic control divides the chi-square statistics by this instead of lambda_GC (plink2 --lambda)");
      app.add_option("--ci", a->confidence_level,
                     "Add ci_lower and ci_upper columns at this confidence level, e.g. 0.95: beta -/+ z SE, z the normal quantile "
                     "(plink2 --ci; for binary traits on the log-odds scale)");
      app.add_flag("--af-cc", a->case_control_frequencies,
                   "Binary phenotypes' files get effect_allele_frequency_cases and effect_allele_frequency_controls: the ALT "
                   "allele's frequency among cases and among controls with a call (plink2 --glm cols=+a1freqcc, REGENIE --af-cc)");
      app.add_option("--block-size", a->block_size, "Variants per block")->capture_default_str()->check(CLI::Range(1, 1 << 20));
      app.add_option("--memory", a->memory_mib,
                     "MiB the products tables of .bed input may hold at once (default: half of the machine's memory); "
                     "beyond it they are built for each block in batches, with the same results")
          ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30));
      app.add_option("--genome-assembly", a->genome_assembly, "For the -meta.yaml, e.g. GRCh38")->capture_default_str();
      app.add_option("--out", a->out, "Output prefix: writes PREFIX.<phenotype>.tsv.gz, .tbi and -meta.yaml, and PREFIX.summary.tsv (a line per phenotype)")->required();
      app.footer(R"(Example:
  kohort simulate --persons 20000 --variants 20000 --out demo/population
  kohort gwas --bfile demo/population/genotypes --pheno demo/pheno.tsv --pheno-col t2d,chd \
      --covar demo/covar.tsv --covar-col age,sex --out demo/gwas/run)");
      return [a, mach_r2_filter, adjust] {
        mach_r2_filter();
        a->adjust = adjust->count() > 0;
        run(*a);
      };
    }};

}  // namespace
}  // namespace kohort::cli
