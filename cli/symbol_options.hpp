// Options shared by every command that names code sites: where to find the
// binaries of a trace recorded elsewhere (docs/trace-format.md, "Module files").
#pragma once

#include <vector>

#include "command.hpp"

namespace taskscope::cli {

// Adds --debug-dir DIR (repeatable) to every command that symbolizes, i.e.
// all but those that read no names (record, validate). Resets the setting, so
// that run() called twice in one process starts clean.
void add_symbol_options(const std::vector<Command>& commands);

}  // namespace taskscope::cli
