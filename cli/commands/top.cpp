// `taskscope top FILE` and `taskscope top [record options] -- COMMAND [ARGS...]`
//
// Live view of a running program (docs/top.md): follows a stream-mode trace as
// it is written (a finished one too) and shows, every -d interval, what each
// agent does, the locks and channels in use and the findings the events so far
// prove. With a command, records it first through `taskscope record`.
//  - Full screen (ncurses) by default; -b prints frames as text (or with
//    --format json one JSON line each) to stdout, -n N stops after N frames.
//  - When the program ends (or the file is closed), the last frame shows the
//    final state: batch mode prints it and exits; the screen keeps it until q.
//  - Quitting (q, or -n reached) ends a program that top started.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <thread>

#include "command.hpp"
#include "taskscope/analyzer/live.hpp"
#include "taskscope/format/trace.hpp"
#include "top/recorded_program.hpp"
#include "top/screen.hpp"

namespace taskscope::cli {
namespace {

using Clock = std::chrono::steady_clock;

// Set by SIGINT, SIGTERM and SIGHUP: top ends as q ends it, and so ends the
// program it started (which runs in its own process group).
std::atomic<bool> g_stop{false};

void request_stop(int) { g_stop.store(true); }

void stop_on_signals() {
  struct sigaction action {};
  action.sa_handler = request_stop;
  sigemptyset(&action.sa_mask);
  for (int signal : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(signal, &action, nullptr);
}

struct TopOptions {
  bool batch = false;
  int64_t frames = 0;  // 0: until the end (or q)
  std::string delay = "1s";
  std::string format = "text";
  std::string stall = "1s";
  std::string output, buffer, hang_timeout, timeout;  // record options
  std::vector<std::string> words;                     // FILE, or COMMAND [ARGS...]
};

bool starts_like_trace(const std::string& path) {
  FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return false;
  char magic[4] = {};
  const bool trace = std::fread(magic, 1, 4, file) == 4 && std::memcmp(magic, "TSCP", 4) == 0;
  std::fclose(file);
  return trace;
}

// One word names a trace to follow unless it is a program to run: an
// executable file that is not a trace, or a name found on PATH.
bool names_a_command(const std::vector<std::string>& words) {
  if (words.size() != 1) return true;
  const std::string& word = words[0];
  struct stat st {};
  if (::stat(word.c_str(), &st) == 0)
    return S_ISREG(st.st_mode) && ::access(word.c_str(), X_OK) == 0 && !starts_like_trace(word);
  if (word.find('/') != std::string::npos) return false;
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "";
  for (size_t begin = 0; begin <= dirs.size();) {
    size_t end = dirs.find(':', begin);
    if (end == std::string::npos) end = dirs.size();
    const std::string candidate = dirs.substr(begin, end - begin) + "/" + word;
    if (::access(candidate.c_str(), X_OK) == 0) return true;
    begin = end + 1;
  }
  return false;
}

// Opens the trace: at once for a file; for a program, once record has written
// its header (it renames the file into place then), or never if it ended first.
std::unique_ptr<analyzer::LiveSession> open_session(const std::string& path,
                                                    const analyzer::LiveOptions& options,
                                                    RecordedProgram* program) {
  if (program == nullptr) return std::make_unique<analyzer::LiveSession>(path, options);
  for (;;) {
    const bool running = program->running();
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && st.st_size > 0) {
      try {
        return std::make_unique<analyzer::LiveSession>(path, options);
      } catch (const format::TraceError&) {
        if (!running) throw;
      }
    }
    if (!running || g_stop.load()) return nullptr;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// Reads what is new; when the program top started has ended, its trace is
// complete: the rest is read too.
void refresh(analyzer::LiveSession& session, RecordedProgram* program) {
  const bool program_gone = program != nullptr && !program->running();
  session.poll();
  if (program_gone && !session.ended()) session.finish();
}

int run_batch(analyzer::LiveSession& session, RecordedProgram* program, const TopOptions& options,
              int64_t delay_ns) {
  const bool json = options.format == "json";
  int64_t printed = 0;
  // A program top started has just begun: its first frame comes after one
  // interval, as later ones do; a file's at once.
  auto next = Clock::now() + std::chrono::nanoseconds(program != nullptr ? delay_ns : 0);
  for (;;) {
    // Sleeps in short steps, so that the end of the program shows at once.
    while (Clock::now() < next) {
      if (g_stop.load()) return 0;
      if (program != nullptr && !program->running()) break;
      std::this_thread::sleep_for(
          std::min<Clock::duration>(next - Clock::now(), std::chrono::milliseconds(20)));
    }
    refresh(session, program);
    const bool last = session.ended();
    const analyzer::LiveFrame frame = session.frame();
    const std::string text = json ? analyzer::render_live_json(frame) + "\n"
                                  : (printed ? "\n" : "") + analyzer::render_live_text(frame);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    ++printed;
    if (last || (options.frames > 0 && printed >= options.frames)) return 0;
    next += std::chrono::nanoseconds(delay_ns);
  }
}

int run_top(const TopOptions& options) {
  if (options.words.empty())
    throw UsageError("top: give a trace to follow (top FILE) or a program (top -- COMMAND)");
  const int64_t delay_ns = parse_duration_ns(options.delay, "-d");
  if (delay_ns <= 0) throw UsageError("-d: '" + options.delay + "' must be longer than zero");
  if (options.frames < 0) throw UsageError("-n: must be at least 1");
  analyzer::LiveOptions live;
  live.stall_ns = parse_duration_ns(options.stall, "--stall");
  if (!options.batch && options.format != "text")
    throw UsageError("top: --format json needs -b (batch mode)");
  if (!options.batch && !::isatty(STDOUT_FILENO))
    throw UsageError("top: standard output is not a terminal (use -b for batch mode)");

  stop_on_signals();
  std::unique_ptr<RecordedProgram> program;
  std::string path = options.words[0];
  if (names_a_command(options.words)) {
    RecordSettings settings;
    settings.output = options.output;
    settings.buffer = options.buffer;
    settings.hang_timeout = options.hang_timeout;
    settings.timeout = options.timeout;
    settings.command = options.words;
    settings.log_output = !options.batch;
    program = std::make_unique<RecordedProgram>(settings);
    path = program->trace();
  } else if (!options.output.empty() || !options.buffer.empty() || !options.hang_timeout.empty() ||
             !options.timeout.empty()) {
    throw UsageError("top " + path + ": -o, --buffer, --hang-timeout and --timeout are for a "
                     "program to record (top [options] -- COMMAND)");
  }

  std::unique_ptr<analyzer::LiveSession> session;
  try {
    session = open_session(path, live, program.get());
  } catch (const format::TraceError& e) {
    throw UsageError(e.what());
  }
  if (session == nullptr) {
    // record said why (the program was not found, or wrote no trace).
    return program->exit_status() > 0 ? program->exit_status() : 2;
  }
  if (options.batch) return run_batch(*session, program.get(), options, delay_ns);
  ScreenOptions screen;
  screen.delay_ns = delay_ns;
  screen.frames = options.frames;
  screen.stop = &g_stop;
  return run_screen(*session, screen, [&] { refresh(*session, program.get()); });
}

const bool kRegistered = register_command(21, [](CLI::App& app) {
  auto* sub = app.add_subcommand(
      "top", "Live view of a running program: follow a stream trace, or record COMMAND");
  auto options = std::make_shared<TopOptions>();
  sub->add_flag("-b,--batch", options->batch, "Print frames as text to stdout instead of a screen");
  sub->add_option("-n,--frames", options->frames, "Stop after this many frames");
  sub->add_option("-d,--delay", options->delay, "Time between frames (default 1s)");
  sub->add_option("--format", options->format, "Batch frames as text or json (one line each)")
      ->check(CLI::IsMember({"text", "json"}));
  sub->add_option("--stall", options->stall,
                  "Warn about agents blocked longer than this (default 1s)");
  sub->add_option("-o,--output", options->output,
                  "With a command: its trace (default ./taskscope-top-<pid>.tscope)");
  sub->add_option("--buffer", options->buffer, "With a command: as record --buffer");
  sub->add_option("--hang-timeout", options->hang_timeout,
                  "With a command: as record --hang-timeout");
  sub->add_option("--timeout", options->timeout, "With a command: as record --timeout");
  sub->add_option("file-or-command", options->words,
                  "A trace to follow, or (after --) the program to record and its arguments")
      ->required();
  sub->positionals_at_end();
  return Command{sub, [options] { return run_top(*options); }};
});

}  // namespace
}  // namespace taskscope::cli
