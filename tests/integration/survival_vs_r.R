# Compares kohort km / kohort cox with R's survival on lung, veteran, colon, pbc and heart.
# Called by survival_vs_r.sh with args: KOHORT binary, work dir. Exits non-zero on any mismatch.
suppressMessages(library(survival))
invisible(Sys.setlocale("LC_COLLATE", "C"))
args <- commandArgs(trailingOnly = TRUE)
kohort <- args[1]
work <- args[2]
setwd(work)
failures <- 0L
worst <- list()

note_worst <- function(what, value) {
  if (is.null(worst[[what]]) || value > worst[[what]]) worst[[what]] <<- value
}
check <- function(label, what, mine, ref, tol, relative) {
  if (length(mine) != length(ref)) {
    cat(sprintf("FAIL %s %s: %d values vs R's %d\n", label, what, length(mine), length(ref)))
    failures <<- failures + 1L
    return(invisible())
  }
  na_mismatch <- xor(is.na(mine), is.na(ref))
  if (any(na_mismatch)) {
    cat(sprintf("FAIL %s %s: NA in one but not the other at %d places\n", label, what, sum(na_mismatch)))
    failures <<- failures + 1L
  }
  ok <- !is.na(mine) & !is.na(ref) & is.finite(ref)
  if (!any(ok)) return(invisible())
  diff <- abs(mine[ok] - ref[ok])
  if (relative) diff <- diff / pmax(abs(ref[ok]), 1e-300)
  d <- max(diff)
  note_worst(paste(what, if (relative) "(relative)" else "(absolute)"), d)
  if (d > tol) {
    cat(sprintf("FAIL %s %s: worst difference %.3g > %.1g\n", label, what, d, tol))
    failures <<- failures + 1L
  }
}

run_kohort <- function(args) {
  status <- system2(kohort, c(args, "--quiet"))
  if (status != 0) stop("kohort failed: ", paste(args, collapse = " "))
}
write_tsv <- function(df, name) {
  write.table(df, name, sep = "\t", quote = FALSE, row.names = FALSE, na = "NA")
  read.delim(name, stringsAsFactors = FALSE)  # fit R on exactly what kohort reads
}
fmt17 <- function(df, name) write.table(format(df, digits = 17), name, sep = "\t", quote = FALSE, row.names = FALSE)

# ---- data -------------------------------------------------------------------------------------
lung2 <- lung
lung2$w <- 1 + (seq_len(nrow(lung2)) %% 3) / 2
lung2 <- write_tsv(lung2, "lung.tsv")
vet <- veteran
# Times in tenths with round-off-sized offsets on every other row: R merges them (timefix), so must we.
vet$tnear <- vet$time / 10 + ifelse(seq_len(nrow(vet)) %% 2 == 0, 1e-11, 0)
vet <- write_tsv(vet, "veteran.tsv")
col2 <- colon[colon$etype == 2, ]
col2 <- write_tsv(col2, "colon.tsv")
colall <- write_tsv(colon, "colon_all.tsv")
pbc2 <- pbc[, c("id", "time", "status", "age", "edema", "bili", "albumin", "protime", "sex", "trt")]
pbc2 <- pbc2[complete.cases(pbc2[, c("time", "status", "age", "edema", "bili", "albumin", "protime")]), ]
pbc2$dead <- as.integer(pbc2$status == 2)
pbc2$logbili <- log(pbc2$bili)
pbc2$logprotime <- log(pbc2$protime)
pbc2 <- write_tsv(pbc2, "pbc.tsv")
hrt <- write_tsv(heart, "heart.tsv")
# A larger simulated table (many parallel chunks, heavy ties, text factor, strata, clusters, weights).
set.seed(6)
nsim <- 100000
sim <- data.frame(id = sample.int(20000, nsim, replace = TRUE), x1 = round(rnorm(nsim), 3),
                  x2 = rbinom(nsim, 1, 0.4), g = sample(c("a", "b", "c"), nsim, replace = TRUE),
                  site = sample.int(3, nsim, replace = TRUE), w = round(runif(nsim, 0.5, 2), 2))
