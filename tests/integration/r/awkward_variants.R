# Appends two awkward variants to a PLINK fileset, for comparing how kohort and plink2 treat them:
#   awk_allhet: every sample heterozygous (the genotype is constant);
#   awk_separated: heterozygous in 12 cases only (logistic regression does not converge).
# Usage: Rscript awkward_variants.R PREFIX CASE_FILE   (CASE_FILE: IID and CASE columns, 1/2)
args <- commandArgs(trailingOnly = TRUE)
prefix <- args[1]
fam <- read.table(paste0(prefix, ".fam"))
cases <- read.table(args[2], header = TRUE)
n <- nrow(fam)
pack <- function(codes) {  # 2-bit codes, four samples a byte, low bits first
  codes <- c(codes, rep(0, (4 - n %% 4) %% 4))
  m <- matrix(codes, nrow = 4)
  as.raw(m[1, ] + 4 * m[2, ] + 16 * m[3, ] + 64 * m[4, ])
}
het <- rep(2, n)                             # code 10: heterozygous
is_case <- fam$V2 %in% cases$IID[!is.na(cases$CASE) & cases$CASE == 2]
separated <- rep(3, n)                       # code 11: homozygous REF
separated[which(is_case)[1:12]] <- 2
con <- file(paste0(prefix, ".bed"), "ab")
writeBin(c(pack(het), pack(separated)), con)
close(con)
bim <- read.table(paste0(prefix, ".bim"))
last <- max(bim$V4[bim$V1 == max(bim$V1)])  # after the last variant, so the files stay sorted
cat(sprintf("%d\tawk_allhet\t0\t%d\tA\tG\n%d\tawk_separated\t0\t%d\tC\tT\n", max(bim$V1), last + 1000, max(bim$V1), last + 1001),
    file = paste0(prefix, ".bim"), append = TRUE)
