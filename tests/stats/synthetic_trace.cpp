// Hand-built traces for the stats tests (see synthetic_trace.hpp).
#include "synthetic_trace.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "taskscope/format/writer.hpp"

namespace taskscope::stats_test {

uint32_t SyntheticTrace::intern(std::string_view text) {
  for (const auto& entry : strings_)
    if (entry.text == text) return entry.id;
  const auto id = static_cast<uint32_t>(strings_.size() + 1);
  strings_.push_back({id, std::string(text)});
  return id;
}

void SyntheticTrace::add(int64_t ts, uint64_t thread, EventKind kind, uint8_t op, uint64_t a,
                         uint64_t b, uint32_t str, uint16_t flags) {
  format::Event event;
  event.ts_ns = ts;
  event.thread = thread;
  event.kind = kind;
  event.op = op;
  event.flags = flags;
  event.str = str;
  event.a = a;
  event.b = b;
  events_.push_back(event);
}

void SyntheticTrace::write(const std::string& path, const std::string& process) const {
  std::vector<format::Event> events = events_;
  std::stable_sort(events.begin(), events.end(),
                   [](const auto& x, const auto& y) { return x.ts_ns < y.ts_ns; });
  format::FrameEncoder encoder(1);
  format::TraceFile file;
  if (!file.open(path)) throw std::runtime_error("cannot write " + path);
  format::TraceHeader header;
  header.version_major = format::kFormatMajor;
  header.version_minor = format::kFormatMinor;
  header.process_name = process;
  header.pid = 4242;
  header.ticks_per_ns = 1;
  header.mode = "stream";
  header.reason = "exit";
  uint64_t frames = 0;
  file.write(encoder.header(header));
  ++frames;
  if (!strings_.empty()) {
    file.write(encoder.strings(strings_));
    ++frames;
  }
  constexpr size_t kWindow = 64;
  for (size_t begin = 0; begin < events.size();) {
    size_t end = std::min(begin + kWindow, events.size());
    // Never split equal timestamps across windows: the watermark must hold.
    while (end < events.size() && events[end].ts_ns == events[end - 1].ts_ns) ++end;
    // Later frames (other threads of this window included) start at this window.
    const int64_t watermark = events[begin].ts_ns;
    std::map<uint64_t, std::vector<format::Event>> by_thread;
    for (size_t i = begin; i < end; ++i) by_thread[events[i].thread].push_back(events[i]);
    for (auto& [thread, batch] : by_thread) {
      std::vector<format::Frame> out;
      encoder.batch(thread, batch, watermark, out);
      for (const auto& frame : out) {
        file.write(frame);
        ++frames;
      }
    }
    begin = end;
  }
  format::TraceFooter footer;
  footer.events = events.size();
  footer.frames = frames;
  footer.end_ns = events.empty() ? 0 : events.back().ts_ns;
  file.write(encoder.footer(footer));
  file.close();
}

namespace {
// Removes the test's files when the process exits (the pid in their names keeps
// test cases that CTest runs in parallel apart).
struct TempFiles {
  std::vector<std::string> paths;
  ~TempFiles() {
    std::error_code ignored;
    for (const auto& path : paths) std::filesystem::remove(path, ignored);
  }
};
TempFiles& temp_files() {
  static TempFiles files;
  return files;
}
}  // namespace

std::string temp_path(const std::string& name) {
  const std::filesystem::path dir =
      std::filesystem::path(TASKSCOPE_BINARY_DIR) / "tests" / "stats" / "output";
  std::filesystem::create_directories(dir);
  std::string path = (dir / (std::to_string(::getpid()) + "-" + name)).string();
  temp_files().paths.push_back(path);
  return path;
}

namespace {
std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}
}  // namespace

int run_command(const std::string& command, std::string* out, std::string* err) {
  const std::string out_path = temp_path("cmd.out"), err_path = temp_path("cmd.err");
  const int status = std::system((command + " >" + out_path + " 2>" + err_path).c_str());
  if (out) *out = slurp(out_path);
  if (err) *err = slurp(err_path);
  std::filesystem::remove(out_path);
  std::filesystem::remove(err_path);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace taskscope::stats_test