rate <- 0.02 * exp(0.3 * sim$x1 - 0.5 * sim$x2 + 0.2 * (sim$g == "b"))
sim$entry <- round(runif(nsim, 0, 20))
sim$time <- sim$entry + pmax(1, round(rexp(nsim, rate)))
cens <- sim$entry + round(runif(nsim, 1, 120))
sim$status <- as.integer(sim$time <= cens)
sim$time <- pmin(sim$time, cens)
sim <- write_tsv(sim, "sim.tsv")

# ---- Cox ------------------------------------------------------------------------------------
cox_case <- function(label, data, file, time, event, covariates, start = NULL, strata = NULL, ties = "efron",
                     weights = NULL, cluster = NULL, robust = FALSE) {
  lhs <- if (is.null(start)) sprintf("Surv(%s, %s)", time, event) else sprintf("Surv(%s, %s, %s)", start, time, event)
  rhs <- paste(covariates, collapse = " + ")
  if (!is.null(strata)) rhs <- paste0(rhs, " + strata(", strata, ")")
  if (!is.null(cluster)) rhs <- paste0(rhs, " + cluster(", cluster, ")")
  fml <- as.formula(paste(lhs, "~", rhs))
  robust <- robust || !is.null(cluster)
  fit <- if (is.null(weights)) coxph(fml, data = data, ties = ties, robust = robust)
         else coxph(fml, data = data, ties = ties, robust = robust, weights = data[[weights]])
  is_robust <- !is.null(fit$naive.var)
  naive <- if (is_robust) fit$naive.var else fit$var
  ref <- data.frame(term = names(coef(fit)), coef = unname(coef(fit)), se = sqrt(diag(naive)),
                    robust_se = if (is_robust) sqrt(diag(fit$var)) else NA)
  fmt17(ref, paste0(label, ".R.cox.tsv"))
  a <- c("cox", "--table", file, "--time", time, "--event", event, "--covariates", paste(covariates, collapse = ","),
         "--ties", ties, "--out", label)
  if (!is.null(start)) a <- c(a, "--start", start)
  if (!is.null(strata)) a <- c(a, "--strata", strata)
  if (!is.null(weights)) a <- c(a, "--weights", weights)
  if (!is.null(cluster)) a <- c(a, "--cluster", cluster)
  if (robust) a <- c(a, "--robust")
  run_kohort(a)
  mine <- read.delim(paste0(label, ".cox.tsv"), stringsAsFactors = FALSE)
  stats <- read.delim(paste0(label, ".cox_fit.tsv"), stringsAsFactors = FALSE)
  s <- setNames(stats$value, stats$statistic)
  m <- mine[match(ref$term, mine$term), ]
  if (any(is.na(m$term))) {
    cat(sprintf("FAIL %s: terms %s vs R's %s\n", label, paste(mine$term, collapse = ","), paste(ref$term, collapse = ",")))
    failures <<- failures + 1L
    return(invisible())
  }
  check(label, "coef", m$coef, ref$coef, 1e-6, TRUE)
  check(label, "se", m$se, ref$se, 1e-5, TRUE)
  if (is_robust) check(label, "robust_se", m$robust_se, ref$robust_se, 1e-5, TRUE)
  check(label, "loglik", as.numeric(s[c("loglik_null", "loglik")]), fit$loglik, 1e-6, FALSE)
  check(label, "score_test", as.numeric(s["score_test"]), unname(fit$score), 1e-6, TRUE)
  check(label, "wald_test", as.numeric(s["wald_test"]), unname(fit$wald.test), 1e-5, TRUE)
  if (as.numeric(s["events"]) != fit$nevent || as.numeric(s["n"]) != fit$n) {
    cat(sprintf("FAIL %s: n/events %s/%s vs R's %d/%d\n", label, s["n"], s["events"], fit$n, fit$nevent))
    failures <<- failures + 1L
  }
  cat(sprintf("cox %-22s n=%4d events=%3d iter %s/%d  max|dcoef|/|coef| %.2g  loglik diff %.2g\n", label, fit$n,
              fit$nevent, s["iterations"], fit$iter, max(abs(m$coef - ref$coef) / abs(ref$coef)),
              abs(as.numeric(s["loglik"]) - fit$loglik[2])))
}

