#include "genotype/sex_chromosomes.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace kohort::genotype {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

ChromosomeKind chromosome_kind(std::string_view name) {
  std::string c = lower(name);
  if (c.size() > 3 && c.compare(0, 3, "chr") == 0) c.erase(0, 3);
  if (c == "x" || c == "23") return ChromosomeKind::x;
  if (c == "y" || c == "24") return ChromosomeKind::y;
  if (c == "xy" || c == "par1" || c == "par2" || c == "25") return ChromosomeKind::pseudo_autosomal;
  if (c == "mt" || c == "m" || c == "26") return ChromosomeKind::mitochondrial;
  return ChromosomeKind::autosome;
}

Sex parse_sex(std::string_view code) {
  const std::string c = lower(code);
  if (c == "1" || c == "m" || c == "male") return Sex::male;
  if (c == "2" || c == "f" || c == "female") return Sex::female;
  return Sex::unknown;
}

}  // namespace kohort::genotype
