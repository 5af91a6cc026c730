// The JSON report, schema "taskscope.report/1" exactly as docs/design.md fixes it.
#include <cstdio>

#include "taskscope/analyzer/report.hpp"

namespace taskscope::analyzer {

std::string json_quote(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
          out += buffer;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string render_json(const Analysis& analysis) {
  const Report& report = analysis.report();
  const TraceInfo& trace = report.trace;
  std::string out = "{\"schema\": \"taskscope.report/1\",\n";
  out += " \"trace\": {\"path\": " + json_quote(trace.path) +
         ", \"events\": " + std::to_string(trace.events) +
         ", \"duration_ns\": " + std::to_string(trace.duration_ns) +
         ", \"dropped_events\": " + std::to_string(trace.dropped_events) +
         ", \"truncated\": " + (trace.truncated ? "true" : "false") + "},\n";
  out += " \"findings\": [";
  for (size_t i = 0; i < report.findings.size(); ++i) {
    const Finding& f = report.findings[i];
    out += i ? ",\n  " : "\n  ";
    out += "{\"kind\": " + json_quote(finding_kind_name(f.kind)) +
           ", \"severity\": " + json_quote(severity_name(f.severity)) +
           ", \"summary\": " + json_quote(f.summary) + ",\n   \"agents\": [";
    for (size_t j = 0; j < f.agents.size(); ++j)
      out += std::string(j ? ", " : "") + "{\"type\": " + json_quote(f.agents[j].type) +
             ", \"id\": " + std::to_string(f.agents[j].id) +
             ", \"name\": " + json_quote(f.agents[j].name) + "}";
    out += "],\n   \"resources\": [";
    for (size_t j = 0; j < f.resources.size(); ++j)
      out += std::string(j ? ", " : "") + "{\"type\": " + json_quote(f.resources[j].type) +
             ", \"id\": " + std::to_string(f.resources[j].id) +
             ", \"name\": " + json_quote(f.resources[j].name) + "}";
    out += "],\n   \"explanation\": [";
    for (size_t j = 0; j < f.explanation.size(); ++j)
      out += std::string(j ? ",\n     " : "\n     ") + json_quote(f.explanation[j]);
    out += "]}";
  }
  out += report.findings.empty() ? "]}\n" : "\n ]}\n";
  return out;
}

}  // namespace taskscope::analyzer
