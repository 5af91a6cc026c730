// Text inside HTML (private to the analyzer): escaping for element content and
// attribute values.
#pragma once

#include <string>
#include <string_view>

namespace taskscope::analyzer::html {

inline std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace taskscope::analyzer::html
