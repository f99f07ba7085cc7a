#include "core/tabix_index.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <map>
#include <numeric>
#include <utility>

#include "core/error.h"
#include "core/output.h"

namespace kohort {
namespace {

// TBI's binning scheme (SAM specification, section 5.3): 16 kb windows (min shift 14) at the
// bottom of 5 levels of 8-fold larger bins, and the pseudo-bin that holds a sequence's span and
// row count.
constexpr int kMinShift = 14;
constexpr int kLevels = 5;
constexpr std::int64_t kMaxPosition = std::int64_t{1} << (kMinShift + 3 * kLevels);
constexpr std::uint32_t first_bin(int level) { return ((1u << (3 * level)) - 1) / 7; }
constexpr std::uint32_t kBinCount = first_bin(kLevels + 1);  // 37,449 bins of intervals
constexpr std::uint32_t kMetaBin = kBinCount + 1;
constexpr std::uint32_t parent_bin(std::uint32_t bin) { return (bin - 1) >> 3; }
// Chunks of a bin that span less than this many bytes of compressed file are merged into its
// parent bin, as htslib does: a reader loses nothing by reading them with the parent's.
constexpr std::uint64_t kMinMarkerDistance = 0x10000;
constexpr std::uint64_t kUnset = ~std::uint64_t{0};

// The smallest bin that holds [begin, end).
std::uint32_t bin_of(std::int64_t begin, std::int64_t end) {
  --end;
  int shift = kMinShift;
  for (int level = kLevels; level > 0; --level, shift += 3) {
    if ((begin >> shift) == (end >> shift)) return first_bin(level) + static_cast<std::uint32_t>(begin >> shift);
  }
  return 0;
}

static_assert(std::endian::native == std::endian::little, "the index is written in the machine's byte order");
template <class T>
void put(std::string& out, T value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

}  // namespace

TabixIndex::TabixIndex(std::string name, TabixColumns columns, std::uint64_t first_row)
    : name_(std::move(name)), columns_(columns), last_end_(first_row) {}

void TabixIndex::close_bin(std::uint64_t end) {
  if (!bin_open_) return;
  Sequence& sequence = sequences_.back();
  sequence.chunk_bins.push_back(open_bin_);
  sequence.chunks.push_back({open_begin_, end});
  bin_open_ = false;
}

void TabixIndex::add(std::string_view name, std::int64_t begin, std::int64_t end, std::uint64_t row_end) {
  if (finished_) throw Error(name_ + ": tabix index: a row after the index was finished");
  if (begin < 0) begin = 0;  // [-1, 0), a position 0, goes into the first window
  if (end <= 0) end = 1;
  if (end < begin) throw Error(fmt::format("{}: tabix index: a row on {} ends ({}) before it begins ({})", name_, name, end, begin + 1));
  if (begin > kMaxPosition || end > kMaxPosition) {
    throw Error(fmt::format("{}: tabix index: position {} on {} is beyond what a .tbi index holds (2^29)", name_, end, name));
  }
  if (sequences_.empty() || name != last_name_) {
    for (std::size_t at = 0; at < names_.size(); at += std::strlen(names_.c_str() + at) + 1) {
      if (name == names_.c_str() + at) throw Error(fmt::format("{}: tabix index: the rows of {} are not contiguous", name_, name));
    }
    close_bin(last_end_);  // the previous sequence's last bin and span end where this row starts
    if (!sequences_.empty()) sequences_.back().span.end = last_end_;
    sequences_.emplace_back();
    sequences_.back().span.begin = last_end_;
    names_.append(name);
    names_.push_back('\0');
    last_name_ = name;
  } else if (begin < last_begin_) {
    throw Error(fmt::format("{}: tabix index: rows of {} are not sorted ({} after {})", name_, name, begin + 1, last_begin_ + 1));
  }
  Sequence& sequence = sequences_.back();
  // The linear index: each window's first row, by where that row starts.
  const std::size_t first_window = static_cast<std::size_t>(begin >> kMinShift), last_window = static_cast<std::size_t>((end - 1) >> kMinShift);
  if (sequence.linear.size() < last_window + 1) sequence.linear.resize(last_window + 1, kUnset);
  for (std::size_t w = first_window; w <= last_window; ++w)
    if (sequence.linear[w] == kUnset) sequence.linear[w] = last_end_;
  // Consecutive rows of one bin make one chunk.
  const std::uint32_t bin = bin_of(begin, end);
  if (!bin_open_ || bin != open_bin_) {
    close_bin(last_end_);
    open_bin_ = bin;
    open_begin_ = last_end_;
    bin_open_ = true;
  }
  ++sequence.rows;
  last_end_ = row_end;
  last_begin_ = begin;
}

void TabixIndex::compress_bins(Sequence& sequence) {
  // Chunks grouped by bin, each bin's in file order (already so for rows within a window each).
  const std::size_t n = sequence.chunks.size();
  if (!std::is_sorted(sequence.chunk_bins.begin(), sequence.chunk_bins.end())) {
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return sequence.chunk_bins[a] < sequence.chunk_bins[b]; });
    std::vector<std::uint32_t> bins(n);
    std::vector<Chunk> chunks(n);
    for (std::size_t i = 0; i < n; ++i) {
      bins[i] = sequence.chunk_bins[order[i]];
      chunks[i] = sequence.chunks[order[i]];
    }
    sequence.chunk_bins = std::move(bins);
    sequence.chunks = std::move(chunks);
  }
  struct Span {
    std::uint32_t bin;
    std::size_t first, count;
    bool merged = false;  // into its parent
  };
  std::vector<Span> spans;
  for (std::size_t i = 0; i < n; ++i) {
    if (spans.empty() || spans.back().bin != sequence.chunk_bins[i]) spans.push_back({sequence.chunk_bins[i], i, 0});
    ++spans.back().count;
  }
  auto span_of = [&](std::uint32_t bin) {
    auto found = std::lower_bound(spans.begin(), spans.end(), bin, [](const Span& s, std::uint32_t b) { return s.bin < b; });
    return found != spans.end() && found->bin == bin ? &*found : nullptr;
  };
  // A bin that received a child's chunks holds its own and those here, sorted (rare: only rows
  // longer than a window make bins above the bottom level); the others' own lie sorted in place.
  std::map<std::uint32_t, std::vector<Chunk>> received;
  auto by_begin = [](const Chunk& a, const Chunk& b) { return a.begin < b.begin; };
  // From the bottom level up, a bin whose chunks lie within 64 kB of compressed file joins its
  // parent, if the parent has rows of its own.
  for (int level = kLevels; level > 0; --level) {
    // A level's bins are a range of numbers.
    auto first = std::lower_bound(spans.begin(), spans.end(), first_bin(level), [](const Span& s, std::uint32_t b) { return s.bin < b; });
    auto last = std::lower_bound(first, spans.end(), first_bin(level + 1), [](const Span& s, std::uint32_t b) { return s.bin < b; });
    for (auto span = first; span != last; ++span) {
      auto own = received.find(span->bin);
      const Chunk* chunks = own != received.end() ? own->second.data() : sequence.chunks.data() + span->first;
      const std::size_t count = own != received.end() ? own->second.size() : span->count;
      if ((chunks[count - 1].end >> 16) - (chunks[0].begin >> 16) >= kMinMarkerDistance) continue;
      Span* parent = span_of(parent_bin(span->bin));
      if (!parent) continue;
      auto [into, absent] = received.try_emplace(parent->bin);
      if (absent) into->second.assign(sequence.chunks.begin() + static_cast<std::ptrdiff_t>(parent->first),
                                      sequence.chunks.begin() + static_cast<std::ptrdiff_t>(parent->first + parent->count));
      into->second.insert(into->second.end(), chunks, chunks + count);
      std::sort(into->second.begin(), into->second.end(), by_begin);
      span->merged = true;
      if (own != received.end()) received.erase(own);
    }
  }
  // Then a bin's chunks that start in the block where the previous one ends are joined.
  std::vector<Chunk> joined;
  joined.reserve(n);
  sequence.bins.clear();
  sequence.bins.reserve(spans.size());
  for (const auto& span : spans) {
    if (span.merged) continue;
    auto own = received.find(span.bin);
    const Chunk* chunks = own != received.end() ? own->second.data() : sequence.chunks.data() + span.first;
    const std::size_t count = own != received.end() ? own->second.size() : span.count;
    const std::size_t first = joined.size();
    joined.push_back(chunks[0]);
    for (std::size_t i = 1; i < count; ++i) {
      if ((joined.back().end >> 16) >= (chunks[i].begin >> 16)) {
        joined.back().end = std::max(joined.back().end, chunks[i].end);
      } else {
        joined.push_back(chunks[i]);
      }
    }
    sequence.bins.push_back({span.bin, first, joined.size() - first});
  }
  sequence.chunks = std::move(joined);
  std::vector<std::uint32_t>().swap(sequence.chunk_bins);
  // Windows without a row of their own point at the next window's first row.
  for (std::size_t w = sequence.linear.size(); w-- > 1;)
    if (sequence.linear[w - 1] == kUnset) sequence.linear[w - 1] = sequence.linear[w];
}

