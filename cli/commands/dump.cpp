// `taskscope dump FILE`: one event per line, names resolved, with filters by
// thread, event kind or family, and time range.
#include <memory>
#include <set>
#include <unordered_map>

#include "command.hpp"
#include "taskscope/format/reader.hpp"

namespace taskscope::cli {
namespace {

using format::Event;
using format::EventKind;

struct DumpOptions {
  std::string path;
  std::vector<std::string> threads;  // agent ids or names
  std::vector<std::string> kinds;    // kind or family names
  std::string from, to;
  bool from_given = false, to_given = false;  // an empty value is an error, not "no bound"
  uint64_t limit = 0;                         // 0: all (--limit itself takes only > 0)
};

// Names of agents and resources as the events introduce them.
class NameBook {
 public:
  explicit NameBook(const format::TraceReader& reader) : reader_(reader) {}

  void learn(const Event& e) {
    switch (e.kind) {
      case EventKind::kThreadStart:
      case EventKind::kAgentName:
        if (e.str) name(e.a, std::string(reader_.string(e.str)));
        break;
      case EventKind::kTaskSpawn:
        name(e.a, std::string(reader_.string(static_cast<uint32_t>(e.b))));
        break;
      case EventKind::kWaitBegin:
        wait_ops_[e.thread] = static_cast<format::WaitOp>(e.op);
        break;
      case EventKind::kResourceCreate:
        resources_[e.a] = {
            std::string(format::resource_kind_name(static_cast<format::ResourceKind>(e.op))),
            std::string(reader_.string(e.str))};
        break;
      default:
        break;
    }
  }
  // "fetch#3": the third agent named "fetch", numbered as `analyze` numbers
  // them, so that names in a report can be looked up here.
  std::string agent(uint64_t id) const {
    auto it = agents_.find(id);
    return it == agents_.end() || it->second.name.empty()
               ? "agent-" + std::to_string(id)
               : it->second.name + "#" + std::to_string(it->second.ordinal);
  }
  std::string resource(uint64_t id) const {
    auto it = resources_.find(id);
    if (it == resources_.end()) return "resource#" + std::to_string(id);
    std::string text = it->second.first + "#" + std::to_string(id);
    if (!it->second.second.empty()) text += " \"" + it->second.second + "\"";
    return text;
  }
  // What a wait_end ends: the agent joined, or the resource waited on.
  std::string waited_on(const Event& end) const {
    auto it = wait_ops_.find(end.thread);
    return it != wait_ops_.end() && it->second == format::WaitOp::kJoin ? agent(end.a)
                                                                        : resource(end.a);
  }
  bool agent_matches(uint64_t id, const std::string& wanted) const {
    if (std::to_string(id) == wanted) return true;
    auto it = agents_.find(id);
    return it != agents_.end() && (it->second.name == wanted || agent(id) == wanted);
  }
  // Every agent as --thread accepts it ("main#1"), for a message.
  std::string agent_list() const {
    std::set<std::string> names;
    for (const auto& [id, name] : agents_) names.insert(agent(id));
    std::string text;
    for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
    return text;
  }

 private:
  struct AgentName {
    std::string name;
    uint32_t ordinal = 0;
  };
  void name(uint64_t id, std::string text) {
    AgentName& agent = agents_[id];
    if (text.empty() || text == agent.name) return;
    agent.ordinal = ++name_counts_[text];
    agent.name = std::move(text);
  }

