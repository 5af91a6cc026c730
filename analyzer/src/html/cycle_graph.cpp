// Cycle graphs through libgvc (see cycle_graph.hpp).
#include "html/cycle_graph.hpp"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <memory>
#include <stdexcept>

namespace taskscope::analyzer::html {
namespace {

// libcgraph takes char* for names it does not modify.
char* text(const std::string& s) { return const_cast<char*>(s.c_str()); }
char* text(const char* s) { return const_cast<char*>(s); }

void set(void* object, const char* name, const std::string& value) {
  agsafeset(object, text(name), text(value), text(""));
}

// Inline in HTML: the element only, without the XML prolog, doctype, comments
// and namespace declarations (the HTML parser knows the SVG namespace), so
// that the page names no URL.
std::string inline_svg(const std::string& svg) {
  const size_t begin = svg.find("<svg");
  if (begin == std::string::npos) return std::string();
  std::string out;
  for (size_t at = begin; at < svg.size();) {
    if (svg.compare(at, 4, "<!--") == 0) {
      const size_t end = svg.find("-->", at);
      at = end == std::string::npos ? svg.size() : end + 3;
      while (at < svg.size() && svg[at] == '\n') ++at;
    } else if (svg.compare(at, 7, " xmlns=") == 0 || svg.compare(at, 13, " xmlns:xlink=") == 0) {
      const size_t open = svg.find('"', at);
      const size_t close = open == std::string::npos ? open : svg.find('"', open + 1);
      at = close == std::string::npos ? svg.size() : close + 1;
    } else {
      out += svg[at++];
    }
  }
  return out;
}

// One Graphviz graph with its context; everything is freed on scope exit.
class Layout {
 public:
  Layout() : context_(gvContext()) {
    if (context_ == nullptr) throw std::runtime_error("Graphviz: cannot create a context");
    graph_ = agopen(text("wait_for"), Agdirected, nullptr);
    set(graph_, "rankdir", "LR");
    set(graph_, "bgcolor", "transparent");
    set(graph_, "fontname", "Helvetica");
    set(graph_, "nodesep", "0.35");
    set(graph_, "ranksep", "0.45");
  }
  ~Layout() {
    if (laid_out_) gvFreeLayout(context_, graph_);
    agclose(graph_);
    gvFreeContext(context_);
  }
  Layout(const Layout&) = delete;
  Layout& operator=(const Layout&) = delete;

  Agnode_t* node(const std::string& name, bool agent, const std::string& id) {
    Agnode_t* node = agnode(graph_, text(name), 1);
    set(node, "id", id);
    set(node, "fontname", "Helvetica");
    set(node, "fontsize", "11");
    set(node, "style", "filled");
    set(node, "shape", agent ? "box" : "ellipse");
    set(node, "fillcolor", agent ? "#e8f0fe" : "#fff4e0");
    set(node, "color", agent ? "#3b6fc4" : "#c98a1b");
    return node;
  }
  void edge(Agnode_t* from, Agnode_t* to, const std::string& label, bool in_cycle, bool assumed) {
    Agedge_t* edge = agedge(graph_, from, to, nullptr, 1);
    set(edge, "label", label);
    set(edge, "fontname", "Helvetica");
    set(edge, "fontsize", "10");
    set(edge, "color", in_cycle ? "#c0392b" : "#777777");
    set(edge, "fontcolor", in_cycle ? "#c0392b" : "#555555");
    set(edge, "penwidth", in_cycle ? "2" : "1");
    if (assumed) set(edge, "style", "dashed");
  }

  std::string svg() {
    if (gvLayout(context_, graph_, "dot") != 0) throw std::runtime_error("Graphviz: layout failed");
    laid_out_ = true;
    char* data = nullptr;
    unsigned int length = 0;
    if (gvRenderData(context_, graph_, "svg", &data, &length) != 0 || data == nullptr)
      throw std::runtime_error("Graphviz: SVG rendering failed");
    std::string svg(data, length);
    gvFreeRenderData(data);
    return inline_svg(svg);
  }

 private:
  GVC_t* context_;
  Agraph_t* graph_ = nullptr;
  bool laid_out_ = false;
};

std::string resource_node_name(const NamedId& resource, const Finding& finding) {
  for (const ResourceRef& ref : finding.resources)
    if (ref.id == resource.id) return ref.type + " " + ref.name;
  return resource.name;
}

}  // namespace

std::string cycle_svg(const Finding& finding, const std::string& id_prefix) {
  if (finding.wait_edges.empty()) return std::string();
  Layout layout;
  int nodes = 0;
  auto agent = [&](const NamedId& a) {
    return layout.node(a.name, true, id_prefix + "-n" + std::to_string(nodes++));
  };
  for (const FindingWait& wait : finding.wait_edges) {
    Agnode_t* waiter = agent(wait.agent);
    Agnode_t* target = wait.waits_for ? agent(*wait.waits_for) : nullptr;
    const std::string kind(wait_kind_name(wait.kind));
    const std::string reason = wait.reason ? std::string(wait_reason_name(*wait.reason)) : "";
    if (wait.resource) {
      Agnode_t* resource = layout.node(resource_node_name(*wait.resource, finding), false,
                                       id_prefix + "-n" + std::to_string(nodes++));
      layout.edge(waiter, resource, kind, wait.in_cycle, wait.assumed);
      if (target) layout.edge(resource, target, reason, wait.in_cycle, wait.assumed);
    } else if (target) {
      layout.edge(waiter, target, reason.empty() ? kind : kind + " (" + reason + ")", wait.in_cycle,
                  wait.assumed);
    }
  }
  return layout.svg();
}

}  // namespace taskscope::analyzer::html