lung_cov <- c("age", "sex", "ph.ecog")
for (ties in c("efron", "breslow")) {
  cox_case(paste0("lung_", ties), lung2, "lung.tsv", "time", "status", lung_cov, ties = ties)
  cox_case(paste0("lung_strata_", ties), lung2, "lung.tsv", "time", "status", lung_cov, strata = "inst", ties = ties)
  cox_case(paste0("veteran_", ties), vet, "veteran.tsv", "time", "status",
           c("trt", "celltype", "karno", "diagtime", "age", "prior"), ties = ties)
  cox_case(paste0("veteran_strata_", ties), vet, "veteran.tsv", "time", "status", c("trt", "karno", "age"),
           strata = "celltype", ties = ties)
  cox_case(paste0("colon_", ties), col2, "colon.tsv", "time", "status", c("rx", "sex", "age", "nodes", "extent"),
           ties = ties)
  cox_case(paste0("colon_strata_", ties), col2, "colon.tsv", "time", "status", c("rx", "sex", "age", "nodes"),
           strata = "extent", ties = ties)
  cox_case(paste0("pbc_", ties), pbc2, "pbc.tsv", "time", "dead", c("age", "edema", "logbili", "albumin", "logprotime"),
           ties = ties)
  cox_case(paste0("pbc_strata_", ties), pbc2, "pbc.tsv", "time", "dead", c("age", "edema", "logbili", "albumin"),
           strata = "sex", ties = ties)
  cox_case(paste0("heart_cluster_", ties), hrt, "heart.tsv", "stop", "event", c("age", "year", "surgery", "transplant"),
           start = "start", cluster = "id", ties = ties)
  cox_case(paste0("lung_weights_", ties), lung2, "lung.tsv", "time", "status", lung_cov, weights = "w", ties = ties)
}
cox_case("colon_cluster_efron", colall, "colon_all.tsv", "time", "status", c("rx", "sex", "age", "nodes"),
         strata = "etype", cluster = "id")
cox_case("sim_strata_cluster_weights_efron", sim, "sim.tsv", "time", "status", c("x1", "x2", "g"),
         strata = "site", weights = "w", cluster = "id")
cox_case("sim_start_stop_breslow", sim, "sim.tsv", "time", "status", c("x1", "x2", "g"), start = "entry",
         ties = "breslow", cluster = "id")
cox_case("veteran_near_ties_efron", vet, "veteran.tsv", "tnear", "status", c("trt", "karno", "age"))
cox_case("lung_robust_efron", lung2, "lung.tsv", "time", "status", lung_cov, robust = TRUE)
cox_case("lung_weights_cluster_efron", lung2, "lung.tsv", "time", "status", lung_cov, weights = "w", cluster = "inst")

