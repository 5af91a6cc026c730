// The replayed State lives in the event model (taskscope/model/state.hpp), so
// that the recorder's flusher keeps the same State for its flight-recorder
// snapshots (docs/architecture.md). The analyzer's detectors, reports and
// commands name its records here, without the namespace.
#pragma once

#include "taskscope/analyzer/id_table.hpp"
#include "taskscope/model/state.hpp"

namespace taskscope::analyzer {

using model::AgentId;
using model::EndpointId;
using model::ResourceId;
using model::StringId;

using model::Agent;
using model::AgentSet;
using model::AgentType;
using model::DroppedRange;
using model::Endpoint;
using model::EndpointStrength;
using model::Hold;
using model::Resource;
using model::RunState;
using model::SpanFrame;
using model::State;
using model::Wait;

using model::agent_type_name;
using model::endpoint_strength_name;
using model::poll_begin_cpu_ns;
using model::poll_cpu_ns;
using model::run_state_name;

}  // namespace taskscope::analyzer
