#pragma once
// Command-line options that kohort qc and kohort gwas share: --mach-r2-filter [MIN [MAX]].
#include <functional>

#include "genotype/qc.h"

namespace CLI {
class App;
}

namespace kohort::cli {

// Declares --mach-r2-filter [MIN [MAX]] (plink2's: MIN 0.1 and MAX 2 unless given) on `app`. The
// returned function, called once the command line is parsed, sets `filters`' bounds when the
// option was given, and throws InputError for bounds that are not numbers or not 0 <= MIN <= MAX.
std::function<void()> add_mach_r2_filter(CLI::App& app, genotype::VariantFilters& filters);

}  // namespace kohort::cli
