#include "assoc/sumstats.h"

#include <boost/math/distributions/normal.hpp>
#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <stdexcept>
#include <vector>
#include <kohort/version.h>

#include "assoc/pvalue.h"
#include "core/error.h"
#include "core/log.h"
#include "core/number_format.h"
#include "core/output.h"
#include "genotype/sex_chromosomes.h"

namespace kohort::assoc {
namespace {

// BGZF level 1 compresses 4x faster than the default 6, for files about 15% larger: with many
// phenotypes, compression would otherwise take more time than the association tests.
constexpr int kCompressionLevel = 1;

}  // namespace

std::string gwas_ssf_chromosome(const std::string& chromosome) {
  // GWAS-SSF numbers X 23, Y 24 and MT 25; PLINK's 25 is XY, the pseudo-autosomal regions, which
  // lie on X's coordinates, and its 26 is MT.
  switch (genotype::chromosome_kind(chromosome)) {
    case genotype::ChromosomeKind::x:
    case genotype::ChromosomeKind::pseudo_autosomal: return "23";
    case genotype::ChromosomeKind::y: return "24";
    case genotype::ChromosomeKind::mitochondrial: return "25";
    case genotype::ChromosomeKind::autosome: break;
  }
  std::string c = chromosome;
  if (c.size() > 3 && (c.compare(0, 3, "chr") == 0 || c.compare(0, 3, "CHR") == 0 || c.compare(0, 3, "Chr") == 0)) c = c.substr(3);
  return c;
}

SummaryStatisticsWriter::SummaryStatisticsWriter(const std::string& path, const SummaryColumns& columns)
    : path_(path),
      binary_(columns.binary),
      case_control_frequencies_(columns.binary && columns.case_control_frequencies),
      info_column_(columns.info),
      out_(std::make_unique<OutputFile>(path, 1, kCompressionLevel)) {
  if (const double confidence_level = columns.confidence_level; confidence_level != 0) {
    if (!(confidence_level > 0 && confidence_level < 1)) throw std::invalid_argument("confidence level outside (0, 1)");
    ci_z_ = boost::math::quantile(boost::math::normal_distribution<double>(), (1 + confidence_level) / 2);
  }
  out_->keep_md5();  // for the -meta.yaml's data_file_md5sum, without reading the file back
  std::string header =
      "chromosome\tbase_pair_location\teffect_allele\tother_allele\tbeta\tstandard_error\teffect_allele_frequency\tp_value\t"
      "neg_log_10_p_value\tvariant_id\trsid\tn";
  if (binary_) header += "\tn_cases\tn_controls";
  if (case_control_frequencies_) header += "\teffect_allele_frequency_cases\teffect_allele_frequency_controls";
  header += "\ttest\terror";
  if (ci_z_ > 0) header += "\tci_lower\tci_upper";
  if (info_column_) header += "\tinfo";
  header += "\n";
  out_->write(header);
  // As tabix -s1 -b2 -e2 -S1: rows start after the header line.
  TabixColumns tabix_columns;
  tabix_columns.skip_lines = 1;
  index_ = std::make_unique<TabixIndex>(path_, tabix_columns, out_->virtual_offset());
}

SummaryStatisticsWriter::~SummaryStatisticsWriter() = default;

void SummaryStatisticsWriter::drop_index() {
  index_.reset();
  index_pending_ = false;
}

void SummaryStatisticsWriter::push_pending(std::uint64_t offset) {
  if (!index_pending_) return;
  index_->add(pending_chromosome_, pending_.begin, pending_.end, offset);
  index_pending_ = false;
}

VariantColumns variant_columns(const genotype::Variant& variant) {
  VariantColumns columns;
  columns.chromosome = gwas_ssf_chromosome(variant.chrom);
  columns.position = variant.pos;
  columns.head = fmt::format(FMT_COMPILE("{}\t{}\t{}\t{}\t"), columns.chromosome, variant.pos, variant.alt, variant.ref);
  const bool is_rsid = variant.id.size() > 2 && variant.id.compare(0, 2, "rs") == 0 &&
                       variant.id.find_first_not_of("0123456789", 2) == std::string::npos;
  columns.ids = fmt::format(FMT_COMPILE("\t{}_{}_{}_{}\t{}"), columns.chromosome, variant.pos, variant.ref, variant.alt,
                            is_rsid ? std::string_view(variant.id) : std::string_view("NA"));
  return columns;
}

void set_shared_frequency(VariantColumns& columns, double frequency) {
  columns.frequency = std::numeric_limits<double>::quiet_NaN();
  columns.frequency_text.clear();
  if (!std::isfinite(frequency)) return;  // never shared: its text is NA
  char digits[32];
  columns.frequency_text.assign(digits, format_general(frequency, 10, digits));
  columns.frequency = frequency;
}

void SummaryStatisticsWriter::write(const VariantColumns& variant, const VariantResult& result) {
  const std::string& chromosome = variant.chromosome;
  if (chromosome != last_chromosome_) {
    if (seen_chromosomes_.find("|" + chromosome + "|") != std::string::npos) sorted_ = false;
    seen_chromosomes_ += "|" + chromosome + "|";
    last_chromosome_ = chromosome;
  } else if (variant.position < last_position_) {
    sorted_ = false;
  }
  last_position_ = variant.position;
  if (!sorted_) drop_index();

  // Compiled format strings into a stack buffer: with many phenotypes, formatting is a large share.
  fmt::memory_buffer s;
  auto out = fmt::appender(s);
  // 10 significant digits, the text of printf's %.10g. Not a finite number: NA, as readers of
  // GWAS-SSF files expect (an infinite estimate is no estimate).
  auto number = [&](double value) {
    if (!std::isfinite(value)) {
      fmt::format_to(out, FMT_COMPILE("NA"));
    } else {
      char digits[32];
      s.append(digits, format_general(value, 10, digits));
    }
  };
  s.append(variant.head);
  number(result.beta);
  s.push_back('\t');
  number(result.se);
  s.push_back('\t');
  if (std::isfinite(variant.frequency) &&
      std::bit_cast<std::uint64_t>(result.effect_allele_frequency) == std::bit_cast<std::uint64_t>(variant.frequency)) {
    // The same double: the same text.
    s.append(variant.frequency_text);
  } else {
    number(result.effect_allele_frequency);
  }
  {
    char p_value[34];
    p_value[0] = '\t';
    char* end = format_p_value_to(result.log_p, p_value + 1);
    *end++ = '\t';
    s.append(p_value, end);
  }
  number(std::isnan(result.log_p) ? result.log_p : -result.log_p / std::log(10.0) + 0.0);
  s.append(variant.ids);
  fmt::format_to(out, FMT_COMPILE("\t{}"), result.n);
  if (binary_) fmt::format_to(out, FMT_COMPILE("\t{}\t{}"), result.cases, result.controls);
  if (case_control_frequencies_) {
    s.push_back('\t');
    number(result.frequency_cases);
    s.push_back('\t');
    number(result.frequency_controls);
  }
  fmt::format_to(out, FMT_COMPILE("\t{}\t{}"), result.method[0] ? result.method : "NA", result.error ? result.error : "NA");
  if (ci_z_ > 0) {
    s.push_back('\t');
    number(result.beta - ci_z_ * result.se);
    s.push_back('\t');
    number(result.beta + ci_z_ * result.se);
  }
  if (info_column_) {
    s.push_back('\t');
    number(result.info);
  }
  s.push_back('\n');
  out_->write(std::string_view(s.data(), s.size()));
  ++rows_;
  if (index_) {
    // tabix's interval for a 1-based position column that is both begin and end: [pos-1, pos),
    // clamped to [0, 1) for position 0; the offset is where the next row starts.
    push_pending(pending_.offset);
    pending_ = {std::max<std::int64_t>(variant.position - 1, 0), std::max<std::int64_t>(variant.position, 1), out_->virtual_offset()};
    if (pending_chromosome_ != chromosome) pending_chromosome_ = chromosome;
    index_pending_ = true;
  }
}

void SummaryStatisticsWriter::commit(const SummaryMetadata& metadata) {
  std::string index = path_ + ".tbi";
  std::filesystem::remove(index);
  if (index_) {
    const std::uint64_t end = out_->end_block();
    push_pending(end);
    index_->finish(end);
  }
  out_->commit();
  // The index is written complete or not at all (a temporary name, renamed).
  if (index_) index_->save(index);
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);  // files are committed in parallel: std::gmtime's result is shared
  char date[16];
  std::strftime(date, sizeof date, "%Y-%m-%d", &utc);
  std::string yaml = fmt::format(
      "# Study meta-data\n"
      "date_metadata_last_modified: {}\n"
      "# Genotyping Information\n"
      "genome_assembly: {}\n"
      "coordinate_system: 1-based\n"
      "genotyping_technology:\n  - {}\n"
      "# Sample Information\n"
      "sample_size: {}\n"
      "sample_ancestry_category:\n  - {}\n",
      date, metadata.genome_assembly, metadata.genotyping_technology, metadata.sample_size, metadata.sample_ancestry);
  if (metadata.binary) {
    yaml += fmt::format("case_control_study: true\ncase_count: {}\ncontrol_count: {}\n", metadata.cases, metadata.controls);
  } else {
    yaml += "case_control_study: false\n";
  }
  yaml += fmt::format(
      "# Trait Information\n"
      "trait_description:\n  - {}\n"
      "# Summary Statistic information\n"
      "data_file_name: {}\n"
      "file_type: GWAS-SSF v1.0\n"
      "data_file_md5sum: {}\n"
      "is_harmonised: false\n"
      "is_sorted: {}\n"
      "analysis_software: kohort {}\n",
      metadata.trait_description, std::filesystem::path(path_).filename().string(), out_->md5_hex(), sorted_ ? "true" : "false",
      KOHORT_VERSION);
  OutputFile meta(path_ + "-meta.yaml");
  meta.write(yaml);
  meta.commit();
}

}  // namespace kohort::assoc
