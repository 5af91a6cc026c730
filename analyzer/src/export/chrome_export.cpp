// Chrome trace-event export (see chrome_export.hpp).
#include "taskscope/analyzer/chrome_export.hpp"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "taskscope/format/reader.hpp"
#include "export/trace_event_sink.hpp"

namespace taskscope::analyzer {
namespace {

using format::Event;
using format::EventKind;
using stats::Arg;
using stats::SliceKind;
using stats::TrackId;

// Turns events into trace events. Invariant: a thread's `polling` lists the tasks
// polled on it, innermost last, so the acting agent of its events is known; a
// task's pending flows are ended (at most once each) by its next poll.
class ChromeExporter {
 public:
  ChromeExporter(const format::TraceReader& reader, std::ostream& out)
      : reader_(reader), sink_(out) {}

  void start(const std::string& process) {
    sink_.begin_document();
    sink_.name_process(kChromeThreadsPid, process, 0);
    sink_.name_process(kChromeTasksPid, process + " tasks", 1);
  }

  void on_event(const Event& e) {
    last_ns_ = std::max(last_ns_, e.ts_ns);
    if (e.flags & format::kFlagSnapshot) return on_snapshot(e);
    switch (e.kind) {
      case EventKind::kThreadStart:
        name_agent(e.a, e.str, false);
        break;
      case EventKind::kAgentName:
        name_agent(e.a, e.str, tasks_.count(e.a) != 0);
        break;
      case EventKind::kThreadEnd:
        sink_.close_track(thread_track(e.a), e.ts_ns);
        threads_.erase(e.a);
        break;
      case EventKind::kTaskSpawn:
        on_spawn(e);
        break;
      case EventKind::kPollBegin:
        on_poll_begin(e);
        break;
      case EventKind::kPollEnd:
        on_poll_end(e);
        break;
      case EventKind::kTaskEnd:
        sink_.close_track(task_track(e.a), e.ts_ns);
        tasks_.erase(e.a);
        break;
      case EventKind::kWake:
        on_wake(e);
        break;
      case EventKind::kWaitBegin:
        on_wait_begin(e);
        break;
      case EventKind::kWaitEnd:
        on_wait_end(e);
        break;
      case EventKind::kResourceCreate:
        resources_[e.a] = resource_label(e);
        break;
      case EventKind::kResourceDestroy:
        resources_.erase(e.a);
        break;
      case EventKind::kChannelSend:
      case EventKind::kChannelRecv:
        sink_.counter(kChromeThreadsPid, e.ts_ns, "channel " + resource_name(e.a), "depth",
                      static_cast<int64_t>(e.b));
        break;
      case EventKind::kCounter:
        sink_.counter(kChromeThreadsPid, e.ts_ns, reader_.string(static_cast<uint32_t>(e.a)),
                      "value", static_cast<int64_t>(e.b));
        break;
      case EventKind::kMark:
        sink_.instant(seen_thread(e.thread), e.ts_ns, reader_.string(static_cast<uint32_t>(e.a)),
                      {{"value", nullptr, static_cast<int64_t>(e.b)}});
        break;
      case EventKind::kSpanEnter:
        if (acting_task(e.thread) == 0)
          sink_.begin(seen_thread(e.thread), SliceKind::kSpan, e.a, e.ts_ns,
                      reader_.string(static_cast<uint32_t>(e.a)), "span");
        break;
      case EventKind::kSpanExit:
        if (acting_task(e.thread) == 0)
          sink_.end(seen_thread(e.thread), SliceKind::kSpan, e.a, e.ts_ns);
        break;
      default:
        break;
    }
  }

  ChromeExportSummary finish(uint64_t events) {
    sink_.end_document(last_ns_);
    ChromeExportSummary summary;
    summary.events_read = events;
    summary.slices = sink_.slices();
    summary.flows = flows_;
    summary.counters = sink_.counters();
    return summary;
  }

 private:
  struct ThreadState {
    std::vector<uint64_t> polling;
  };
  struct TaskState {
    std::string name;
    std::vector<std::pair<const char*, uint64_t>> pending_flows;  // (flow name, id)
    bool waiting = false;
    std::string wait_label;  // what it waits on, while `waiting`
  };

