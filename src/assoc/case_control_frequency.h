#pragma once
// The ALT allele's frequency among a binary phenotype's cases and among its controls, each over
// the samples with a call (plink2 --glm's A1_CASE_FREQ and A1_CTRL_FREQ, REGENIE's --af-cc): a
// meta-analysis checks alleles and ancestry against them, and FinnGen's files carry them.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace kohort::assoc {

struct CaseControlFrequency {
  double cases = std::numeric_limits<double>::quiet_NaN();     // NaN: no case with a call
  double controls = std::numeric_limits<double>::quiet_NaN();  // NaN: no control with a call
};

class CaseControlCounter {
 public:
  // Per sample of the genotype selection: `copies` of the chromosome it counts (0: not among the
  // phenotype's samples; 1: a male's X coded 0/1; 2: otherwise) and whether it is a case. A
  // counter reads .bed rows (`positions`: each selected sample's .bed column in rows of
  // `file_samples`) or dosages, and holds only what that needs: with thousands of phenotypes, a
  // mask of each group of samples in the first case, a byte a sample in the second.
  static CaseControlCounter for_rows(const std::vector<std::uint8_t>& copies, const std::vector<bool>& is_case,
                                     const std::vector<std::uint32_t>& positions, std::size_t file_samples);
  static CaseControlCounter for_dosages(const std::vector<std::uint8_t>& copies, const std::vector<bool>& is_case);

  // From a .bed row as stored (a one-copy sample's het counts half an ALT copy, as its halved
  // dosage does). A counter for rows only.
  CaseControlFrequency from_row(const std::uint8_t* row) const;
  // From the selected samples' ALT dosages as stored (0 to 2, NaN missing): ALT copies
  // (dosage x copies / 2) over the chromosomes of the samples with a dosage. A counter for
  // dosages only.
  CaseControlFrequency from_dosages(const double* dosages) const;

 private:
  CaseControlCounter() = default;
  // One group of samples of a kind (cases or controls) and a number of copies.
  struct Group {
    std::vector<std::uint64_t> mask;  // as sample_mask gives it
    std::uint32_t samples = 0;
    bool case_group = false;
    std::uint8_t copies = 2;
  };
  bool rows_ = false;          // a counter for rows, else for dosages
  std::vector<Group> groups_;  // for rows: the non-empty ones
  std::size_t file_samples_ = 0;
  // For dosages, per selected sample: 0 not counted, else its copies, plus kCase for a case.
  static constexpr std::uint8_t kCase = 4;
  std::vector<std::uint8_t> sample_kinds_;
};

}  // namespace kohort::assoc
