// blocking_in_async: async tasks that hold their worker thread — a thread-blocking
// wait (a WaitBegin while the task is being polled: std::mutex, condvar, blocking
// channel, sleep, join) inside a poll, or a poll that ran on the CPU longer than
// the threshold (default 10 ms). Either way the other tasks of that worker cannot
// run meanwhile. Summarised per task; the worst tasks are reported.
//
// A poll is judged by its CPU time, never by its wall time alone: a poll whose
// thread was descheduled (a loaded machine) is long on the wall clock through
// no fault of the task. Such polls, and polls whose CPU time the trace does not
// carry, are left to `stats` (docs/verdict-clocks.md).
#include <algorithm>
#include <unordered_map>

#include "finding_facts.hpp"

namespace taskscope::analyzer {

namespace {

using format::Event;
using format::EventKind;

constexpr size_t kMaxTracked = 1024;
constexpr size_t kMaxReported = 20;

struct TaskRecord {
  AgentType type = AgentType::kTask;
  StringId name = 0;
  uint32_t ordinal = 0;
  uint64_t long_polls = 0;      // polls that ran longer than the threshold on the CPU
  int64_t longest_poll_ns = 0;  // the longest of them: its CPU time
  int64_t longest_poll_wall_ns = 0;
  int64_t longest_poll_at = 0;
  AgentId longest_poll_thread = 0;
  uint64_t blocking_waits = 0;
  int64_t longest_wait_ns = 0;
  Wait example_wait;  // the longest blocking wait
  AgentId example_thread = 0;
};

class BlockingInAsyncDetector : public Detector {
 public:
  explicit BlockingInAsyncDetector(int64_t threshold_ns) : threshold_ns_(threshold_ns) {}

  uint64_t kinds() const override {
    return kind_bit(EventKind::kPollEnd) | kind_bit(EventKind::kWaitBegin) |
           kind_bit(EventKind::kWaitEnd);
  }

  void observe(const Event& e, AgentId acting, const State& state) override {
    if (e.flags & format::kFlagSnapshot) return;
    if (e.kind == EventKind::kPollEnd) {
      const Agent* task = state.agents.find(e.a);
      if (task == nullptr || task->poll_begin_ns < 0) return;
      const int64_t wall = e.ts_ns - task->poll_begin_ns;
      if (wall <= threshold_ns_) return;  // its CPU time is no longer
      const int64_t cpu = poll_cpu_ns(task->poll_begin_cpu_ns, e, wall);
      if (cpu > threshold_ns_) note_poll(*task, cpu, wall, e.ts_ns, e.thread);
      return;
    }
    const Agent* task = state.agents.find(acting);
    if (task == nullptr || task->type != AgentType::kTask || task->polled_by == 0) return;
    // Only a wait that begins and ends inside one poll held the worker thread; a
    // wait still open when the poll returned pending was the task suspended.
    if (e.kind == EventKind::kWaitEnd && task->waiting &&
        task->wait.since_ns >= task->poll_begin_ns) {
      if (TaskRecord* record = record_for(*task)) {
        ++record->blocking_waits;
        const int64_t took = e.ts_ns - task->wait.since_ns;
        if (record->example_thread == 0 || took > record->longest_wait_ns) {
          record->longest_wait_ns = std::max(record->longest_wait_ns, took);
          record->example_wait = task->wait;
          record->example_thread = e.thread;
        }
      }
    }
  }

