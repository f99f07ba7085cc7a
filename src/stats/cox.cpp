#include "stats/cox.h"
#include "stats/radix_sort.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <type_traits>
#include <utility>

#include "core/error.h"
#include "core/parallel.h"
#include "stats/linear_algebra.h"
#include "stats/survival_input.h"

namespace kohort::stats {
namespace {

// The per-row loops run over the p covariates; for p up to kFixedP they are compiled with p a
// constant (f gets std::integral_constant<std::size_t, p>), so the short loops unroll instead of
// paying a runtime-length loop's set-up on every row; other p get 0 (use the runtime p).
constexpr std::size_t kFixedP = 16;
template <typename F, std::size_t... P>
void with_fixed_p(std::size_t p, F&& f, std::index_sequence<P...>) {
  const bool fixed = ((p == P + 1 && (f(std::integral_constant<std::size_t, P + 1>{}), true)) || ...);
  if (!fixed) f(std::integral_constant<std::size_t, 0>{});
}
template <typename F>
void with_fixed_p(std::size_t p, F&& f) {
  with_fixed_p(p, std::forward<F>(f), std::make_index_sequence<kFixedP>{});
}

// p running sums, zeroed: on the stack for a fixed p, where they cannot alias the data, so the
// compiler keeps them in registers and vectorises; on the heap otherwise.
template <std::size_t P>
struct Sums {
  std::conditional_t<P == 0, std::vector<double>, std::array<double, P>> v;
  explicit Sums(std::size_t p) {
    if constexpr (P == 0) v.assign(p, 0.0);
    else v.fill(0.0);
  }
  double& operator[](std::size_t i) { return v[i]; }
  void zero() { std::fill(v.begin(), v.end(), 0.0); }
};

// A run of sweep positions within one stratum that starts at a new time, with the risk-set sums
// (s0, s1) of the stratum's rows before it. Right-censored data is cut into segments of about
// kSegment rows, by the data alone, so their sweeps run in parallel with identical results at
// any thread count; otherwise (entry times, score residuals) a stratum is one segment.
struct Segment {
  std::size_t stratum = 0, begin = 0, end = 0;
  double s0 = 0;
  std::vector<double> s1;
};
constexpr std::size_t kSegment = 1 << 16;

// The data sorted once: per stratum by descending stop time (the sweep order), plus the order of
// descending start times mapped to sweep positions (for leaving the risk set).
struct Sorted {
  std::size_t n = 0, p = 0;
  bool has_start = false;
  std::vector<std::size_t> row;          // original row at each sweep position
  std::vector<double> stop, event, weight, x;  // in sweep order; x row-major n x p, centred
  std::vector<double> start_desc;        // start times in descending order within stratum
  std::vector<std::size_t> start_pos;    // sweep position of each of those
  std::vector<std::size_t> bounds;       // stratum s spans [bounds[s], bounds[s+1]) in both orders
  std::vector<Segment> segments;         // right-censored data: the strata cut at time changes
};

// Each stratum cut into runs of about kSegment rows, each ending where the time changes (a tie
// group is never split).
std::vector<Segment> cut_segments(const Sorted& s) {
  std::vector<Segment> segments;
  for (std::size_t st = 0; st + 1 < s.bounds.size(); ++st) {
    const std::size_t end = s.bounds[st + 1];
    for (std::size_t at = s.bounds[st]; at < end;) {
      std::size_t cut = std::min(end, at + kSegment);
      while (cut < end && s.stop[cut] == s.stop[cut - 1]) ++cut;
      segments.push_back(Segment{st, at, cut, 0.0, {}});
      at = cut;
    }
  }
  return segments;
}

// One segment per stratum, starting from an empty risk set.
std::vector<Segment> whole_strata(const Sorted& s) {
  std::vector<Segment> segments;
  for (std::size_t st = 0; st + 1 < s.bounds.size(); ++st)
    segments.push_back(Segment{st, s.bounds[st], s.bounds[st + 1], 0.0, std::vector<double>(s.p, 0.0)});
  return segments;
}

// Rows by stratum, then descending time, rows of equal time in row order (deterministic);
// `rows` is descending_order(time).
std::vector<std::size_t> by_stratum(const CoxData& d, std::vector<std::size_t> rows) {
  if (!d.strata.empty())
    std::stable_sort(rows.begin(), rows.end(), [&](std::size_t a, std::size_t b) { return d.strata[a] < d.strata[b]; });
  return rows;
}

std::vector<std::size_t> sweep_order(const CoxData& d, const std::vector<double>& time) {
  return by_stratum(d, descending_order(time));
}

// `by_stop` is sweep_order(d, stop).
Sorted sort_data(const CoxData& d, std::vector<std::size_t> by_stop, const std::vector<double>& stop,
                 const std::vector<double>& start) {
  Sorted s;
  s.n = d.n;
  s.p = d.p;
  s.has_start = !start.empty();
  s.row = std::move(by_stop);
  const std::vector<std::size_t>& order = s.row;
  s.stop.resize(d.n);
  s.event.resize(d.n);
  s.weight.resize(d.n);
  s.x.resize(d.n * d.p);
  std::vector<std::size_t> position(d.n);  // sweep position of each row
  for (std::size_t k = 0; k < d.n; ++k) {
    const std::size_t i = order[k];
    position[i] = k;
    s.stop[k] = stop[i];
    s.event[k] = d.event[i];
    s.weight[k] = d.weight.empty() ? 1.0 : d.weight[i];
  }
  // Covariates centred (the partial likelihood is unchanged; sums stay well scaled) and stored
  // row-major in sweep order: columns read in order, each row written once at its position (one
  // cache miss per row, where gathering would miss once per value). Each column's mean is one
  // serial sum, and rows are disjoint, so threads change nothing.
  std::vector<double> mean(d.p);
  parallel_for(d.p, 1, [&](std::size_t b, std::size_t e) {
    for (std::size_t j = b; j < e; ++j) {
      const double* col = d.column(j);
      double sum = 0;
      for (std::size_t i = 0; i < d.n; ++i) sum += col[i];
      mean[j] = sum / static_cast<double>(d.n);
    }
  });
  std::vector<const double*> columns(d.p);
  for (std::size_t j = 0; j < d.p; ++j) columns[j] = d.column(j);
  parallel_for(d.n, 1 << 16, [&](std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) {
      double* out = &s.x[position[i] * d.p];
      for (std::size_t j = 0; j < d.p; ++j) out[j] = columns[j][i] - mean[j];
    }
  });
  auto stratum = [&](std::size_t k) { return d.strata.empty() ? 0 : d.strata[order[k]]; };
  s.bounds.push_back(0);
  if (!d.strata.empty())
    for (std::size_t k = 1; k < d.n; ++k)
      if (stratum(k) != stratum(k - 1)) s.bounds.push_back(k);
  s.bounds.push_back(d.n);
  if (s.has_start) {
    const std::vector<std::size_t> by_start = sweep_order(d, start);
    s.start_desc.resize(d.n);
    s.start_pos.resize(d.n);
    for (std::size_t k = 0; k < d.n; ++k) {
      s.start_desc[k] = start[by_start[k]];
      s.start_pos[k] = position[by_start[k]];
    }
  } else {
    s.segments = cut_segments(s);
  }
  return s;
}

// Whether R's timefix would change any of these times: two distinct times closer than the
// tolerance, absolutely or relative to the mean absolute distinct time. Walking the times sorted
// descending backwards visits the distinct times in the same ascending order as
// merge_near_tied_times, so the mean and the verdict are the same as its own.
bool has_near_tied_times(const std::vector<double>& descending) {
  std::vector<double> distinct;
  for (std::size_t k = descending.size(); k-- > 0;) {
    const double t = descending[k];
    if (std::isfinite(t) && (distinct.empty() || t != distinct.back())) distinct.push_back(t);
  }
  if (distinct.size() < 2) return false;
  double mean_abs = 0;
  for (double t : distinct) mean_abs += std::fabs(t);
  mean_abs /= static_cast<double>(distinct.size());
  for (std::size_t k = 1; k < distinct.size(); ++k) {
    const double gap = distinct[k] - distinct[k - 1];
    if (gap <= kTimefixTolerance || gap / mean_abs <= kTimefixTolerance) return true;
  }
  return false;
}

struct Pass {
  double loglik = 0;
  std::vector<double> score, info;  // info: lower triangle accumulated, mirrored at the end
  double hazard_total = 0;          // sum of the hazard increments of the pass
};

// One reverse cumulative pass over a segment of a stratum: adds rows as time decreases, removes rows whose
// entry time is passed, and at each event time adds the Efron or Breslow terms to the
// log-likelihood and score. The information sum_t w_t (S2_t / S0_t - xbar_t xbar_t') needs no
// running p x p sums: its first part equals sum_i r_i x_i x_i' times the hazard increments over
// the times row i is at risk, so the pass records that per row (`hazard`, with the Efron
// fractions for tied deaths) and the caller adds the rows up in parallel.
// `resid` (n x p in sweep order, or null) receives the unweighted score residuals of the stratum's
// rows. A segment that is not a whole stratum leaves its rows' hazards relative to the segment's own
// start (the caller adds the later segments' hazard); a whole stratum's rows leave at its end.
template <std::size_t P>
void stratum_pass(const Sorted& s, const Segment& segment, bool whole_stratum, const std::vector<double>& eta,
                  const std::vector<double>& exp_eta, Ties ties, double* hazard, double* resid, Pass& out) {
  const bool want_resid = resid != nullptr;
  const std::size_t p = P ? P : s.p;
  const std::size_t begin = segment.begin, end = segment.end;
  Sums<P> s1(p), a1(p), xb(p), acc_hx(p), dhx(p), dhx_dead(p), xbar_dead(p), score(p);
  Sums<P * P> info(p * p);  // copied to `out` at the end
  for (std::size_t a = 0; a < p; ++a) s1[a] = segment.s1[a];
  double s0 = segment.s0, acc_h = 0, loglik = 0;
  std::size_t in_risk = 0;
  auto risk = [&](std::size_t k) { return s.weight[k] * exp_eta[k]; };
  // A row's hazard is acc_h when it leaves minus acc_h when it enters.
  auto move = [&](std::size_t k, double sign) {
    const double r = sign * risk(k);
    const double* x = &s.x[k * p];
    s0 += r;
    for (std::size_t a = 0; a < p; ++a) s1[a] += r * x[a];
    hazard[k] -= sign * acc_h;
    if (want_resid) {
      const double e = sign * exp_eta[k];
      for (std::size_t a = 0; a < p; ++a) resid[k * p + a] += e * (x[a] * acc_h - acc_hx[a]);
    }
  };
  std::size_t ip = begin, is = begin;
  while (ip < end) {
    const double t = s.stop[ip];
    std::size_t jp = ip;
    while (jp < end && s.stop[jp] == t) ++jp;
    if (s.has_start) {
      while (is < end && s.start_desc[is] >= t) {
        move(s.start_pos[is], -1.0);
        --in_risk;
        ++is;
      }
      if (in_risk == 0) {  // an empty risk set: clear the round-off left by subtraction
        s0 = 0;
        s1.zero();
      }
    }
    double a0 = 0, dead_weight = 0;
    int deaths = 0;
    for (std::size_t k = ip; k < jp; ++k) {
      move(k, 1.0);
      ++in_risk;
      if (s.event[k] == 0) continue;
      const double* x = &s.x[k * p];
      ++deaths;
      dead_weight += s.weight[k];
      loglik += s.weight[k] * eta[k];
      for (std::size_t a = 0; a < p; ++a) score[a] += s.weight[k] * x[a];
    }
    if (deaths == 0) {
      ip = jp;
      continue;
    }
    // Breslow is the Efron sum with one term carrying all the death weight; the sums over the
    // tied deaths matter only for Efron with two or more deaths.
    const int terms = ties == Ties::kEfron ? deaths : 1;
    if (terms > 1) {
      a1.zero();
      for (std::size_t k = ip; k < jp; ++k) {
        if (s.event[k] == 0) continue;
        const double r = risk(k);
        a0 += r;
        for (std::size_t a = 0; a < p; ++a) a1[a] += r * s.x[k * p + a];
      }
    }
    const double term_weight = dead_weight / terms;
    double dh = 0, dh_dead = 0;
    if (want_resid) {
      dhx.zero();
      dhx_dead.zero();
      xbar_dead.zero();
    }
    for (int k = 0; k < terms; ++k) {
      const double f = terms > 1 ? static_cast<double>(k) / deaths : 0.0;
      const double den = s0 - f * a0;
      const double h = term_weight / den;
      loglik -= term_weight * std::log(den);
      for (std::size_t a = 0; a < p; ++a) {
        xb[a] = (s1[a] - f * a1[a]) / den;
        score[a] -= term_weight * xb[a];
      }
      // Full rows (the upper triangle is overwritten by the mirror): contiguous, so vectorised.
      for (std::size_t a = 0; a < p; ++a) {
        const double wx = term_weight * xb[a];
        double* row = &info[a * p];
        for (std::size_t b = 0; b < p; ++b) row[b] -= wx * xb[b];
      }
      dh += h;
      dh_dead += (1 - f) * h;
      if (want_resid) {
        for (std::size_t a = 0; a < p; ++a) {
          dhx[a] += h * xb[a];
          dhx_dead[a] += (1 - f) * h * xb[a];
          xbar_dead[a] += xb[a] / terms;
        }
      }
    }
    for (std::size_t k = ip; k < jp; ++k) {
      if (s.event[k] == 0) continue;
      hazard[k] -= dh - dh_dead;  // a tied death counts only (1 - f) of each Efron term
      if (!want_resid) continue;
      const double e = exp_eta[k];
      const double* x = &s.x[k * p];
      for (std::size_t a = 0; a < p; ++a)
        resid[k * p + a] += x[a] - xbar_dead[a] + e * (x[a] * (dh - dh_dead) - (dhx[a] - dhx_dead[a]));
    }
    acc_h += dh;
    if (want_resid)
      for (std::size_t a = 0; a < p; ++a) acc_hx[a] += dhx[a];
    ip = jp;
  }
  out.loglik = loglik;
  for (std::size_t a = 0; a < p; ++a) out.score[a] = score[a];
  for (std::size_t a = 0; a < p * p; ++a) out.info[a] = info[a];
  out.hazard_total = acc_h;
  if (!whole_stratum) return;
  // Rows still at risk at the start of the stratum's time leave now.
  auto leave = [&](std::size_t k) {
    hazard[k] += acc_h;
    if (!want_resid) return;
    const double e = exp_eta[k];
    for (std::size_t a = 0; a < p; ++a) resid[k * p + a] -= e * (s.x[k * p + a] * acc_h - acc_hx[a]);
  };
  if (s.has_start) {
    for (; is < end; ++is) leave(s.start_pos[is]);
  } else {
    for (std::size_t k = begin; k < end; ++k) leave(k);
  }
}

// Per-row buffers reused across iterations (allocating them each time costs page faults).
struct Workspace {
  std::vector<double> eta, exp_eta, hazard;
};

// eta = x beta and exp(eta) for the rows [begin, end).
template <std::size_t P>
void linear_predictor(const Sorted& s, const std::vector<double>& beta, std::size_t begin, std::size_t end, Workspace& ws) {
  const std::size_t p = P ? P : s.p;
  Sums<P> b(p);  // a local copy: the stores below cannot alias it
  for (std::size_t a = 0; a < p; ++a) b[a] = beta[a];
  for (std::size_t k = begin; k < end; ++k) {
    double v = 0;
    for (std::size_t a = 0; a < p; ++a) v += s.x[k * p + a] * b[a];
    ws.eta[k] = v;
    ws.exp_eta[k] = std::exp(v);
  }
}

// The linear predictor, and each segment's starting risk-set sums: the sums over the segments
// before it in its stratum, added in segment order.
template <std::size_t P>
std::vector<Segment> prepare_segments(const Sorted& s, const std::vector<double>& beta, Workspace& ws) {
  const std::size_t p = P ? P : s.p;
  std::vector<Segment> segments = s.segments;
  std::vector<double> s0(segments.size(), 0.0), s1(segments.size() * p, 0.0);
  parallel_for(segments.size(), 1, [&](std::size_t b, std::size_t e) {
    for (std::size_t c = b; c < e; ++c) {
      linear_predictor<P>(s, beta, segments[c].begin, segments[c].end, ws);
      Sums<P> sum(p);  // local: no aliasing with the data
      double sum0 = 0;
      for (std::size_t k = segments[c].begin; k < segments[c].end; ++k) {
        const double r = s.weight[k] * ws.exp_eta[k];
        sum0 += r;
        for (std::size_t a = 0; a < p; ++a) sum[a] += r * s.x[k * p + a];
      }
      s0[c] = sum0;
      for (std::size_t a = 0; a < p; ++a) s1[c * p + a] = sum[a];
    }
  });
  double run0 = 0;
  std::vector<double> run1(p, 0.0);
  for (std::size_t c = 0; c < segments.size(); ++c) {
    if (c == 0 || segments[c].stratum != segments[c - 1].stratum) {
      run0 = 0;
      std::fill(run1.begin(), run1.end(), 0.0);
    }
    segments[c].s0 = run0;
    segments[c].s1 = run1;
    run0 += s0[c];
    for (std::size_t a = 0; a < p; ++a) run1[a] += s1[c * p + a];
  }
  return segments;
}

// Segments leave their rows' hazards relative to their own start: each row also gains the hazard
// increments of its own and the later segments of its stratum (the earlier times), summed from
// the stratum's last segment.
void finish_segment_hazards(const std::vector<Segment>& segments, const std::vector<Pass>& parts, std::vector<double>& hazard) {
  std::vector<double> later(segments.size());
  double run = 0;
  for (std::size_t c = segments.size(); c-- > 0;) {
    if (c + 1 == segments.size() || segments[c].stratum != segments[c + 1].stratum) run = 0;
    run += parts[c].hazard_total;
    later[c] = run;
  }
  parallel_for(segments.size(), 1, [&](std::size_t b, std::size_t e) {
    for (std::size_t c = b; c < e; ++c)
      for (std::size_t k = segments[c].begin; k < segments[c].end; ++k) hazard[k] += later[c];
  });
}

// Adds sum_k c_k x_k x_k' (c_k = w_k exp(eta_k) hazard_k) over the rows [begin, end) to the lower
// triangle of m. Rows go in blocks of kBlock, transposed, so each entry is a dot product of two
// contiguous vectors summed in four fixed lanes (vectorised, and the same at any thread count).
template <std::size_t P>
void add_weighted_outer_products(const Sorted& s, const Workspace& ws, std::size_t begin, std::size_t end, double* m) {
  const std::size_t p = P ? P : s.p;
  constexpr std::size_t kBlock = 32, kLanes = 4;
  std::vector<double> xt(p * kBlock), cxt(p * kBlock);  // [a * kBlock + row in block]
  for (std::size_t first = begin; first < end; first += kBlock) {
    const std::size_t rows = std::min(kBlock, end - first);
    for (std::size_t i = 0; i < kBlock; ++i) {  // rows past the end are zeros: they add nothing
      const std::size_t k = first + i;
      const double c = i < rows ? s.weight[k] * ws.exp_eta[k] * ws.hazard[k] : 0.0;
      for (std::size_t a = 0; a < p; ++a) {
        const double x = i < rows ? s.x[k * p + a] : 0.0;
        xt[a * kBlock + i] = x;
        cxt[a * kBlock + i] = c * x;
      }
    }
    for (std::size_t a = 0; a < p; ++a) {
      const double* u = &cxt[a * kBlock];
      for (std::size_t b = 0; b <= a; ++b) {
        const double* v = &xt[b * kBlock];
        double lane[kLanes] = {0, 0, 0, 0};
        for (std::size_t i = 0; i < kBlock; i += kLanes)
          for (std::size_t l = 0; l < kLanes; ++l) lane[l] += u[i + l] * v[i + l];
        m[a * p + b] += (lane[0] + lane[1]) + (lane[2] + lane[3]);
      }
    }
  }
}

template <std::size_t P>
Pass evaluate_fixed(const Sorted& s, const std::vector<double>& beta, Ties ties, std::vector<double>* resid, Workspace& ws) {
  const std::size_t p = P ? P : s.p, n = s.n;
  ws.eta.resize(n);
  ws.exp_eta.resize(n);
  ws.hazard.assign(n, 0.0);
  const std::vector<double>& exp_eta = ws.exp_eta;
  std::vector<double>& hazard = ws.hazard;
  // Score residuals need the stratum-wide running sums: whole strata then.
  const bool segmented = !s.has_start && resid == nullptr;
  std::vector<Segment> segments;
  if (segmented) {
    segments = prepare_segments<P>(s, beta, ws);
  } else {
    segments = whole_strata(s);
    parallel_for(n, 1 << 16, [&](std::size_t b, std::size_t e) { linear_predictor<P>(s, beta, b, e, ws); });
  }
  if (resid) resid->assign(n * p, 0.0);
  std::vector<Pass> parts(segments.size());
  // Segments cover disjoint rows and each has its own accumulator; they are summed in segment
  // order, so the result does not depend on the thread count.
  parallel_for(segments.size(), 1, [&](std::size_t b, std::size_t e) {
    for (std::size_t c = b; c < e; ++c) {
      parts[c].score.assign(p, 0.0);
      parts[c].info.assign(p * p, 0.0);
      stratum_pass<P>(s, segments[c], !segmented, ws.eta, exp_eta, ties, hazard.data(), resid ? resid->data() : nullptr, parts[c]);
    }
  });
  if (segmented) finish_segment_hazards(segments, parts, hazard);
  // sum_i w_i exp(eta_i) hazard_i x_i x_i' in fixed chunks, added in chunk order.
  constexpr std::size_t kChunk = 1 << 15;
  const std::size_t chunks = (n + kChunk - 1) / kChunk;
  std::vector<double> chunk_info(chunks * p * p, 0.0);
  parallel_for(n, kChunk, [&](std::size_t b, std::size_t e) {
    add_weighted_outer_products<P>(s, ws, b, e, &chunk_info[(b / kChunk) * p * p]);
  });
  Pass total;
  total.score.assign(p, 0.0);
  total.info.assign(p * p, 0.0);
  for (std::size_t c = 0; c < chunks; ++c)
    for (std::size_t a = 0; a < p * p; ++a) total.info[a] += chunk_info[c * p * p + a];
  for (const Pass& part : parts) {
    total.loglik += part.loglik;
    for (std::size_t a = 0; a < p; ++a) total.score[a] += part.score[a];
    for (std::size_t a = 0; a < p * p; ++a) total.info[a] += part.info[a];
  }
  for (std::size_t a = 0; a < p; ++a)
    for (std::size_t b = 0; b < a; ++b) total.info[b * p + a] = total.info[a * p + b];
  return total;
}

Pass evaluate(const Sorted& s, const std::vector<double>& beta, Ties ties, std::vector<double>* resid, Workspace& ws) {
  Pass pass;
  with_fixed_p(s.p, [&](auto p) { pass = evaluate_fixed<decltype(p)::value>(s, beta, ties, resid, ws); });
  return pass;
}

void check(const CoxData& d) {
  const bool x_ok = d.x_columns.empty() ? d.x.size() == d.n * d.p : d.x_columns.size() == d.p && d.x.empty();
  if (d.stop.size() != d.n || d.event.size() != d.n || !x_ok ||
      (!d.start.empty() && d.start.size() != d.n) || (!d.weight.empty() && d.weight.size() != d.n) ||
      (!d.strata.empty() && d.strata.size() != d.n) || (!d.cluster.empty() && d.cluster.size() != d.n))
    throw Error("fit_cox: inconsistent data sizes");
  if (d.n == 0) throw InputError("no rows to fit the Cox model on");
}

}  // namespace

