// Replay lives in the event model (taskscope/model/replay.hpp), so that the
// analyzer and the recorder's flusher apply events to a State the same way
// (docs/architecture.md). The analyzer's observers and commands name it here.
#pragma once

#include "taskscope/analyzer/state.hpp"
#include "taskscope/model/replay.hpp"

namespace taskscope::analyzer {

using model::EventObserver;
using model::kind_bit;
using model::Replayer;

}  // namespace taskscope::analyzer
