#pragma once
// P-values carried as natural logarithms, so that results far below 1e-308 stay exact, and
// printed from the logarithm (p = 1e-400 prints as 1e-400, never 0).
#include <string>

namespace kohort::assoc {

// log of the two-sided p-value of a standard normal statistic z.
double log_p_normal(double z);
// log of the two-sided p-value of Student's t statistic with `df` degrees of freedom.
double log_p_t(double t, double df);
// log of the upper-tail p-value of a chi-square statistic with 1 degree of freedom.
double log_p_chisq1(double x);
// log of the upper tail of the standard normal, P(Z > x), for any x.
double log_normal_upper(double x);

// Six significant digits, scientific below 1e-4, from a natural-log p-value; NA when it is NaN or
// infinite (p = 0 is never printed).
std::string format_p_value(double log_p);
// The same into `out`, which has room for 32 characters; returns the end of the text.
char* format_p_value_to(double log_p, char* out);
// -log10(p), six significant digits.
std::string format_neg_log10_p(double log_p);

}  // namespace kohort::assoc
