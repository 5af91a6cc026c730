// Chrome trace-event export (see chrome_export.hpp).
#include "taskscope/analyzer/chrome_export.hpp"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "export/lock_holds.hpp"
#include "export/trace_event_sink.hpp"
#include "export/track_list.hpp"
#include "taskscope/analyzer/name_catalog.hpp"
#include "taskscope/format/reader.hpp"
#include "taskscope/model/acting_agents.hpp"
#include "taskscope/model/event_views.hpp"

namespace taskscope::analyzer {
namespace {

using model::AgentId;
using model::ResourceId;

// Turns events into trace events, reading them through the model's views,
// attributing each to its acting agent (model::ActingAgents) and naming agents
// and resources by the naming service (NameCatalog), as every command does.
// Invariant: tasks_ holds every task seen and not ended (a polled task is always
// in it), so the acting agent is a task exactly when tasks_ has it; a task's
// pending flows are ended (at most once each) by its next poll; tracks_ lists
// every track written to (as runs of ids, track_list.hpp), each named once: when
// its task ends, or once the whole trace is known. What a task needs, its name
// included, is dropped when it ends.
class ChromeExporter {
 public:
  ChromeExporter(const format::TraceReader& reader, std::ostream& out)
      : reader_(reader),
        names_([&reader](model::StringId id) { return reader.string(id); }),
        sink_(out) {}

  void start(const std::string& process) {
    sink_.begin_document();
    sink_.name_process(kChromeThreadsPid, process, 0);
    sink_.name_process(kChromeTasksPid, process + " tasks", 1);
  }

  void on_event(const format::Event& e) {
    last_ns_ = std::max(last_ns_, e.ts_ns);
    names_.learn(e);
    const AgentId acting = agents_.acting(e);
    model::visit(e, [&](const auto& view) { on(view, acting); });
    agents_.apply(e);
  }

  ChromeExportSummary finish(uint64_t events) {
    name_tracks();
    sink_.end_document(last_ns_);
    ChromeExportSummary summary;
    summary.events_read = events;
    summary.slices = sink_.slices();
    summary.flows = flows_;
    summary.counters = sink_.counters();
    return summary;
  }

 private:
  // One overload per kind the export shows; the rest are not drawn.
  template <class View>
  void on(const View&, AgentId) {}
  void on(const model::AgentName& v, AgentId) {
    if (auto it = tasks_.find(v.agent()); it != tasks_.end())
      it->second.name = task_name(v.agent(), v.name());
  }
  void on(const model::ThreadEnd& v, AgentId) { on_agent_end(v.agent(), v.ts_ns()); }
  void on(const model::TaskEnd& v, AgentId) { on_agent_end(v.task(), v.ts_ns()); }
  void on(const model::TaskSpawn& v, AgentId) { on_spawn(v); }
  void on(const model::PollBegin& v, AgentId) { on_poll_begin(v); }
  void on(const model::PollEnd& v, AgentId) { on_poll_end(v); }
  void on(const model::Wake& v, AgentId) { on_wake(v); }
  void on(const model::WaitBegin& v, AgentId acting) { on_wait_begin(v, acting); }
  void on(const model::WaitEnd& v, AgentId acting) { on_wait_end(v, acting); }
  void on(const model::Acquired& v, AgentId acting) { on_acquired(v, acting); }
  void on(const model::Released& v, AgentId acting) { on_released(v, acting); }
  void on(const model::ResourceCreate& v, AgentId) {
    resources_[v.resource()] = {std::string(), v.resource_kind()};
  }
  void on(const model::ResourceDestroy& v, AgentId) {
    resources_.erase(v.resource());
    holds_.destroyed(v.resource());
  }
  void on(const model::ChannelSend& v, AgentId) {
    channel_depth(v.ts_ns(), v.channel(), v.depth());
  }
  void on(const model::ChannelRecv& v, AgentId) {
    channel_depth(v.ts_ns(), v.channel(), v.depth());
  }
  void on(const model::Counter& v, AgentId) {
    sink_.counter(kChromeThreadsPid, v.ts_ns(), text(v.name()), "value", v.value());
  }
  void on(const model::Mark& v, AgentId acting) {
    sink_.instant(track_of(acting), v.ts_ns(), text(v.name()),
                  {{"value", nullptr, static_cast<int64_t>(v.value())}});
  }
  // Spans and holds go on the acting agent's track: a task's, inside its polls.
  void on(const model::SpanEnter& v, AgentId acting) {
    sink_.begin(track_of(acting), SliceKind::kSpan, v.name(), v.ts_ns(), text(v.name()), "span");
  }
  void on(const model::SpanExit& v, AgentId acting) {
    sink_.end(track_of(acting), SliceKind::kSpan, v.name(), v.ts_ns());
  }

