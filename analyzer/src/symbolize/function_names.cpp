#include "function_names.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>

namespace taskscope::analyzer::symbolize {

std::string demangle(std::string_view symbol) {
  if (symbol.substr(0, 2) != "_Z") return std::string(symbol);
  const std::string mangled(symbol);
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> text(
      abi::__cxa_demangle(mangled.c_str(), nullptr, nullptr, &status), &std::free);
  return status == 0 && text ? std::string(text.get()) : mangled;
}

std::string without_parameters(std::string_view name) {
  const size_t close = name.rfind(')');
  if (close == std::string_view::npos) return std::string(name);
  // Walk back to the '(' that opens the last parenthesised group: the parameters.
  int depth = 0;
  for (size_t i = close + 1; i-- > 0;) {
    if (name[i] == ')')
      ++depth;
    else if (name[i] == '(' && --depth == 0) {
      // "operator()(int)": the group just before is part of the name.
      if (i == 0) return std::string(name);
      return std::string(name.substr(0, i));
    }
  }
  return std::string(name);
}

std::string display_name(std::string_view symbol) {
  std::string name = without_parameters(demangle(symbol));
  // File-local names read better without their namespace's decoration.
  constexpr std::string_view kAnonymous = "(anonymous namespace)::";
  for (size_t at; (at = name.find(kAnonymous)) != std::string::npos;)
    name.erase(at, kAnonymous.size());
  // Template functions demangle with their return type first ("void f<int>").
  int angle = 0;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (c == '<' || c == '(' || c == '{')
      ++angle;
    else if (c == '>' || c == ')' || c == '}')
      --angle;
    else if (c == ' ' && angle == 0 && name.compare(i + 1, 8, "operator") != 0 &&
             name.compare(0, 8, "operator") != 0)
      return name.substr(i + 1);
  }
  return name;
}

std::string thread_callable(std::string_view name) {
  constexpr std::string_view kPrefix = "std::thread::_State_impl<std::thread::_Invoker<std::tuple<";
  if (name.substr(0, kPrefix.size()) != kPrefix) return std::string(name);
  // The first template argument of the tuple is the callable's type.
  int depth = 0;
  size_t end = kPrefix.size();
  for (; end < name.size(); ++end) {
    const char c = name[end];
    if (c == '<' || c == '(' || c == '{')
      ++depth;
    else if (c == '>' || c == ')' || c == '}') {
      if (depth == 0) break;
      --depth;
    } else if (c == ',' && depth == 0) {
      break;
    }
  }
  std::string callable(name.substr(kPrefix.size(), end - kPrefix.size()));
  // A plain function pointer type ("void (*)(int)") does not name the function.
  if (callable.find("(*)") != std::string::npos) return "std::thread";
  return callable;
}

bool is_system_header(std::string_view path) {
  for (std::string_view prefix : {"/usr/include/", "/usr/lib/gcc/", "/usr/lib/llvm"})
    if (path.substr(0, prefix.size()) == prefix) return true;
  // taskscope's own public headers, in a source tree or installed anywhere:
  // taskscope::thread's start-up, taskscope::condition_variable::wait's
  // predicate loop, compiled into the program.
  return path.find("/include/taskscope/") != std::string_view::npos;
}

}  // namespace taskscope::analyzer::symbolize
