// Writes a Script as a real trace file (header, strings, one batch per thread,
// footer) with the format library's FrameEncoder and TraceFile.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>

#include "schema_check.hpp"
#include "script.hpp"
#include "taskscope/analyzer/report.hpp"
#include "taskscope/format/writer.hpp"

namespace taskscope::test {

inline std::string temp_trace_path(const std::string& stem) {
  static int counter = 0;
  return (std::filesystem::temp_directory_path() /
          (stem + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".tscope"))
      .string();
}

// Writes the file only. `reason` goes into the header; the footer closes the
// trace at `end_ns`, or at the last event when negative (a watchdog or a signal
// ends a trace later); `minor` is the format's minor version in the header.
inline bool write_trace_file(const Script& script, const std::string& path, bool footer = true,
                             const std::string& reason = "exit", int64_t end_ns = -1,
                             uint16_t minor = format::kFormatMinor) {
  format::FrameEncoder encoder(1);
  format::TraceFile file;
  if (!file.open(path)) return false;
  format::TraceHeader header;
  header.version_major = format::kFormatMajor;
  header.version_minor = minor;
  header.process_name = "synthetic";
  header.mode = "stream";
  header.reason = reason;
  bool ok = file.write(encoder.header(header));
  std::vector<format::StringEntry> strings;
  for (const auto& [id, text] : script.strings) strings.push_back({id, text});
  ok &= file.write(encoder.strings(strings));
  std::map<uint64_t, std::vector<Event>> by_thread;
  for (const Event& e : script.events) by_thread[e.thread].push_back(e);
  for (const auto& [thread, events] : by_thread) {
    std::vector<format::Frame> frames;
    encoder.batch(thread, events, 0, frames);
    for (const auto& frame : frames) ok &= file.write(frame);
  }
  if (footer) {
    format::TraceFooter f;
    f.events = script.events.size();
    f.end_ns = end_ns >= 0 ? end_ns : script.events.empty() ? 0 : script.events.back().ts_ns;
    ok &= file.write(encoder.footer(f));
  }
  file.close();
  return ok;
}

// Writes the file (see write_trace_file) and checks that its report follows
// docs/report.schema.json, as the CLI would print it.
inline bool write_trace(const Script& script, const std::string& path, bool footer = true,
                        const std::string& reason = "exit", int64_t end_ns = -1) {
  const bool ok = write_trace_file(script, path, footer, reason, end_ns);
  if (ok) {
    const auto analysis = analyzer::analyze_file(path);
    if (const std::string violation =
            schema_violation(analysis->render(analyzer::OutputFormat::kJson));
        !violation.empty())
      throw std::runtime_error(path + ": the JSON report does not follow " +
                               "docs/report.schema.json: " + violation);
  }
  return ok;
}

}  // namespace taskscope::test
