// LiveSession: follows a trace file, replays it in pieces into one Analysis,
// and summarises the state into frames (docs/top.md).
#include <algorithm>
#include <functional>
#include <iterator>
#include <numeric>
#include <unordered_map>

#include "detect/finding_facts.hpp"
#include "live/meter.hpp"
#include "taskscope/analyzer/live.hpp"

namespace taskscope::analyzer {
namespace {

// What the table says an agent does: a thread polling a task is "polling", a
// worker thread between polls "idle", an ended agent "done"; otherwise the
// replay state's name.
std::string display_state(const Agent& agent) {
  if (agent.state == RunState::kEnded) return "done";
  if (agent.type == AgentType::kThread && !agent.waiting && !agent.polling.empty())
    return "polling";
  // A worker between polls: waiting for work in a way nothing records.
  if (agent.type == AgentType::kThread && !agent.waiting && agent.worker) return "idle";
  if (agent.type == AgentType::kThread && agent.state == RunState::kUnknown)
    return agent.waiting ? "blocked" : "running";
  return run_state_name(agent.state);
}

// Events between two prunings of the meter while a poll replays.
constexpr uint64_t kForgetEvery = 1 << 16;

}  // namespace

LiveSession::LiveSession(const std::string& path, LiveOptions options)
    : options_(options),
      reader_(path),
      analysis_(std::make_unique<Analysis>(AnalyzeOptions{std::nullopt, options.stall_ns})),
      meter_(std::make_unique<Meter>(options.recent_waits)) {
  analysis_->add_observer(meter_.get());
  reader_.set_following(true);
}

LiveSession::~LiveSession() = default;

uint64_t LiveSession::drain() {
  uint64_t applied = 0;
  format::Event event;
  while (reader_.next(event)) {
    analysis_->feed(event);
    // The meter follows the state's agents between frames too: one poll of a
    // file that is far ahead (or finished) must not keep the measures of every
    // task it saw end (docs/top.md, memory).
    if (++applied % kForgetEvery == 0) meter_->forget(analysis_->state());
  }
  return applied;
}

uint64_t LiveSession::poll() {
  if (!finished_) reader_.resume();
  uint64_t applied = drain();
  // The footer closes the file: nothing can come before the events still held.
  if (reader_.closed() && !finished_) applied += finish();
  return applied;
}

uint64_t LiveSession::finish() {
  if (!finished_) reader_.resume();
  finished_ = true;
  reader_.set_following(false);
  return drain();
}

bool LiveSession::ended() const { return finished_ || reader_.closed(); }

TraceInfo LiveSession::trace_info() const {
  const format::ReadStatus& status = reader_.status();
  TraceInfo info;
  info.path = reader_.path();
  info.events = status.events;
  info.start_ns = status.start_ns();
  // While following, the state reaches the writer's latest promise: nothing
  // before it is still to come.
  info.end_ns = status.end_ns();
  if (!ended()) info.end_ns = std::max(info.end_ns, reader_.watermark_ns());
  info.duration_ns = info.end_ns - info.start_ns;
  info.dropped_events = status.dropped_events;
  info.truncated = ended() && status.truncated;
  info.damaged = info.truncated || !status.damage.empty();
  info.status = ended() ? status.summary() : "being written";
  info.reason = reader_.header().reason;
  info.process = reader_.header().process_name;
  info.threads_at_hang = reader_.header().threads_at_hang;
  info.hang_timeout_ns = reader_.header().hang_timeout_ns;
  return info;
}

LiveFrame LiveSession::frame() {
  analysis_->finish(reader_.strings(), trace_info());
  const State& state = analysis_->state();
  const Names& names = analysis_->names();
  const FindingFacts facts(state, analysis_->graph(), names);
  const int64_t now = state.now_ns;
  const double seconds =
      previous_ns_ >= 0 ? static_cast<double>(now - previous_ns_) / 1e9 : static_cast<double>(now) / 1e9;

  LiveFrame frame;
  frame.program = reader_.header().process_name;
  frame.pid = reader_.header().pid;
  frame.path = reader_.path();
  frame.ended = ended();
  frame.status = ended() ? (reader_.header().reason.empty() ? "ended" : "ended: " + reader_.header().reason)
                         : "running";
  frame.elapsed_ns = now;
  frame.events = state.events;
  frame.events_per_s =
      seconds > 0 ? static_cast<double>(state.events - previous_events_) / seconds : 0;
  frame.dropped_events = state.dropped_events;
  frame.warnings = analysis_->report().findings;

  meter_->forget(state);
  // Who waits on each lock, for the resources section.
  std::unordered_map<ResourceId, std::vector<std::string>> waiters;
  state.agents.for_each([&](const Agent& agent) {
    if (agent.waiting && agent.state != RunState::kEnded && agent.wait.op != format::WaitOp::kJoin)
      waiters[agent.wait.resource].push_back(names.agent(agent.id));
  });

  // Ended agents stay in the table for done_visible_ns, the newest done_rows of
  // them: a program that ends thousands of tasks a second would otherwise fill
  // every frame with them (they are counted in the header all the same).
  const auto recently_ended = [&](const Agent& agent) {
    return agent.state == RunState::kEnded && agent.end_ns >= 0 &&
           now - agent.end_ns <= options_.done_visible_ns;
  };
  std::vector<int64_t> end_times;
  state.agents.for_each([&](const Agent& agent) {
    if (recently_ended(agent)) end_times.push_back(agent.end_ns);
  });
  int64_t shown_since_ns = now - options_.done_visible_ns;
  if (end_times.size() > options_.done_rows) {
    const auto newest = end_times.begin() + static_cast<std::ptrdiff_t>(options_.done_rows);
    std::nth_element(end_times.begin(), std::prev(newest), end_times.end(), std::greater<>());
    shown_since_ns = *std::prev(newest);
  }

  state.agents.for_each([&](const Agent& agent) {
    if (agent.type == AgentType::kUnknown && !agent.observed) return;  // only referred to
    const std::string shown = display_state(agent);
    auto& tally = agent.type == AgentType::kTask ? frame.tasks_by_state : frame.threads_by_state;
    ++tally[shown];
    if (agent.state == RunState::kEnded && agent.end_ns >= 0 && agent.end_ns < shown_since_ns)
      return;
    LiveAgent row;
    Finding holder;  // FindingFacts completes agents named by a finding
    holder.agents.push_back(names.agent_ref(agent.id));
    facts.complete(holder);
    row.ref = std::move(holder.agents.front());
    row.state = shown;
    row.state_for_ns = std::max<int64_t>(
        now - (agent.waiting ? agent.wait.since_ns
                             : agent.state == RunState::kEnded && agent.end_ns >= 0
                                   ? agent.end_ns
                                   : agent.state_since_ns),
        0);
    if (agent.waiting && agent.state != RunState::kEnded) {
      row.waiting_on = names.wait_phrase(agent.wait);
      row.wait_site = facts.location(agent.wait.location);
    }
    row.polls = agent.polls;
    row.memory_bytes = agent.memory_live;
    for (const SpanFrame& span : agent.spans) {
      std::string text(names.text(span.name));
      if (span.argument != 0) text += "(" + std::string(names.text(span.argument)) + ")";
      row.spans.push_back(std::move(text));
    }
    Meter::Measures* measures = meter_->find(agent.id);
    if (agent.state != RunState::kEnded) {
      const int64_t busy = meter_->busy_ns(agent, now);
      if (measures == nullptr) measures = &meter_->add(agent.id);
      const int64_t since = measures->busy_at_frame_ns >= 0 && previous_ns_ >= 0
                                ? previous_ns_
                                : std::max<int64_t>(agent.start_ns, 0);
      const int64_t before = measures->busy_at_frame_ns >= 0 && previous_ns_ >= 0
                                 ? measures->busy_at_frame_ns
                                 : 0;
      if (now > since)
        row.busy_percent = std::clamp(
            100.0 * static_cast<double>(busy - before) / static_cast<double>(now - since), 0.0,
            100.0);
      measures->busy_at_frame_ns = busy;
    }
    if (measures != nullptr) {
      if (measures->sched_latency.count() > 0)
        row.sched_p99_ns = static_cast<int64_t>(measures->sched_latency.quantile(0.99));
      for (const Meter::FinishedWait& done : measures->recent) {
        std::string text = names.wait_phrase(done.wait) + " for " +
                           Names::duration(done.end_ns - done.wait.since_ns);
        const std::string where = names.location(done.wait.location);
        if (!where.empty()) text += " at " + where;
        row.recent_waits.push_back(std::move(text) + ", ended at " + Names::time(done.end_ns));
      }
    }
    frame.agents.push_back(std::move(row));
  });
  if (state.ended_threads) frame.threads_by_state["done"] += static_cast<uint32_t>(state.ended_threads);
  if (state.ended_tasks) frame.tasks_by_state["done"] += static_cast<uint32_t>(state.ended_tasks);
  // Rows are large: sort their order, then move each row once.
  std::vector<size_t> order(frame.agents.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(),
            [&](size_t x, size_t y) { return frame.agents[x].ref.id < frame.agents[y].ref.id; });
  std::vector<LiveAgent> sorted;
  sorted.reserve(order.size());
  for (size_t index : order) sorted.push_back(std::move(frame.agents[index]));
  frame.agents = std::move(sorted);

  std::map<ResourceId, uint64_t> depths;
  state.resources.for_each([&](const Resource& resource) {
    const bool lock = resource.kind == format::ResourceKind::kMutex ||
                      resource.kind == format::ResourceKind::kRwLock ||
                      resource.kind == format::ResourceKind::kSemaphore;
    if (!lock && !resource.is_channel()) return;
    Finding holder;
    holder.resources.push_back(names.resource_ref(resource.id));
    facts.complete(holder);
    if (resource.is_channel()) {
      LiveChannel channel{std::move(holder.resources.front())};
      const auto previous = previous_depth_.find(resource.id);
      if (previous != previous_depth_.end() && previous_ns_ >= 0 && seconds > 0)
        channel.depth_per_s =
            (static_cast<double>(resource.depth) - static_cast<double>(previous->second)) / seconds;
      depths[resource.id] = resource.depth;
      frame.channels.push_back(std::move(channel));
      return;
    }
    const auto waiting = waiters.find(resource.id);
    if (resource.owner == 0 && resource.readers.empty() && resource.unit_holders.empty() &&
        waiting == waiters.end())
      return;  // a lock nobody holds or waits for
    LiveLock lock_row{std::move(holder.resources.front()), {}};
    if (waiting != waiters.end()) lock_row.waiters = waiting->second;
    frame.locks.push_back(std::move(lock_row));
  });
  auto by_id = [](const auto& x, const auto& y) { return x.ref.id < y.ref.id; };
  std::sort(frame.locks.begin(), frame.locks.end(), by_id);
  std::sort(frame.channels.begin(), frame.channels.end(), by_id);

  previous_depth_ = std::move(depths);
  previous_ns_ = now;
  previous_events_ = state.events;
  return frame;
}

}  // namespace taskscope::analyzer
