# Recomputes a kohort trial analysis in R from kohort's person-level table (--cohort-table) and
# compares: propensity scores (glm), stabilised truncated IPTW, per-protocol censoring weights
# (pooled logistic glm), greedy nearest-neighbour caliper matching (in R), Cox hazard ratios with robust
# CIs (coxph), weighted Kaplan-Meier risks (survfit), standardised mean differences.
# Usage: Rscript trial_vs_r.R PREFIX ESTIMAND ADJUSTMENT TRUNCATE_LO TRUNCATE_HI MATCH_RATIO CALIPER TRIM_LO TRIM_HI
# Tolerances: propensity scores and weights 1e-6 relative; estimates.tsv prints 6 significant digits,
# so hazard ratios, CIs and risks within 2e-5 relative; km.tsv survival (6 decimals) within 2e-6
# absolute; balance.tsv (4 significant digits) within 1e-3 relative or 1e-4 absolute.
suppressMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
prefix <- args[1]; estimand <- args[2]; adjustment <- args[3]
lo <- as.numeric(args[4]); hi <- as.numeric(args[5]); ratio <- as.integer(args[6]); caliper <- as.numeric(args[7])
trim_lo <- as.numeric(args[8]); trim_hi <- as.numeric(args[9])
d <- read.delim(paste0(prefix, ".cohort.tsv"), check.names = FALSE)
est <- read.delim(paste0(prefix, ".estimates.tsv"), stringsAsFactors = FALSE)
est$horizon <- ifelse(is.na(est$horizon_days), "NA", as.character(est$horizon_days))
fixed <- c("person_id", "arm", "time_zero", "time", "event", "deviation", "deviation_kind", "propensity", "weight")
covs <- setdiff(names(d), fixed)
covs <- covs[vapply(covs, function(v) length(unique(d[[v]])) > 1, TRUE)]
names(d) <- make.names(names(d))
covs <- make.names(covs)
failures <- 0
here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[1]))
source(file.path(here, "r", "trial_checks.R"))

# Propensity score.
form <- reformulate(covs, response = "arm")
ps <- fitted(glm(form, family = binomial, data = d))
check("propensity score vs glm", d$propensity, ps, 1e-6)

# Baseline weights.
if (adjustment == "weighting") {
  kept <- ps >= trim_lo & ps <= trim_hi
  share <- mean(d$arm[kept])
  w <- ifelse(!kept, 0, ifelse(d$arm == 1, share / ps, (1 - share) / (1 - ps)))
  if (lo > 0 || hi < 1) { q <- quantile(w[kept], c(lo, hi), type = 7); w[kept] <- pmin(pmax(w[kept], q[1]), q[2]) }
  check(sprintf("stabilised IPTW (%d trimmed, truncated)", sum(!kept)), d$weight, w, 1e-6)
  cluster_of <- seq_len(nrow(d))
} else if (adjustment == "matching") {
  # Greedy nearest-neighbour matching written out here. MatchIt is not the peer: the version Debian
  # ships (4.5.1) ignores calipers (MatchIt issue #163) and its vectorised matcher sometimes skips
  # the nearest control.
  lp <- qlogis(ps)
  width <- caliper * sd(lp)
  treated <- which(d$arm == 1)
  treated <- treated[order(-lp[treated], treated)]
  free <- rep(TRUE, nrow(d)); free[treated] <- FALSE
  set <- rep(NA_integer_, nrow(d)); size <- integer(0)
  for (r in seq_len(ratio)) for (t in treated) {
    if (r > 1 && (is.na(set[t]) || size[set[t]] < r - 1)) next
    candidates <- which(free)
    if (!length(candidates)) break
    gap <- abs(lp[candidates] - lp[t]); j <- which.min(gap)
    if (gap[j] > width) next
    if (is.na(set[t])) { size <- c(size, 0L); set[t] <- length(size) }
    set[candidates[j]] <- set[t]; size[set[t]] <- size[set[t]] + 1L; free[candidates[j]] <- FALSE
  }
  w <- ifelse(is.na(set), 0, ifelse(d$arm == 1, 1, 1 / size[set]))
  controls <- !is.na(set) & d$arm == 0
  w[controls] <- w[controls] * sum(controls) / sum(w[controls])
  check(sprintf("matching weights vs greedy caliper matching in R (1:%d, %g SD)", ratio, caliper), d$weight, w, 1e-9,
        relative = FALSE)
  cluster_of <- ifelse(is.na(set), 0L, set)
} else {
  w <- rep(1, nrow(d)); cluster_of <- seq_len(nrow(d))
}
d$w <- w
d$cl <- cluster_of
d$id <- seq_len(nrow(d))

