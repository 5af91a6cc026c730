#include "support.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "taskscope/format/reader.hpp"

namespace taskscope::preload_test {

std::set<int> marked_lines(const std::string& source, const std::string& marker) {
  std::string path = __FILE__;
  path = path.substr(0, path.rfind('/') + 1) + "programs/" + source;
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::set<int> lines;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number)
    if (line.find(marker) != std::string::npos) lines.insert(number);
  return lines;
}
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// One directory per test process, removed when the process exits.
struct ScratchDir {
  std::string path =
      std::string(TASKSCOPE_BINARY_DIR) + "/tests/preload/scratch-" + std::to_string(::getpid());
  ScratchDir() { std::filesystem::create_directories(path); }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

std::string scratch_dir() {
  static const ScratchDir dir;
  return dir.path;
}

}  // namespace

std::string quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string program(const std::string& name) {
  return std::string(PRELOAD_PROGRAM_DIR) + "/" + name;
}

std::string scratch_path(const std::string& name) {
  static int counter = 0;
  return scratch_dir() + "/" + std::to_string(++counter) + "-" + name;
}

RunResult run_shell(const std::string& command, const std::string& input) {
  const std::string in = scratch_path("stdin"), out = scratch_path("stdout"),
                    err = scratch_path("stderr");
  std::ofstream(in) << input;
  const std::string line = "timeout -k 5 90 sh -c " + quote(command) + " <" + quote(in) + " >" +
                           quote(out) + " 2>" + quote(err);
  const int status = std::system(line.c_str());
  RunResult result;
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = slurp(out);
  result.err = slurp(err);
  return result;
}

Recording record(const std::string& program_name, const std::string& options,
                 const std::string& args, const std::string& input) {
  Recording recording;
  recording.trace = scratch_path(program_name + ".tscope");
  recording.run = run_shell(std::string(TASKSCOPE_CLI) + " record -o " + quote(recording.trace) +
                                " " + options + " -- " + quote(program(program_name)) + " " + args,
                            input);
  return recording;
}

RunResult analyze_json(const std::string& trace, const std::string& options) {
  return run_shell(std::string(TASKSCOPE_CLI) + " analyze " + quote(trace) + " --format json " +
                   options);
}

std::vector<std::string> finding_kinds(const std::string& json) {
  // Findings carry "kind"; agents and resources carry "type".
  static const std::regex kind_field("\"kind\"\\s*:\\s*\"([a-z_]+)\"");
  std::vector<std::string> kinds;
  for (auto it = std::sregex_iterator(json.begin(), json.end(), kind_field);
       it != std::sregex_iterator(); ++it)
    kinds.push_back((*it)[1].str());
  return kinds;
}

const std::string& Trace::text(uint32_t id) const {
  static const std::string kEmpty;
  auto it = strings.find(id);
  return it == strings.end() ? kEmpty : it->second;
}

std::vector<format::Event> Trace::of_kind(format::EventKind kind) const {
  std::vector<format::Event> out;
  for (const format::Event& event : events)
    if (event.kind == kind) out.push_back(event);
  return out;
}

Trace read_trace(const std::string& path) {
  format::TraceReader reader(path);
  Trace trace;
  format::Event event;
  while (reader.next(event)) trace.events.push_back(event);
  for (const auto& [id, text] : reader.strings()) trace.strings[id] = text;
  trace.reason = reader.header().reason;
  trace.holds = reader.header().holds;
  trace.closed = reader.status().clean() && reader.status().footer.has_value();
  return trace;
}

}  // namespace taskscope::preload_test