  void report(const DetectContext& context, const std::vector<Finding>&,
              std::vector<Finding>& out) override {
    // Blocking waits still running at the instant analyzed count too. A poll
    // still running has no end reading of its CPU time: it is not judged.
    // They are counted into a copy: report() runs again after more events in
    // the live view (docs/top.md), and a wait must not count twice.
    const std::unordered_map<AgentId, TaskRecord> running = tasks_;
    struct Restore {
      std::unordered_map<AgentId, TaskRecord>& records;
      const std::unordered_map<AgentId, TaskRecord>& saved;
      ~Restore() { records = saved; }
    } restore{tasks_, running};
    context.state.agents.for_each([&](const Agent& task) {
      if (task.type != AgentType::kTask || task.polled_by == 0 || task.poll_begin_ns < 0) return;
      if (task.waiting && task.wait.since_ns >= task.poll_begin_ns)
        if (TaskRecord* record = record_for(task)) {
          const int64_t waited = context.state.now_ns - task.wait.since_ns;
          if (record->blocking_waits == 0) record->blocking_waits = 1;
          if (waited >= record->longest_wait_ns) {
            record->longest_wait_ns = waited;
            record->example_wait = task.wait;
            record->example_thread = task.polled_by;
          }
        }
    });
    std::vector<std::pair<AgentId, const TaskRecord*>> worst;
    for (const auto& [id, record] : tasks_) worst.emplace_back(id, &record);
    std::sort(worst.begin(), worst.end(), [](const auto& x, const auto& y) {
      const int64_t a = std::max(x.second->longest_poll_ns, x.second->longest_wait_ns);
      const int64_t b = std::max(y.second->longest_poll_ns, y.second->longest_wait_ns);
      return a != b ? a > b : x.first < y.first;
    });
    if (worst.size() > kMaxReported) worst.resize(kMaxReported);
    const Names& names = context.names;
    const FindingFacts facts(context);
    for (const auto& [id, record] : worst) {
      Finding finding;
      finding.kind = FindingKind::kBlockingInAsync;
      finding.severity = Severity::kWarning;
      const std::string task = names.agent(record->type, id, record->name, record->ordinal);
      finding.agents.push_back(AgentRef{"task", id, task});
      if (record->blocking_waits > 0) {
        const std::string worker = names.agent(record->example_thread);
        finding.agents.push_back(names.agent_ref(record->example_thread));
        if (record->example_wait.resource != 0 &&
            record->example_wait.op != format::WaitOp::kJoin &&
            context.state.resources.find(record->example_wait.resource))
          finding.resources.push_back(names.resource_ref(record->example_wait.resource));
        // The longest blocking wait, as data: the task waits inside its poll.
        FindingWait wait;
        wait.agent = NamedId{id, task};
        wait.kind = wait_kind_of(record->example_wait.op);
        if (!finding.resources.empty())
          wait.resource = NamedId{finding.resources.back().id, finding.resources.back().name};
        wait.since_ns = record->example_wait.since_ns;
        wait.location = facts.location(record->example_wait.location);
        wait.text =
            task + " " + names.wait_phrase(record->example_wait) + " inside a poll on " + worker;
        finding.wait_edges.push_back(std::move(wait));
        finding.summary = "task " + task + " blocked worker " + worker +
                          " inside a poll: " + names.wait_phrase(record->example_wait);
        std::string line = task + " made " + std::to_string(record->blocking_waits) +
                           " thread-blocking wait" + (record->blocking_waits == 1 ? "" : "s") +
                           " while being polled";
        if (record->longest_wait_ns > 0)
          line += ", the longest " + Names::duration(record->longest_wait_ns);
        const std::string where = names.location(record->example_wait.location);
        if (!where.empty())
          line += " (" + names.wait_phrase(record->example_wait) + " at " + where + ")";
        finding.explanation.push_back(line + ".");
      } else {
        finding.summary = "task " + task + " kept worker " +
                          names.agent(record->longest_poll_thread) + " busy for " +
                          Names::duration(record->longest_poll_ns) + " of CPU in one poll";
        finding.agents.push_back(names.agent_ref(record->longest_poll_thread));
      }
      if (record->long_polls > 0)
        finding.explanation.push_back(
            std::to_string(record->long_polls) + " poll" + (record->long_polls == 1 ? "" : "s") +
            " ran longer than " + Names::duration(threshold_ns_) + " on the CPU; the longest ran " +
            Names::duration(record->longest_poll_ns) + " on the CPU (" +
            Names::duration(record->longest_poll_wall_ns) + " in all, ending at " +
            Names::time(record->longest_poll_at) + ").");
      finding.explanation.push_back(
          record->blocking_waits > 0
              ? "While a poll blocks, no other task can run on that worker. Use the runtime's "
                "async primitives, or move blocking work to a dedicated thread."
              : "CPU-heavy work inside a poll starves the executor: no other task can run on "
                "that worker meanwhile. Move the work to a dedicated thread, or split it and "
                "yield between the parts.");
      finding.since_ns = record->longest_poll_at;
      out.push_back(std::move(finding));
    }
  }

 private:
  TaskRecord* record_for(const Agent& task) {
    auto it = tasks_.find(task.id);
    if (it != tasks_.end()) return &it->second;
    if (tasks_.size() >= kMaxTracked) return nullptr;
    TaskRecord& record = tasks_[task.id];
    record.type = task.type;
    record.name = task.name;
    record.ordinal = task.ordinal;
    return &record;
  }
  void note_poll(const Agent& task, int64_t cpu, int64_t wall, int64_t at, AgentId thread) {
    TaskRecord* record = record_for(task);
    if (record == nullptr) return;
    ++record->long_polls;
    if (cpu > record->longest_poll_ns) {
      record->longest_poll_ns = cpu;
      record->longest_poll_wall_ns = wall;
      record->longest_poll_at = at;
      record->longest_poll_thread = thread;
    }
  }

  int64_t threshold_ns_;
  std::unordered_map<AgentId, TaskRecord> tasks_;
};

}  // namespace

std::unique_ptr<Detector> make_blocking_in_async_detector(int64_t poll_threshold_ns) {
  return std::make_unique<BlockingInAsyncDetector>(poll_threshold_ns);
}

}  // namespace taskscope::analyzer
