// What every taskscope HTML page starts with (private to the analyzer): the
// Content-Security-Policy that forbids every network load, the error hook that
// runs first, and the stylesheet (docs/html-report.md, "Safety").
#pragma once

#include <string>

namespace taskscope::analyzer::html {

// From <!DOCTYPE html> through <body>, titled `title` (escaped here).
std::string page_head(const std::string& title);

}  // namespace taskscope::analyzer::html
