#pragma once
// Sex chromosomes and sex: which kind of chromosome a name denotes (plink2's names and its numeric
// codes 23 X, 24 Y, 25 XY, 26 MT), and which sex a .fam/.sample code denotes. The GWAS engine
// tests chrX with sex as a covariate, chrY in males only, and codes chrY and MT as haploid.
#include <cstdint>
#include <string_view>

namespace kohort::genotype {

enum class ChromosomeKind : std::uint8_t {
  autosome,
  x,                 // X, chrX, 23 (outside the pseudo-autosomal regions, as PLINK splits them)
  y,                 // Y, chrY, 24
  pseudo_autosomal,  // XY, PAR1, PAR2, 25: diploid in both sexes
  mitochondrial,     // MT, M, chrM, 26
};

ChromosomeKind chromosome_kind(std::string_view name);

enum class Sex : std::uint8_t { unknown = 0, male = 1, female = 2 };

// 1, M, male -> male; 2, F, female -> female (any case); anything else (0, -9, NA) -> unknown.
Sex parse_sex(std::string_view code);

}  // namespace kohort::genotype
