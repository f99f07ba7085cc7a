# Logistic regression (R's glm, double precision) of CASE on chrX variants coded as plink2's
# --xchr-model 1 codes them (males 0/1, the stored 0/2 halved), with QCOV2 and sex (male 1,
# female 2) as covariates, on the samples of known sex with every value.
# Usage: Rscript x_haploid_logistic.R RAW FAM PHENO OUT; RAW is plink2 --export A output, PHENO
# has IID, CASE (1/2) and QCOV2. OUT: rsid, counted allele, beta, SE.
args <- commandArgs(trailingOnly = TRUE)
raw <- read.table(args[1], header = TRUE, check.names = FALSE)
fam <- read.table(args[2])
pheno <- read.table(args[3], header = TRUE)
sex <- fam$V5[match(raw$IID, fam$V2)]
case <- pheno$CASE[match(raw$IID, pheno$IID)] - 1
qcov <- pheno$QCOV2[match(raw$IID, pheno$IID)]
rows <- list()
for (column in names(raw)[-(1:6)]) {
  x <- ifelse(sex == 1, raw[[column]] / 2, raw[[column]])
  data <- data.frame(y = case, x = x, q = qcov, s = sex)
  data <- data[sex %in% c(1, 2) & complete.cases(data), ]
  fit <- glm(y ~ x + q + s, family = binomial, data = data, control = glm.control(epsilon = 1e-14, maxit = 100))
  estimate <- summary(fit)$coefficients["x", ]
  parts <- strsplit(column, "_")[[1]]
  rows[[length(rows) + 1]] <- data.frame(rsid = parts[1], counted = parts[length(parts)],
                                         beta = sprintf("%.12g", estimate[1]), se = sprintf("%.12g", estimate[2]))
}
write.table(do.call(rbind, rows), args[4], sep = "\t", quote = FALSE, row.names = FALSE)
