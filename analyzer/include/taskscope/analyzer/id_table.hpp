// IdTable lives in the event model (taskscope/model/id_table.hpp), beside the
// State it stores; the analyzer's own tables name it here.
#pragma once

#include "taskscope/model/id_table.hpp"

namespace taskscope::analyzer {

using model::IdTable;

}  // namespace taskscope::analyzer
