// `taskscope record [-o FILE] [--mode stream|flight] [--buffer SIZE]
//                   [--on-full drop|block] [--holds needed|all] [--hang-timeout DUR]
//                   [--timeout DUR] -- COMMAND [ARGS...]`
//
// Runs an unmodified program with the preload shim (libtaskscope_preload.so)
// and the recorder's environment (TASKSCOPE_*), passes its stdin, stdout,
// stderr and exit status through, and at the end says where the trace is and
// what to run next.
//  - --hang-timeout: the recorder's watchdog writes the trace when nothing has
//    progressed that long while a thread is blocked, then ends the program
//    (exit status 124); record reports the caught hang.
//  - --on-full block: a thread whose ring and spill budget are full waits for
//    the recorder instead of dropping events (TASKSCOPE_ON_FULL; docs/architecture.md).
//  - --holds all: every lock hold is recorded; by default an uncontended plain
//    mutex's hold is written only when it matters (TASKSCOPE_HOLDS;
//    docs/architecture.md, "Uncontended locks").
//  - --timeout: after that long record sends the dump signal (SIGUSR2), waits
//    (bounded) for the trace to be written, then kills the program.
//  - A program stopped by a signal (--timeout, Ctrl-C, kill) cannot close its
//    trace: record closes it, with a footer at the moment it stopped.
//  - -o must be writable before anything runs (else exit 2); a file already
//    there is removed first, so it is never taken for this run's trace. A
//    program that cannot be started exits 127 (not found) or 126, as env does.
// The shim is found via $TASKSCOPE_PRELOAD, else next to this executable's
// install layout (../lib, ../lib64, ../lib/<multiarch>) or its build tree
// (../recorder/preload). Other processes the recorded one starts write their
// own trace, "FILE.<pid>" (the recorder's fork/exec rule); a fork()ed child
// that does not exec records nothing. record lists those files at the end.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "command.hpp"
#include "taskscope/format/reader.hpp"
#include "taskscope/format/ticks.hpp"
#include "taskscope/format/writer.hpp"

namespace taskscope::cli {
namespace {

constexpr int kHangExitStatus = 124;  // the recorder watchdog's (recorder/src/process/watchdog.hpp)
constexpr int kDumpSignal = SIGUSR2;

struct RecordOptions {
  std::string output;
  std::string mode = "stream";
  std::string buffer;
  std::string on_full;
  std::string holds;
  std::string hang_timeout;
  std::string timeout;
  std::vector<std::string> command;
};

bool is_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

uint64_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

std::string executable_dir() {
  char buffer[4096];
  const ssize_t n = ::readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  if (n <= 0) return ".";
  std::string path(buffer, static_cast<size_t>(n));
  return path.substr(0, path.rfind('/'));
}

std::string find_preload_library() {
  if (const char* explicit_path = std::getenv("TASKSCOPE_PRELOAD")) {
    if (is_file(explicit_path)) return explicit_path;
    throw UsageError(std::string("TASKSCOPE_PRELOAD: no such file: ") + explicit_path);
  }
  const std::string dir = executable_dir();
  const char* kName = "libtaskscope_preload.so";
  const std::vector<std::string> candidates = {
    dir + "/../lib/" + kName,
    dir + "/../lib64/" + kName,
#if defined(__x86_64__)
    dir + "/../lib/x86_64-linux-gnu/" + kName,
#elif defined(__aarch64__)
    dir + "/../lib/aarch64-linux-gnu/" + kName,
#endif
    dir + "/../recorder/preload/" + kName,  // build tree: build/cli/taskscope
    dir + "/" + kName,
  };
  for (const std::string& candidate : candidates) {
    if (!is_file(candidate)) continue;
    char resolved[4096];
    return ::realpath(candidate.c_str(), resolved) != nullptr ? resolved : candidate;
  }
  throw UsageError("cannot find " + std::string(kName) + " next to " + dir +
                   " (../lib or the build tree); set TASKSCOPE_PRELOAD to its path");
}

std::string absolute(const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  char cwd[4096];
  if (::getcwd(cwd, sizeof cwd) == nullptr) return path;
  return std::string(cwd) + "/" + path;
}

// "64M", "512K", "1G", "64MiB", "64MB", "4096" (bytes): what the recorder's
// TASKSCOPE_BUFFER accepts (recorder/src/process/config.cpp).
void check_size(const std::string& text) {
  size_t digits = 0;
  while (digits < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[digits])) || text[digits] == '.'))
    ++digits;
  std::string unit = text.substr(digits);
  bool known = unit.empty() || unit == "B";
  if (!known && std::string("kKmMgG").find(unit[0]) != std::string::npos) {
    const std::string suffix = unit.substr(1);
    known = suffix.empty() || suffix == "B" || suffix == "iB";
  }
  if (digits == 0 || !known)
    throw UsageError("--buffer: '" + text + "' is not a size (e.g. 64M, 512K, 1G)");
}

