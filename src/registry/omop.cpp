// OMOP CDM mapping (documented in docs/ingest.md):
//   person: id = person_source_value (person_id when empty); gender_concept_id 8507 -> M, 8532 -> F;
//           birth = year/month/day of birth (month and day default to 1)
//   death: death_date -> death; cause_source_value -> DAR ICD10 event, role underlying
//   observation_period: the last end date, when before the end of coverage and not the death date,
//           is the end of follow-up (written as emigration)
//   condition_occurrence -> NPR ICD10 (condition_status_concept_id 32902 primary -> main, else secondary)
//   drug_exposure -> LMR ATC (quantity as value); procedure_occurrence -> NPR NCSP
#include "registry/omop.h"

#include <sqlite3.h>

#include <cmath>
#include <fmt/format.h>
#include <map>

#include "core/error.h"

namespace kohort::registry::detail {
namespace {

class Database {
 public:
  explicit Database(const std::string& path) : path_(path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw InputError(path, "cannot open as SQLite: " + message);
    }
  }
  ~Database() { sqlite3_close(db_); }
  // Runs `sql`, calling row(statement) per row.
  void query(const std::string& table, const std::string& sql, const std::function<void(sqlite3_stmt*)>& row) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK)
      throw InputError(path_, fmt::format("OMOP table {}: {} (expected CDM 5.4 columns)", table, sqlite3_errmsg(db_)));
    int rc;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) row(statement);
    sqlite3_finalize(statement);
    if (rc != SQLITE_DONE) throw InputError(path_, fmt::format("OMOP table {}: {}", table, sqlite3_errmsg(db_)));
  }

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
};

std::string text(sqlite3_stmt* s, int column) {
  if (sqlite3_column_type(s, column) == SQLITE_NULL) return "NA";
  const unsigned char* t = sqlite3_column_text(s, column);
  return t ? std::string(reinterpret_cast<const char*>(t)) : std::string("NA");
}

// OMOP dates in SQLite are text (YYYY-MM-DD...) or numbers (seconds since 1970, as Eunomia stores them).
std::string date_text(sqlite3_stmt* s, int column) {
  int type = sqlite3_column_type(s, column);
  if (type == SQLITE_NULL) return "NA";
  if (type == SQLITE_INTEGER || type == SQLITE_FLOAT)
    return format_date(static_cast<Date>(std::floor(sqlite3_column_double(s, column) / 86400.0)));
  std::string t = text(s, column);
  return t.size() > 10 ? t.substr(0, 10) : t;
}

}  // namespace

void read_omop(const std::string& path, Date coverage_end, const OmopPersonSink& person, const OmopEventSink& event) {
  Database db(path);
  std::map<std::string, std::string> death_of, end_of;
  db.query("death", "SELECT person_id, death_date FROM death", [&](sqlite3_stmt* s) { death_of[text(s, 0)] = date_text(s, 1); });
  db.query("observation_period", "SELECT person_id, observation_period_end_date FROM observation_period", [&](sqlite3_stmt* s) {
    std::string id = text(s, 0), end = date_text(s, 1);
    auto& current = end_of[id];
    if (current.empty() || current == "NA" || end > current) current = end;
  });
  std::map<std::string, std::string> id_of;  // person_id -> the id kohort uses
  std::uint64_t row = 0;
  db.query("person",
           "SELECT person_id, person_source_value, gender_concept_id, year_of_birth, month_of_birth, day_of_birth "
           "FROM person ORDER BY person_id",
           [&](sqlite3_stmt* s) {
             ++row;
             std::string person_id = text(s, 0), source_value = text(s, 1);
             std::string id = source_value == "NA" || source_value.empty() ? person_id : source_value;
             id_of[person_id] = id;
             int gender = sqlite3_column_int(s, 2);
             std::string sex = gender == 8507 ? "M" : gender == 8532 ? "F" : fmt::format("concept {}", gender);
             int month = sqlite3_column_type(s, 4) == SQLITE_NULL ? 1 : sqlite3_column_int(s, 4);
             int day = sqlite3_column_type(s, 5) == SQLITE_NULL ? 1 : sqlite3_column_int(s, 5);
             std::string birth = fmt::format("{:04d}-{:02d}-{:02d}", sqlite3_column_int(s, 3), month, day);
             auto death = death_of.count(person_id) ? death_of[person_id] : std::string("NA");
             std::string emigration = "NA";
             auto end = end_of.find(person_id);
             if (end != end_of.end() && end->second != "NA" && end->second < format_date(coverage_end) && end->second != death)
               emigration = end->second;
             person(path + "#person", row, id, sex, birth, death, emigration);
           });
  auto id = [&](const std::string& person_id) {
    auto it = id_of.find(person_id);
    return it == id_of.end() ? "person_id " + person_id : it->second;
  };
  row = 0;
  db.query("condition_occurrence",
           "SELECT person_id, condition_start_date, condition_source_value, condition_status_concept_id "
           "FROM condition_occurrence ORDER BY person_id, condition_start_date, condition_occurrence_id",
           [&](sqlite3_stmt* s) {
             bool primary = sqlite3_column_int(s, 3) == 32902;
             event("condition_occurrence", ++row, id(text(s, 0)), date_text(s, 1), "NPR", "ICD10", text(s, 2),
                   primary ? "main" : "secondary", "NA");
           });
  row = 0;
  db.query("drug_exposure",
           "SELECT person_id, drug_exposure_start_date, drug_source_value, quantity FROM drug_exposure "
           "ORDER BY person_id, drug_exposure_start_date, drug_exposure_id",
           [&](sqlite3_stmt* s) {
             event("drug_exposure", ++row, id(text(s, 0)), date_text(s, 1), "LMR", "ATC", text(s, 2), "NA", text(s, 3));
           });
  row = 0;
  db.query("procedure_occurrence",
           "SELECT person_id, procedure_date, procedure_source_value FROM procedure_occurrence "
           "ORDER BY person_id, procedure_date, procedure_occurrence_id",
           [&](sqlite3_stmt* s) {
             event("procedure_occurrence", ++row, id(text(s, 0)), date_text(s, 1), "NPR", "NCSP", text(s, 2), "NA", "NA");
           });
  row = 0;
  db.query("death", "SELECT person_id, death_date, cause_source_value FROM death ORDER BY person_id", [&](sqlite3_stmt* s) {
    ++row;
    if (sqlite3_column_type(s, 2) == SQLITE_NULL) return;
    event("death", row, id(text(s, 0)), date_text(s, 1), "DAR", "ICD10", text(s, 2), "underlying", "NA");
  });
}

}  // namespace kohort::registry::detail
