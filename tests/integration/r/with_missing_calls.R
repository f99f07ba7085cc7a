# Copies a PLINK fileset with a share of its calls set missing at random (code 01), for tests of
# how missing calls are treated.
# Usage: Rscript with_missing_calls.R IN_PREFIX OUT_PREFIX RATE SEED
args <- commandArgs(trailingOnly = TRUE)
rate <- as.numeric(args[3])
set.seed(as.integer(args[4]))
n <- length(readLines(paste0(args[1], ".fam")))
m <- length(readLines(paste0(args[1], ".bim")))
per_variant <- ceiling(n / 4)
bed <- as.integer(readBin(paste0(args[1], ".bed"), "raw", 3 + per_variant * m))
k <- round(rate * n * m)
variant <- sample.int(m, k, replace = TRUE) - 1
person <- sample.int(n, k, replace = TRUE) - 1
at <- 3 + variant * per_variant + person %/% 4 + 1
shift <- 2 * (person %% 4)
# Calls landing in the same byte are applied one after another.
for (i in seq_len(k)) bed[at[i]] <- bitwOr(bitwAnd(bed[at[i]], bitwNot(bitwShiftL(3L, shift[i]))), bitwShiftL(1L, shift[i]))
writeBin(as.raw(bed), paste0(args[2], ".bed"))
invisible(file.copy(paste0(args[1], ".bim"), paste0(args[2], ".bim"), overwrite = TRUE))
invisible(file.copy(paste0(args[1], ".fam"), paste0(args[2], ".fam"), overwrite = TRUE))
