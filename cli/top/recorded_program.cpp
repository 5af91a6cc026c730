#include "top/recorded_program.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "command.hpp"

namespace taskscope::cli {
namespace {

std::string self_executable() {
  char buffer[4096];
  const ssize_t n = ::readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  if (n <= 0) throw UsageError("top: cannot find the taskscope executable (/proc/self/exe)");
  return std::string(buffer, static_cast<size_t>(n));
}

// As record names its default trace, in the current directory: kept after top
// ends, so that it can be analyzed (record says where it is).
std::string default_trace() {
  char cwd[4096];
  const std::string dir = ::getcwd(cwd, sizeof cwd) != nullptr ? cwd : ".";
  return dir + "/taskscope-top-" + std::to_string(::getpid()) + ".tscope";
}

int status_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

}  // namespace

RecordedProgram::RecordedProgram(const RecordSettings& settings) {
  trace_ = settings.output.empty() ? default_trace() : settings.output;
  std::vector<std::string> args = {self_executable(), "record", "-o", trace_, "--mode", "stream"};
  if (!settings.buffer.empty()) args.insert(args.end(), {"--buffer", settings.buffer});
  if (!settings.hang_timeout.empty())
    args.insert(args.end(), {"--hang-timeout", settings.hang_timeout});
  if (!settings.timeout.empty()) args.insert(args.end(), {"--timeout", settings.timeout});
  args.push_back("--");
  args.insert(args.end(), settings.command.begin(), settings.command.end());
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  std::fflush(nullptr);
  pid_ = ::fork();
  if (pid_ < 0) throw UsageError(std::string("top: fork: ") + std::strerror(errno));
  if (pid_ == 0) {
    // Its own process group: the terminal's keys are top's, and stop() can end
    // the program with everything it started.
    ::setpgid(0, 0);
    if (!settings.log_output) {
      ::dup2(STDERR_FILENO, STDOUT_FILENO);
    } else {
      const int out = ::open(log().c_str(),
                             O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
      const int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      if (out >= 0) {
        ::dup2(out, STDOUT_FILENO);
        ::dup2(out, STDERR_FILENO);
      }
      if (in >= 0) ::dup2(in, STDIN_FILENO);
    }
    ::execv(argv[0], argv.data());
    std::fprintf(stderr, "taskscope: top: cannot run %s: %s\n", argv[0], std::strerror(errno));
    ::_exit(2);
  }
  ::setpgid(pid_, pid_);  // also here: whichever runs first
}

RecordedProgram::~RecordedProgram() { stop(); }

bool RecordedProgram::running() {
  if (exit_status_ >= 0) return false;
  int status = 0;
  const pid_t done = ::waitpid(pid_, &status, WNOHANG);
  if (done == pid_) {
    exit_status_ = status_of(status);
    return false;
  }
  return done == 0;
}

void RecordedProgram::stop() {
  if (!running()) return;
  // SIGINT, as Ctrl-C would: record ignores it while its program runs, the
  // program ends, and record closes the trace (a footer at the moment the
  // program stopped) and exits. SIGKILL only if that takes long.
  ::kill(-pid_, SIGINT);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (running() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (running()) {
    ::kill(-pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    exit_status_ = status_of(status);
  }
}

}  // namespace taskscope::cli
