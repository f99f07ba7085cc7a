# High-precision references for kohort gwas on a subset of variants:
#   lm (quantitative), glm (logistic, converged to 1e-14) and brglm2 (Firth, AS_mean).
# Usage: Rscript gwas_reference.R RAW_FILE PHENO_FILE OUT_PREFIX
suppressMessages(library(brglm2))
args <- commandArgs(trailingOnly = TRUE)
raw <- read.table(args[1], header = TRUE, check.names = FALSE)
pheno <- read.table(args[2], header = TRUE)
d <- merge(raw[, c(2, 7:ncol(raw))], pheno[, c("IID", "PHENO", "CASE", "QCOV1", "QCOV2")], by = "IID")
d$PHENO[d$PHENO == -9] <- NA
snps <- colnames(raw)[7:ncol(raw)]
fmt <- function(x) formatC(x, digits = 17, format = "g")
lin <- c(); logi <- c(); firth <- c()
for (s in snps) {
  g <- d[[s]]
  ok <- !is.na(g) & !is.na(d$PHENO) & !is.na(d$QCOV1) & !is.na(d$QCOV2)
  if (length(unique(g[ok])) > 1) {
    m <- summary(lm(d$PHENO[ok] ~ d$QCOV1[ok] + d$QCOV2[ok] + g[ok]))$coefficients
    if (nrow(m) == 4) lin <- c(lin, paste(s, fmt(m[4, 1]), fmt(m[4, 2]), fmt(m[4, 4]), sep = "\t"))
  }
  okb <- !is.na(g) & !is.na(d$CASE) & !is.na(d$QCOV1) & !is.na(d$QCOV2)
  y <- d$CASE[okb] - 1
  if (length(unique(g[okb])) > 1) {
    x <- data.frame(y = y, q1 = d$QCOV1[okb], q2 = d$QCOV2[okb], g = g[okb])
    fit <- glm(y ~ q1 + q2 + g, family = binomial, data = x, control = glm.control(epsilon = 1e-14, maxit = 100))
    cf <- summary(fit)$coefficients
    if (nrow(cf) == 4 && fit$converged && all(abs(coef(fit)) < 15)) logi <- c(logi, paste(s, fmt(cf[4, 1]), fmt(cf[4, 2]), sep = "\t"))
    fb <- suppressWarnings(glm(y ~ q1 + q2 + g, family = binomial, data = x, method = "brglmFit", type = "AS_mean",
                               control = list(epsilon = 1e-12, maxit = 500)))
    cb <- summary(fb)$coefficients
    if (fb$converged && nrow(cb) == 4) firth <- c(firth, paste(s, fmt(cb[4, 1]), fmt(cb[4, 2]), sep = "\t"))
  }
}
writeLines(c("id\tbeta\tse\tp", lin), paste0(args[3], ".lm.tsv"))
writeLines(c("id\tbeta\tse", logi), paste0(args[3], ".glm.tsv"))
writeLines(c("id\tbeta\tse", firth), paste0(args[3], ".firth.tsv"))
