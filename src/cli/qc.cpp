// `kohort qc`: per-variant and per-sample genotype QC equal to plink2 --freq --missing --hardy,
// and filters (--maf --mac --geno --hwe --mach-r2-filter --mind) that write keep/extract lists
// plink2 accepts.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/variant_filters.h"
#include "core/error.h"
#include "core/log.h"
#include "core/output.h"
#include "core/parallel.h"
#include "genotype/open.h"
#include "genotype/qc.h"
#include "genotype/selection.h"

namespace kohort::cli {
namespace {

struct QcOptions {
  genotype::InputFiles input;
  std::vector<std::string> keep, remove, extract, exclude;
  genotype::VariantRange range;
  std::string out;
  bool hwe_midp = false;
  genotype::VariantFilters filters;
  double mind = -1;
};

// Shortest round-trip text for a ratio; NA when undefined.
std::string number(double x) { return std::isnan(x) ? std::string("NA") : fmt::format("{}", x); }

// A p-value from its natural log: ordinary doubles as such, smaller ones as mantissa and exponent.
std::string p_value(double ln_p) {
  if (std::isnan(ln_p)) return "NA";
  if (ln_p > -700) return fmt::format("{}", std::exp(ln_p));
  if (std::isinf(ln_p)) return "0";
  const double log10_p = ln_p / std::log(10.0);
  const double exponent = std::floor(log10_p);
  return fmt::format("{:.6f}e{}", std::pow(10.0, log10_p - exponent), static_cast<long long>(exponent));
}

void run_qc(const QcOptions& options) {
  auto source = genotype::open_genotypes(options.input);
  source->select_samples(genotype::select_samples(source->file_samples(), options.keep, options.remove));
  source->select_variants(genotype::select_variants(source->file_variants(), options.extract, options.exclude,
                                                      options.range));
  if (source->sample_count() == 0) throw InputError("no samples left after --keep/--remove");
  log_info(fmt::format("{}: {} of {} samples, {} of {} variants", source->path(), source->sample_count(),
                       source->file_samples().size(), source->variant_count(), source->file_variants().size()));
  const auto qc = genotype::compute_qc(*source, options.hwe_midp);

  const bool variant_filters = options.filters.any();
  OutputFile variants_out(options.out + ".vqc.tsv");
  std::unique_ptr<OutputFile> extract_out;
  if (variant_filters) extract_out = std::make_unique<OutputFile>(options.out + ".extract");
  const std::size_t n = source->sample_count();
  const std::size_t m = qc.variants.size();
  auto frequency = [&](const genotype::VariantQc& q) { return q.alleles > 0 ? q.alt_alleles / q.alleles : NAN; };
  // Lines are formatted in parallel chunks and written in order (the same bytes at any thread count).
  constexpr std::size_t kChunk = 4096;
  std::vector<std::string> chunks((m + kChunk - 1) / kChunk);
  parallel_for(m, kChunk, [&](std::size_t begin, std::size_t end) {
    std::string& text = chunks[begin / kChunk];
    for (std::size_t v = begin; v < end; ++v) {
      const auto& q = qc.variants[v];
      const auto& variant = source->variant(v);
      const double freq = frequency(q);
      // O_HET and E_HET describe the genotypes Hardy-Weinberg is tested on (chrX: females).
      const double hwe_observed = double(q.hwe_hom_ref) + q.hwe_het + q.hwe_hom_alt;
      const double hwe_freq = hwe_observed > 0 ? (q.hwe_het + 2.0 * q.hwe_hom_alt) / (2 * hwe_observed) : NAN;
      const bool tested = !std::isnan(q.hwe_ln_p);
      fmt::format_to(std::back_inserter(text), "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                     variant.chrom, variant.pos, variant.id, variant.ref, variant.alt, q.hom_ref, q.het, q.hom_alt,
                     q.missing, q.observed(), q.alt_alleles, q.alleles, number(freq),
                     number(q.missing + q.observed() > 0 ? double(q.missing) / double(q.missing + q.observed()) : NAN),
                     number(tested && hwe_observed > 0 ? q.hwe_het / hwe_observed : NAN),
                     number(tested ? 2 * hwe_freq * (1 - hwe_freq) : NAN), p_value(q.hwe_ln_p), number(q.mach_r2));
    }
  });
  variants_out.write(
      "#CHROM\tPOS\tID\tREF\tALT\tHOM_REF_CT\tHET_CT\tHOM_ALT_CT\tMISSING_CT\tOBS_CT\tALT_CT\tALLELE_OBS_CT"
      "\tALT_FREQ\tF_MISS\tO_HET\tE_HET\tP_HWE\tMACH_R2\n");
  for (const auto& text : chunks) variants_out.write(text);
  chunks.clear();

  std::size_t kept_variants = 0;
  if (extract_out) {
    std::string buffer;
    for (std::size_t v = 0; v < m; ++v) {
      const bool pass = genotype::passes(qc.variants[v], options.filters);
      if (pass) {
        buffer += source->variant(v).id;
        buffer += '\n';
        ++kept_variants;
      }
    }
    extract_out->write(buffer);
  }

  // VCF and BGEN samples have no family ID: their lists are IID-only, as plink2 reads them.
  bool with_fid = false;
  for (std::size_t s = 0; s < source->sample_count() && !with_fid; ++s) with_fid = !source->sample(s).fid.empty();
  OutputFile samples_out(options.out + ".sqc.tsv");
  std::unique_ptr<OutputFile> keep_out;
  if (options.mind >= 0) {
    keep_out = std::make_unique<OutputFile>(options.out + ".keep");
    keep_out->write(with_fid ? "#FID\tIID\n" : "#IID\n");
  }
  std::string buffer = with_fid ? "#FID\tIID" : "#IID";
  buffer += "\tMISSING_CT\tOBS_CT\tF_MISS\tHET_CT\tF_HET\n";
  std::size_t kept_samples = 0;
  for (std::size_t s = 0; s < qc.samples.size(); ++s) {
    const auto& q = qc.samples[s];
    const auto& sample = source->sample(s);
    const double f_miss = q.variants > 0 ? double(q.missing) / double(q.variants) : NAN;
    if (with_fid) buffer += sample.fid + "\t";
    fmt::format_to(std::back_inserter(buffer), "{}\t{}\t{}\t{}\t{}\t{}\n", sample.iid, q.missing,
                   q.observed, number(f_miss), q.het, number(q.observed > 0 ? double(q.het) / q.observed : NAN));
    if (keep_out && !(f_miss > options.mind)) {
      keep_out->write(with_fid ? sample.fid + "\t" + sample.iid + "\n" : sample.iid + "\n");
      ++kept_samples;
    }
  }
  samples_out.write(buffer);

  variants_out.commit();
  samples_out.commit();
  if (extract_out) {
    extract_out->commit();
    log_info(fmt::format("{} of {} variants pass the variant filters: {}", kept_variants, m,
                         extract_out->path().string()));
  }
  if (keep_out) {
    keep_out->commit();
    log_info(fmt::format("{} of {} samples pass --mind: {}", kept_samples, n, keep_out->path().string()));
  }
  log_info(fmt::format("wrote {}.vqc.tsv and {}.sqc.tsv", options.out, options.out));
}

const Subcommand qc_command{
    "qc", "Genotype QC: allele frequencies, missingness, Hardy-Weinberg, filter lists (as plink2)", 30,
    [](CLI::App& app) {
      auto options = std::make_shared<QcOptions>();
      auto* bfile = app.add_option("--bfile", options->input.bfile, "PLINK 1 fileset prefix (.bed/.bim/.fam)");
      auto* vcf = app.add_option("--vcf", options->input.vcf, "VCF or BCF file (plain, bgzip)");
      auto* bgen = app.add_option("--bgen", options->input.bgen, "BGEN v1.2/1.3 file");
      app.add_option("--sample", options->input.sample, "Sample file for --bgen (else the BGEN's own ids)");
      bfile->excludes(vcf)->excludes(bgen);
      vcf->excludes(bgen);
      app.add_option("--vcf-dosage", options->input.vcf_dosage, "VCF FORMAT field for dosages: DS or GP (allele counts and MACH_R2 use them; genotype counts, missingness and HWE the GT)");
      app.add_option("--multiallelic", options->input.multiallelic,
                     "Multi-allelic VCF records: skip (reported) or split (one variant per ALT)")
          ->check(CLI::IsMember({"skip", "split"}));
      app.add_option("--keep", options->keep, "Keep only samples listed (FID IID or IID per line)");
      app.add_option("--remove", options->remove, "Remove samples listed");
      app.add_option("--extract", options->extract, "Keep only variants whose ID is listed");
      app.add_option("--exclude", options->exclude, "Remove variants whose ID is listed");
      app.add_option("--chr", options->range.chromosomes, "Only these chromosomes (comma-separated)")
          ->delimiter(',');
      app.add_option("--from-bp", options->range.from_bp, "With one --chr: only positions >= this")
          ->check(CLI::NonNegativeNumber);
      app.add_option("--to-bp", options->range.to_bp, "With one --chr: only positions <= this")
          ->check(CLI::NonNegativeNumber);
      app.add_option("--out", options->out, "Output prefix: PREFIX.vqc.tsv, PREFIX.sqc.tsv (+ .extract/.keep)")
          ->required();
      app.add_flag("--hwe-midp", options->hwe_midp, "Report Hardy-Weinberg mid-p values (plink2 --hardy midp)");
      app.add_option("--maf", options->filters.maf, "Filter: keep variants with minor allele frequency >= X")
          ->check(CLI::Range(0.0, 0.5));
      app.add_option("--mac", options->filters.mac, "Filter: keep variants with minor allele count >= X")
          ->check(CLI::NonNegativeNumber);
      app.add_option("--geno", options->filters.geno, "Filter: keep variants with missing rate <= X")
          ->check(CLI::Range(0.0, 1.0));
      app.add_option("--hwe", options->filters.hwe, "Filter: keep variants with HWE exact p >= X")
          ->check(CLI::Range(0.0, 1.0));
      auto mach_r2_filter = add_mach_r2_filter(app, options->filters);
      app.add_option("--mind", options->mind, "Filter: keep samples with missing rate <= X (writes PREFIX.keep)")
          ->check(CLI::Range(0.0, 1.0));
      app.footer(
          "Example:\n"
          "  kohort qc --bfile EUR_subset --maf 0.01 --geno 0.05 --hwe 1e-6 --mind 0.05 --out eur\n"
          "  plink2 --bfile EUR_subset --keep eur.keep --extract eur.extract --make-bed --out eur_clean");
      return [options, mach_r2_filter] {
        mach_r2_filter();
        if (options->input.bfile.empty() && options->input.vcf.empty() && options->input.bgen.empty()) {
          throw InputError("kohort qc needs an input: --bfile PREFIX, --vcf FILE or --bgen FILE");
        }
        run_qc(*options);
      };
    }};

}  // namespace
}  // namespace kohort::cli
