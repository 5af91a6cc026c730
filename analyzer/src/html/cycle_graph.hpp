// A finding's wait-for story drawn as SVG, laid out by Graphviz's dot (libgvc)
// (private to the analyzer; docs/html-report.md).
#pragma once

#include <string>

#include "taskscope/analyzer/finding.hpp"

namespace taskscope::analyzer::html {

// The finding's wait edges as a graph: agents (boxes) and resources (ellipses)
// are nodes, each titled with its display name; an agent waiting through a
// resource points to it, labelled with the wait ("send"), and the resource to
// the agent that could end the wait, labelled with why ("receiver"). Cycle
// edges are drawn bold. Returns the <svg> element, or "" when the finding has
// no wait edges.
std::string cycle_svg(const Finding& finding, const std::string& id_prefix);

}  // namespace taskscope::analyzer::html
