#include "core/date.h"

namespace kohort {

// Day counting after H. Hinnant's public-domain civil calendar algorithms (eras of 400 years).
Date make_date(int year, unsigned month, unsigned day) {
  year -= month <= 2;
  const int era = (year >= 0 ? year : year - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

void civil_from_date(Date date, int& year, unsigned& month, unsigned& day) {
  int z = date + 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<int>(yoe) + era * 400 + (month <= 2);
}

int year_of(Date date) {
  int y;
  unsigned m, d;
  civil_from_date(date, y, m, d);
  return y;
}

std::optional<Date> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto digits = [&](std::size_t from, std::size_t count, int& value) {
    value = 0;
    for (std::size_t i = from; i < from + count; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      value = value * 10 + (text[i] - '0');
    }
    return true;
  };
  int y, m, d;
  if (!digits(0, 4, y) || !digits(5, 2, m) || !digits(8, 2, d)) return std::nullopt;
  if (m < 1 || m > 12 || d < 1) return std::nullopt;
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  int month_days = kDays[m - 1] + (m == 2 && leap ? 1 : 0);
  if (d > month_days) return std::nullopt;
  return make_date(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

void format_date(Date date, char* out) {
  int y;
  unsigned m, d;
  civil_from_date(date, y, m, d);
  out[0] = static_cast<char>('0' + (y / 1000) % 10);
  out[1] = static_cast<char>('0' + (y / 100) % 10);
  out[2] = static_cast<char>('0' + (y / 10) % 10);
  out[3] = static_cast<char>('0' + y % 10);
  out[4] = '-';
  out[5] = static_cast<char>('0' + m / 10);
  out[6] = static_cast<char>('0' + m % 10);
  out[7] = '-';
  out[8] = static_cast<char>('0' + d / 10);
  out[9] = static_cast<char>('0' + d % 10);
}

std::string format_date(Date date) {
  std::string s(10, ' ');
  format_date(date, s.data());
  return s;
}

int age_in_years(Date birth, Date when) {
  int by, wy;
  unsigned bm, bd, wm, wd;
  civil_from_date(birth, by, bm, bd);
  civil_from_date(when, wy, wm, wd);
  int age = wy - by;
  if (wm < bm || (wm == bm && wd < bd)) --age;
  return age;
}

}  // namespace kohort
