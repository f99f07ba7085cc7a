#include "assoc/case_control_frequency.h"

#include <cmath>
#include <stdexcept>

#include "assoc/packed_products.h"

namespace kohort::assoc {

namespace {

void check_lengths(const std::vector<std::uint8_t>& copies, const std::vector<bool>& is_case) {
  if (is_case.size() != copies.size()) throw std::invalid_argument("CaseControlCounter: copies and cases differ in length");
}

double ratio(double alt, double chromosomes) { return chromosomes > 0 ? alt / chromosomes : std::numeric_limits<double>::quiet_NaN(); }

}  // namespace

CaseControlCounter CaseControlCounter::for_rows(const std::vector<std::uint8_t>& copies, const std::vector<bool>& is_case,
                                                const std::vector<std::uint32_t>& positions, std::size_t file_samples) {
  check_lengths(copies, is_case);
  if (positions.size() != copies.size()) throw std::invalid_argument("CaseControlCounter: copies and positions differ in length");
  CaseControlCounter counter;
  counter.rows_ = true;
  counter.file_samples_ = file_samples;
  for (bool case_group : {true, false}) {
    for (std::uint8_t group_copies : {std::uint8_t{2}, std::uint8_t{1}}) {
      std::vector<std::uint32_t> members;
      for (std::size_t i = 0; i < copies.size(); ++i)
        if (copies[i] == group_copies && is_case[i] == case_group) members.push_back(positions[i]);
      if (members.empty()) continue;
      counter.groups_.push_back({sample_mask(members, file_samples), static_cast<std::uint32_t>(members.size()), case_group, group_copies});
    }
  }
  return counter;
}

CaseControlCounter CaseControlCounter::for_dosages(const std::vector<std::uint8_t>& copies, const std::vector<bool>& is_case) {
  check_lengths(copies, is_case);
  CaseControlCounter counter;
  counter.sample_kinds_.resize(copies.size());
  for (std::size_t i = 0; i < copies.size(); ++i)
    counter.sample_kinds_[i] = copies[i] == 0 ? 0 : static_cast<std::uint8_t>(copies[i] + (is_case[i] ? kCase : 0));
  return counter;
}

CaseControlFrequency CaseControlCounter::from_row(const std::uint8_t* row) const {
  if (!rows_) throw std::logic_error("CaseControlCounter::from_row: a counter for dosages");
  // Integer counts per group; a one-copy group's ALT copies are half its two-copy count.
  double alt[2] = {0, 0}, chromosomes[2] = {0, 0};  // [case]
  for (const Group& group : groups_) {
    const CallCounts calls = count_calls(row, group.mask, file_samples_);
    const double called = static_cast<double>(group.samples - calls.missing);
    const double count = calls.het + 2.0 * calls.hom_alt;
    alt[group.case_group] += group.copies == 2 ? count : count / 2;
    chromosomes[group.case_group] += group.copies * called;
  }
  return {ratio(alt[1], chromosomes[1]), ratio(alt[0], chromosomes[0])};
}

CaseControlFrequency CaseControlCounter::from_dosages(const double* dosages) const {
  // Summed in sample order, as the effect allele frequency's sums are.
  if (rows_) throw std::logic_error("CaseControlCounter::from_dosages: a counter for rows");
  double alt[2] = {0, 0}, chromosomes[2] = {0, 0};
  for (std::size_t i = 0; i < sample_kinds_.size(); ++i) {
    const std::uint8_t kind = sample_kinds_[i];
    if (kind == 0 || std::isnan(dosages[i])) continue;
    const bool is_case = kind >= kCase;
    const unsigned copies = kind & 3u;
    alt[is_case] += copies == 2 ? dosages[i] : dosages[i] * 0.5;
    chromosomes[is_case] += copies;
  }
  return {ratio(alt[1], chromosomes[1]), ratio(alt[0], chromosomes[0])};
}

}  // namespace kohort::assoc