  const format::TraceReader& reader_;
  std::unordered_map<uint64_t, AgentName> agents_;
  std::unordered_map<uint64_t, format::WaitOp> wait_ops_;  // last wait begun, by thread
  std::unordered_map<std::string, uint32_t> name_counts_;
  std::unordered_map<uint64_t, std::pair<std::string, std::string>> resources_;
};

std::string describe(const Event& e, const NameBook& names, const format::TraceReader& reader) {
  auto at = [&](uint32_t id) {
    return id ? " at " + std::string(reader.string(id)) : std::string();
  };
  const auto op = e.op;
  switch (e.kind) {
    case EventKind::kThreadStart:
      return names.agent(e.a) + (e.b ? " spawned by " + names.agent(e.b) : "");
    case EventKind::kThreadEnd:
      return names.agent(e.a) + (e.str ? " by pthread_exit" + at(e.str) : "");
    case EventKind::kThreadDetach:
    case EventKind::kThreadCreate:
      return names.agent(e.a) + at(e.str);
    case EventKind::kPollBegin:
      return names.agent(e.a);
    case EventKind::kAgentName:
      return names.agent(e.a) + " named \"" + std::string(reader.string(e.str)) + "\"";
    case EventKind::kTaskSpawn:
      return names.agent(e.a) + at(e.str);
    case EventKind::kPollEnd:
      return names.agent(e.a) + (op == 1 ? " pending" : " ready");
    case EventKind::kTaskEnd:
      return names.agent(e.a) + (op == 1 ? " cancelled" : " completed");
    case EventKind::kWakerClone:
      return "waker of " + names.agent(e.a) + (e.b ? " on " + names.resource(e.b) : "");
    case EventKind::kWakerDrop:
      return "waker of " + names.agent(e.a);
    case EventKind::kWake:
      return names.agent(e.a);
    case EventKind::kWaitBegin: {
      const auto wait = static_cast<format::WaitOp>(op);
      std::string text(format::wait_op_name(wait));
      if (wait == format::WaitOp::kJoin)
        text += " " + names.agent(e.a);
      else if (wait == format::WaitOp::kSleep)
        text += " " + format_duration(static_cast<int64_t>(e.b));
      else if (wait == format::WaitOp::kIo)
        text += " " + std::string(format::io_op_name(format::io_op_of(e.flags))) + " fd " +
                std::to_string(static_cast<int64_t>(e.b));
      else
        text += " " + names.resource(e.a);
      if (wait == format::WaitOp::kCondWait) text += " with " + names.resource(e.b);
      if (e.flags & format::kFlagTimed) text += " (timed)";
      return text + at(e.str);
    }
    case EventKind::kWaitEnd:
      return std::string(format::wait_outcome_name(static_cast<format::WaitOutcome>(op))) +
             (e.a ? " " + names.waited_on(e) : "");
    case EventKind::kAcquired:
    case EventKind::kReleased:
      return names.resource(e.a) + (op == 1 ? " shared" : "") +
             (e.b ? " units " + std::to_string(e.b) : "") + at(e.str);
    case EventKind::kSemPost:
      return names.resource(e.a) + " units " + std::to_string(e.b);
    case EventKind::kResourceCreate:
      return names.resource(e.a) + (e.b ? " extra " + std::to_string(e.b) : "");
    case EventKind::kResourceDestroy:
    case EventKind::kChannelClose:
      return names.resource(e.a);
    case EventKind::kChannelSend:
    case EventKind::kChannelRecv:
      return names.resource(e.a) + " depth " + std::to_string(e.b) + at(e.str);
    case EventKind::kEndpointOpen:
      return "endpoint " + std::to_string(e.a) + (op == 1 ? " receiver of " : " sender of ") +
             names.resource(e.b);
    case EventKind::kEndpointClose:
    case EventKind::kEndpointUse:
      return "endpoint " + std::to_string(e.a);
    case EventKind::kEndpointHand:
      return "endpoint " + std::to_string(e.a) + " to " + names.agent(e.b);
    case EventKind::kNotify:
      return names.resource(e.a) + (op == 1 ? " all" : " one") + ", " + std::to_string(e.b) +
             " waiting";
    case EventKind::kSpanEnter:
      return std::string(reader.string(static_cast<uint32_t>(e.a))) +
             (e.b ? "(" + std::string(reader.string(static_cast<uint32_t>(e.b))) + ")" : "") +
             at(e.str);
    case EventKind::kSpanExit:
      return std::string(reader.string(static_cast<uint32_t>(e.a)));
    case EventKind::kMark:
    case EventKind::kCounter:
      return std::string(reader.string(static_cast<uint32_t>(e.a))) + " = " +
             std::to_string(static_cast<int64_t>(e.b));
    case EventKind::kMemory:
      return (e.a ? names.agent(e.a) + " " : "") + std::to_string(static_cast<int64_t>(e.b)) +
             " bytes";
    case EventKind::kDropped:
      return std::to_string(e.a) + " events lost since " +
             format_duration(static_cast<int64_t>(e.b));
    case EventKind::kModuleMap:
      return std::string(reader.string(e.str)) + " at 0x" + [&] {
        char hex[32];
        std::snprintf(hex, sizeof hex, "%llx", static_cast<unsigned long long>(e.a));
        return std::string(hex);
      }();
    default:
      return "a=" + std::to_string(e.a) + " b=" + std::to_string(e.b);
  }
}

// "wait_begin, wait_end, ...; families: lifecycle, wait, ...": what --kind takes.
std::string kind_list() {
  std::string kinds, families;
  for (uint8_t k = 1; k < static_cast<uint8_t>(EventKind::kKindCount); ++k) {
    kinds += (kinds.empty() ? "" : ", ") + std::string(format::kind_name(static_cast<EventKind>(k)));
  }
  for (uint8_t f = 0; f < static_cast<uint8_t>(format::Family::kCount); ++f)
    families += (families.empty() ? "" : ", ") +
                std::string(format::family_name(static_cast<format::Family>(f)));
  return "kinds: " + kinds + "; families: " + families;
}

// A --thread that names no agent of the trace would print nothing, which reads
// as "that thread did nothing". Checked on a first pass over the names, before
// any event is printed.
void check_threads(const DumpOptions& options) {
  format::TraceReader reader(options.path);
  NameBook names(reader);
  std::set<std::string> unmatched(options.threads.begin(), options.threads.end());
  Event e;
  while (reader.next(e)) {
    names.learn(e);
    for (auto it = unmatched.begin(); it != unmatched.end();)
      it = names.agent_matches(e.thread, *it) ? unmatched.erase(it) : std::next(it);
  }
  if (!unmatched.empty())
    throw UsageError("--thread: no thread '" + *unmatched.begin() + "' in " + options.path +
                     " (threads: " + names.agent_list() + ")");
}

int run_dump(const DumpOptions& options) {
  const int64_t from = options.from_given ? parse_duration_ns(options.from, "--from") : INT64_MIN;
  const int64_t to = options.to_given ? parse_duration_ns(options.to, "--to") : INT64_MAX;
  std::set<EventKind> kinds;
  for (const auto& name : options.kinds) {
    bool known = false;
    if (auto kind = format::kind_from_name(name); kind != EventKind::kInvalid) {
      kinds.insert(kind);
      known = true;
    }
    for (uint8_t k = 1; k < static_cast<uint8_t>(EventKind::kKindCount); ++k)
      if (format::family_name(format::family_of(static_cast<EventKind>(k))) == name) {
        kinds.insert(static_cast<EventKind>(k));
        known = true;
      }
    if (!known)
      throw UsageError("--kind: unknown event kind or family '" + name + "' (" + kind_list() + ")");
  }
  if (!options.threads.empty()) check_threads(options);
  format::TraceReader reader(options.path);
  NameBook names(reader);
  Event e;
  uint64_t printed = 0;
  while (reader.next(e)) {
    names.learn(e);
    if (e.ts_ns < from || e.ts_ns > to) continue;
    if (!kinds.empty() && !kinds.count(e.kind)) continue;
    if (!options.threads.empty()) {
      bool match = false;
      for (const auto& wanted : options.threads) match |= names.agent_matches(e.thread, wanted);
      if (!match) continue;
    }
    std::printf("%14.6f ms  %-20s %-16s %s%s\n", static_cast<double>(e.ts_ns) / 1e6,
                names.agent(e.thread).c_str(), std::string(format::kind_name(e.kind)).c_str(),
                describe(e, names, reader).c_str(),
                (e.flags & format::kFlagSnapshot) ? "  [snapshot]" : "");
    if (options.limit && ++printed >= options.limit) break;
  }
  if (!reader.status().clean())
    std::fprintf(stderr, "taskscope: %s: %s\n", options.path.c_str(),
                 reader.status().summary().c_str());
  return 0;
}

const bool kRegistered = register_command(32, [](CLI::App& app) {
  auto* sub = app.add_subcommand("dump", "Print events one per line, names resolved");
  auto options = std::make_shared<DumpOptions>();
  sub->add_option("file", options->path, "Trace file (.tscope)")->required();
  sub->add_option("--thread", options->threads, "Only events recorded by this thread (id or name)");
  sub->add_option("--kind", options->kinds,
                  "Only these event kinds or families (e.g. wait,acquired)")
      ->delimiter(',');
  auto* from = sub->add_option("--from", options->from, "Start of the time range (e.g. 1.5s)");
  auto* to = sub->add_option("--to", options->to, "End of the time range");
  sub->add_option("--limit", options->limit, "Print at most this many events (> 0)")
      ->check(CLI::Validator(
          [](std::string& text) {
            const bool positive =
                !text.empty() && text.find_first_not_of("0123456789") == std::string::npos &&
                text.find_first_not_of('0') != std::string::npos;
            return positive ? std::string()
                            : "'" + text + "' is not a positive number of events";
          },
          "N > 0"));
  return Command{sub, [options, from, to] {
                   options->from_given = from->count() > 0;
                   options->to_given = to->count() > 0;
                   return run_dump(*options);
                 }};
});

}  // namespace
}  // namespace taskscope::cli
