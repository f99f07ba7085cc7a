#pragma once
// Decimal text of a double with a fixed number of significant digits, exactly as printf's "%.*g"
// (and std::to_chars with chars_format::general and a precision) writes it, several times faster
// for the magnitudes results hold. Summary statistics print millions of such numbers.

namespace kohort {

// Writes `value` with `precision` significant digits (trailing zeros dropped, e-notation below
// 1e-4 and from 10^precision) into `out`, which has room for 32 characters; returns the end.
// The text is always that of std::to_chars(out, out + 32, value, std::chars_format::general,
// precision): values outside the fast path (precision above 15, magnitudes outside about 1e-13 to
// 1e9 at 10 digits, exact decimal ties, zero, infinities, NaN) go to std::to_chars itself.
char* format_general(double value, int precision, char* out);

}  // namespace kohort
