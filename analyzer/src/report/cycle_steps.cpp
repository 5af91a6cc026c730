// The steps of a stuck cycle in words, read from a finding's data (its wait
// edges and resources): the renderings draw the cycle with them and the
// detectors explain it with the same words.
#include <algorithm>

#include "taskscope/analyzer/name_resolver.hpp"
#include "taskscope/analyzer/names.hpp"
#include "taskscope/analyzer/report.hpp"

namespace taskscope::analyzer {

namespace {

const ResourceRef* find_resource(const Finding& finding, uint64_t id) {
  auto found = std::find_if(finding.resources.begin(), finding.resources.end(),
                            [&](const ResourceRef& ref) { return ref.id == id; });
  return found == finding.resources.end() ? nullptr : &*found;
}

// `channel "results"` for a resource the program named, `mutex@bank.c:37` otherwise.
std::string resource_phrase(const Finding& finding, const FindingWait& wait) {
  if (!wait.resource) return "";
  const ResourceRef* ref = find_resource(finding, wait.resource->id);
  if (ref == nullptr) return wait.resource->name;
  return NameResolver::phrase(ref->type, ref->name, ref->named);
}

// `(bounded, 16/16 full)`, `(unbounded, 3 queued)`; "" when the depth is unknown.
std::string channel_state(const Finding& finding, const FindingWait& wait) {
  const ResourceRef* ref = wait.resource ? find_resource(finding, wait.resource->id) : nullptr;
  if (ref == nullptr || !ref->channel || !ref->channel->depth_known) return "";
  const ChannelState& channel = *ref->channel;
  if (channel.capacity == 0) return "(unbounded, " + std::to_string(channel.depth) + " queued)";
  std::string text =
      "(bounded, " + std::to_string(channel.depth) + "/" + std::to_string(channel.capacity);
  if (channel.depth >= channel.capacity)
    text += " full";
  else if (channel.depth == 0)
    text += ", empty";
  return text + ")";
}

// "receiver: aggregator (it received through it; 41 items received, the last at 0.81 s)".
std::string endpoint_holder(const FindingWait& wait) {
  const bool receiver = wait.reason == WaitReason::kReceiver;
  std::string text = std::string(receiver ? "receiver: " : "sender: ") +
                     (wait.waits_for ? wait.waits_for->name : std::string("?"));
  if (!wait.endpoint) return text;
  const EndpointUse& use = *wait.endpoint;
  if (use.strength == "used") {
    text += receiver ? " (it received through it" : " (it sent through it";
    if (use.items > 0 && use.last_ns >= 0)
      text += "; " + Names::count(use.items) + (use.items == 1 ? " item " : " items ") +
              (receiver ? "received" : "sent") + ", the last at " + Names::time(use.last_ns);
    text += ")";
  } else if (use.strength == "handed") {
    text += " (handed to it at spawn)";
  } else if (use.strength == "created") {
    text += " (assumed: it created it)";
  }
  return text;
}

}  // namespace

std::string wait_step_phrase(const Finding& finding, const FindingWait& wait) {
  if (!wait.reason) return "waits for";
  const std::string resource = resource_phrase(finding, wait);
  switch (*wait.reason) {
    case WaitReason::kOwns:
      if (wait.waits_for && wait.waits_for->id == wait.agent.id)
        return "locks " + resource + " again, which it already owns";
      return "waits to lock " + resource + ", owned by";
    case WaitReason::kHoldsShared:
      return "waits to lock " + resource + ", held shared by";
    case WaitReason::kQueuedWriter:
      return "waits to read-lock " + resource + "; a queued writer goes first:";
    case WaitReason::kHoldsUnits:
      return "waits for " + resource + ", whose units are held by";
    case WaitReason::kPosted:
      return "waits for " + resource + ", posted before only by";
    case WaitReason::kNotified:
      return "waits on " + resource + ", notified before only by";
    case WaitReason::kUsesMutex:
      return "waits on " + resource + "; its mutex is used by";
    case WaitReason::kReceiver: {
      const std::string state = channel_state(finding, wait);
      return "sends to " + resource + (state.empty() ? "" : " " + state) + "; receiver held by";
    }
    case WaitReason::kSender:
      return "receives from " + resource + " (empty); sender held by";
    case WaitReason::kJoined:
      return "awaits join of";
    case WaitReason::kPolls:
      return "is the worker thread inside the poll of";
    case WaitReason::kWaker:
      return "awaits " + resource + " (pending task); can be woken by";
    case WaitReason::kAnyone:
      return "waits on " + resource +
             ", which any agent could end; every other agent is blocked, among them";
  }
  return "waits for";
}

std::vector<std::string> cycle_diagram(const Finding& finding) {
  std::vector<std::string> lines;
  std::vector<const FindingWait*> cycle;
  for (const FindingWait& wait : finding.wait_edges)
    if (wait.in_cycle) cycle.push_back(&wait);
  if (cycle.empty()) return lines;
  for (const FindingWait* wait : cycle) {
    lines.push_back(wait->agent.name);
    std::string phrase = wait_step_phrase(finding, *wait);
    if (wait->reason == WaitReason::kReceiver || wait->reason == WaitReason::kSender) {
      // "sends to channel "x" (bounded, 8/8 full)", then who holds the other end.
      phrase.resize(phrase.rfind("; "));
      lines.push_back("   │ " + phrase);
      lines.push_back("   │   " + endpoint_holder(*wait));
    } else {
      lines.push_back("   │ " + phrase);
    }
    lines.push_back("   ▼");
  }
  lines.push_back(cycle.front()->agent.name +
                  (cycle.size() == 1 ? "  (itself: the cycle closes)" : "  (the cycle closes)"));
  return lines;
}

}  // namespace taskscope::analyzer
