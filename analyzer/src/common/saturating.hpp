// Sums of recorded durations and sizes. A damaged or forged trace can hold any
// value, and a sum past int64 is no real program's: it saturates instead of
// overflowing (docs/trace-format.md, "Damage and truncation").
#pragma once

#include <cstdint>

namespace taskscope::analyzer {

inline int64_t saturating_add(int64_t a, int64_t b) {
  int64_t sum;
  if (__builtin_add_overflow(a, b, &sum)) return b < 0 ? INT64_MIN : INT64_MAX;
  return sum;
}

}  // namespace taskscope::analyzer
