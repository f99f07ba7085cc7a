# Shared by trial_vs_r.R and trial_ccw_vs_r.R: compare kohort's numbers with R's, read kohort's
# estimates, and a hazard ratio with its CI from a coxph fit. The caller defines `failures` (a
# count) and `est` (kohort's PREFIX.estimates.tsv as a data frame).
check <- function(what, kohort, r, tol, relative = TRUE) {
  ok <- is.finite(kohort) & is.finite(r)
  if (!all(ok == (is.finite(kohort) | is.finite(r)))) {
    cat(sprintf("FAIL %s: missing values differ (%d vs %d)\n", what, sum(is.finite(kohort)), sum(is.finite(r))))
    failures <<- failures + 1; return(invisible())
  }
  err <- if (relative) abs(kohort[ok] - r[ok]) / pmax(abs(r[ok]), 1e-300) else abs(kohort[ok] - r[ok])
  worst <- if (length(err)) max(err) else 0
  status <- if (worst <= tol) "ok  " else { failures <<- failures + 1; "FAIL" }
  cat(sprintf("%s %-60s %d values, worst %s error %.2e (limit %.0e)\n", status, what, length(err),
              if (relative) "relative" else "absolute", worst, tol))
}
kohort_estimate <- function(estimate, method_pattern, horizon = "NA", arm = "treatment_vs_comparator") {
  row <- est[est$estimate == estimate & grepl(method_pattern, est$method, fixed = TRUE) &
             est$horizon == horizon & est$arm == arm, ]
  stopifnot(nrow(row) == 1)
  c(row$value, row$lower, row$upper)
}
hr <- function(fit) {
  s <- summary(fit)$conf.int
  c(s[1, "exp(coef)"], s[1, "lower .95"], s[1, "upper .95"])
}