  struct TaskState {
    std::string name;
    std::vector<std::pair<const char*, uint64_t>> pending_flows;  // (flow name, id)
    bool waiting = false;
    std::string wait_label;  // what it waits on, while `waiting`
  };
  struct ResourceLabel {
    std::string name;
    format::ResourceKind kind = format::ResourceKind::kUnknown;
  };

  std::string_view text(model::StringId id) const { return reader_.string(id); }

  bool is_task(AgentId agent) const { return tasks_.count(agent) != 0; }

  TrackId track(TrackId id) {
    const uint64_t key = track_key(id);
    if (key != last_track_) tracks_.use(id);
    last_track_ = key;
    return id;
  }
  static uint64_t track_key(TrackId id) {
    return (id.tid << 1) | static_cast<uint64_t>(id.pid == kChromeTasksPid);
  }
  TrackId thread_track(AgentId id) { return track({kChromeThreadsPid, id}); }
  TrackId task_track(AgentId id) { return track({kChromeTasksPid, id}); }
  // The track of an agent's own slices (spans, holds, marks).
  TrackId track_of(AgentId agent) {
    return is_task(agent) ? task_track(agent) : thread_track(agent);
  }

  // How the export names tracks: the one place, by the naming service, with the
  // name `analyze` gives ("#N" tells apart agents that share a name). A task's
  // track is named when it ends if its name can no longer change (others share
  // it, or it has none), and the task is forgotten; every other track is named
  // once the whole trace is known. Trace viewers read thread_name metadata
  // wherever it is in the file.
  void name_tracks() {
    tracks_.for_each_unnamed(
        [this](TrackId id) { sink_.name_track(id, names_.agent(id.tid)); });
  }
  void name_ended_task(AgentId task) {
    if (!names_.name_settled(task)) return;
    const TrackId track = task_track(task);
    sink_.name_track(track, names_.agent(task));
    tracks_.named(track);
    names_.forget_agent(task);
  }

  // A task's polls and lifetime carry its name without the "#N" (not known yet
  // while streaming); its track tells it apart.
  std::string task_name(AgentId id, model::StringId recorded) const {
    const std::string name = names_.resolver().symbolic(recorded);
    return name.empty() ? names_.agent(id) : name;
  }

  TaskState& task(AgentId id) {
    auto [it, added] = tasks_.try_emplace(id);
    if (added) it->second.name = task_name(id, 0);
    return it->second;
  }

  void on_agent_end(AgentId agent, int64_t ts) {
    if (is_task(agent)) {
      name_ended_task(agent);
      sink_.close_track(task_track(agent), ts);
      tasks_.erase(agent);
    } else {
      sink_.close_track(thread_track(agent), ts);
    }
    holds_.forget(agent);
  }

  // A resource's name, asked once it has been used (an unnamed one is named by
  // its first use), then kept while it lives.
  const std::string& resource_name(ResourceId id) {
    ResourceLabel& label = resources_[id];
    if (label.name.empty()) label.name = names_.resource(id);
    return label.name;
  }

  void channel_depth(int64_t ts, ResourceId channel, uint64_t depth) {
    sink_.counter(kChromeThreadsPid, ts, "channel " + resource_name(channel), "depth",
                  static_cast<int64_t>(depth));
  }

