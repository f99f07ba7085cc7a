#pragma once
// Calendar dates as days since 1970-01-01 (proleptic Gregorian), the unit of every registry
// timeline. Parsing accepts YYYY-MM-DD; formatting writes it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kohort {

using Date = std::int32_t;

Date make_date(int year, unsigned month, unsigned day);
void civil_from_date(Date date, int& year, unsigned& month, unsigned& day);
int year_of(Date date);
// YYYY-MM-DD, or nullopt when the text is not a valid date.
std::optional<Date> parse_date(std::string_view text);
std::string format_date(Date date);
// Writes YYYY-MM-DD into `out` (10 characters, no terminator).
void format_date(Date date, char* out);
// Age in completed years at `when` for a person born on `birth`.
int age_in_years(Date birth, Date when);
// Age as a fraction of years (days / 365.25), for models.
inline double age_years(Date birth, Date when) { return (when - birth) / 365.25; }

}  // namespace kohort
