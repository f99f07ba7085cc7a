// Chromosome kinds by plink2's names and numeric codes, and sex codes.
#include <gtest/gtest.h>

#include "genotype/sex_chromosomes.h"

using namespace kohort::genotype;

TEST(ChromosomeKind, NamesAndPlinkCodes) {
  for (const char* name : {"X", "x", "chrX", "CHRX", "23", "chr23"}) EXPECT_EQ(chromosome_kind(name), ChromosomeKind::x) << name;
  for (const char* name : {"Y", "chrY", "24"}) EXPECT_EQ(chromosome_kind(name), ChromosomeKind::y) << name;
  for (const char* name : {"XY", "chrXY", "PAR1", "par2", "25"}) EXPECT_EQ(chromosome_kind(name), ChromosomeKind::pseudo_autosomal) << name;
  for (const char* name : {"MT", "M", "chrM", "chrMT", "26"}) EXPECT_EQ(chromosome_kind(name), ChromosomeKind::mitochondrial) << name;
  for (const char* name : {"1", "chr1", "22", "chr22", "10", "contig_X", "27", "chr", "Xp"})
    EXPECT_EQ(chromosome_kind(name), ChromosomeKind::autosome) << name;
}

TEST(ParseSex, PlinkAndOxfordCodes) {
  for (const char* code : {"1", "M", "m", "male", "Male"}) EXPECT_EQ(parse_sex(code), Sex::male) << code;
  for (const char* code : {"2", "F", "f", "female", "FEMALE"}) EXPECT_EQ(parse_sex(code), Sex::female) << code;
  for (const char* code : {"0", "-9", "NA", "", "3", "U", "other"}) EXPECT_EQ(parse_sex(code), Sex::unknown) << code;
}