  void on_spawn(const model::TaskSpawn& v) {
    TaskState& t = task(v.task());
    t.name = task_name(v.task(), v.name());
    // A snapshot lists a task alive at the window's start: its spawn was earlier.
    if (v.snapshot()) return;
    sink_.begin(task_track(v.task()), SliceKind::kLifetime, v.task(), v.ts_ns(), t.name, "task",
                {{"task", nullptr, static_cast<int64_t>(v.task())}});
    const uint64_t flow = ++flow_ids_;
    sink_.flow_start(thread_track(v.thread()), v.ts_ns(), "spawn " + t.name, "spawn", flow);
    t.pending_flows.push_back({"spawn", flow});
  }

  void on_wake(const model::Wake& v) {
    TaskState& t = task(v.task());
    const uint64_t flow = ++flow_ids_;
    sink_.flow_start(thread_track(v.thread()), v.ts_ns(), "wake " + t.name, "wake", flow);
    // Only the latest wake before a poll gets an arrow, as only one caused it.
    std::erase_if(t.pending_flows, [](auto& f) { return std::string_view(f.first) == "wake"; });
    t.pending_flows.push_back({"wake", flow});
  }

  // The polling thread is the recording thread, in a snapshot too.
  void on_poll_begin(const model::PollBegin& v) {
    const TrackId thread = thread_track(v.thread());
    TaskState& t = task(v.task());
    sink_.end(task_track(v.task()), SliceKind::kWait, v.task(), v.ts_ns());  // awaiting
    sink_.begin(thread, SliceKind::kPoll, v.task(), v.ts_ns(), t.name, "poll",
                {{"task", nullptr, static_cast<int64_t>(v.task())}});
    for (auto& [name, id] : t.pending_flows) {
      sink_.flow_end(thread, v.ts_ns(), name, id);
      ++flows_;
    }
    t.pending_flows.clear();
    sink_.begin(task_track(v.task()), SliceKind::kPoll, v.task(), v.ts_ns(), "poll", "poll",
                {{"thread", nullptr, static_cast<int64_t>(v.thread())}});
  }

  void on_poll_end(const model::PollEnd& v) {
    const char* result = v.result() == format::PollResult::kReady ? "ready" : "pending";
    sink_.end(thread_track(v.thread()), SliceKind::kPoll, v.task(), v.ts_ns(),
              {{"result", result}});
    sink_.end(task_track(v.task()), SliceKind::kPoll, v.task(), v.ts_ns(), {{"result", result}});
    // An async wait goes on after its poll: the worker is free (its wait slice was
    // closed with the poll) and the task's track shows it awaiting until re-polled.
    auto found = tasks_.find(v.task());
    if (found != tasks_.end() && found->second.waiting)
      sink_.begin(task_track(v.task()), SliceKind::kWait, v.task(), v.ts_ns(),
                  "awaiting " + found->second.wait_label, "wait");
  }

  std::string wait_label(const model::WaitBegin& v) {
    switch (v.op()) {
      case format::WaitOp::kJoin:
        return "join " + names_.agent(v.joined());
      case format::WaitOp::kSleep:
        return "sleep";
      case format::WaitOp::kIo:
        return v.resource() ? "io " + resource_name(v.resource())
                            : "io fd " + std::to_string(v.fd());
      default:
        return resource_name(v.resource());
    }
  }

