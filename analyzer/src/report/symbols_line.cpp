#include "report/symbols_line.hpp"

namespace taskscope::analyzer {

std::string symbols_line(const std::vector<MissingModule>& missing) {
  if (missing.empty()) return {};
  std::string line = "symbols: " + std::to_string(missing.size()) +
                     (missing.size() == 1 ? " module" : " modules") + " not found: ";
  for (size_t i = 0; i < missing.size(); ++i) {
    if (i > 0) line += ", ";
    line += missing[i].path + " (" +
            (missing[i].build_id.empty() ? std::string("no build id recorded")
                                         : "build id " + missing[i].build_id) +
            ")";
  }
  return line + "; their code is named module+offset; pass --debug-dir DIR (a .build-id tree)";
}

}  // namespace taskscope::analyzer
