// The text report's line about modules whose files were not found, under its
// trace line (docs/trace-format.md, "Module files").
#pragma once

#include <string>
#include <vector>

#include "taskscope/analyzer/symbolizer.hpp"

namespace taskscope::analyzer {

// "symbols: 1 module not found: /usr/bin/foo (build id 3fa2...); pass --debug-dir DIR",
// "" when every module was found.
std::string symbols_line(const std::vector<MissingModule>& missing);

}  // namespace taskscope::analyzer
