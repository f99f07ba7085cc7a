#include "simulate/catalog.h"

#include <cstring>

#include "core/error.h"

namespace kohort::simulate {

std::vector<std::string> Disease::code_prefixes(const char* source) const {
  std::vector<std::string> out;
  auto add = [&](const RegistryCode& c) {
    if (std::strcmp(c.source, source) != 0) return;
    for (auto& existing : out)
      if (existing == c.code) return;
    out.emplace_back(c.code);
  };
  for (auto& c : diagnosis) add(c);
  for (auto& c : follow_up) add(c);
  for (auto& c : procedures) add(c);
  if (std::strcmp(source, "LMR") == 0)
    for (auto& t : treatments) add(RegistryCode{"LMR", "ATC", t.atc});
  if (std::strcmp(source, "DAR") == 0 && death_code) add(RegistryCode{"DAR", "ICD10", death_code});
  return out;
}

const std::vector<Disease>& disease_catalog() {
  static const std::vector<Disease> catalog = {
      {"t2d", "Type 2 diabetes", 0, 0.14, 0.10, 0.40, 58, 11, 4, 25, {0, 0.1, 0.5},
       {{"KUHR", "ICPC2", "T90"}}, {{"KUHR", "ICPC2", "T90"}, {"NPR", "ICD10", "E119"}}, 2.0, {},
       {{"A10BA02", 0.85, 90, 0.05}}, "E119", 0.004, 0.3},
      {"chd", "Coronary heart disease", 0, 0.20, 0.12, 0.40, 67, 11, 4, 30, {0, 0.2, 0.3},
       {{"NPR", "ICD10", "I214"}, {"KUHR", "ICPC2", "K76"}}, {{"NPR", "ICD10", "I251"}, {"KUHR", "ICPC2", "K74"}}, 1.0,
       {{"NPR", "NCSP", "FNG05"}, {"NPR", "NCSP", "FNC10"}},
       {{"C10AA05", 0.85, 98, 0.08}, {"B01AC06", 0.7, 100, 0.05}}, "I219", 0.02, 0.4},
      {"hf", "Heart failure", 0, 0.09, 0.07, 0.25, 75, 9, 3, 40, {0, 0, 0.1},
       {{"NPR", "ICD10", "I500"}}, {{"NPR", "ICD10", "I509"}, {"KUHR", "ICPC2", "K77"}}, 2.0, {},
       {{"C03CA01", 0.8, 100, 0.05}, {"C09AA05", 0.6, 100, 0.05}}, "I500", 0.10, 0.5},
      {"af", "Atrial fibrillation", 0, 0.15, 0.11, 0.30, 71, 10, 3, 30, {0, -0.1, -0.2},
       {{"NPR", "ICD10", "I489"}}, {{"NPR", "ICD10", "I489"}, {"KUHR", "ICPC2", "K78"}}, 1.0, {},
       {{"B01AF02", 0.7, 90, 0.05}}, "I489", 0.01, 0.3},
      {"asthma", "Asthma", 0, 0.10, 0.11, 0.50, 20, 15, 3, 2, {0, 0, 0.2},
       {{"KUHR", "ICPC2", "R96"}}, {{"KUHR", "ICPC2", "R96"}, {"NPR", "ICD10", "J459"}}, 0.8, {},
       {{"R03AC02", 0.8, 60, 0.15}, {"R03BA02", 0.5, 60, 0.15}}, "J459", 0.0005, 0.1},
      {"copd", "Chronic obstructive pulmonary disease", 0, 0.09, 0.08, 0.35, 66, 9, 3, 40, {0, 0.1, -0.2},
       {{"KUHR", "ICPC2", "R95"}, {"NPR", "ICD10", "J449"}}, {{"KUHR", "ICPC2", "R95"}, {"NPR", "ICD10", "J441"}}, 1.5, {},
       {{"R03BB04", 0.7, 30, 0.10}}, "J449", 0.04, 0.4},
      {"depression", "Depression", 0, 0.12, 0.20, 0.35, 38, 14, 3, 12, {0, 0, 0},
       {{"KUHR", "ICPC2", "P76"}}, {{"KUHR", "ICPC2", "P76"}, {"NPR", "ICD10", "F329"}, {"NPR", "ICD10", "F331"}}, 1.5, {},
       {{"N06AB10", 0.6, 56, 0.5}}, nullptr, 0, 0.05},
      {"breast_cancer", "Breast cancer", 'F', 0, 0.10, 0.30, 62, 12, 3, 25, {0, -0.1, -0.2},
       {{"KREFT", "ICD10", "C504"}, {"NPR", "ICD10", "C504"}}, {{"NPR", "ICD10", "C509"}}, 1.0,
       {{"NPR", "NCSP", "HAB40"}, {"NPR", "NCSP", "HAC20"}},
       {{"L02BG04", 0.5, 100, 0.15}}, "C509", 0.02, 0.6},
      {"prostate_cancer", "Prostate cancer", 'M', 0.13, 0, 0.50, 70, 8, 3, 40, {0, -0.2, -0.3},
       {{"KREFT", "ICD10", "C61"}, {"NPR", "ICD10", "C61"}}, {{"NPR", "ICD10", "C61"}}, 1.0,
       {{"NPR", "NCSP", "KEC01"}},
       {{"L02AE02", 0.3, 84, 0.2}}, "C61", 0.02, 0.6},
      {"colorectal_cancer", "Colorectal cancer", 0, 0.06, 0.05, 0.25, 70, 10, 3, 30, {0, 0, -0.2},
       {{"KREFT", "ICD10", "C189"}, {"NPR", "ICD10", "C189"}}, {{"NPR", "ICD10", "C189"}, {"NPR", "ICD10", "C20"}}, 1.0,
       {{"NPR", "NCSP", "JFB30"}}, {}, "C189", 0.06, 0.6},
  };
  return catalog;
}

std::size_t disease_index(const std::string& name) {
  auto& catalog = disease_catalog();
  for (std::size_t i = 0; i < catalog.size(); ++i)
    if (name == catalog[i].name) return i;
  throw Error("no simulated disease named " + name);
}

const std::vector<BackgroundCode>& background_primary_care() {
  static const std::vector<BackgroundCode> codes = {
      {{"KUHR", "ICPC2", "R74"}, 12}, {{"KUHR", "ICPC2", "A04"}, 6}, {{"KUHR", "ICPC2", "L03"}, 8},
      {{"KUHR", "ICPC2", "A97"}, 10}, {{"KUHR", "ICPC2", "R05"}, 5}, {{"KUHR", "ICPC2", "D01"}, 4},
      {{"KUHR", "ICPC2", "L01"}, 4},  {{"KUHR", "ICPC2", "N01"}, 4}, {{"KUHR", "ICPC2", "K86"}, 8},
      {{"KUHR", "ICPC2", "S88"}, 3},  {{"KUHR", "ICPC2", "U71"}, 5}, {{"KUHR", "ICPC2", "P06"}, 3},
      {{"KUHR", "ICPC2", "L15"}, 3},  {{"KUHR", "ICPC2", "H71"}, 3}, {{"KUHR", "ICPC2", "A98"}, 6},
      {{"KUHR", "ICPC2", "T93"}, 2},  {{"KUHR", "ICPC2", "P74"}, 3}, {{"KUHR", "ICPC2", "S74"}, 2},
  };
  return codes;
}

const std::vector<BackgroundCode>& background_hospital() {
  static const std::vector<BackgroundCode> codes = {
      {{"NPR", "ICD10", "S525"}, 4}, {{"NPR", "ICD10", "K802"}, 4}, {{"NPR", "ICD10", "K359"}, 3},
      {{"NPR", "ICD10", "M171"}, 5}, {{"NPR", "ICD10", "N390"}, 4}, {{"NPR", "ICD10", "J189"}, 5},
      {{"NPR", "ICD10", "R074"}, 6}, {{"NPR", "ICD10", "R104"}, 5}, {{"NPR", "ICD10", "Z098"}, 6},
      {{"NPR", "ICD10", "M545"}, 4}, {{"NPR", "ICD10", "H251"}, 3}, {{"NPR", "ICD10", "K590"}, 2},
      {{"NPR", "ICD10", "S720"}, 2}, {{"NPR", "ICD10", "G473"}, 2}, {{"NPR", "ICD10", "L032"}, 2},
  };
  return codes;
}

const std::vector<BackgroundCode>& background_hospital_secondary() {
  static const std::vector<BackgroundCode> codes = {
      {{"NPR", "ICD10", "I10"}, 8}, {{"NPR", "ICD10", "E785"}, 4}, {{"NPR", "ICD10", "Z880"}, 2},
      {{"NPR", "ICD10", "E039"}, 2}, {{"NPR", "ICD10", "F171"}, 3}, {{"NPR", "ICD10", "E669"}, 3},
  };
  return codes;
}

const std::vector<BackgroundCode>& background_drugs() {
  static const std::vector<BackgroundCode> codes = {
      {{"LMR", "ATC", "J01CA04"}, 10}, {{"LMR", "ATC", "J01CE02"}, 8}, {{"LMR", "ATC", "M01AE01"}, 6},
      {{"LMR", "ATC", "N02BE01"}, 6},  {{"LMR", "ATC", "A02BC02"}, 5}, {{"LMR", "ATC", "N05CF01"}, 3},
      {{"LMR", "ATC", "R06AE07"}, 4},  {{"LMR", "ATC", "D07AC01"}, 3}, {{"LMR", "ATC", "S01AA01"}, 2},
      {{"LMR", "ATC", "G03AA07"}, 2},
  };
  return codes;
}

const std::vector<BackgroundCode>& background_death() {
  static const std::vector<BackgroundCode> codes = {
      {{"DAR", "ICD10", "C349"}, 8}, {{"DAR", "ICD10", "J189"}, 6}, {{"DAR", "ICD10", "F03"}, 9},
      {{"DAR", "ICD10", "I64"}, 6},  {{"DAR", "ICD10", "G309"}, 5}, {{"DAR", "ICD10", "X599"}, 3},
      {{"DAR", "ICD10", "R99"}, 2},  {{"DAR", "ICD10", "C259"}, 3}, {{"DAR", "ICD10", "N179"}, 2},
      {{"DAR", "ICD10", "I709"}, 2},
  };
  return codes;
}

const std::vector<County>& counties() {
  // Shares by ancestry group: group 1 lives mostly in the north, group 2 mostly around Oslo.
  static const std::vector<County> list = {
      {"03", {0.11, 0.05, 0.35}}, {"11", {0.09, 0.04, 0.07}}, {"15", {0.05, 0.03, 0.03}},
      {"18", {0.05, 0.15, 0.02}}, {"31", {0.06, 0.03, 0.06}}, {"32", {0.13, 0.05, 0.20}},
      {"33", {0.05, 0.02, 0.06}}, {"34", {0.07, 0.03, 0.03}}, {"39", {0.05, 0.02, 0.03}},
      {"40", {0.03, 0.02, 0.02}}, {"42", {0.06, 0.02, 0.03}}, {"46", {0.12, 0.05, 0.05}},
      {"50", {0.09, 0.09, 0.04}}, {"55", {0.03, 0.20, 0.01}}, {"56", {0.01, 0.20, 0.00}},
  };
  return list;
}

}  // namespace kohort::simulate