// The environment of the recorded program: ours plus the shim and TASKSCOPE_*.
// Set in the forked child only, right before exec.
void prepare_child_environment(const RecordOptions& options, const std::string& preload,
                               const std::string& output, int64_t hang_timeout_ns) {
  std::string preloads = preload;
  if (const char* existing = std::getenv("LD_PRELOAD"); existing && *existing)
    preloads += std::string(":") + existing;
  ::setenv("LD_PRELOAD", preloads.c_str(), 1);
  // The recorder starts itself from TASKSCOPE_OUTPUT when the shim loads it.
  // This process (and what it execs in place) writes `output`; other processes
  // that inherit the environment write "<output>.<pid>" (the recorder's
  // process_hooks.cpp). Forget an owner inherited from an outer recording.
  ::setenv("TASKSCOPE_OUTPUT", output.c_str(), 1);
  ::unsetenv("TASKSCOPE_RECORDER_PID");
  ::setenv("TASKSCOPE_MODE", options.mode.c_str(), 1);
  ::setenv("TASKSCOPE_SIGNAL", std::to_string(kDumpSignal).c_str(), 1);
  if (!options.buffer.empty()) ::setenv("TASKSCOPE_BUFFER", options.buffer.c_str(), 1);
  if (!options.on_full.empty()) ::setenv("TASKSCOPE_ON_FULL", options.on_full.c_str(), 1);
  if (!options.holds.empty()) ::setenv("TASKSCOPE_HOLDS", options.holds.c_str(), 1);
  if (hang_timeout_ns > 0) {
    const int64_t ms = std::max<int64_t>(1, (hang_timeout_ns + 999'999) / 1'000'000);
    ::setenv("TASKSCOPE_HANG_TIMEOUT", (std::to_string(ms) + "ms").c_str(), 1);
    ::setenv("TASKSCOPE_ABORT_ON_HANG", "1", 1);
  } else {
    ::unsetenv("TASKSCOPE_HANG_TIMEOUT");
    ::unsetenv("TASKSCOPE_ABORT_ON_HANG");
  }
}

// Execs the program. On failure says why, tells the parent through
// `exec_failed` (closed on a successful exec: O_CLOEXEC) and exits 127 when the
// program was not found, 126 when it could not be run, as env(1) does.
[[noreturn]] void exec_child(const RecordOptions& options, int exec_failed) {
  std::vector<char*> argv;
  for (const std::string& arg : options.command) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  ::execvp(argv[0], argv.data());
  const int error = errno;
  std::fprintf(stderr, "taskscope: cannot run %s: %s\n", argv[0], std::strerror(error));
  const ssize_t ignored = ::write(exec_failed, &error, sizeof error);
  (void)ignored;
  ::_exit(error == ENOENT ? 127 : 126);
}


// -o must be writable before the program runs: otherwise it would run
// unrecorded, and the run would be wasted. A file already there is an older
// trace; it is removed, so that only what this run writes is ever reported.
// Nothing is created here, and a symlink, directory, device or FIFO at the
// path is refused, never followed or replaced (docs/trace-format.md, "Trace
// files are private").
void prepare_output(const std::string& output, bool explicit_path) {
  const std::string dir = output.substr(0, output.rfind('/'));  // `output` is absolute
  const std::string what = explicit_path ? "record -o " + output : "record: cannot write a trace in " + dir;
  struct stat st {};
  if (explicit_path && ::lstat(output.c_str(), &st) == 0) {
    if (S_ISLNK(st.st_mode))
      throw UsageError(what + ": is a symbolic link (a trace is never written through one)");
    if (S_ISDIR(st.st_mode)) throw UsageError(what + ": " + std::strerror(EISDIR));
    if (!S_ISREG(st.st_mode)) throw UsageError(what + ": is not a regular file");
    if (::unlink(output.c_str()) != 0) throw UsageError(what + ": " + std::strerror(errno));
    return;
  }
  if (explicit_path && errno != ENOENT) throw UsageError(what + ": " + std::strerror(errno));
  // The default name holds the program's pid, unknown until it is forked.
  if (::access(dir.c_str(), W_OK | X_OK) != 0) throw UsageError(what + ": " + std::strerror(errno));
}

// Waits for the child; after `timeout_ns` (> 0) asks it to dump its trace,
// lets the file settle (bounded), then kills it. Returns the wait status;
// `stop_ticks` is when the program stopped: when it ended, or when --timeout
// expired (the wait for the dump after that is record's, not the program's).
int wait_for_child(pid_t child, int64_t timeout_ns, const std::string& output, bool* timed_out,
                   uint64_t* stop_ticks) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(child, &status, timeout_ns > 0 ? WNOHANG : 0);
    *stop_ticks = format::read_ticks();
    if (done == child) return status;
    if (done < 0 && errno != EINTR) return 0;
    if (timeout_ns > 0 && Clock::now() - start >= std::chrono::nanoseconds(timeout_ns)) break;
    if (timeout_ns > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  *timed_out = true;
  *stop_ticks = format::read_ticks();
  ::kill(child, kDumpSignal);
  // The dump is written by the recorder's flusher: wait until the file has
  // stopped growing for 300 ms (at most 5 s), unless the program exits first.
  const auto dump_deadline = Clock::now() + std::chrono::seconds(5);
  uint64_t last_size = file_size(output);
  auto stable_since = Clock::now();
  while (Clock::now() < dump_deadline) {
    if (::waitpid(child, &status, WNOHANG) == child) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const uint64_t size = file_size(output);
    if (size != last_size) {
      last_size = size;
      stable_since = Clock::now();
    } else if (size > 0 && Clock::now() - stable_since >= std::chrono::milliseconds(300)) {
      break;
    }
  }
  ::kill(child, SIGKILL);
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

// Closes the trace of a program stopped by a signal, which could not close it
// itself: its frames as written, its header with the reason "signal N", and a
// footer at `stop_ticks`. Without the footer the trace would end at its last
// flushed event, and a thread blocked until the program was stopped would show
// as blocked only until then. A trace with a footer (a flight dump, the
// watchdog's end) is left as it is; so is a file that is not a trace. An
// incomplete last frame (the program killed while writing it) is dropped.
void close_stopped_trace(const std::string& path, int signal, uint64_t stop_ticks) {
  format::TraceHeader header;
  uint64_t body_begin = 0, body_end = 0, frames = 0, events = 0, dropped = 0;
  int64_t last_ns = 0;
  try {
    format::FrameReader reader(path);
    header = reader.header();
    while (auto frame = reader.next()) {
      if (frame->type == format::FrameType::kFooter) return;
      if (frames++ == 0) body_begin = frame->offset;
      body_end = frame->offset + frame->stored_size;
      for (const format::Event& e : frame->events) {
        last_ns = std::max(last_ns, e.ts_ns);
        if (frame->type != format::FrameType::kEventBatch) continue;  // snapshots: not counted
        ++events;
        if (e.kind == format::EventKind::kDropped) dropped += e.a;
      }
      reader.recycle(std::move(frame->events));
    }
  } catch (const std::exception&) {
    return;
  }
  std::string body(body_end - body_begin, '\0');
  const int in = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (in < 0) return;
  struct stat st {};
  if (::fstat(in, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(in);
    return;
  }
  const mode_t mode = st.st_mode;
  const ssize_t got = ::pread(in, body.data(), body.size(), static_cast<off_t>(body_begin));
  ::close(in);
  if (got != static_cast<ssize_t>(body.size())) return;

  format::TraceFooter footer;
  footer.events = events;
  footer.frames = 1 + frames;  // the header too, as the recorder counts
  footer.dropped_events = dropped;
  footer.end_ns = last_ns;
  if (header.ticks_per_ns > 0) {
    const auto since_start = static_cast<int64_t>(stop_ticks - header.start_ticks);
    footer.end_ns = std::max(
        last_ns, static_cast<int64_t>(static_cast<double>(since_start) / header.ticks_per_ns));
  }
  header.reason = "signal " + std::to_string(signal);
  format::FrameEncoder encoder;
  // The closed trace replaces the open one by rename, with the same mode: a
  // private trace stays private (docs/trace-format.md, "Trace files are private").
  const std::string temp = path + ".tmp." + std::to_string(::getpid());
  ::unlink(temp.c_str());  // a stale file of an earlier record with this pid
  format::TraceFile file;
  const bool ok = file.create(temp, mode & 07777) && file.write(encoder.header(header)) &&
                  file.write_raw(reinterpret_cast<const uint8_t*>(body.data()), body.size()) &&
                  file.write(encoder.footer(footer)) && file.flush();
  file.close();
  struct stat now {};
  const bool still_regular = ::lstat(path.c_str(), &now) == 0 && S_ISREG(now.st_mode);
  if (!ok || !still_regular || std::rename(temp.c_str(), path.c_str()) != 0) ::unlink(temp.c_str());
}

std::string trace_reason(const std::string& path) {
  try {
    format::FrameReader reader(path);
    return reader.header().reason;
  } catch (const std::exception&) {
    return {};
  }
}

// Traces of other processes that inherited the recording: "<output>.<pid>",
// each with its modification time (to tell this run's from older ones).
std::map<std::string, int64_t> descendant_traces(const std::string& output) {
  std::map<std::string, int64_t> found;
  const size_t slash = output.rfind('/');
  const std::string dir = output.substr(0, slash);
  const std::string prefix = output.substr(slash + 1) + ".";
  std::unique_ptr<DIR, int (*)(DIR*)> handle(::opendir(dir.c_str()), ::closedir);
  if (!handle) return found;
  while (dirent* entry = ::readdir(handle.get())) {
    const std::string name = entry->d_name;
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    if (name.find_first_not_of("0123456789", prefix.size()) != std::string::npos) continue;
    struct stat st {};
    if (::stat((dir + "/" + name).c_str(), &st) == 0)
      found[dir + "/" + name] = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 +
                                st.st_mtim.tv_nsec;
  }
  return found;
}

int exit_status_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

int run_record(const RecordOptions& options) {
  if (options.command.empty()) throw UsageError("record: no command given (record -- COMMAND)");
  const int64_t hang_timeout_ns =
      options.hang_timeout.empty() ? 0 : parse_duration_ns(options.hang_timeout, "--hang-timeout");
  const int64_t timeout_ns =
      options.timeout.empty() ? 0 : parse_duration_ns(options.timeout, "--timeout");
  if (!options.buffer.empty()) check_size(options.buffer);
  const std::string preload = find_preload_library();
  // The default name is completed with the program's pid after the fork.
  const std::string default_output = absolute("taskscope-<pid>.tscope");
  prepare_output(options.output.empty() ? default_output : absolute(options.output),
                 !options.output.empty());
  const std::map<std::string, int64_t> older_descendants =
      options.output.empty() ? std::map<std::string, int64_t>{}
                             : descendant_traces(absolute(options.output));
  int exec_failed[2];
  if (::pipe2(exec_failed, O_CLOEXEC) != 0)
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));

  // Record's own stdout/stderr buffers must not be duplicated into the child.
  std::fflush(nullptr);
  // Like system(3): while the program runs, the terminal's Ctrl-C and Ctrl-\ are
  // for it; record waits and reports.
  struct sigaction ignore {
  }, old_int{}, old_quit{};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGINT, &ignore, &old_int);
  ::sigaction(SIGQUIT, &ignore, &old_quit);

  const pid_t child = ::fork();
  if (child < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  const std::string output =
      absolute(options.output.empty()
                   ? "taskscope-" + std::to_string(child == 0 ? ::getpid() : child) + ".tscope"
                   : options.output);
  if (child == 0) {
    ::sigaction(SIGINT, &old_int, nullptr);
    ::sigaction(SIGQUIT, &old_quit, nullptr);
    ::close(exec_failed[0]);
    // A file left under the default name by an earlier process of this pid is
    // not this run's trace (an explicit -o was cleared by prepare_output).
    if (options.output.empty()) ::unlink(output.c_str());
    prepare_child_environment(options, preload, output, hang_timeout_ns);
    exec_child(options, exec_failed[1]);
  }
  ::close(exec_failed[1]);

  bool timed_out = false;
  uint64_t stop_ticks = 0;
  const int status = wait_for_child(child, timeout_ns, output, &timed_out, &stop_ticks);
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGQUIT, &old_quit, nullptr);
  const int exit_status = exit_status_of(status);
  // The program never ran: it said why, and there is no trace to speak of.
  int exec_error = 0;
  const bool never_ran = ::read(exec_failed[0], &exec_error, sizeof exec_error) > 0;
  ::close(exec_failed[0]);
  if (never_ran) return exit_status;

  if (is_file(output) && (timed_out || WIFSIGNALED(status)))
    close_stopped_trace(output, timed_out ? kDumpSignal : WTERMSIG(status), stop_ticks);
  if (!is_file(output) || file_size(output) == 0) {
    std::fprintf(stderr,
                 "taskscope: no trace was written to %s (a statically linked or setuid program "
                 "cannot be recorded with the preload shim)\n",
                 output.c_str());
    return exit_status;
  }
  // A caught hang was already reported by the recorder's watchdog, in the
  // program's stderr: what it saw, where the trace is, and the exit status.
  const bool hang = trace_reason(output) == "hang" && exit_status == kHangExitStatus;
  if (timed_out) {
    std::fprintf(stderr,
                 "taskscope: --timeout %s expired: the trace was dumped and the program killed\n",
                 options.timeout.c_str());
  } else if (WIFSIGNALED(status)) {
    std::fprintf(stderr, "taskscope: the program was killed by signal %d\n", WTERMSIG(status));
  }
  if (!hang) std::fprintf(stderr, "taskscope: trace written to %s\n", output.c_str());
  for (const auto& [other, modified] : descendant_traces(output)) {
    const auto older = older_descendants.find(other);
    if (older == older_descendants.end() || older->second != modified)
      std::fprintf(stderr, "taskscope: a program it started wrote %s\n", other.c_str());
  }
  std::fprintf(stderr, "taskscope: next: taskscope analyze %s\n", output.c_str());
  return exit_status;
}

const bool kRegistered = register_command(1, [](CLI::App& app) {
  auto* sub = app.add_subcommand(
      "record", "Run an unmodified program with the preload shim and record its trace");
  auto options = std::make_shared<RecordOptions>();
  sub->add_option("-o,--output", options->output, "Trace file (default ./taskscope-<pid>.tscope)");
  sub->add_option("--mode", options->mode,
                  "stream (write as it runs) or flight (keep the "
                  "last --buffer bytes in memory, write on hang, signal or exit)")
      ->check(CLI::IsMember({"stream", "flight"}));
  sub->add_option("--buffer", options->buffer, "Flight-recorder window, e.g. 64M");
  sub->add_option("--on-full", options->on_full,
                  "When a thread's ring and the spill budget are full: drop (default; losses "
                  "are counted in the trace) or block (the thread waits for the recorder)")
      ->check(CLI::IsMember({"drop", "block"}));
  sub->add_option("--holds", options->holds,
                  "Lock holds to record: needed (default; an uncontended mutex hold only when "
                  "it adds a lock order, is held across a wait or is waited for) or all "
                  "(every hold, for per-hold times in stats)")
      ->check(CLI::IsMember({"needed", "all"}));
  sub->add_option("--hang-timeout", options->hang_timeout,
                  "Write the trace and end the program when nothing progressed this long "
                  "while a thread is blocked (e.g. 2s)");
  sub->add_option("--timeout", options->timeout,
                  "Dump the trace and kill the program after this long (e.g. 30s)");
  sub->add_option("command", options->command, "The program and its arguments (after --)")
      ->required();
  sub->positionals_at_end();
  return Command{sub, [options] { return run_record(*options); }};
});

}  // namespace
}  // namespace taskscope::cli
