# A reference for the Firth fits of kohort's default binary test (variants whose score test gives
# p < 0.05): Firth's penalised logistic regression by brglm2 (method "brglmFit", type "AS_mean"),
# its beta and SE, and the penalised likelihood-ratio test of the genotype (Heinze and Schemper
# 2002, as logistf computes it): l(b) + log|X'WX| / 2 at that fit against its maximum with the
# genotype's coefficient held at 0, the penalty still over the full design (Newton's steps on the
# covariates' penalised score, with the full design's leverages).
# With --approx, the approximate fits of --firth-approx (REGENIE's --firth --approx) instead: the
# genotype residualised on the covariates (weights from glm's null model), fitted alone by brglm2
# with the covariates' Firth fit as an offset; the test compares l(b) + log(sum w g~^2) / 2 at
# that fit and at b = 0.
# Usage: Rscript firth_lrt_reference.R RAW_FILE PHENO_FILE CASE_COLUMN OUT_FILE [--approx]
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
approx <- length(args) > 4 && args[5] == "--approx"
# The penalised log-likelihood of design x at b, and its maximum over the first `free` coefficients
# with the others held at b's values.
penalised_at <- function(x, b) {
  eta <- as.vector(x %*% b)
  mu <- 1 / (1 + exp(-eta))
  sum(y * eta - log1p(exp(eta))) + 0.5 * determinant(crossprod(x, mu * (1 - mu) * x), logarithm = TRUE)$modulus[1]
}
constrained_maximum <- function(x, b, free) {
  for (iteration in 1:200) {
    eta <- as.vector(x %*% b)
    mu <- 1 / (1 + exp(-eta))
    w <- mu * (1 - mu)
    information <- crossprod(x, w * x)
    h <- w * rowSums((x %*% solve(information)) * x)
    step <- solve(information[free, free], crossprod(x[, free], y - mu + h * (0.5 - mu)))
    b[free] <- b[free] + step
    if (max(abs(step)) < 1e-13) break
  }
  penalised_at(x, b)
}
null_glm <- glm(y ~ QCOV1 + QCOV2, family = binomial, data = d)
null_firth <- suppressWarnings(glm(y ~ QCOV1 + QCOV2, family = binomial, data = d, method = "brglmFit", type = "AS_mean",
                                   control = control))
covariates <- model.matrix(null_glm)
w0 <- fitted(null_glm) * (1 - fitted(null_glm))
offset <- as.vector(covariates %*% coef(null_firth))
fmt <- function(v) formatC(v, digits = 17, format = "g")
out <- c("id\tbeta\tse\tneg_log10_p")
for (s in colnames(raw)[7:ncol(raw)]) {
  g <- d[[s]]
  if (any(is.na(g)) || length(unique(g)) < 2) next
  if (approx) {
    gt <- as.vector(g - covariates %*% solve(crossprod(covariates, w0 * covariates), crossprod(covariates, w0 * g)))
    fit <- suppressWarnings(glm(y ~ 0 + gt, offset = offset, family = binomial, method = "brglmFit", type = "AS_mean",
                                control = control))
    if (!fit$converged) next
    at <- function(b) { eta <- offset + b * gt; mu <- 1 / (1 + exp(-eta))
      sum(y * eta - log1p(exp(eta))) + 0.5 * log(sum(mu * (1 - mu) * gt^2)) }
    cf <- summary(fit)$coefficients
    chi2 <- max(0, 2 * (at(coef(fit)[1]) - at(0)))
    log_p <- pchisq(chi2, 1, lower.tail = FALSE, log.p = TRUE)
    out <- c(out, paste(s, fmt(cf["gt", 1]), fmt(cf["gt", 2]), fmt(-log_p / log(10)), sep = "\t"))
    next
  }
  x <- data.frame(y = y, QCOV1 = d$QCOV1, QCOV2 = d$QCOV2, g = g)
  fit <- suppressWarnings(glm(y ~ QCOV1 + QCOV2 + g, family = binomial, data = x, method = "brglmFit", type = "AS_mean",
                              control = control))
  if (!fit$converged) next
  cf <- summary(fit)$coefficients
  design <- model.matrix(fit)
  null_penalised <- constrained_maximum(design, c(coef(null_glm), 0), 1:(ncol(design) - 1))
  chi2 <- max(0, 2 * (penalised(fit) - null_penalised))
  log_p <- pchisq(chi2, 1, lower.tail = FALSE, log.p = TRUE)
  out <- c(out, paste(s, fmt(cf["g", 1]), fmt(cf["g", 2]), fmt(-log_p / log(10)), sep = "\t"))
}
writeLines(out, args[4])
