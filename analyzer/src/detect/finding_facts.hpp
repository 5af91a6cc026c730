// The data of a finding, read from the replay State and the wait-for graph:
// wait edges with their kind, resource, time and location; agents with their
// run state, spawn chain and holds; resources with their owner, holders and
// channel depth. Detectors add the waits they tell about; complete() fills in
// the agents and resources the finding names (docs/report-schema.md).
#pragma once

#include <optional>

#include "detector.hpp"

namespace taskscope::analyzer {

class FindingFacts {
 public:
  explicit FindingFacts(const DetectContext& context)
      : FindingFacts(context.state, context.graph, context.names) {}
  FindingFacts(const State& state, const WaitForGraph& graph, const Names& names)
      : state_(state), graph_(graph), names_(names) {}

  SourceLocation location(StringId id) const;
  NamedId agent(AgentId id) const;
  NamedId resource(ResourceId id) const;

  // The wait of graph node `node` towards `to` (every one of its edges when
  // `to` is empty; a wait without edges is added once, with no target).
  // Edges already in the finding are not repeated.
  void add_waits(Finding& finding, uint32_t node, std::optional<uint32_t> to = std::nullopt,
                 bool in_cycle = false) const;
  // The wait of an agent that is not (or no longer) a graph node's concern:
  // what `agent` waits on, with no target.
  FindingWait wait_of(const Agent& agent) const;

  // Every edge of the wait-for graph, node by node (the dot rendering).
  std::vector<FindingWait> graph_waits() const;

  // Fills the state of every agent and resource the finding names.
  void complete(Finding& finding) const;

 private:
  void complete(AgentRef& ref) const;
  void complete(ResourceRef& ref) const;

  FindingWait edge_wait(const Agent& agent, const WaitEdge& edge, bool in_cycle) const;
  std::optional<EndpointUse> endpoint_use(const WaitEdge& edge) const;

  const State& state_;
  const WaitForGraph& graph_;
  const Names& names_;
};

// The wait kind of a recorded wait operation.
WaitKind wait_kind_of(format::WaitOp op);
WaitReason wait_reason_of(EdgeReason reason);

}  // namespace taskscope::analyzer
