// The start of every HTML page (see page_frame.hpp).
#include "html/page_frame.hpp"

#include "html/html_assets.hpp"
#include "html/html_text.hpp"

namespace taskscope::analyzer::html {
namespace {

// Inline styles and scripts only; no connection, frame, font or image from anywhere.
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'";

}  // namespace

std::string page_head(const std::string& title) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta http-equiv=\"Content-Security-Policy\" content=\"";
  out += kContentSecurityPolicy;
  out += "\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>" + escape(title) + "</title>\n";
  out += "<script>\n" + std::string(kErrorHookJs) + "</script>\n";
  out += "<style>\n" + std::string(kReportCss) + "</style>\n</head>\n<body>\n";
  return out;
}

}  // namespace taskscope::analyzer::html
