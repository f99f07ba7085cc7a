#pragma once
// Opens a genotype source from plink-style input flags (--bfile, --vcf, --bgen/--sample).
#include <memory>
#include <string>

#include "genotype/source.h"

namespace kohort::genotype {

struct InputFiles {
  std::string bfile;                     // PLINK 1 prefix
  std::string vcf;                       // VCF/BCF path
  std::string vcf_dosage;                // "", "DS" or "GP"
  std::string multiallelic = "skip";     // "skip" or "split"
  std::string bgen;                      // BGEN path
  std::string sample;                    // .sample file for BGEN
};

std::unique_ptr<GenotypeSource> open_genotypes(const InputFiles& files);

}  // namespace kohort::genotype