  static TrackId thread_track(uint64_t id) { return {kChromeThreadsPid, id}; }
  static TrackId task_track(uint64_t id) { return {kChromeTasksPid, id}; }

  // The recording thread's track; names it on first sight.
  TrackId seen_thread(uint64_t id) {
    if (threads_.try_emplace(id).second && !named_.count(id))
      sink_.name_track(thread_track(id), "thread " + std::to_string(id));
    return thread_track(id);
  }

  uint64_t acting_task(uint64_t thread) {
    auto it = threads_.find(thread);
    return it == threads_.end() || it->second.polling.empty() ? 0 : it->second.polling.back();
  }

  TaskState& task(uint64_t id) {
    auto [it, added] = tasks_.try_emplace(id);
    if (added) {
      it->second.name = "task#" + std::to_string(id);
      sink_.name_track(task_track(id), it->second.name);
    }
    return it->second;
  }

  void name_agent(uint64_t agent, uint32_t str, bool is_task) {
    if (!str) return;
    std::string name(reader_.string(str));
    named_[agent] = name;
    if (is_task) {
      task(agent).name = name;
      sink_.name_track(task_track(agent), name + " #" + std::to_string(agent));
    } else {
      threads_.try_emplace(agent);
      sink_.name_track(thread_track(agent), name);
    }
  }

  void on_snapshot(const Event& e) {
    if (e.kind == EventKind::kResourceCreate) resources_[e.a] = resource_label(e);
    if (e.kind == EventKind::kThreadStart || e.kind == EventKind::kAgentName)
      name_agent(e.a, e.str, tasks_.count(e.a) != 0);
    if (e.kind == EventKind::kTaskSpawn) {
      task(e.a);
      name_agent(e.a, static_cast<uint32_t>(e.b), true);
    }
  }

  std::string resource_label(const Event& e) const {
    std::string name(reader_.string(e.str));
    if (name.empty())
      name = std::string(format::resource_kind_name(static_cast<format::ResourceKind>(e.op))) +
             "#" + std::to_string(e.a);
    return name;
  }

  std::string resource_name(uint64_t id) const {
    auto it = resources_.find(id);
    return it != resources_.end() ? it->second : "resource#" + std::to_string(id);
  }

  std::string agent_name(uint64_t id) const {
    auto it = named_.find(id);
    return it != named_.end() ? it->second : "agent#" + std::to_string(id);
  }

  void on_spawn(const Event& e) {
    TaskState& t = task(e.a);
    if (e.b) {
      named_[e.a] = t.name = std::string(reader_.string(static_cast<uint32_t>(e.b)));
      sink_.name_track(task_track(e.a), t.name + " #" + std::to_string(e.a));
    }
    sink_.begin(task_track(e.a), SliceKind::kLifetime, e.a, e.ts_ns, t.name, "task",
                {{"task", nullptr, static_cast<int64_t>(e.a)}});
    const uint64_t flow = ++flow_ids_;
    sink_.flow_start(seen_thread(e.thread), e.ts_ns, "spawn " + t.name, "spawn", flow);
    t.pending_flows.push_back({"spawn", flow});
  }

  void on_wake(const Event& e) {
    TaskState& t = task(e.a);
    const uint64_t flow = ++flow_ids_;
    sink_.flow_start(seen_thread(e.thread), e.ts_ns, "wake " + t.name, "wake", flow);
    // Only the latest wake before a poll gets an arrow, as only one caused it.
    std::erase_if(t.pending_flows, [](auto& f) { return std::string_view(f.first) == "wake"; });
    t.pending_flows.push_back({"wake", flow});
  }

  void on_poll_begin(const Event& e) {
    const TrackId thread = seen_thread(e.thread);
    threads_[e.thread].polling.push_back(e.a);
    TaskState& t = task(e.a);
    sink_.end(task_track(e.a), SliceKind::kWait, e.a, e.ts_ns);  // awaiting, between polls
    sink_.begin(thread, SliceKind::kPoll, e.a, e.ts_ns, t.name, "poll",
                {{"task", nullptr, static_cast<int64_t>(e.a)}});
    for (auto& [name, id] : t.pending_flows) {
      sink_.flow_end(thread, e.ts_ns, name, id);
      ++flows_;
    }
    t.pending_flows.clear();
    sink_.begin(task_track(e.a), SliceKind::kPoll, e.a, e.ts_ns, "poll", "poll",
                {{"thread", nullptr, static_cast<int64_t>(e.thread)}});
  }

