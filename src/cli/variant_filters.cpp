#include "cli/variant_filters.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"

namespace kohort::cli {

std::function<void()> add_mach_r2_filter(CLI::App& app, genotype::VariantFilters& filters) {
  // Text, not numbers: CLI11 gives an option without values one empty value.
  auto values = std::make_shared<std::vector<std::string>>();
  CLI::Option* option = app.add_option("--mach-r2-filter", *values,
                                       "[MIN [MAX]]: keep variants whose MaCH r-squared (imputation quality) over the kept "
                                       "samples is in [MIN, MAX] (default 0.1 and 2, as plink2's --mach-r2-filter)")
                            ->expected(0, 2);
  return [option, values, &filters] {
    if (option->count() == 0) return;
    double bounds[2] = {0.1, 2.0};
    std::size_t given = 0;
    for (const std::string& text : *values) {
      if (text.empty()) continue;
      char* end = nullptr;
      bounds[given] = std::strtod(text.c_str(), &end);
      if (end == text.c_str() || *end != '\0')
        throw InputError(fmt::format("--mach-r2-filter '{}': expected a number, e.g. --mach-r2-filter 0.3 (MIN [MAX])", text));
      ++given;
    }
    if (!(bounds[0] >= 0) || !(bounds[1] >= bounds[0]))
      throw InputError(fmt::format("--mach-r2-filter {} {}: expected 0 <= MIN <= MAX, e.g. --mach-r2-filter 0.3", bounds[0], bounds[1]));
    filters.mach_r2_min = bounds[0];
    filters.mach_r2_max = bounds[1];
  };
}

}  // namespace kohort::cli
