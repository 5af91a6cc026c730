// stalled: agents that are not provably stuck but have been blocked (or, for a
// task, pending) longer than --stall (default 1 s), classified by what they wait
// on: io, lock, channel, condvar, join, timer, unknown. Each says why it may
// still progress, so that the reader can judge.
#include <algorithm>

#include "finding_facts.hpp"

namespace taskscope::analyzer {

namespace {

using format::WaitOp;

constexpr size_t kMaxReported = 30;

const char* wait_class(WaitOp op) {
  switch (op) {
    case WaitOp::kIo:
      return "io";
    case WaitOp::kLock:
    case WaitOp::kReadLock:
    case WaitOp::kAcquire:
      return "lock";
    case WaitOp::kSend:
    case WaitOp::kRecv:
      return "channel";
    case WaitOp::kCondWait:
      return "condvar";
    case WaitOp::kFutexWait:
      return "futex";
    case WaitOp::kJoin:
      return "join";
    case WaitOp::kSleep:
      return "timer";
    case WaitOp::kBarrier:
    case WaitOp::kOther:
      break;
  }
  return "unknown";
}

const char* free_reason_text(FreeReason reason) {
  switch (reason) {
    case FreeReason::kRunning:
      return "it runs";
    case FreeReason::kRunnable:
      return "it is runnable";
    case FreeReason::kOutsideWorld:
      return "it waits on the outside world";
    case FreeReason::kTimed:
      return "its wait has a deadline";
    case FreeReason::kUnknownHolders:
      return "who could end the wait is not known from the trace";
    case FreeReason::kUnknownAgent:
      return "its state is not known";
  }
  return "";
}

struct Candidate {
  uint32_t node;
  int64_t for_ns;
};

class StalledDetector : public Detector {
 public:
  void report(const DetectContext& context, const std::vector<Finding>&,
              std::vector<Finding>& out) override {
    const int64_t now = context.state.now_ns;
    std::vector<Candidate> stalled;
    for (uint32_t i = 0; i < context.graph.nodes().size(); ++i) {
      if (context.stuck.contains(i)) continue;
      const Agent* agent = context.state.agents.find(context.graph.node(i).agent);
      if (agent == nullptr || agent->state == RunState::kEnded) continue;
      int64_t for_ns = -1;
      if (agent->waiting)
        for_ns = now - agent->wait.since_ns;
      else if (agent->state == RunState::kIdle)
        for_ns = now - agent->last_poll_end_ns;
      if (for_ns >= context.options.stall_ns) stalled.push_back({i, for_ns});
    }
    std::sort(stalled.begin(), stalled.end(), [](const Candidate& x, const Candidate& y) {
      return x.for_ns != y.for_ns ? x.for_ns > y.for_ns : x.node < y.node;
    });
    if (stalled.size() > kMaxReported) stalled.resize(kMaxReported);
    const Names& names = context.names;
    const FindingFacts facts(context);
    for (const Candidate& candidate : stalled) {
      const WaitNode& node = context.graph.node(candidate.node);
      const Agent& agent = *context.state.agents.find(node.agent);
      Finding finding;
      finding.kind = FindingKind::kStalled;
      finding.severity = Severity::kWarning;
      finding.since_ns = now - candidate.for_ns;
      finding.agents.push_back(names.agent_ref(agent.id));
      facts.add_waits(finding, candidate.node);
      const std::string name = names.agent(agent.id);
      std::string what;
      const char* klass = "unknown";
      if (agent.waiting) {
        klass = wait_class(agent.wait.op);
        what = names.wait_phrase(agent.wait);
        if (agent.wait.op != WaitOp::kJoin && agent.wait.resource &&
            context.state.resources.find(agent.wait.resource))
          finding.resources.push_back(names.resource_ref(agent.wait.resource));
      } else {
        what = "pending, not polled since";
        for (ResourceId id : agent.registered_on) {
          if (const Resource* resource = context.state.resources.find(id)) {
            klass = resource->is_channel() ? "channel" : "lock";
            finding.resources.push_back(names.resource_ref(id));
          }
        }
      }
      finding.summary =
          name + " stalled on " + klass + " for " + Names::duration(candidate.for_ns) + ": " + what;
      std::string line = name + " has been " + what + " since " + Names::time(finding.since_ns);
      if (agent.waiting) {
        const std::string where = names.location(agent.wait.location);
        if (!where.empty()) line += " at " + where;
      }
      finding.explanation.push_back(line + ".");
      if (node.status == NodeStatus::kFree) {
        finding.explanation.push_back(std::string("It is not provably stuck: ") +
                                      free_reason_text(node.free_reason) + ".");
      } else if (!node.edges.empty()) {
        std::string who;
        for (const WaitEdge& edge : node.edges) {
          if (!who.empty()) who += ", ";
          who += names.agent(context.graph.node(edge.to).agent) + " (" +
                 edge_reason_text(edge.reason) + ")";
        }
        finding.explanation.push_back("It can be released by " + who +
                                      ", which may still progress.");
      }
      out.push_back(std::move(finding));
    }
  }
};

}  // namespace

std::unique_ptr<Detector> make_stalled_detector() { return std::make_unique<StalledDetector>(); }

}  // namespace taskscope::analyzer
