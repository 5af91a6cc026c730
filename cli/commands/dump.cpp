// `taskscope dump FILE`: one event per line with every field of its kind (the
// event model's field walk), agents, resources and locations named as `analyze`
// names them (the naming service, analyzer/name_catalog.hpp), with filters by
// thread, event kind or family, and time range.
#include <cinttypes>
#include <memory>
#include <set>
#include <unordered_map>

#include "command.hpp"
#include "taskscope/analyzer/name_catalog.hpp"
#include "taskscope/format/reader.hpp"
#include "taskscope/model/acting_agents.hpp"
#include "taskscope/model/event_views.hpp"

namespace taskscope::cli {
namespace {

using analyzer::NameCatalog;
using format::Event;
using format::EventKind;
using model::Role;

struct DumpOptions {
  std::string path;
  std::vector<std::string> threads;  // agent ids or names
  std::vector<std::string> kinds;    // kind or family names
  std::string from, to;
  bool from_given = false, to_given = false;  // an empty value is an error, not "no bound"
  uint64_t limit = 0;                         // 0: all (--limit itself takes only > 0)
};

// Every name of the file, from a first pass: an agent reads the same on every
// line, and as in analyze's report ("worker#2" only when several agents got
// the name "worker"). Names are resolved when asked, from the complete string
// table of the reader that read the pass.
struct FileNames {
  explicit FileNames(const std::string& path)
      : reader(path), names([this](uint32_t id) { return reader.string(id); }) {
    Event e;
    while (reader.next(e)) names.learn(e);
  }
  format::TraceReader reader;
  NameCatalog names;
};

// --thread takes an agent's id, its name as shown ("worker#2"), or the name
// all agents of that name share ("worker").
bool agent_matches(const NameCatalog& names, model::AgentId id, const std::string& wanted) {
  if (std::to_string(id) == wanted) return true;
  const std::string shown = names.agent(id);
  if (shown == wanted) return true;
  const auto hash = shown.rfind('#');
  return hash != std::string::npos && shown.compare(0, hash, wanted) == 0 &&
         hash == wanted.size();
}

// Every agent as --thread accepts it ("worker#1"), for a message.
std::string agent_list(const NameCatalog& names) {
  std::set<std::string> shown;
  for (model::AgentId id : names.agent_ids()) shown.insert(names.agent(id));
  std::string text;
  for (const std::string& name : shown) text += (text.empty() ? "" : ", ") + name;
  return text;
}

std::string enum_name(Role role, uint64_t value) {
  const auto n = static_cast<uint8_t>(value);
  switch (role) {
    case Role::kWaitOp:
      return std::string(format::wait_op_name(static_cast<format::WaitOp>(n)));
    case Role::kWaitOutcome:
      return std::string(format::wait_outcome_name(static_cast<format::WaitOutcome>(n)));
    case Role::kResourceKind:
      return std::string(format::resource_kind_name(static_cast<format::ResourceKind>(n)));
    case Role::kIoOp:
      return std::string(format::io_op_name(static_cast<format::IoOp>(n)));
    case Role::kLockMode:
      return n == 1 ? "shared" : "exclusive";
    case Role::kPollResult:
      return n == 1 ? "pending" : "ready";
    case Role::kTaskEndReason:
      return n == 1 ? "cancelled" : "completed";
    case Role::kEndpointSide:
      return n == 1 ? "receiver" : "sender";
    case Role::kNotifyKind:
      return n == 1 ? "all" : "one";
    default:
      return std::to_string(value);
  }
}

// One event's fields, "name=value" each, by what the field holds. Ids and
// names that are 0, unknown times (-1), false flags and a wait's "ready" I/O
// operation (it is no I/O wait) are left out: they say nothing.
class FieldLine {
 public:
  FieldLine(const NameCatalog& names, bool resource_is_agent)
      : names_(names), resource_is_agent_(resource_is_agent) {}

