# R's lm of PHENO on a recoded ALT dosage d (dominant min(d, 1), recessive max(d - 1, 0)) and
# QCOV2, for every variant of a VCF's DS field, in double precision.
# Usage: Rscript recoded_dosage_lm.R VCF PHENO dominant|recessive OUT; PHENO has IID, PHENO, QCOV2.
# OUT: rsid, beta, SE.
args <- commandArgs(trailingOnly = TRUE)
lines <- readLines(args[1])
header <- strsplit(lines[grep("^#CHROM", lines)], "\t")[[1]]
records <- lines[!startsWith(lines, "#")]
pheno <- read.table(args[2], header = TRUE)
samples <- header[-(1:9)]
y <- pheno$PHENO[match(samples, pheno$IID)]
q <- pheno$QCOV2[match(samples, pheno$IID)]
recode <- if (args[3] == "dominant") function(d) pmin(d, 1) else function(d) pmax(d - 1, 0)
rows <- list()
for (record in records) {
  fields <- strsplit(record, "\t")[[1]]
  format <- strsplit(fields[9], ":")[[1]]
  ds <- as.numeric(sapply(strsplit(fields[-(1:9)], ":"), function(f) f[match("DS", format)]))
  data <- data.frame(y = y, x = recode(ds), q = q)
  data <- data[complete.cases(data) & data$y != -9, ]
  if (var(data$x) == 0) next
  estimate <- summary(lm(y ~ x + q, data = data))$coefficients["x", ]
  rows[[length(rows) + 1]] <- data.frame(rsid = fields[3], beta = sprintf("%.12g", estimate[1]), se = sprintf("%.12g", estimate[2]))
}
write.table(do.call(rbind, rows), args[4], sep = "\t", quote = FALSE, row.names = FALSE)
