#include "genotype/open.h"

#include "core/error.h"
#include "genotype/bed.h"

namespace kohort::genotype {

std::unique_ptr<GenotypeSource> open_genotypes(const InputFiles& files) {
  if (!files.bfile.empty()) return open_bed(files.bfile);
  if (!files.vcf.empty()) throw InputError(files.vcf, "VCF/BCF input is not built into this kohort yet");
  if (!files.bgen.empty()) throw InputError(files.bgen, "BGEN input is not built into this kohort yet");
  throw InputError("no genotype input given: use --bfile, --vcf or --bgen");
}

}  // namespace kohort::genotype
