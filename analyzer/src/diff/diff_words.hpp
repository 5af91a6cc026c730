// How a diff's changes read in sentences (private to the analyzer).
#pragma once

#include <string>

#include "taskscope/analyzer/diff.hpp"

namespace taskscope::analyzer::stats {

// "p < 0.001", "p = 0.412".
std::string p_text(double p);
// A metric value in its unit: "1.20 s", "4,096", "12.0 KiB", "83.0 %".
std::string show_value(const MetricChange& change, double value);
// What the metric measures, for a sentence: "time blocked on mutex `cache_lock`".
std::string describe(const MetricChange& change);

}  // namespace taskscope::analyzer::stats