void TabixIndex::finish(std::uint64_t data_end) {
  if (finished_) return;
  close_bin(data_end);
  if (!sequences_.empty()) sequences_.back().span.end = data_end;
  for (auto& sequence : sequences_) compress_bins(sequence);
  finished_ = true;
}

std::string TabixIndex::serialise() const {
  std::string out("TBI\1", 4);
  put<std::int32_t>(out, static_cast<std::int32_t>(sequences_.size()));
  put<std::int32_t>(out, 0);  // the generic preset, 1-based
  put<std::int32_t>(out, columns_.sequence);
  put<std::int32_t>(out, columns_.begin);
  put<std::int32_t>(out, columns_.end);
  put<std::int32_t>(out, columns_.comment);
  put<std::int32_t>(out, columns_.skip_lines);
  put<std::int32_t>(out, static_cast<std::int32_t>(names_.size()));
  out += names_;
  for (const auto& sequence : sequences_) {
    put<std::int32_t>(out, static_cast<std::int32_t>(sequence.bins.size() + 1));
    for (const auto& bin : sequence.bins) {
      put<std::uint32_t>(out, bin.bin);
      put<std::int32_t>(out, static_cast<std::int32_t>(bin.count));
      for (std::size_t c = bin.first; c < bin.first + bin.count; ++c) {
        put<std::uint64_t>(out, sequence.chunks[c].begin);
        put<std::uint64_t>(out, sequence.chunks[c].end);
      }
    }
    // The pseudo-bin: the sequence's first and end offsets, and its rows (none unplaced).
    put<std::uint32_t>(out, kMetaBin);
    put<std::int32_t>(out, 2);
    put<std::uint64_t>(out, sequence.span.begin);
    put<std::uint64_t>(out, sequence.span.end);
    put<std::uint64_t>(out, sequence.rows);
    put<std::uint64_t>(out, 0);
    put<std::int32_t>(out, static_cast<std::int32_t>(sequence.linear.size()));
    out.append(reinterpret_cast<const char*>(sequence.linear.data()), sequence.linear.size() * sizeof(std::uint64_t));
  }
  put<std::uint64_t>(out, 0);  // rows without coordinates
  return out;
}

void TabixIndex::save(const std::string& path) const {
  if (!finished_) throw Error(path + ": the tabix index was saved before it was finished");
  OutputFile file(path, 1, 1);
  file.write(serialise());
  file.commit();
}

}  // namespace kohort
