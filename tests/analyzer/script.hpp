// Synthetic event streams for analyzer tests: a Script appends events the way
// the recorder's primitives emit them (see recorder/include/taskscope/events.hpp),
// with readable helpers, and runs them through an Analysis.
#pragma once

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "taskscope/analyzer/analysis.hpp"
#include "schema_check.hpp"
#include "taskscope/analyzer/report.hpp"
#include "taskscope/format/event.hpp"

namespace taskscope::test {

using analyzer::AgentId;
using analyzer::ResourceId;
using format::Event;
using format::EventKind;
using format::ResourceKind;
using format::WaitOp;
using format::WaitOutcome;

constexpr int64_t kMs = 1'000'000;

class Script {
 public:
  std::vector<Event> events;
  analyzer::StringTable strings;
  int64_t now = 0;
  std::string reason;  // why the trace was written ("hang"), as its header says
  uint32_t threads_at_hang = 0;  // the header's count of live threads at a hang

  uint32_t str(const std::string& text) {
    for (const auto& [id, value] : strings)
      if (value == text) return id;
    const uint32_t id = static_cast<uint32_t>(strings.size() + 1);
    strings[id] = text;
    return id;
  }
  // Moves the clock to `ms` milliseconds.
  Script& at(double ms) {
    now = static_cast<int64_t>(ms * kMs);
    return *this;
  }
  Script& emit(AgentId thread, EventKind kind, uint8_t op, uint64_t a, uint64_t b = 0,
               uint32_t s = 0, uint16_t flags = 0) {
    Event e;
    e.ts_ns = now;
    e.thread = thread;
    e.kind = kind;
    e.op = op;
    e.flags = flags;
    e.str = s;
    e.a = a;
    e.b = b;
    events.push_back(e);
    now += 1000;  // keep events strictly ordered
    return *this;
  }

  // ---- lifecycle ----
  Script& thread(AgentId t, const std::string& name, AgentId parent = 0) {
    return emit(t, EventKind::kThreadStart, 0, t, parent, str(name));
  }
  Script& thread_end(AgentId t) { return emit(t, EventKind::kThreadEnd, 0, t); }
  // `by` creates thread `t` (format 1.3); `t` announces itself later with thread().
  Script& create_thread(AgentId by, AgentId t, const std::string& where = "src/app.cpp:20") {
    return emit(by, EventKind::kThreadCreate, 0, t, 0, str(where));
  }
  Script& spawn(AgentId by, AgentId task, const std::string& name,
                const std::string& where = "src/app.cpp:10") {
    return emit(by, EventKind::kTaskSpawn, 0, task, str(name), str(where));
  }
  Script& poll_begin(AgentId thread, AgentId task) {
    return emit(thread, EventKind::kPollBegin, 0, task);
  }
  Script& poll_end(AgentId thread, AgentId task, bool pending) {
    return emit(thread, EventKind::kPollEnd, pending ? 1 : 0, task);
  }
  // Polls carrying the thread's CPU clock (format 1.2), in milliseconds.
  Script& poll_begin_cpu(AgentId thread, AgentId task, double cpu_ms) {
    return emit(thread, EventKind::kPollBegin, 0, task, static_cast<uint64_t>(cpu_ms * kMs), 0,
                format::kFlagCpuTime);
  }
  Script& poll_end_cpu(AgentId thread, AgentId task, bool pending, double cpu_ms) {
    return emit(thread, EventKind::kPollEnd, pending ? 1 : 0, task,
                static_cast<uint64_t>(cpu_ms * kMs), 0, format::kFlagCpuTime);
  }
  Script& task_end(AgentId thread, AgentId task) {
    return emit(thread, EventKind::kTaskEnd, 0, task);
  }
  Script& waker_clone(AgentId thread, AgentId task, ResourceId on = 0) {
    return emit(thread, EventKind::kWakerClone, 0, task, on);
  }
  Script& waker_drop(AgentId thread, AgentId task) {
    return emit(thread, EventKind::kWakerDrop, 0, task);
  }
  Script& wake(AgentId thread, AgentId task) { return emit(thread, EventKind::kWake, 0, task); }

  // ---- resources ----
  Script& create(AgentId t, ResourceId r, ResourceKind kind, const std::string& name,
                 uint64_t extra = 0) {
    return emit(t, EventKind::kResourceCreate, static_cast<uint8_t>(kind), r, extra,
                name.empty() ? 0 : str(name));
  }
  Script& mutex(AgentId t, ResourceId r, const std::string& name) {
    return create(t, r, ResourceKind::kMutex, name);
  }

