#include "assoc/pvalue_store.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "assoc/multiple_testing.h"
#include "assoc/pvalue.h"
#include "core/output.h"

namespace kohort::assoc {
namespace {

// Labels gathered in memory before each write to the temporary file.
constexpr std::size_t kLabelBuffer = 1 << 20;

}  // namespace

PValueStore::PValueStore(const std::filesystem::path& directory, std::size_t phenotypes, bool labels)
    : phenotypes_(phenotypes), values_(directory) {
  if (labels) labels_ = std::make_unique<ScratchFile>(directory);
}

PValueStore::~PValueStore() { ScratchFile::unmap(label_map_, static_cast<std::size_t>(label_bytes_)); }

std::uint64_t PValueStore::add_block(std::size_t count) {
  const std::uint64_t offset = end_;
  blocks_.push_back({offset, count});
  // Every phenotype's log p-values, then every phenotype's classes.
  end_ += static_cast<std::uint64_t>(count) * phenotypes_ * (sizeof(double) + 1);
  return offset;
}

void PValueStore::record(std::uint64_t block, std::size_t count, std::size_t phenotype, const double* log_p,
                         const std::uint8_t* classes) const {
  values_.write(block + static_cast<std::uint64_t>(phenotype) * count * sizeof(double), log_p, count * sizeof(double));
  values_.write(block + static_cast<std::uint64_t>(phenotypes_) * count * sizeof(double) + static_cast<std::uint64_t>(phenotype) * count,
                classes, count);
}

void PValueStore::add_label(std::string_view label) {
  if (!labels_) throw std::logic_error("PValueStore::add_label without labels");
  label_buffer_.append(label);
  label_end_.push_back(label_bytes_ + label_buffer_.size());
  if (label_buffer_.size() >= kLabelBuffer) {
    labels_->write(label_bytes_, label_buffer_.data(), label_buffer_.size());
    label_bytes_ += label_buffer_.size();
    label_buffer_.clear();
  }
}

void PValueStore::finish() {
  if (!labels_ || label_map_) return;
  labels_->write(label_bytes_, label_buffer_.data(), label_buffer_.size());
  label_bytes_ += label_buffer_.size();
  label_buffer_.clear();
  label_buffer_.shrink_to_fit();
  label_map_ = labels_->map(static_cast<std::size_t>(label_bytes_));
}

template <class Value>
std::vector<Value> PValueStore::read_values(std::size_t phenotype, std::size_t section) const {
  std::size_t variants = 0;
  for (const Block& block : blocks_) variants += block.count;
  std::vector<Value> values(variants);
  std::size_t at = 0;
  for (const Block& block : blocks_) {
    values_.read(block.offset + static_cast<std::uint64_t>(section + phenotype * sizeof(Value)) * block.count, values.data() + at,
                 block.count * sizeof(Value));
    at += block.count;
  }
  return values;
}

std::vector<double> PValueStore::log_p(std::size_t phenotype) const { return read_values<double>(phenotype, 0); }

std::vector<std::uint8_t> PValueStore::classes(std::size_t phenotype) const {
  return read_values<std::uint8_t>(phenotype, phenotypes_ * sizeof(double));
}

const char* PValueStore::adjusted_header() {
  return "chromosome\tbase_pair_location\teffect_allele\tother_allele\tvariant_id\tid\tp_value\tp_gc\tp_bonferroni\tp_holm\t"
         "p_sidak_ss\tp_sidak_sd\tp_fdr_bh\tp_fdr_by\tp_expected\n";
}

std::uint64_t PValueStore::write_adjusted(const std::vector<double>& all, const std::string& path, double lambda, double log_p_filter,
                                          bool from_genomic_control) const {
  if (!labels_) throw std::logic_error("PValueStore::write_adjusted without labels");
  if (all.size() != label_end_.size()) throw std::logic_error("PValueStore: labels and p-values disagree");
  // The tests in ascending order of p; ties in variant order.
  std::vector<std::uint32_t> order;
  for (std::size_t v = 0; v < all.size(); ++v)
    if (!std::isnan(all[v])) order.push_back(static_cast<std::uint32_t>(v));
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return all[a] < all[b]; });
  std::vector<double> sorted(order.size());
  for (std::size_t i = 0; i < order.size(); ++i) sorted[i] = all[order[i]];

  OutputFile out(path, 1, 1);
  out.write(std::string_view(adjusted_header()));
  PValueAdjuster adjuster(sorted, lambda, from_genomic_control);
  std::string row;
  char number[32];
  std::uint64_t rows = 0;
  for (std::size_t i = 0; i < order.size() && sorted[i] <= log_p_filter; ++i, ++rows) {
    const std::uint32_t v = order[i];
    const std::uint64_t begin = v ? label_end_[v - 1] : 0;
    row.assign(label_map_ + begin, static_cast<std::size_t>(label_end_[v] - begin));
    const AdjustedLogP a = adjuster.next();
    for (double value :
         {sorted[i], a.genomic_control, a.bonferroni, a.holm, a.sidak_single_step, a.sidak_step_down, a.fdr_bh, a.fdr_by, a.expected}) {
      row += '\t';
      row.append(number, format_p_value_to(value, number));
    }
    row += '\n';
    out.write(row);
  }
  out.commit();
  return rows;
}

}  // namespace kohort::assoc
