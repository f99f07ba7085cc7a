# Recomputes kohort's clone-censor-weight analysis in R from the clone-level table (--cohort-table)
# and compares: the interval rows (grid restarting at the end of the grace), the censoring-weight
# models (pooled logistic glm per arm and phase: grace, grace end, after grace), the weights of
# every clone beyond the grace and at its last interval, the counts of censored clones by reason,
# Cox hazard ratios with robust CIs clustered on persons (coxph + cluster()), weighted Kaplan-Meier
# risks and the released survival curve (survfit), and the balance among clones followed beyond the grace.
# Usage: Rscript trial_ccw_vs_r.R PREFIX GRACE STEP STABILISED(1/0) TRUNC_LO TRUNC_HI ADJUSTMENT
# Tolerances: weights (printed with 17 digits) 1e-6 relative; estimates.tsv prints 6 significant
# digits, so hazard ratios, CIs and risks within 2e-5 relative; km.tsv survival (6 decimals) within
# 2e-6 absolute; balance.tsv (4 significant digits) within 2e-3 absolute; counts exactly.
suppressMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
prefix <- args[1]; grace <- as.numeric(args[2]); step <- as.numeric(args[3]); stabilised <- args[4] == "1"
lo <- as.numeric(args[5]); hi <- as.numeric(args[6]); adjustment <- args[7]
d <- read.delim(paste0(prefix, ".cohort.tsv"), check.names = FALSE, stringsAsFactors = FALSE)
est <- read.delim(paste0(prefix, ".estimates.tsv"), stringsAsFactors = FALSE)
est$horizon <- ifelse(is.na(est$horizon_days), "NA", as.character(est$horizon_days))
fixed <- c("person_id", "arm", "time_zero", "time", "event", "deviation", "deviation_kind", "initiation",
           "weight_after_grace", "weight_at_end")
covs <- setdiff(names(d), fixed)
covs <- covs[vapply(covs, function(v) length(unique(d[[v]])) > 1, TRUE)]
names(d) <- make.names(names(d))
covs <- make.names(covs)
failures <- 0
here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[1]))
source(file.path(here, "r", "trial_checks.R"))

# Clones: two rows per person, sharing the person's follow-up; censoring day NA when not censored.
stopifnot(nrow(d) %% 2 == 0, all(d$person_id[c(TRUE, FALSE)] == d$person_id[c(FALSE, TRUE)]))
d$clone <- seq_len(nrow(d))
d$pid <- match(d$person_id, unique(d$person_id))
d$cens <- ifelse(is.na(d$deviation), Inf, d$deviation)
d$end <- pmin(d$time, d$cens)
d$ev <- as.integer(d$event == 1 & d$time <= d$cens)

# Counts by reason (unsuppressed ones).
count_of <- function(what, arm) suppressWarnings(as.numeric(est$value[est$estimate == what & est$arm == arm]))
for (a in 0:1) {
  arm <- if (a == 1) "treatment" else "comparator"
  s <- d[d$arm == a, ]
  k <- c(count_of("clones", arm), count_of("initiated_within_grace", arm), count_of("censored_other_strategy_first", arm),
         count_of("censored_both_same_day", arm), count_of("censored_no_initiation", arm),
         count_of("switched_strategy", arm), count_of("discontinued_strategy", arm), count_of("events", arm))
  r <- c(nrow(s), sum(!is.na(s$initiation)), sum(s$deviation_kind == "other_strategy_first"),
         sum(s$deviation_kind == "both_same_day"), sum(s$deviation_kind == "no_initiation"),
         sum(s$deviation_kind == "switch"), sum(s$deviation_kind == "discontinuation"), sum(s$ev))
  r[!is.finite(k)] <- NA  # suppressed in the release
  check(sprintf("%s clones: counts by reason, initiations, events", arm), k, r, 0, relative = FALSE)
}