# ---- Kaplan-Meier ---------------------------------------------------------------------------
km_case <- function(label, data, file, time, event, strata = NULL, conf_type = "log", weights = NULL,
                    greenwood = FALSE) {
  fml <- as.formula(sprintf("Surv(%s, %s) ~ %s", time, event, if (is.null(strata)) "1" else strata))
  fit <- if (is.null(weights)) survfit(fml, data = data, conf.type = conf_type)
         else if (greenwood) survfit(fml, data = data, conf.type = conf_type, weights = data[[weights]], robust = FALSE)
         else survfit(fml, data = data, conf.type = conf_type, weights = data[[weights]])
  s <- summary(fit)  # event times only; std.err is the SE of S(t)
  strata_label <- if (is.null(strata)) rep("all", length(s$time)) else sub("^[^=]*=", "", as.character(s$strata))
  ref <- data.frame(strata = strata_label, time = s$time, n_risk = s$n.risk, n_event = s$n.event, surv = s$surv,
                    std_err = s$std.err, lower = s$lower, upper = s$upper)
  fmt17(ref, paste0(label, ".R.km.tsv"))
  a <- c("km", "--table", file, "--time", time, "--event", event, "--conf-type", conf_type, "--out", label)
  if (!is.null(strata)) a <- c(a, "--strata", strata)
  if (!is.null(weights)) a <- c(a, "--weights", weights)
  if (greenwood) a <- c(a, "--variance", "greenwood")
  run_kohort(a)
  mine <- read.delim(paste0(label, ".km.tsv"), stringsAsFactors = FALSE, colClasses = c(strata = "character"))
  mine <- mine[mine$n_event > 0, ]
  if (nrow(mine) != nrow(ref) || any(mine$strata != ref$strata) || any(mine$time != ref$time)) {
    cat(sprintf("FAIL km %s: %d event times vs R's %d\n", label, nrow(mine), nrow(ref)))
    failures <<- failures + 1L
    return(invisible())
  }
  check(label, "km n_risk/n_event", c(mine$n_risk, mine$n_event), c(ref$n_risk, ref$n_event), 1e-10, TRUE)
  check(label, "km surv", mine$surv, ref$surv, 1e-8, FALSE)
  check(label, "km std_err", mine$std_err, ref$std_err, 1e-8, FALSE)
  check(label, "km lower", mine$lower, ref$lower, 1e-8, FALSE)
  check(label, "km upper", mine$upper, ref$upper, 1e-8, FALSE)
  if (!is.null(strata) && is.null(weights)) {
    sd <- survdiff(as.formula(sprintf("Surv(%s, %s) ~ %s", time, event, strata)), data = data)
    lr <- read.delim(paste0(label, ".logrank.tsv"))
    check(label, "logrank chisq", lr$chisq, sd$chisq, 1e-8, TRUE)
  }
  cat(sprintf("km  %-22s %4d event times  max|dS| %.2g\n", label, nrow(ref), max(abs(mine$surv - ref$surv))))
}

for (ct in c("log", "plain", "log-log")) {
  km_case(paste0("km_lung_", ct), lung2, "lung.tsv", "time", "status", strata = "sex", conf_type = ct)
  km_case(paste0("km_veteran_", ct), vet, "veteran.tsv", "time", "status", strata = "celltype", conf_type = ct)
}
km_case("km_veteran_near_ties", vet, "veteran.tsv", "tnear", "status", strata = "trt")
km_case("km_colon", col2, "colon.tsv", "time", "status", strata = "rx")
km_case("km_sim_weights_ij", sim, "sim.tsv", "time", "status", strata = "g", weights = "w")
km_case("km_pbc", pbc2, "pbc.tsv", "time", "dead")
km_case("km_lung_weights_ij", lung2, "lung.tsv", "time", "status", strata = "sex", weights = "w")
km_case("km_lung_weights_greenwood", lung2, "lung.tsv", "time", "status", strata = "sex", weights = "w",
        greenwood = TRUE)
km_case("km_pbc_weights_ij", pbc2, "pbc.tsv", "time", "dead", weights = "albumin", conf_type = "log-log")

cat("worst differences over all cases:\n")
for (n in names(worst)) cat(sprintf("  %-28s %.3g\n", n, worst[[n]]))
if (failures > 0) {
  cat(sprintf("%d comparisons failed\n", failures))
  quit(status = 1)
}
cat("all comparisons within tolerance (coef 1e-6 rel, SE 1e-5 rel, loglik 1e-6 abs, KM 1e-8 abs)\n")
