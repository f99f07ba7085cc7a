# High-precision reference for kohort gwas --pheno-quantile-normalize: each phenotype becomes
# qnorm((rank - 1/2) / n) over the samples that have it (ties: mean rank), then lm on two covariates.
# Usage: Rscript quantile_normalize_reference.R RAW_FILE PHENO_FILE OUT_PREFIX (writes PREFIX.<pheno>.tsv)
args <- commandArgs(trailingOnly = TRUE)
raw <- read.table(args[1], header = TRUE, check.names = FALSE)
pheno <- read.table(args[2], header = TRUE, na.strings = c("NA", "-9"))
d <- merge(raw[, c(2, 7:ncol(raw))], pheno, by = "IID")
snps <- colnames(raw)[7:ncol(raw)]
fmt <- function(x) formatC(x, digits = 17, format = "g")
for (p in c("PHENO", "SKEWED")) {
  y <- d[[p]]; have <- !is.na(y)
  y[have] <- qnorm((rank(y[have]) - 0.5) / sum(have))
  out <- c()
  for (s in snps) {
    g <- d[[s]]
    ok <- !is.na(g) & have & !is.na(d$QCOV1) & !is.na(d$QCOV2)
    if (length(unique(g[ok])) < 2) next
    m <- summary(lm(y[ok] ~ d$QCOV1[ok] + d$QCOV2[ok] + g[ok]))$coefficients
    if (nrow(m) == 4) out <- c(out, paste(s, fmt(m[4, 1]), fmt(m[4, 2]), sep = "\t"))
  }
  writeLines(c("id\tbeta\tse", out), paste0(args[3], ".", p, ".tsv"))
}