  // Wait slices are keyed by the waiting (acting) agent, so an end never closes
  // another agent's wait. A wait made in a poll shows on the worker's track and
  // on the task's; a snapshot's waiter is its acting agent, and a task's worker
  // is then unknown, so only the task's track shows it.
  void on_wait_begin(const model::WaitBegin& v, AgentId acting) {
    const AgentId polled = is_task(acting) ? acting : 0;
    const AgentId worker = v.snapshot() ? (polled ? 0 : acting) : v.thread();
    const std::string label = wait_label(v);
    const std::string_view op = format::wait_op_name(v.op());
    const std::string where = names_.location(v.location());
    const std::string op_text(op);
    if (worker)
      sink_.begin(thread_track(worker), SliceKind::kWait, acting, v.ts_ns(), label, "wait",
                  {{"op", op_text.c_str()}, {"location", where.c_str()}});
    if (polled) {
      sink_.begin(task_track(polled), SliceKind::kWait, polled, v.ts_ns(), label, "wait",
                  {{"op", op_text.c_str()}});
      TaskState& t = task(polled);
      t.waiting = true;
      t.wait_label = label;
    }
  }

  void on_wait_end(const model::WaitEnd& v, AgentId acting) {
    const std::string outcome(format::wait_outcome_name(v.outcome()));
    sink_.end(thread_track(v.thread()), SliceKind::kWait, acting, v.ts_ns(),
              {{"outcome", outcome.c_str()}});
    if (is_task(acting)) {
      sink_.end(task_track(acting), SliceKind::kWait, acting, v.ts_ns(),
                {{"outcome", outcome.c_str()}});
      task(acting).waiting = false;
    }
  }

  // Holds of mutexes and rwlocks; a semaphore's units are given back by whoever
  // posts them (docs/event-model.md, "Ownership"), so they make no slice.
  void on_acquired(const model::Acquired& v, AgentId acting) {
    auto found = resources_.find(v.resource());
    if (found != resources_.end() && found->second.kind == format::ResourceKind::kSemaphore) return;
    AgentId displaced = 0;
    const bool starts = holds_.acquire(acting, v.resource(), v.mode(), displaced);
    if (displaced) sink_.end(track_of(displaced), SliceKind::kHold, v.resource(), v.ts_ns());
    if (!starts) return;
    const bool shared = v.mode() == format::LockMode::kShared;
    const std::string& name = resource_name(v.resource());
    const std::string where = names_.location(v.location());
    sink_.begin(track_of(acting), SliceKind::kHold, v.resource(), v.ts_ns(),
                (shared ? "holding " + name + " (shared)" : "holding " + name), "hold",
                {{"mode", shared ? "shared" : "exclusive"}, {"location", where.c_str()}});
  }

  void on_released(const model::Released& v, AgentId acting) {
    if (const AgentId holder = holds_.release(acting, v.resource(), v.mode()))
      sink_.end(track_of(holder), SliceKind::kHold, v.resource(), v.ts_ns());
  }

  const format::TraceReader& reader_;
  NameCatalog names_;
  TraceEventSink sink_;
  model::ActingAgents agents_;
  LockHolds holds_;
  TrackList tracks_;
  uint64_t last_track_ = UINT64_MAX;  // in tracks_, unless UINT64_MAX
  std::unordered_map<AgentId, TaskState> tasks_;
  std::unordered_map<ResourceId, ResourceLabel> resources_;
  uint64_t flow_ids_ = 0, flows_ = 0;
  int64_t last_ns_ = 0;
};

}  // namespace

ChromeExportSummary export_chrome(format::TraceReader& reader, std::ostream& out) {
  ChromeExporter exporter(reader, out);
  const std::string& process = reader.header().process_name;
  exporter.start(process.empty() ? "process" : process);
  format::Event event;
  uint64_t events = 0;
  while (reader.next(event)) {
    exporter.on_event(event);
    ++events;
  }
  return exporter.finish(events);
}

ChromeExportSummary export_chrome(const std::string& trace_path, const std::string& out_path) {
  format::TraceReader reader(trace_path);
  if (out_path == "-") return export_chrome(reader, std::cout);
  std::ofstream file(out_path, std::ios::binary | std::ios::trunc);
  if (!file) throw std::runtime_error(out_path + ": cannot open for writing");
  const ChromeExportSummary summary = export_chrome(reader, file);
  file.flush();
  if (!file) throw std::runtime_error(out_path + ": write failed");
  return summary;
}

}  // namespace taskscope::analyzer