  void operator()(std::string_view name, Role role, uint64_t value) {
    std::string shown;
    std::string label(name);
    switch (role) {
      case Role::kAgent:
        if (value == 0) return;
        shown = names_.agent(value);
        break;
      case Role::kResource:
        if (value == 0) return;
        // A join waits on an agent, in the field that names a resource otherwise.
        if (resource_is_agent_) label = "joined";
        shown = resource_is_agent_ ? names_.agent(value) : names_.resource_phrase(value);
        break;
      case Role::kName: {
        if (value == 0) return;
        const auto id = static_cast<uint32_t>(value);
        shown = names_.resolver().symbolic(id);
        if (shown.empty() && !names_.resolver().text(id).empty()) shown = "(an unknown address)";
        shown = "\"" + shown + "\"";
        break;
      }
      case Role::kLocation:
        if (value == 0) return;
        shown = names_.location(static_cast<uint32_t>(value));
        break;
      case Role::kFlag:
        if (value == 0) return;
        append(std::string(name));
        return;
      case Role::kNs:
        if (static_cast<int64_t>(value) < 0) return;
        shown = format_duration(static_cast<int64_t>(value));
        break;
      case Role::kSigned:
        shown = std::to_string(static_cast<int64_t>(value));
        break;
      case Role::kAddress: {
        char hex[24];
        std::snprintf(hex, sizeof hex, "0x%" PRIx64, value);
        shown = hex;
        break;
      }
      case Role::kEndpoint:
      case Role::kCount:
        shown = std::to_string(value);
        break;
      case Role::kIoOp:
        if (value == 0) return;
        shown = enum_name(role, value);
        break;
      default:
        shown = enum_name(role, value);
        break;
    }
    append(label + "=" + shown);
  }
  const std::string& text() const { return text_; }

 private:
  void append(const std::string& part) { text_ += (text_.empty() ? "" : " ") + part; }

  const NameCatalog& names_;
  bool resource_is_agent_;
  std::string text_;
};

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
// as "that thread did nothing". Checked against the names before any event is
// printed.
void check_threads(const DumpOptions& options, const NameCatalog& names) {
  for (const std::string& wanted : options.threads) {
    bool found = false;
    for (model::AgentId id : names.agent_ids()) found = found || agent_matches(names, id, wanted);
    if (!found)
      throw UsageError("--thread: no thread '" + wanted + "' in " + options.path +
                       " (threads: " + agent_list(names) + ")");
  }
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
  const auto file_names = std::make_unique<FileNames>(options.path);
  const NameCatalog* names = &file_names->names;
  if (!options.threads.empty()) check_threads(options, *names);
  format::TraceReader reader(options.path);
  model::ActingAgents acting;
  // The wait each agent is in: what a WaitEnd ends (a join ends on an agent).
  std::unordered_map<model::AgentId, format::WaitOp> waiting;
  Event e;
  uint64_t printed = 0;
  while (reader.next(e)) {
    const model::AgentId who = acting.acting(e);
    acting.apply(e);
    const bool joining = model::visit(e, model::overloaded{
        [&](const model::WaitBegin& v) {
          waiting[who] = v.op();
          return v.op() == format::WaitOp::kJoin;
        },
        [&](const model::WaitEnd&) {
          auto it = waiting.find(who);
          const bool join = it != waiting.end() && it->second == format::WaitOp::kJoin;
          if (it != waiting.end()) waiting.erase(it);
          return join;
        },
        [](const auto&) { return false; }});
    if (e.ts_ns < from || e.ts_ns > to) continue;
    if (!kinds.empty() && !kinds.count(e.kind)) continue;
    if (!options.threads.empty()) {
      bool match = false;
      for (const auto& wanted : options.threads)
        match |= agent_matches(*names, e.thread, wanted) || agent_matches(*names, who, wanted);
      if (!match) continue;
    }
    FieldLine fields(*names, joining);
    model::visit(e, [&](const auto& view) { model::for_each_field(view, fields); });
    std::printf("%14.6f ms  %-20s %-16s %s%s\n", static_cast<double>(e.ts_ns) / 1e6,
                names->agent(who).c_str(), std::string(format::kind_name(e.kind)).c_str(),
                fields.text().c_str(), (e.flags & format::kFlagSnapshot) ? "  [snapshot]" : "");
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
