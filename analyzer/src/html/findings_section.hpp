// The verdict and the findings of the HTML report, as in the text report
// (report/text.cpp): headline, the cycle drawn (a Graphviz graph beside the
// step-by-step diagram), the explanation, and every wait with its source
// location (private to the analyzer).
#pragma once

#include <string>

#include "taskscope/analyzer/analysis.hpp"

namespace taskscope::analyzer::html {

std::string verdict_section(const Report& report);
std::string findings_section(const Report& report);

}  // namespace taskscope::analyzer::html