CoxDerivatives cox_derivatives(const CoxData& data, const std::vector<double>& beta, Ties ties) {
  check(data);
  const Sorted s = sort_data(data, sweep_order(data, data.stop), data.stop, data.start);
  Workspace ws;
  Pass pass = evaluate(s, beta, ties, nullptr, ws);
  return CoxDerivatives{pass.loglik, std::move(pass.score), std::move(pass.info)};
}

CoxFit fit_cox(const CoxData& data, const CoxOptions& options) {
  check(data);
  const std::size_t p = data.p;
  // Right-censored data is sorted once: timefix rarely changes anything, and the sort tells;
  // the times are copied only to be changed.
  std::vector<double> fixed_stop, start = data.start;
  const std::vector<double>* stop = &data.stop;
  std::vector<std::size_t> by_stop;
  if (start.empty()) {
    std::vector<double> sorted;
    std::vector<std::size_t> by_time = descending_order(data.stop, &sorted);
    if (options.timefix && has_near_tied_times(sorted)) {
      fixed_stop = data.stop;
      merge_near_tied_times(fixed_stop, nullptr);
      stop = &fixed_stop;
      by_time = descending_order(fixed_stop);
    }
    by_stop = by_stratum(data, std::move(by_time));
  } else {
    fixed_stop = data.stop;
    if (options.timefix) merge_near_tied_times(fixed_stop, &start);
    stop = &fixed_stop;
    by_stop = sweep_order(data, fixed_stop);
  }
  const Sorted s = sort_data(data, std::move(by_stop), *stop, start);
  CoxFit fit;
  fit.n = data.n;
  for (double e : data.event) fit.events += e != 0;
  std::vector<double> beta(p, 0.0);
  Workspace ws;
  Pass current = evaluate(s, beta, options.ties, nullptr, ws);
  fit.loglik_null = current.loglik;
  {
    CholeskyFactor chol(current.info, p, options.toler_chol);
    fit.score_test = 0;
    const std::vector<double> step = chol.solve(current.score);
    for (std::size_t a = 0; a < p; ++a) fit.score_test += current.score[a] * step[a];
  }
  // Newton-Raphson as coxph: step from the last good beta; halve the step while the log-likelihood
  // falls; converged when the relative change in log-likelihood is <= eps after a full step.
  double loglik = current.loglik;
  std::vector<double> info = current.info;
  std::vector<double> new_beta(p);
  {
    CholeskyFactor chol(info, p, options.toler_chol);
    const std::vector<double> step = chol.solve(current.score);
    for (std::size_t a = 0; a < p; ++a) new_beta[a] = beta[a] + step[a];
  }
  bool halving = false;
  int iter = 0;
  if (p == 0 || options.max_iter == 0) {
    new_beta = beta;
  } else {
    for (iter = 1; iter <= options.max_iter; ++iter) {
      Pass next = evaluate(s, new_beta, options.ties, nullptr, ws);
      if (std::isfinite(next.loglik) && std::fabs(1 - loglik / next.loglik) <= options.eps && !halving) {
        fit.converged = true;
        loglik = next.loglik;
        info = next.info;
        beta = new_beta;
        break;
      }
      if (iter == options.max_iter) {
        loglik = next.loglik;
        info = next.info;
        beta = new_beta;
        break;
      }
      if (!std::isfinite(next.loglik) || next.loglik < loglik) {
        halving = true;
        for (std::size_t a = 0; a < p; ++a) new_beta[a] = (new_beta[a] + beta[a]) / 2;
      } else {
        halving = false;
        loglik = next.loglik;
        info = next.info;
        beta = new_beta;
        CholeskyFactor chol(info, p, options.toler_chol);
        const std::vector<double> step = chol.solve(next.score);
        for (std::size_t a = 0; a < p; ++a) new_beta[a] = beta[a] + step[a];
      }
    }
    if (iter > options.max_iter) iter = options.max_iter;
  }
  fit.iterations = iter;
  fit.beta = beta;
  fit.loglik = loglik;
  CholeskyFactor chol(info, p, options.toler_chol);
  fit.df = chol.rank();
  fit.aliased.resize(p);
  for (std::size_t a = 0; a < p; ++a) fit.aliased[a] = chol.singular(a);
  fit.var = chol.inverse();
  fit.lr_test = 2 * (fit.loglik - fit.loglik_null);
  fit.wald_test = 0;
  for (std::size_t a = 0; a < p; ++a)  // beta' var^-1 beta, with var^-1 the information
    for (std::size_t c = 0; c < p; ++c)
      if (!chol.singular(a) && !chol.singular(c)) fit.wald_test += beta[a] * info[a * p + c] * beta[c];

  if (options.robust || !data.cluster.empty()) {
    std::vector<double> resid;
    evaluate(s, beta, options.ties, &resid, ws);
    // Weighted score residuals summed within clusters (each row alone without clusters),
    // then robust = V B V with B = sum over clusters of the outer products (coxph's dfbeta route).
    std::vector<double> b(p * p, 0.0);
    if (data.cluster.empty()) {
      for (std::size_t k = 0; k < s.n; ++k) {
        const double* r = &resid[k * p];
        const double w = s.weight[k];
        for (std::size_t a = 0; a < p; ++a)
          for (std::size_t c = 0; c < p; ++c) b[a * p + c] += w * w * r[a] * r[c];
      }
    } else {
      const int clusters = *std::max_element(data.cluster.begin(), data.cluster.end()) + 1;
      std::vector<double> sum(static_cast<std::size_t>(clusters) * p, 0.0);
      for (std::size_t k = 0; k < s.n; ++k) {
        const std::size_t c = static_cast<std::size_t>(data.cluster[s.row[k]]);
        for (std::size_t a = 0; a < p; ++a) sum[c * p + a] += s.weight[k] * resid[k * p + a];
      }
      for (std::size_t c = 0; c < static_cast<std::size_t>(clusters); ++c)
        for (std::size_t a = 0; a < p; ++a)
          for (std::size_t e = 0; e < p; ++e) b[a * p + e] += sum[c * p + a] * sum[c * p + e];
    }
    std::vector<double> vb(p * p, 0.0);
    fit.robust_var.assign(p * p, 0.0);
    for (std::size_t a = 0; a < p; ++a)
      for (std::size_t c = 0; c < p; ++c)
        for (std::size_t e = 0; e < p; ++e) vb[a * p + c] += fit.var[a * p + e] * b[e * p + c];
    for (std::size_t a = 0; a < p; ++a)
      for (std::size_t c = 0; c < p; ++c)
        for (std::size_t e = 0; e < p; ++e) fit.robust_var[a * p + c] += vb[a * p + e] * fit.var[e * p + c];
    CholeskyFactor robust_chol(fit.robust_var, p, options.toler_chol);
    const std::vector<double> w = robust_chol.solve(beta);
    fit.wald_test = 0;
    for (std::size_t a = 0; a < p; ++a) fit.wald_test += beta[a] * w[a];
  }
  return fit;
}

}  // namespace kohort::stats
