#include "profile/flamegraph.h"

#include <fmt/format.h>

#include <map>
#include <unordered_map>
#include <vector>

#include "sinks/json_writer.h"

namespace kscope {

// The page around the data (flamegraph_page.cpp).
std::string flamegraph_page(const std::string& title, const std::string& data_json);

namespace {

enum Kind : int { kUser = 0, kKernel = 1, kProcess = 2 };

// The merged call tree: a node per distinct path from the root.
class FlameTree {
public:
    FlameTree() { nodes_.push_back({"all", kUser, 0, 0, -1, {}}); }

    void add(std::string_view stack, uint64_t after, uint64_t before, bool comm_root) {
        int at = 0;
        nodes_[0].value += after;
        nodes_[0].before += before;
        bool first = true;
        for (auto frame : split_folded(stack)) {
            Kind kind = first && comm_root ? kProcess : is_kernel_frame(frame) ? kKernel : kUser;
            first = false;
            std::string name(kind == kKernel ? strip_kernel_suffix(frame) : frame);
            // Same name, different kind (a "main" process and a "main" function) stay apart.
            std::string key = std::to_string(int(kind)) + name;
            auto it = nodes_[at].children.find(key);
            int child;
            if (it == nodes_[at].children.end()) {
                child = static_cast<int>(nodes_.size());
                nodes_[at].children.emplace(std::move(key), child);
                nodes_.push_back({std::move(name), kind, 0, 0, at, {}});
            } else {
                child = it->second;
            }
            nodes_[child].value += after;
            nodes_[child].before += before;
            at = child;
        }
    }

    // {"names":[...],"nodes":[[name,kind,value,before,parent],...]} in pre-order with
    // children by name, so the page can place each child after its previous sibling.
    void append_json(std::string& out, bool with_before) const {
        std::vector<int> order;
        std::vector<int> stack{0};
        while (!stack.empty()) {
            int i = stack.back();
            stack.pop_back();
            if (i != 0 && nodes_[i].value == 0)
                continue;  // gone in the "after" profile: nothing to draw
            order.push_back(i);
            for (auto it = nodes_[i].children.rbegin(); it != nodes_[i].children.rend(); ++it)
                stack.push_back(it->second);
        }
        std::unordered_map<int, int> new_index;
        std::unordered_map<std::string_view, int> name_ids;
        std::vector<std::string_view> names;
        for (size_t k = 0; k < order.size(); k++) {
            new_index[order[k]] = static_cast<int>(k);
            auto [it, added] = name_ids.emplace(nodes_[order[k]].name, static_cast<int>(names.size()));
            if (added)
                names.push_back(nodes_[order[k]].name);
        }
        out += "\"names\":[";
        for (size_t k = 0; k < names.size(); k++) {
            if (k)
                out += ',';
            append_json_string(out, names[k]);
        }
        out += "],\"nodes\":[";
        for (size_t k = 0; k < order.size(); k++) {
            const Node& n = nodes_[order[k]];
            fmt::format_to(std::back_inserter(out), "{}[{},{},{},{},{}]", k ? "," : "", name_ids[n.name], int(n.kind),
                           n.value, with_before ? n.before : 0, n.parent < 0 ? -1 : new_index[n.parent]);
        }
        out += ']';
    }

private:
    struct Node {
        std::string name;
        Kind kind;
        uint64_t value, before;
        int parent;
        std::map<std::string, int> children;  // ordered: children drawn alphabetically
    };
    std::vector<Node> nodes_;
};

// The data block sits in a <script> element: no '<', '>' or '&' may appear raw, and in
// JSON they only occur inside strings, where the \u escapes mean the same.
std::string script_safe(const std::string& json) {
    std::string out;
    out.reserve(json.size());
    for (char c : json) {
        if (c == '<')
            out += "\\u003c";
        else if (c == '>')
            out += "\\u003e";
        else if (c == '&')
            out += "\\u0026";
        else
            out += c;
    }
    return out;
}

std::string title_of(const FlameGraphOptions& options, bool diff) {
    if (!options.title.empty())
        return options.title;
    return diff ? "kscope differential profile" : "kscope CPU profile";
}

std::string data_json(const FlameTree& tree, const FlameGraphOptions& options, bool diff, uint64_t total,
                      uint64_t before_total) {
    std::string out = "{\"title\":";
    append_json_string(out, title_of(options, diff));
    out += ",\"unit\":";
    append_json_string(out, options.unit);
    fmt::format_to(std::back_inserter(out), ",\"diff\":{},\"total\":{},\"beforeTotal\":{},", diff ? "true" : "false",
                   total, before_total);
    tree.append_json(out, diff);
    out += '}';
    return script_safe(out);
}

}  // namespace

std::string render_flamegraph(const FoldedProfile& profile, const FlameGraphOptions& options) {
    FlameTree tree;
    for (const auto& [stack, count] : profile)
        if (count)
            tree.add(stack, count, 0, options.comm_root);
    return flamegraph_page(title_of(options, false), data_json(tree, options, false, total_count(profile), 0));
}

std::string render_diff_flamegraph(const DiffProfile& diff, const FlameGraphOptions& options) {
    FlameTree tree;
    for (const auto& [stack, c] : diff.stacks)
        tree.add(stack, c.after, c.before, options.comm_root);
    return flamegraph_page(title_of(options, true), data_json(tree, options, true, diff.after_total, diff.before_total));
}

}  // namespace kscope
