// `kohort gwas`: association of many phenotypes with every variant, written as GWAS-SSF.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <memory>

#include "assoc/gwas.h"
#include "assoc/sample_table.h"
#include "cli/command.h"
#include "core/error.h"
#include "core/log.h"
#include "genotype/plink.h"

namespace kohort::cli {
namespace {

struct GwasArguments {
  std::string bfile, keep, remove, extract, exclude;
  std::string pheno, covar, out;
  std::vector<std::string> pheno_columns, covar_columns;
  std::string pheno_type = "auto", binary_test = "score", missing = "mean";
  double firth_threshold = 0.05, spa_cutoff = 2.0;
  bool no_spa = false;
  std::size_t block_size = 1024;
  std::string genome_assembly = "unknown";
};

void run(const GwasArguments& a) {
  genotype::Selection selection;
  if (!a.keep.empty()) selection.keep = genotype::read_sample_list(a.keep);
  if (!a.remove.empty()) selection.remove = genotype::read_sample_list(a.remove);
  if (!a.extract.empty()) selection.extract = genotype::read_variant_list(a.extract);
  if (!a.exclude.empty()) selection.exclude = genotype::read_variant_list(a.exclude);
  genotype::BedReader reader(a.bfile, selection);
  log_info(fmt::format("{}: {} samples, {} variants selected", a.bfile, reader.sample_ids().size(), reader.variant_count()));

  assoc::TraitType type = a.pheno_type == "quantitative" ? assoc::TraitType::quantitative
                          : a.pheno_type == "binary"     ? assoc::TraitType::binary
                                                         : assoc::TraitType::automatic;
  assoc::PhenotypeSet phenotypes = assoc::read_phenotypes(a.pheno, a.pheno_columns, reader.sample_ids(), type);
  Eigen::MatrixXd covariates(static_cast<Eigen::Index>(reader.sample_ids().size()), 0);
  if (!a.covar.empty()) {
    assoc::SampleTable table(a.covar);
    std::vector<std::string> names;
    covariates = assoc::covariate_matrix(table, a.covar_columns.empty() ? table.columns() : a.covar_columns, reader.sample_ids(), names);
    log_info(fmt::format("covariates: {}", fmt::join(names, ", ")));
  }

  assoc::GwasSettings settings;
  settings.missing = a.missing == "exclude" ? assoc::MissingGenotypes::exclude : assoc::MissingGenotypes::mean_impute;
  settings.binary.test = a.binary_test == "wald" ? assoc::BinaryTest::wald : a.binary_test == "firth" ? assoc::BinaryTest::firth : assoc::BinaryTest::score;
  settings.binary.spa = !a.no_spa;
  settings.binary.spa_cutoff = a.spa_cutoff;
  settings.binary.firth_threshold = a.firth_threshold;
  settings.block_size = a.block_size;
  settings.genome_assembly = a.genome_assembly;
  std::filesystem::path prefix(a.out);
  if (prefix.has_parent_path()) std::filesystem::create_directories(prefix.parent_path());
  assoc::GwasSummary summary = assoc::run_gwas(reader, phenotypes, covariates, settings, a.out);
  for (std::size_t p = 0; p < summary.files.size(); ++p) {
    fmt::print("{}\t{} variants\t{} with p < 5e-8\n", summary.files[p], summary.variants, summary.significant[p]);
  }
}

const Subcommand gwas_command{
    "gwas", "Genome-wide association: linear and logistic (score + SPA, Firth) for many phenotypes, GWAS-SSF output", 40,
    [](CLI::App& app) {
      auto a = std::make_shared<GwasArguments>();
      app.add_option("--bfile", a->bfile, "PLINK 1 fileset prefix (.bed/.bim/.fam)")->required();
      app.add_option("--keep", a->keep, "Samples to keep (FID IID or IID per line)")->check(CLI::ExistingFile);
      app.add_option("--remove", a->remove, "Samples to remove")->check(CLI::ExistingFile);
      app.add_option("--extract", a->extract, "Variant ids to keep, one per line")->check(CLI::ExistingFile);
      app.add_option("--exclude", a->exclude, "Variant ids to drop")->check(CLI::ExistingFile);
      app.add_option("--pheno", a->pheno, "Phenotype file: FID IID ... (PLINK) or a TSV whose first column is the sample id")
          ->required()->check(CLI::ExistingFile);
      app.add_option("--pheno-col", a->pheno_columns, "Phenotype columns (default: all)")->delimiter(',');
      app.add_option("--pheno-type", a->pheno_type, "auto: 0/1 or 1/2 columns are binary")
          ->check(CLI::IsMember({"auto", "quantitative", "binary"}))->capture_default_str();
      app.add_option("--covar", a->covar, "Covariate file (same layouts); text columns become indicators")->check(CLI::ExistingFile);
      app.add_option("--covar-col", a->covar_columns, "Covariate columns (default: all)")->delimiter(',');
      app.add_option("--binary-test", a->binary_test, "score: score test + SPA + Firth below the threshold; wald: logistic per variant (plink2); firth")
          ->check(CLI::IsMember({"score", "wald", "firth"}))->capture_default_str();
      app.add_option("--firth-threshold", a->firth_threshold, "Score-test p below which Firth regression is fitted (0: never)")->capture_default_str();
      app.add_flag("--no-spa", a->no_spa, "Normal approximation for the score test, no saddlepoint approximation");
      app.add_option("--spa-cutoff", a->spa_cutoff, "|z| above which the saddlepoint approximation is used")->capture_default_str();
      app.add_option("--missing-genotypes", a->missing, "mean: impute the mean; exclude: drop the sample per variant (as plink2)")
          ->check(CLI::IsMember({"mean", "exclude"}))->capture_default_str();
      app.add_option("--block-size", a->block_size, "Variants per block")->capture_default_str()->check(CLI::Range(1, 1 << 20));
      app.add_option("--genome-assembly", a->genome_assembly, "For the -meta.yaml, e.g. GRCh38")->capture_default_str();
      app.add_option("--out", a->out, "Output prefix: writes PREFIX.<phenotype>.tsv.gz, .tbi and -meta.yaml")->required();
      app.footer(R"(Example:
  kohort simulate --persons 20000 --variants 20000 --out demo/population
  kohort gwas --bfile demo/population/genotypes --pheno demo/pheno.tsv --pheno-col t2d,chd \
      --covar demo/covar.tsv --covar-col age,sex --out demo/gwas/run)");
      return [a] { run(*a); };
    }};

}  // namespace
}  // namespace kohort::cli
