#include "genotype/open.h"

#include "core/error.h"
#include "genotype/bed.h"
#include "genotype/bgen.h"
#include "genotype/vcf.h"

namespace kohort::genotype {

std::unique_ptr<GenotypeSource> open_genotypes(const InputFiles& files) {
  if (!files.bfile.empty()) return open_bed(files.bfile);
  if (!files.vcf.empty()) {
    return open_vcf(files.vcf, VcfOptions{files.vcf_dosage, files.multiallelic == "split"});
  }
  if (!files.bgen.empty()) return open_bgen(files.bgen, files.sample);
  throw InputError("no genotype input given: use --bfile, --vcf or --bgen");
}

}  // namespace kohort::genotype