# Interval rows: (from, to] on a grid of `step` days from 0 up to the grace end, then from the grace end on.
ng <- ifelse(pmin(d$end, grace) > 0, ceiling(pmin(d$end, grace) / step), 0)
gi <- rep(d$clone, ng)
gfrom <- (sequence(ng) - 1) * step
np <- ifelse(d$end > grace, ceiling((d$end - grace) / step), 0)
pi <- rep(d$clone, np)
pfrom <- grace + (sequence(np) - 1) * step
rows <- data.frame(clone = c(gi, pi), start = c(gfrom, pfrom),
                   stop = c(pmin(gfrom + step, grace, d$end[gi]), pmin(pfrom + step, d$end[pi])),
                   phase = rep(c("grace", "after"), c(length(gi), length(pi))))
rows <- rows[order(rows$clone, rows$start), ]
last <- rows$stop >= d$end[rows$clone]
cens_here <- last & d$cens[rows$clone] == d$end[rows$clone]
rows$event <- as.integer(last & d$ev[rows$clone] == 1)
rows$censored <- as.integer(cens_here & (rows$phase == "after" | d$cens[rows$clone] < grace))
rows$row <- seq_len(nrow(rows))
# Model rows: every interval, plus clones censored on day 0 (grace model; no interval of their own)
# and one row per clone uncensored until the grace end and followed beyond it (grace-end model).
day0 <- d[d$cens == 0 & grace > 0, ]
end_rows <- d[d$time > grace & d$cens >= grace, ]
model <- rbind(
  data.frame(clone = day0$clone, start = rep(0, nrow(day0)), phase = rep("grace", nrow(day0)),
             censored = rep(1L, nrow(day0)), row = rep(NA_integer_, nrow(day0)), order = rep(-1, nrow(day0))),
  data.frame(clone = rows$clone, start = rows$start, phase = rows$phase, censored = rows$censored, row = rows$row,
             order = ifelse(rows$phase == "grace", rows$start, rows$start + 1e7)),
  data.frame(clone = end_rows$clone, start = rep(grace, nrow(end_rows)), phase = rep("end", nrow(end_rows)),
             censored = as.integer(end_rows$cens == grace), row = rep(NA_integer_, nrow(end_rows)),
             order = rep(grace + 0.5e7, nrow(end_rows))))
model$arm <- d$arm[model$clone]
model$t <- model$start / 365.25
for (v in covs) model[[v]] <- d[[v]][model$clone]
model$ratio <- 1
weighted <- adjustment == "weighting"
if (weighted) {
  for (a in 0:1) for (ph in c("grace", "end", "after")) {
    s <- model$arm == a & model$phase == ph
    if (!any(s) || sum(model$censored[s]) == 0) next
    time_terms <- if (ph == "end") character(0) else c("t", "I(t^2)", "I(t^3)")
    num <- if (stabilised) {
      fitted(glm(reformulate(c("1", time_terms), response = "censored"), family = binomial, data = model[s, ]))
    } else 0
    den <- fitted(glm(reformulate(c("1", time_terms, covs), response = "censored"), family = binomial, data = model[s, ]))
    model$ratio[s] <- (1 - num) / (1 - den)
  }
}
model <- model[order(model$clone, model$order), ]
model$before <- ave(model$ratio, model$clone, FUN = function(r) c(1, cumprod(r)[-length(r)]))
rows$w <- 1
rows$w[model$row[!is.na(model$row)]] <- model$before[!is.na(model$row)]
if (weighted && (lo > 0 || hi < 1)) {
  q <- quantile(rows$w, c(lo, hi), type = 7)
  rows$w <- pmin(pmax(rows$w, q[1]), q[2])
}
rows$arm <- d$arm[rows$clone]
rows$pid <- d$pid[rows$clone]
for (v in covs) rows[[v]] <- d[[v]][rows$clone]
first_after <- rows[rows$phase == "after" & rows$start == grace, ]
w_after <- rep(NA_real_, nrow(d)); w_after[first_after$clone] <- first_after$w
w_end <- rep(NA_real_, nrow(d)); w_end[rows$clone] <- rows$w  # rows are in time order: the last one stays
cat(sprintf("     %d clones, %d interval rows, %d censoring-model rows\n", nrow(d), nrow(rows), nrow(model)))
check("clone weight beyond the grace vs glm (grace, grace-end models)", d$weight_after_grace, w_after, 1e-6)
check("clone weight of the last interval vs glm (all three models)", d$weight_at_end, w_end, 1e-6)