  // ---- locks ----
  Script& acquired(AgentId t, ResourceId m, const std::string& where = "", bool shared = false) {
    return emit(t, EventKind::kAcquired, shared ? 1 : 0, m, 0, where.empty() ? 0 : str(where));
  }
  Script& released(AgentId t, ResourceId m, bool shared = false) {
    return emit(t, EventKind::kReleased, shared ? 1 : 0, m);
  }
  // Uncontended lock: a lone kAcquired.
  Script& lock(AgentId t, ResourceId m, const std::string& where = "") {
    return acquired(t, m, where);
  }
  Script& unlock(AgentId t, ResourceId m) { return released(t, m); }
  // A contended lock that blocks (no WaitEnd).
  Script& block_lock(AgentId t, ResourceId m, const std::string& where = "",
                     WaitOp op = WaitOp::kLock) {
    return emit(t, EventKind::kWaitBegin, static_cast<uint8_t>(op), m, 0,
                where.empty() ? 0 : str(where));
  }
  Script& wait_begin(AgentId t, ResourceId r, WaitOp op, uint64_t b = 0, bool timed = false) {
    return emit(t, EventKind::kWaitBegin, static_cast<uint8_t>(op), r, b, 0,
                timed ? format::kFlagTimed : 0);
  }
  Script& wait_end(AgentId t, ResourceId r, WaitOutcome outcome) {
    return emit(t, EventKind::kWaitEnd, static_cast<uint8_t>(outcome), r);
  }
  Script& join(AgentId t, AgentId joined) { return wait_begin(t, joined, WaitOp::kJoin); }
  Script& joined(AgentId t, AgentId joined) { return wait_end(t, joined, WaitOutcome::kCompleted); }

  // ---- channels ----
  Script& channel(AgentId t, ResourceId ch, const std::string& name, uint64_t capacity) {
    return create(t, ch, ResourceKind::kChannel, name, capacity);
  }
  Script& open(AgentId t, uint64_t endpoint, ResourceId ch, bool receiver) {
    return emit(t, EventKind::kEndpointOpen, receiver ? 1 : 0, endpoint, ch);
  }
  Script& close(AgentId t, uint64_t endpoint) {
    return emit(t, EventKind::kEndpointClose, 0, endpoint);
  }
  Script& use(AgentId t, uint64_t endpoint, bool receiver) {
    return emit(t, EventKind::kEndpointUse, receiver ? 1 : 0, endpoint);
  }
  Script& hand(AgentId t, uint64_t endpoint, AgentId to) {
    return emit(t, EventKind::kEndpointHand, 0, endpoint, to);
  }
  Script& send(AgentId t, ResourceId ch, uint64_t depth_after) {
    return emit(t, EventKind::kChannelSend, 0, ch, depth_after);
  }
  Script& recv(AgentId t, ResourceId ch, uint64_t depth_after) {
    return emit(t, EventKind::kChannelRecv, 0, ch, depth_after);
  }

  // ---- condvars ----
  Script& notify(AgentId t, ResourceId cv, uint64_t waiters_known = 0, bool all = false) {
    return emit(t, EventKind::kNotify, all ? 1 : 0, cv, waiters_known);
  }
  // Released(mutex), WaitBegin(cv, kCondWait, b=mutex)
  Script& cv_wait(AgentId t, ResourceId cv, ResourceId m, bool timed = false) {
    released(t, m);
    return wait_begin(t, cv, WaitOp::kCondWait, m, timed);
  }

  // ---- other ----
  Script& sleep(AgentId t, uint64_t ns) { return wait_begin(t, 0, WaitOp::kSleep, ns, true); }
  Script& dropped(AgentId t, uint64_t count, int64_t first_ns) {
    return emit(t, EventKind::kDropped, 0, count, static_cast<uint64_t>(first_ns));
  }

  std::unique_ptr<analyzer::Analysis> analyze(analyzer::AnalyzeOptions options = {}) const {
    auto analysis = std::make_unique<analyzer::Analysis>(options);
    for (const Event& e : events)
      if (!analysis->feed(e)) break;
    analyzer::TraceInfo info;
    info.path = "synthetic";
    info.events = events.size();
    info.duration_ns = events.empty() ? 0 : events.back().ts_ns;
    info.status = "complete";
    info.reason = reason;
    info.threads_at_hang = threads_at_hang;
    info.end_ns = info.duration_ns;
    analysis->finish(strings, info);
    // Every report a test produces must follow docs/report.schema.json.
    if (const std::string violation =
            schema_violation(analysis->render(analyzer::OutputFormat::kJson));
        !violation.empty())
      throw std::runtime_error("the JSON report does not follow docs/report.schema.json: " +
                               violation);
    return analysis;
  }
};

inline std::vector<std::string> kinds_of(const analyzer::Analysis& analysis) {
  std::vector<std::string> kinds;
  for (const auto& finding : analysis.report().findings)
    kinds.emplace_back(analyzer::finding_kind_name(finding.kind));
  return kinds;
}

inline const analyzer::Finding* find_kind(const analyzer::Analysis& analysis,
                                          analyzer::FindingKind kind) {
  for (const auto& finding : analysis.report().findings)
    if (finding.kind == kind) return &finding;
  return nullptr;
}

inline std::vector<std::string> agent_names(const analyzer::Finding& finding) {
  std::vector<std::string> names;
  for (const auto& agent : finding.agents) names.push_back(agent.name);
  return names;
}

inline std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace taskscope::test
