# The planted truth of a clone-censor-weight trial on a simulated population. The simulator plants
# the heart-failure effect of initiating an SGLT2 rather than a DPP-4 inhibitor (hazard ratio 0.7
# from initiation on, whatever is taken later) and writes both potential heart-failure dates of
# every initiator (truth_trial.tsv). Initiation timing is independent of the confounders there, so
# the persons who initiated either drug within the grace stand for the eligible population under
# "initiate within the grace": their potential outcomes under each drug, from time zero, give the
# estimand's true risks (Kaplan-Meier, administrative censoring only: no deaths, as the analysis'
# censoring at death targets) and a true marginal hazard ratio (near the planted 0.7, which holds
# given the confounders).
# Usage: Rscript trial_ccw_truth.R PREFIX TRUTH_TRIAL.TSV COVERAGE_END FOLLOW_UP_DAYS
# Prints one line per quantity: name, truth, crude, weighted (value, lower, upper).
suppressMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
prefix <- args[1]; coverage_end <- as.Date(args[3]); follow_up <- as.numeric(args[4])
d <- read.delim(paste0(prefix, ".cohort.tsv"), stringsAsFactors = FALSE)
truth <- read.delim(args[2], stringsAsFactors = FALSE)
est <- read.delim(paste0(prefix, ".estimates.tsv"), stringsAsFactors = FALSE)
initiators <- merge(d[!is.na(d$initiation), ], truth, by = "person_id")
stopifnot(nrow(initiators) == sum(!is.na(d$initiation)))
t0 <- as.Date(initiators$time_zero)
limit <- pmin(follow_up, as.numeric(coverage_end - t0))
potential <- function(date) {
  days <- as.numeric(as.Date(ifelse(date %in% c("NA", ""), NA, date)) - t0)
  # Heart failure before the initiation: the same under either drug, as observed.
  prior <- initiators$prior_heart_failure == 1
  days[prior] <- ifelse(initiators$event[prior] == 1, initiators$time[prior], Inf)
  days[is.na(days)] <- Inf
  days
}
po <- data.frame(arm = rep(c(1, 0), each = nrow(initiators)),
                 t = c(potential(initiators$heart_failure_if_sglt2), potential(initiators$heart_failure_if_dpp4)),
                 limit = rep(limit, 2))
po$event <- as.integer(po$t <= po$limit)
po$t <- pmin(po$t, po$limit)
horizons <- sort(unique(est$horizon_days[est$estimate == "risk"]))
km <- survfit(Surv(t, event) ~ arm, data = po)
risk <- function(a) 1 - summary(km[if (a == 1) 2 else 1], times = horizons, extend = TRUE)$surv
true_hr <- exp(coef(coxph(Surv(t, event) ~ arm, data = po, ties = "efron")))
shown <- function(estimate, pattern, arm = "treatment_vs_comparator", horizon = NA) {
  row <- est[est$estimate == estimate & grepl(pattern, est$method, fixed = TRUE) & est$arm == arm &
             (is.na(horizon) | est$horizon_days %in% horizon), ]
  sprintf("%.4f (%.4f to %.4f)", row$value, row$lower, row$upper)
}
cat(sprintf("initiators within the grace: %d (%d treatment, %d comparator); potential-outcome events %d vs %d\n",
            nrow(initiators), sum(initiators$arm.x == 1), sum(initiators$arm.x == 0),
            sum(po$event[po$arm == 1]), sum(po$event[po$arm == 0])))
cat(sprintf("hazard_ratio\ttruth %.4f\tcrude %s\tweighted %s\n", true_hr, shown("hazard_ratio", "crude Cox"),
            shown("hazard_ratio", "robust 95% CI")))
for (h in seq_along(horizons)) {
  r1 <- risk(1)[h]; r0 <- risk(0)[h]
  cat(sprintf("risk_difference_%d\ttruth %.4f\tweighted %s\n", horizons[h], r1 - r0,
              shown("risk_difference", "Kaplan-Meier", horizon = horizons[h])))
  cat(sprintf("risk_%d\ttruth %.4f vs %.4f\tweighted %s vs %s\n", horizons[h], r1, r0,
              shown("risk", "Kaplan-Meier", "treatment", horizons[h]), shown("risk", "Kaplan-Meier", "comparator", horizons[h])))
}
