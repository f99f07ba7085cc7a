#include "genotype/selection.h"

#include <unordered_set>

#include "core/error.h"
#include "core/input.h"

namespace kohort::genotype {
namespace {

// Sample keys: "FID\tIID" for two-column lines, "\tIID" for IID-only lines (matches any FID).
// Samples without a family ID (VCF, BGEN) match two-column lines on the IID alone.
struct SampleList {
  std::unordered_set<std::string> pairs;
  std::unordered_set<std::string> iids;       // from IID-only lines
  std::unordered_set<std::string> pair_iids;  // IIDs of two-column lines
  bool contains(const Sample& sample) const {
    if (iids.count(sample.iid) > 0) return true;
    return sample.fid.empty() ? pair_iids.count(sample.iid) > 0 : pairs.count(sample.fid + '\t' + sample.iid) > 0;
  }
};

SampleList read_sample_list(const std::string& path) {
  LineReader reader(path);
  SampleList list;
  std::string line;
  std::vector<std::string_view> fields;
  bool iid_only = false;
  while (reader.next(line)) {
    split_whitespace(line, fields);
    if (fields.empty()) continue;
    if (reader.line_number() == 1 && (fields[0] == "#FID" || fields[0] == "FID" || fields[0] == "#IID")) {
      iid_only = fields[0] == "#IID";
      continue;
    }
    if (iid_only || fields.size() == 1) {
      list.iids.emplace(fields[0]);
    } else {
      list.pairs.emplace(std::string(fields[0]) + '\t' + std::string(fields[1]));
      list.pair_iids.emplace(fields[1]);
    }
  }
  return list;
}

std::unordered_set<std::string> read_id_list(const std::string& path) {
  LineReader reader(path);
  std::unordered_set<std::string> ids;
  std::string line;
  std::vector<std::string_view> fields;
  while (reader.next(line)) {
    split_whitespace(line, fields);
    if (!fields.empty()) ids.emplace(fields[0]);
  }
  return ids;
}

}  // namespace

std::vector<std::uint32_t> select_samples(const std::vector<Sample>& samples, const std::vector<std::string>& keep_files,
                                          const std::vector<std::string>& remove_files) {
  std::vector<SampleList> keep, remove;
  for (const auto& file : keep_files) keep.push_back(read_sample_list(file));
  for (const auto& file : remove_files) remove.push_back(read_sample_list(file));
  std::vector<std::uint32_t> selected;
  for (std::uint32_t i = 0; i < samples.size(); ++i) {
    bool kept = true;
    for (const auto& list : keep) kept = kept && list.contains(samples[i]);
    for (const auto& list : remove) kept = kept && !list.contains(samples[i]);
    if (kept) selected.push_back(i);
  }
  return selected;
}

std::vector<std::uint32_t> select_variants(const std::vector<Variant>& variants,
                                           const std::vector<std::string>& extract_files,
                                           const std::vector<std::string>& exclude_files,
                                           const VariantRange& range) {
  if ((range.from_bp >= 0 || range.to_bp >= 0) && range.chromosomes.size() != 1) {
    throw InputError("--from-bp/--to-bp need exactly one chromosome in --chr");
  }
  const std::unordered_set<std::string> chromosomes(range.chromosomes.begin(), range.chromosomes.end());
  std::vector<std::unordered_set<std::string>> extract, exclude;
  for (const auto& file : extract_files) extract.push_back(read_id_list(file));
  for (const auto& file : exclude_files) exclude.push_back(read_id_list(file));
  std::vector<std::uint32_t> selected;
  for (std::uint32_t i = 0; i < variants.size(); ++i) {
    bool kept = chromosomes.empty() || chromosomes.count(variants[i].chrom) > 0;
    if (range.from_bp >= 0) kept = kept && variants[i].pos >= range.from_bp;
    if (range.to_bp >= 0) kept = kept && variants[i].pos <= range.to_bp;
    for (const auto& list : extract) kept = kept && list.count(variants[i].id) > 0;
    for (const auto& list : exclude) kept = kept && list.count(variants[i].id) == 0;
    if (kept) selected.push_back(i);
  }
  return selected;
}

}  // namespace kohort::genotype
