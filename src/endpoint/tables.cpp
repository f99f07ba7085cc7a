#include "endpoint/tables.h"

#include <algorithm>
#include <fmt/format.h>

#include "core/log.h"
#include "core/output.h"
#include "core/parallel.h"

namespace kohort::endpoint {
namespace {

constexpr std::size_t kBlockPersons = 16384;
constexpr std::size_t kChunkPersons = 1024;

std::string median_text(std::vector<float>& ages) {
  if (ages.empty()) return "NA";
  std::size_t mid = ages.size() / 2;
  std::nth_element(ages.begin(), ages.begin() + static_cast<std::ptrdiff_t>(mid), ages.end());
  double m = ages[mid];
  if (ages.size() % 2 == 0) {
    double below = *std::max_element(ages.begin(), ages.begin() + static_cast<std::ptrdiff_t>(mid));
    m = (m + below) / 2;
  }
  return fmt::format("{:.2f}", m);
}

std::string count_text(std::uint64_t n, int threshold) {
  if (n > 0 && n < static_cast<std::uint64_t>(threshold)) return fmt::format("<{}", threshold);
  return fmt::format("{}", n);
}

}  // namespace

std::vector<EndpointCounts> write_endpoint_tables(const registry::EventStore& store, const EndpointEvaluator& evaluator,
                                                  const TableOptions& options) {
  const auto& defs = evaluator.definitions();
  const std::size_t n_endpoints = defs.size();
  const std::size_t n_persons = store.persons().size();
  std::string ext = options.gzip ? ".tsv.gz" : ".tsv";
  std::optional<OutputFile> wide, long_table;
  if (options.wide) {
    wide.emplace(options.prefix + ".wide" + ext, thread_count());
    std::string header = "person_id\tend_of_followup";
    for (const auto& d : defs) header += fmt::format("\t{0}\t{0}_DATE\t{0}_AGE\t{0}_NEVT", d.name);
    wide->write(header + "\n");
  }
  if (options.long_table) {
    long_table.emplace(options.prefix + ".long" + ext, thread_count());
    long_table->write("person_id\tendpoint\tstatus\tdate\tage\tnevt\n");
  }
  std::vector<EndpointCounts> counts(n_endpoints);
  std::vector<std::vector<float>> onset_ages(n_endpoints);
  Progress progress("endpoints", n_persons, "persons");
  for (std::size_t block = 0; block < n_persons; block += kBlockPersons) {
    std::size_t block_end = std::min(n_persons, block + kBlockPersons);
    std::size_t n_chunks = (block_end - block + kChunkPersons - 1) / kChunkPersons;
    std::vector<std::string> wide_text(n_chunks), long_text(n_chunks);
    // Per chunk: counts and onset ages, merged in chunk order so results never depend on threads.
    std::vector<std::vector<EndpointCounts>> chunk_counts(n_chunks, std::vector<EndpointCounts>(n_endpoints));
    std::vector<std::vector<std::pair<std::uint32_t, float>>> chunk_ages(n_chunks);
    parallel_for(n_chunks, 1, [&](std::size_t chunk_begin, std::size_t chunk_end) {
      std::vector<PersonEndpoint> rows;
      for (std::size_t chunk = chunk_begin; chunk < chunk_end; ++chunk) {
        std::size_t from = block + chunk * kChunkPersons, to = std::min(block_end, from + kChunkPersons);
        evaluator.evaluate(from, to, rows);
        std::string& w = wide_text[chunk];
        std::string& l = long_text[chunk];
        char date_text[11] = {};
        for (std::size_t person = from; person < to; ++person) {
          const registry::Person& p = store.persons()[person];
          const PersonEndpoint* row = rows.data() + (person - from) * n_endpoints;
          if (options.wide) {
            w += p.id;
            w += '\t';
            w += format_date(store.end_of_followup(person));
          }
          for (std::size_t e = 0; e < n_endpoints; ++e) {
            const PersonEndpoint& r = row[e];
            EndpointCounts& c = chunk_counts[chunk][e];
            if (r.status == kCase) {
              ++c.cases;
              chunk_ages[chunk].emplace_back(static_cast<std::uint32_t>(e), static_cast<float>(age_years(p.birth, r.date)));
            } else if (r.status == kExcluded) {
              ++c.excluded;
            } else {
              ++c.controls;
            }
            if (r.status == kCase) {
              format_date(r.date, date_text);
              std::string age = fmt::format("{:.2f}", age_years(p.birth, r.date));
              if (options.wide) w += fmt::format("\t1\t{}\t{}\t{}", std::string_view(date_text, 10), age, r.events);
              if (options.long_table)
                l += fmt::format("{}\t{}\t1\t{}\t{}\t{}\n", p.id, defs[e].name, std::string_view(date_text, 10), age, r.events);
            } else if (r.status == kExcluded) {
              if (options.wide) w += "\tNA\tNA\tNA\tNA";
              if (options.long_table) l += fmt::format("{}\t{}\tNA\tNA\tNA\tNA\n", p.id, defs[e].name);
            } else if (options.wide) {
              w += "\t0\tNA\tNA\t0";
            }
          }
          if (options.wide) w += '\n';
        }
      }
    });
    for (std::size_t chunk = 0; chunk < n_chunks; ++chunk) {
      for (std::size_t e = 0; e < n_endpoints; ++e) {
        counts[e].cases += chunk_counts[chunk][e].cases;
        counts[e].controls += chunk_counts[chunk][e].controls;
        counts[e].excluded += chunk_counts[chunk][e].excluded;
      }
      for (const auto& [e, age] : chunk_ages[chunk]) onset_ages[e].push_back(age);
      if (wide) wide->write(wide_text[chunk]);
      if (long_table) long_table->write(long_text[chunk]);
    }
    progress.update(block_end);
  }
  progress.finish();
  OutputFile summary(options.prefix + ".summary.tsv");
  summary.write(fmt::format("endpoint\tdescription\tcases\tcontrols\texcluded\tmedian_onset_age\n"));
  for (std::size_t e = 0; e < n_endpoints; ++e) {
    // The median of fewer than `suppress_below` cases would describe identifiable persons.
    bool small = counts[e].cases < static_cast<std::uint64_t>(options.suppress_below);
    summary.write(fmt::format("{}\t{}\t{}\t{}\t{}\t{}\n", defs[e].name, defs[e].description.empty() ? "NA" : defs[e].description,
                              count_text(counts[e].cases, options.suppress_below),
                              count_text(counts[e].controls, options.suppress_below),
                              count_text(counts[e].excluded, options.suppress_below),
                              small ? std::string("NA") : median_text(onset_ages[e])));
  }
  if (wide) wide->commit();
  if (long_table) long_table->commit();
  summary.commit();
  return counts;
}

}  // namespace kohort::endpoint
