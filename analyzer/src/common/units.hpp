// How durations, sizes and counts read in text reports (private to the analyzer).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace taskscope::analyzer::stats {

// "0 ns", "950 ns", "4.1 us", "812 ms", "1.52 s": three significant digits.
std::string format_duration(int64_t ns);
// "0 B", "512 B", "12.0 KiB", "1.20 MiB".
std::string format_bytes(int64_t bytes);
// "48,112".
std::string format_count(uint64_t count);
// A name as a text report shows it: control characters escaped ("a\\nb"), so a
// hostile or odd name cannot break the layout.
std::string printable(std::string_view name);
// "+12.5 %", "-3.0 %".
std::string format_percent(double fraction, bool sign = false);

}  // namespace taskscope::analyzer::stats
