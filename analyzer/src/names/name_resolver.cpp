// The naming rules (see name_resolver.hpp).
#include "taskscope/analyzer/name_resolver.hpp"

namespace taskscope::analyzer {

namespace {

// "void ns::fetch(int)" -> "fetch"; "main::{lambda()#1}::operator()() const" and
// "int main()::<lambda()>" -> "lambda in main".
std::string short_function(std::string function) {
  auto lambda = function.find("::<lambda");
  if (lambda == std::string::npos) lambda = function.find("::{lambda");
  if (lambda != std::string::npos) function.resize(lambda);
  if (auto paren = function.find('('); paren != std::string::npos) function.resize(paren);
  if (auto last = function.rfind(' '); last != std::string::npos) function.erase(0, last + 1);
  if (lambda != std::string::npos) function = "lambda in " + function;
  return function;
}

// One frame: "/work/app/src/fetch.cpp:88 void fetch(int)" (a recorded source
// location) or "/work/app/src/fetch.cpp:88 (fetch)" (the symbolizer's form)
// -> "src/fetch.cpp:88 (fetch)".
std::string tidy_frame(std::string text) {
  std::string function;
  if (auto space = text.find(' '); space != std::string::npos && text.rfind("pc:", 0) != 0) {
    function = text.substr(space + 1);
    text.resize(space);
    if (function.size() >= 2 && function.front() == '(' && function.back() == ')')
      function = function.substr(1, function.size() - 2);
    function = short_function(function);
  }
  // Keep the last two path components: enough to find the file, short to read.
  size_t cut = std::string::npos;
  int slashes = 0;
  for (size_t i = text.size(); i-- > 0;) {
    if (text[i] == '/' && ++slashes == 2) {
      cut = i;
      break;
    }
  }
  if (cut != std::string::npos && text.rfind("pc:", 0) != 0) text.erase(0, cut + 1);
  if (!function.empty()) text += " (" + function + ")";
  return text;
}

// A location, possibly a short stack "a <- b <- c" from the symbolizer.
std::string tidy_location(const std::string& text) {
  std::string out;
  size_t begin = 0;
  while (begin <= text.size()) {
    size_t end = text.find(" <- ", begin);
    if (end == std::string::npos) end = text.size();
    if (!out.empty()) out += " <- ";
    out += tidy_frame(text.substr(begin, end - begin));
    begin = end + 4;
  }
  return out;
}

}  // namespace

NameResolver::NameResolver(Lookup strings)
    : strings_(std::move(strings)),
      own_(std::make_unique<Symbolizer>()),
      symbolizer_(own_.get()) {}

NameResolver::NameResolver(Lookup strings, const Symbolizer& symbolizer)
    : strings_(std::move(strings)), symbolizer_(&symbolizer) {}

NameResolver::~NameResolver() = default;

void NameResolver::add_module(uint64_t load_address, uint64_t size, StringId path) {
  std::lock_guard<std::mutex> lock(mutex_);
  pending_.push_back({load_address, size, path, false});
  // A new module can resolve what stayed an address before.
  symbolic_.clear();
  locations_.clear();
}

void NameResolver::add_build_id(uint64_t load_address, StringId build_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  pending_.push_back({load_address, 0, build_id, true});
  symbolic_.clear();
  locations_.clear();
}

const Symbolizer& NameResolver::symbolizer() const {
  if (!pending_.empty() && own_) {
    for (const PendingModule& module : pending_) {
      if (module.is_build_id)
        own_->add_build_id(module.load_address, std::string(text(module.path)));
      else
        own_->add_module(module.load_address, module.size, std::string(text(module.path)));
    }
  }
  pending_.clear();
  return *symbolizer_;
}

std::string_view NameResolver::text(StringId id) const {
  return id == 0 ? std::string_view{} : strings_(id);
}

std::string NameResolver::symbolic(StringId name) const {
  const std::string_view raw = text(name);
  if (raw.substr(0, 4) != "sym:") return std::string(raw);
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto it = symbolic_.find(name); it != symbolic_.end()) return it->second;
  std::string described = symbolizer().describe(raw);
  if (described.rfind("sym:", 0) == 0) described.clear();  // an address means nothing to a reader
  return symbolic_.emplace(name, std::move(described)).first->second;
}

std::string NameResolver::location(StringId id) const {
  const std::string_view raw = text(id);
  if (raw.empty()) return {};
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto it = locations_.find(id); it != locations_.end()) return it->second;
  return locations_.emplace(id, tidy_location(symbolizer().describe(raw))).first->second;
}

std::string NameResolver::place(StringId id) const {
  std::string where = location(id);
  if (auto paren = where.find(" ("); paren != std::string::npos) where.resize(paren);
  return where;
}

std::string NameResolver::agent(const AgentIdentity& who) const {
  std::string out = symbolic(who.name);
  if (out.empty()) return std::string(agent_type_name(who.type)) + "-" + std::to_string(who.id);
  if (who.sharing > 1 && who.ordinal > 0) out += "#" + std::to_string(who.ordinal);
  return out;
}

std::string NameResolver::kind_word(format::ResourceKind kind) {
  return kind == format::ResourceKind::kUnknown ? "resource"
                                                : std::string(format::resource_kind_name(kind));
}

std::string NameResolver::resource(const ResourceIdentity& what) const {
  if (std::string name = symbolic(what.name); !name.empty()) return name;
  const std::string kind = kind_word(what.kind);
  if (what.first_location != 0) return kind + "@" + place(what.first_location);
  return kind + "-" + std::to_string(what.id);
}

std::string NameResolver::resource_phrase(const ResourceIdentity& what) const {
  return phrase(kind_word(what.kind), resource(what), resource_named(what));
}

}  // namespace taskscope::analyzer
