// The census of the report: agents by state and resources in use at the
// instant analyzed, in a few lines.
#pragma once

#include <string>
#include <vector>

#include "taskscope/analyzer/names.hpp"
#include "taskscope/analyzer/wait_for_graph.hpp"

namespace taskscope::analyzer {

std::vector<std::string> build_census(const State& state, const WaitForGraph& graph,
                                      const StuckSet& stuck, const Names& names);

}  // namespace taskscope::analyzer
