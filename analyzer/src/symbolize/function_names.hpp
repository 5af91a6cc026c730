// How function names read in reports: demangled, without parameter lists
// ("ns::Account::transfer", not "_ZN2ns7Account8transferERS0_i" nor
// "ns::Account::transfer(ns::Account&, int)").
#pragma once

#include <string>
#include <string_view>

namespace taskscope::analyzer::symbolize {

// Demangles an Itanium C++ symbol; other names are returned unchanged.
std::string demangle(std::string_view symbol);
// Drops the parameter list (and cv/ref qualifiers after it) of a demangled name.
std::string without_parameters(std::string_view name);
// Readable name of a function: demangled, without parameters.
std::string display_name(std::string_view symbol);
// The callable a std::thread runs, from the name of its _State_impl::_M_run
// ("std::thread::_State_impl<std::thread::_Invoker<std::tuple<main::{lambda()#1}
// > > >::_M_run" -> "main::{lambda()#1}"); `name` itself when it is not one.
std::string thread_callable(std::string_view name);
// True for files of the compiler's, the C/C++ libraries' and taskscope's own
// headers, whose lines are never the place a person wants to open
// (std::mutex::lock inlined into the program, for instance).
bool is_system_header(std::string_view path);

}  // namespace taskscope::analyzer::symbolize