crude <- coxph(Surv(start, stop, event) ~ arm + cluster(pid), data = rows, ties = "efron")
adjusted <- coxph(Surv(start, stop, event) ~ arm + cluster(pid), data = rows, weights = w, ties = "efron")
om <- coxph(reformulate(c("arm", covs, "cluster(pid)"), response = "Surv(start, stop, event)"), data = rows,
            ties = "efron")
km <- survfit(Surv(start, stop, event) ~ arm, data = rows, weights = w)
check("crude (cloned) hazard ratio, robust CI vs coxph cluster(person)", kohort_estimate("hazard_ratio", "crude Cox"),
      hr(crude), 2e-5)
check("weighted hazard ratio, robust CI vs coxph cluster(person)", kohort_estimate("hazard_ratio", "robust 95% CI"),
      hr(adjusted), 2e-5)
check("outcome-regression hazard ratio vs coxph cluster(person)", kohort_estimate("hazard_ratio", "conditional"),
      hr(om), 2e-5)

horizons <- unique(est$horizon_days[est$estimate == "risk"])
curve <- read.delim(paste0(prefix, ".km.tsv"))
for (a in 0:1) {
  arm <- if (a == 1) "treatment" else "comparator"
  s <- summary(km[a + 1], times = as.numeric(horizons), extend = TRUE)$surv
  k <- sapply(horizons, function(h) kohort_estimate("risk", "Kaplan-Meier", as.character(h), arm)[1])
  check(sprintf("%s risks at %s days vs weighted survfit", arm, paste(horizons, collapse = ",")), k, 1 - s, 2e-5)
  c_arm <- curve[curve$arm == arm, ]
  s <- summary(km[a + 1], times = c_arm$days, extend = TRUE)$surv
  check(sprintf("%s released survival curve vs survfit", arm), c_arm$survival, s, 2e-6, relative = FALSE)
}

# Balance among the clones followed uncensored beyond the grace, unweighted and weighted.
beyond <- d[is.finite(w_after), ]
beyond$w <- w_after[is.finite(w_after)]
bal <- read.delim(paste0(prefix, ".balance.tsv"), stringsAsFactors = FALSE)
smd <- t(sapply(bal$covariate, function(v) {
  v <- make.names(v); x <- beyond[[v]]; b <- bal$type[make.names(bal$covariate) == v] == "binary"
  t1 <- beyond$arm == 1; t0 <- beyond$arm == 0
  m1 <- mean(x[t1]); m0 <- mean(x[t0])
  v1 <- if (b) m1 * (1 - m1) else var(x[t1]); v0 <- if (b) m0 * (1 - m0) else var(x[t0])
  sdp <- sqrt((v1 + v0) / 2)
  wm1 <- weighted.mean(x[t1], beyond$w[t1]); wm0 <- weighted.mean(x[t0], beyond$w[t0])
  c(if (sdp > 0) (m1 - m0) / sdp else 0, if (sdp > 0) (wm1 - wm0) / sdp else 0)
}))
shown <- suppressWarnings(cbind(as.numeric(bal$smd_before), as.numeric(bal$smd_after)))
check("SMD beyond the grace, unweighted and weighted, vs R", shown, ifelse(is.na(shown), NA, smd), 2e-3, relative = FALSE)
if (failures > 0) { cat(sprintf("%d comparisons failed\n", failures)); quit(status = 1) }
