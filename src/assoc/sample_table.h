#pragma once
// Phenotype and covariate files keyed by sample id: PLINK style (`FID IID ...` or `#FID IID`,
// `#IID ...`, whitespace-separated) or a plain TSV/CSV whose first column is the sample id
// (e.g. `person_id`, as `kohort endpoints` writes). Values NA, nan, '.' and empty are missing.
#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace kohort::assoc {

class SampleTable {
 public:
  explicit SampleTable(const std::string& path);

  const std::string& path() const { return path_; }
  // Data columns (without the id columns).
  const std::vector<std::string>& columns() const { return columns_; }
  std::size_t column_index(const std::string& name) const;  // throws InputError naming the file
  // The columns `items` name, as plink2's --pheno-name and --covar-name read them: each a column's
  // name, or FIRST-LAST for the columns from FIRST to LAST in the file's order (p1-p1000). A name
  // with a dash that is a column itself is that column (plink2 would read a range there). Empty
  // `items`: every column. Throws InputError naming the file and `flag` for a name that is none.
  std::vector<std::string> select_columns(const std::vector<std::string>& items, const std::string& flag) const;

  // Values of `column` for `sample_ids` (NaN for samples not in the file or missing values).
  // Throws InputError (file, line) on a value that is not a number.
  Eigen::VectorXd numeric(std::size_t column, const std::vector<std::string>& sample_ids) const;
  // The file's row of each sample id (-1 when absent): looked up once for reading many columns.
  std::vector<std::int64_t> rows(const std::vector<std::string>& sample_ids) const;
  Eigen::VectorXd numeric(std::size_t column, const std::vector<std::int64_t>& rows) const;
  // The column's raw text values for `sample_ids` ("" when absent).
  std::vector<std::string> text(std::size_t column, const std::vector<std::string>& sample_ids) const;
  // True when every present value parses as a number.
  bool is_numeric(std::size_t column) const;

 private:
  std::string path_;
  std::vector<std::string> columns_;
  std::unordered_map<std::string, std::size_t> row_of_;
  std::vector<std::vector<std::string>> values_;  // [row][column]
  std::vector<std::uint64_t> line_of_;            // source line of each row
};

bool is_missing_value(const std::string& value);

// Covariates for `sample_ids` from `names` columns of `table`: numeric columns as they are, text
// (categorical) columns expanded to indicators of every level but the first (sorted), as R does.
// Fills `expanded_names` with the resulting column names. Checks them with check_covariates.
Eigen::MatrixXd covariate_matrix(const SampleTable& table, const std::vector<std::string>& names,
                                 const std::vector<std::string>& sample_ids, std::vector<std::string>& expanded_names);

// Stops with an error naming `path` when no sample has every covariate, or when a covariate is
// constant, or a combination of the intercept and the ones before it, on the samples that do:
// a mistake in the covariates, not a property of one phenotype's samples (on those, such a
// covariate is left out for the phenotype; see assoc/design.h).
void check_covariates(const Eigen::MatrixXd& covariates, const std::vector<std::string>& names, const std::string& path);

}  // namespace kohort::assoc