# Follow-up rows for the estimand.
if (estimand == "per-protocol") {
  step <- 30
  dev <- ifelse(is.na(d$deviation), Inf, d$deviation)
  stop_at <- pmin(d$time, dev)
  keep <- d$w > 0
  k <- ifelse(keep, ceiling(stop_at / step), 0)
  id <- rep(d$id, k)
  start <- (sequence(k) - 1) * step
  stop <- pmin(start + step, stop_at[id])
  last <- stop >= stop_at[id]
  rows <- data.frame(id = id, start = start, stop = stop, arm = d$arm[id],
                     event = as.integer(last & d$event[id] == 1 & d$time[id] <= dev[id]),
                     deviated = as.integer(last & dev[id] < d$time[id]), t = start / 365.25)
  for (v in covs) rows[[v]] <- d[[v]][id]
  ratio_of <- numeric(nrow(rows))
  for (a in 0:1) {
    s <- rows$arm == a
    num <- glm(deviated ~ t + I(t^2) + I(t^3), family = binomial, data = rows[s, ])
    den <- glm(reformulate(c("t", "I(t^2)", "I(t^3)", covs), response = "deviated"), family = binomial, data = rows[s, ])
    ratio_of[s] <- (1 - fitted(num)) / (1 - fitted(den))
  }
  previous <- ave(ratio_of, rows$id, FUN = function(r) c(1, cumprod(r)[-length(r)]))
  truncate <- function(w) {
    if (lo > 0 || hi < 1) { q <- quantile(w[w > 0], c(lo, hi), type = 7); w[w > 0] <- pmin(pmax(w[w > 0], q[1]), q[2]) }
    w
  }
  rows$w <- truncate(d$w[rows$id] * previous)
  rows$ipcw <- truncate(previous)
  rows$cl <- d$cl[rows$id]
  crude <- coxph(Surv(start, stop, event) ~ arm + cluster(id), data = rows, ties = "efron")
  adjusted <- coxph(Surv(start, stop, event) ~ arm + cluster(cl), data = rows, weights = w, ties = "efron")
  om <- coxph(reformulate(c("arm", covs, "cluster(id)"), response = "Surv(start, stop, event)"), data = rows,
              weights = ipcw, ties = "efron")
  km <- survfit(Surv(start, stop, event) ~ arm, data = rows, weights = w)
} else {
  rows <- d[d$w > 0, ]
  crude <- coxph(Surv(time, event) ~ arm, data = d, ties = "efron")
  adjusted <- coxph(Surv(time, event) ~ arm + cluster(cl), data = rows, weights = w, ties = "efron")
  om <- coxph(reformulate(c("arm", covs), response = "Surv(time, event)"), data = d, ties = "efron")
  km <- survfit(Surv(time, event) ~ arm, data = rows, weights = w)
}
check("crude hazard ratio and CI vs coxph", kohort_estimate("hazard_ratio", "crude Cox"), hr(crude), 2e-5)
check("adjusted hazard ratio and robust CI vs coxph", kohort_estimate("hazard_ratio", "robust 95% CI"), hr(adjusted), 2e-5)
check("outcome-regression hazard ratio and CI vs coxph", kohort_estimate("hazard_ratio", "conditional"), hr(om), 2e-5)

# Risks at the horizons and the released survival curve.
horizons <- unique(est$horizon_days[est$estimate == "risk"])
for (a in 0:1) {
  s <- summary(km[a + 1], times = as.numeric(horizons), extend = TRUE)$surv
  arm <- if (a == 1) "treatment" else "comparator"
  k <- sapply(horizons, function(h) kohort_estimate("risk", "Kaplan-Meier", as.character(h), arm)[1])
  check(sprintf("%s risks at %s days vs survfit", arm, paste(horizons, collapse = ",")), k, 1 - s, 2e-5)
  curve <- read.delim(paste0(prefix, ".km.tsv"))
  curve <- curve[curve$arm == arm, ]
  s <- summary(km[a + 1], times = curve$days, extend = TRUE)$surv
  check(sprintf("%s released survival curve vs survfit", arm), curve$survival, s, 2e-6, relative = FALSE)
}

# Balance after adjustment: standardised mean differences with the unadjusted pooled SD.
bal <- read.delim(paste0(prefix, ".balance.tsv"), stringsAsFactors = FALSE)
smd <- sapply(bal$covariate, function(v) {
  v <- make.names(v); x <- d[[v]]; b <- bal$type[make.names(bal$covariate) == v] == "binary"
  m1 <- mean(x[d$arm == 1]); m0 <- mean(x[d$arm == 0])
  v1 <- if (b) m1 * (1 - m1) else var(x[d$arm == 1]); v0 <- if (b) m0 * (1 - m0) else var(x[d$arm == 0])
  sdp <- sqrt((v1 + v0) / 2)
  wm1 <- weighted.mean(x[d$arm == 1], d$w[d$arm == 1]); wm0 <- weighted.mean(x[d$arm == 0], d$w[d$arm == 0])
  if (sdp > 0) (wm1 - wm0) / sdp else 0
})
shown <- suppressWarnings(as.numeric(bal$smd_after))
check("SMD after adjustment vs R", shown, ifelse(is.na(shown), NA, smd), 2e-3, relative = FALSE)
if (failures > 0) { cat(sprintf("%d comparisons failed\n", failures)); quit(status = 1) }
