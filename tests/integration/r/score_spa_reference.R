# A reference for kohort's default binary test, written from the formulas alone: the score test of
# the genotype under the null logistic model (glm, converged to 1e-14), and where |z| > 2 its
# saddlepoint approximation (Lugannani-Rice in Barndorff-Nielsen's form, each tail's saddlepoint
# found by uniroot to 1e-14, as SPAtest and SAIGE define it). A missing call is the variant's mean
# among the phenotype's samples (kohort's default).
#   K(t) = sum log(1 - mu + mu exp(t g)) - t sum g mu,  g the genotype adjusted for the covariates,
#   w = sign(t) sqrt(2 (t q - K(t))), v = t sqrt(K''(t)), P(U >= q) = 1 - Phi(w + log(v / w) / w),
#   p = P(U >= |u|) + P(U <= -|u|).
# Usage: Rscript score_spa_reference.R RAW_FILE PHENO_FILE CASE_COLUMN OUT_FILE
# Writes id, beta (u / V), se (1 / sqrt V), -log10 p, the method (score or spa), and -log10 p of the
# normal approximation.
args <- commandArgs(trailingOnly = TRUE)
raw <- read.table(args[1], header = TRUE, check.names = FALSE)
pheno <- read.table(args[2], header = TRUE)
case_column <- args[3]
d <- merge(raw[, c(2, 7:ncol(raw))], pheno[, c("IID", case_column, "QCOV1", "QCOV2")], by = "IID")
ok <- !is.na(d[[case_column]]) & !is.na(d$QCOV1) & !is.na(d$QCOV2)
d <- d[ok, ]
y <- d[[case_column]] - 1  # PLINK 1/2 coding
x <- cbind(1, d$QCOV1, d$QCOV2)
null <- glm(y ~ d$QCOV1 + d$QCOV2, family = binomial, control = glm.control(epsilon = 1e-14, maxit = 100))
mu <- fitted(null)
w <- mu * (1 - mu)
xwx <- crossprod(x, w * x)
snps <- colnames(raw)[7:ncol(raw)]
fmt <- function(v) formatC(v, digits = 17, format = "g")

spa_log_tail <- function(q, g) {  # log P(U >= q) for q > 0, log P(U <= q) for q < 0; NA if undefined
  k1 <- function(t) sum(g * mu * exp(t * g) / (1 - mu + mu * exp(t * g))) - sum(g * mu)
  root <- uniroot(function(t) k1(t) - q, lower = if (q > 0) 0 else -1, upper = if (q > 0) 1 else 0,
                  extendInt = "upX", tol = 1e-14, maxiter = 10000)$root
  m <- mu * exp(root * g) / (1 - mu + mu * exp(root * g))
  k0 <- sum(log(1 - mu + mu * exp(root * g))) - root * sum(g * mu)
  k2 <- sum(g^2 * m * (1 - m))
  wv <- sign(root) * sqrt(max(0, 2 * (root * q - k0)))
  vv <- root * sqrt(k2)
  if (abs(wv) < 1e-8 || vv / wv <= 0) return(NA)
  z <- wv + log(vv / wv) / wv
  pnorm(z, lower.tail = q < 0, log.p = TRUE)
}

out <- c("id\tbeta\tse\tneg_log10_p\tmethod\tnormal_neg_log10_p")
for (s in snps) {
  g <- d[[s]]
  g[is.na(g)] <- mean(g, na.rm = TRUE)  # a missing call is the variant's mean among these samples
  if (length(unique(g)) < 2) next
  u <- sum(g * (y - mu))
  adjusted <- g - x %*% solve(xwx, crossprod(x, w * g))
  v <- sum(w * adjusted^2)
  z <- u / sqrt(v)
  log_p <- normal_log_p <- log(2) + pnorm(-abs(z), log.p = TRUE)
  method <- "score"
  if (abs(z) > 2) {
    upper <- spa_log_tail(abs(u), as.vector(adjusted))
    lower <- spa_log_tail(-abs(u), as.vector(adjusted))
    if (!is.na(upper) && !is.na(lower)) {
      log_p <- min(0, max(upper, lower) + log1p(exp(-abs(upper - lower))))
      method <- "spa"
    }
  }
  out <- c(out, paste(s, fmt(u / v), fmt(1 / sqrt(v)), fmt(-log_p / log(10)), method, fmt(-normal_log_p / log(10)), sep = "\t"))
}
writeLines(out, args[4])
