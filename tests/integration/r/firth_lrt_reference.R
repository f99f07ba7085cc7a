# A reference for the Firth fits of kohort's default binary test (variants whose score test gives
# p < 0.05): Firth's penalised logistic regression by brglm2 (method "brglmFit", type "AS_mean"),
# its beta and SE, and the likelihood-ratio test of the genotype on the penalised log-likelihoods
# l(b) + log|X'WX| / 2 of that fit and of the null model's (brglm2 without the genotype).
# Usage: Rscript firth_lrt_reference.R RAW_FILE PHENO_FILE CASE_COLUMN OUT_FILE
# Writes id, beta, se and -log10 p.
suppressMessages(library(brglm2))
args <- commandArgs(trailingOnly = TRUE)
raw <- read.table(args[1], header = TRUE, check.names = FALSE)
pheno <- read.table(args[2], header = TRUE)
case_column <- args[3]
d <- merge(raw[, c(2, 7:ncol(raw))], pheno[, c("IID", case_column, "QCOV1", "QCOV2")], by = "IID")
d <- d[!is.na(d[[case_column]]) & !is.na(d$QCOV1) & !is.na(d$QCOV2), ]
y <- d[[case_column]] - 1  # PLINK 1/2 coding
control <- list(epsilon = 1e-12, maxit = 500)
penalised <- function(fit) {
  x <- model.matrix(fit)
  eta <- as.vector(x %*% coef(fit))
  mu <- 1 / (1 + exp(-eta))
  sum(y * eta - log1p(exp(eta))) + 0.5 * determinant(crossprod(x, mu * (1 - mu) * x), logarithm = TRUE)$modulus[1]
}
null <- suppressWarnings(glm(y ~ QCOV1 + QCOV2, family = binomial, data = d, method = "brglmFit", type = "AS_mean", control = control))
null_penalised <- penalised(null)
fmt <- function(v) formatC(v, digits = 17, format = "g")
out <- c("id\tbeta\tse\tneg_log10_p")
for (s in colnames(raw)[7:ncol(raw)]) {
  g <- d[[s]]
  if (any(is.na(g)) || length(unique(g)) < 2) next
  x <- data.frame(y = y, QCOV1 = d$QCOV1, QCOV2 = d$QCOV2, g = g)
  fit <- suppressWarnings(glm(y ~ QCOV1 + QCOV2 + g, family = binomial, data = x, method = "brglmFit", type = "AS_mean",
                              control = control))
  if (!fit$converged) next
  cf <- summary(fit)$coefficients
  chi2 <- max(0, 2 * (penalised(fit) - null_penalised))
  log_p <- pchisq(chi2, 1, lower.tail = FALSE, log.p = TRUE)
  out <- c(out, paste(s, fmt(cf["g", 1]), fmt(cf["g", 2]), fmt(-log_p / log(10)), sep = "\t"))
}
writeLines(out, args[4])