  void on_poll_end(const Event& e) {
    const char* result =
        static_cast<format::PollResult>(e.op) == format::PollResult::kReady ? "ready" : "pending";
    sink_.end(thread_track(e.thread), SliceKind::kPoll, e.a, e.ts_ns, {{"result", result}});
    sink_.end(task_track(e.a), SliceKind::kPoll, e.a, e.ts_ns, {{"result", result}});
    auto& polling = threads_[e.thread].polling;
    if (auto it = std::find(polling.rbegin(), polling.rend(), e.a); it != polling.rend())
      polling.erase(std::next(it).base());
    // An async wait goes on after its poll: the worker is free (its wait slice was
    // closed with the poll) and the task's track shows it awaiting until re-polled.
    auto found = tasks_.find(e.a);
    if (found != tasks_.end() && found->second.waiting)
      sink_.begin(task_track(e.a), SliceKind::kWait, e.a, e.ts_ns,
                  "awaiting " + found->second.wait_label, "wait");
  }

  std::string wait_label(const Event& e) const {
    const auto op = static_cast<format::WaitOp>(e.op);
    switch (op) {
      case format::WaitOp::kJoin:
        return "join " + agent_name(e.a);
      case format::WaitOp::kSleep:
        return "sleep";
      case format::WaitOp::kIo:
        return e.a ? "io " + resource_name(e.a) : "io fd " + std::to_string(e.b);
      default:
        return resource_name(e.a);
    }
  }

  // Wait slices are keyed by the waiting (acting) agent, so an end never closes
  // another agent's wait.
  void on_wait_begin(const Event& e) {
    const std::string label = wait_label(e);
    const std::string op(format::wait_op_name(static_cast<format::WaitOp>(e.op)));
    const std::string where(reader_.string(e.str));
    const uint64_t polled = acting_task(e.thread);
    const uint64_t waiter = polled ? polled : e.thread;
    sink_.begin(seen_thread(e.thread), SliceKind::kWait, waiter, e.ts_ns, label, "wait",
                {{"op", op.c_str()}, {"location", where.c_str()}});
    if (polled) {
      sink_.begin(task_track(polled), SliceKind::kWait, polled, e.ts_ns, label, "wait",
                  {{"op", op.c_str()}});
      TaskState& t = task(polled);
      t.waiting = true;
      t.wait_label = label;
    }
  }

  void on_wait_end(const Event& e) {
    const std::string outcome(format::wait_outcome_name(static_cast<format::WaitOutcome>(e.op)));
    const uint64_t polled = acting_task(e.thread);
    sink_.end(thread_track(e.thread), SliceKind::kWait, polled ? polled : e.thread, e.ts_ns,
              {{"outcome", outcome.c_str()}});
    if (polled) {
      sink_.end(task_track(polled), SliceKind::kWait, polled, e.ts_ns,
                {{"outcome", outcome.c_str()}});
      task(polled).waiting = false;
    }
  }

  const format::TraceReader& reader_;
  stats::TraceEventSink sink_;
  std::unordered_map<uint64_t, ThreadState> threads_;
  std::unordered_map<uint64_t, TaskState> tasks_;
  std::unordered_map<uint64_t, std::string> resources_;
  std::unordered_map<uint64_t, std::string> named_;
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
  std::vector<char> buffer(1 << 20);  // outlives `file`, which flushes into it
  std::ofstream file;
  file.rdbuf()->pubsetbuf(buffer.data(), static_cast<std::streamsize>(buffer.size()));
  file.open(out_path, std::ios::binary | std::ios::trunc);
  if (!file) throw std::runtime_error(out_path + ": cannot open for writing");
  const ChromeExportSummary summary = export_chrome(reader, file);
  file.flush();
  if (!file) throw std::runtime_error(out_path + ": write failed");
  return summary;
}

}  // namespace taskscope::analyzer
