// pprof, flame graph and differential output, checked with the tools that read them:
// `go tool pprof` for pprof files, node (with a minimal DOM) for the flame graph's script.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "harness.h"
#include "profile.pb.h"
#include "profile/gzip.h"
#include "profile/profile_output.h"
#include "profile_test_util.h"

namespace kscope {
namespace {

using testing::sample_stacks;

bool have(const std::string& tool) { return test::shell_stdout("command -v " + tool + " 2>/dev/null").size() > 0; }

std::string write_temp(const testing::TempDir& dir, const std::string& name, const std::string& data) {
    std::string path = dir / name;
    std::ofstream(path, std::ios::binary) << data;
    return path;
}

TEST(ProfilePprof, ProtoHasTypesMappingsLocationsAndLabels) {
    PprofOptions opts;
    opts.period_ns = 10'000'000;
    opts.time_nanos = 1700000000000000000;
    opts.duration_nanos = 2'000'000'000;
    std::string gz = write_pprof(sample_stacks(), opts);
    ASSERT_TRUE(is_gzip(gz));
    auto raw = gzip_decompress(gz);
    ASSERT_TRUE(raw.ok()) << raw.error().message;
    perftools::profiles::Profile p;
    ASSERT_TRUE(p.ParseFromString(*raw));
    auto s = [&](int64_t i) { return p.string_table(static_cast<int>(i)); };
    EXPECT_EQ(p.string_table(0), "");
    ASSERT_EQ(p.sample_type_size(), 2);
    EXPECT_EQ(s(p.sample_type(0).type()), "samples");
    EXPECT_EQ(s(p.sample_type(0).unit()), "count");
    EXPECT_EQ(s(p.sample_type(1).type()), "cpu");
    EXPECT_EQ(s(p.sample_type(1).unit()), "nanoseconds");
    EXPECT_EQ(p.period(), 10'000'000);
    EXPECT_EQ(p.duration_nanos(), 2'000'000'000);
    ASSERT_EQ(p.sample_size(), 4);
    const auto& first = p.sample(0);
    EXPECT_EQ(first.value(0), 7);
    EXPECT_EQ(first.value(1), 70'000'000);
    ASSERT_EQ(first.location_id_size(), 3);
    // Leaf first: hot_loop's location, at its address, in the app's mapping.
    const auto& leaf = p.location(static_cast<int>(first.location_id(0) - 1));
    EXPECT_EQ(leaf.address(), 0x555555555310u);
    EXPECT_EQ(s(p.function(static_cast<int>(leaf.line(0).function_id() - 1)).name()), "hot_loop");
    const auto& m = p.mapping(static_cast<int>(leaf.mapping_id() - 1));
    EXPECT_EQ(s(m.filename()), "/usr/bin/app");
    EXPECT_EQ(s(m.build_id()), "aabbccdd");
    EXPECT_TRUE(m.has_functions());
    EXPECT_LE(m.memory_start(), 0x555555555100u);
    EXPECT_GT(m.memory_limit(), 0x555555555400u);
    EXPECT_EQ(m.memory_start() - m.file_offset(), 0x555555554000u);  // the load base
    std::map<std::string, std::string> labels;
    for (const auto& l : first.label())
        labels[s(l.key())] = l.str() ? s(l.str()) : std::to_string(l.num());
    EXPECT_EQ(labels, (std::map<std::string, std::string>{{"pid", "100"}, {"tid", "100"}, {"comm", "app"}}));
    // One location per address, one function per name, across samples.
    EXPECT_EQ(p.location_size(), 8);
    EXPECT_EQ(p.function_size(), 8);
}

TEST(ProfilePprof, OffCpuProfileHasItsOwnValueType) {
    PprofOptions opts;
    opts.sample_type = "offcpu";
    opts.sample_unit = "microseconds";
    auto raw = gzip_decompress(write_pprof(sample_stacks(), opts));
    ASSERT_TRUE(raw.ok());
    perftools::profiles::Profile p;
    ASSERT_TRUE(p.ParseFromString(*raw));
    ASSERT_EQ(p.sample_type_size(), 1);
    EXPECT_EQ(p.string_table(static_cast<int>(p.sample_type(0).type())), "offcpu");
    EXPECT_EQ(p.string_table(static_cast<int>(p.sample_type(0).unit())), "microseconds");
    EXPECT_EQ(p.sample(0).value_size(), 1);
}

TEST(ProfilePprof, ReadsBackAsTheSameFoldedStacks) {
    auto back = pprof_to_folded(write_pprof(sample_stacks(), {}));
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(*back, fold(sample_stacks()));
    EXPECT_FALSE(pprof_to_folded(std::string("\x1f\x8b garbage", 10)).ok());
}

// pprof -top's rows: flat, flat%, sum%, cum, cum%, name.
std::map<std::string, std::pair<std::string, std::string>> pprof_top(const std::string& file, const std::string& extra) {
    const std::string env = "GOCACHE=/tmp/kscope-test-gocache GOPATH=/tmp/kscope-test-gopath PPROF_TMPDIR=/tmp "
                            "HOME=/tmp GOFLAGS=-mod=mod GOTOOLCHAIN=local ";
    std::string out = test::shell(env + "go tool pprof -top " + extra + " " + file);
    std::map<std::string, std::pair<std::string, std::string>> rows;
    std::regex row(R"(^\s*(\S+)\s+[\d.]+%\s+[\d.]+%\s+(\S+)\s+[\d.]+%\s+(.+)$)");
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line)) {
        std::smatch m;
        if (std::regex_match(line, m, row))
            rows[m[3]] = {m[1], m[2]};
    }
    EXPECT_FALSE(rows.empty()) << out;
    return rows;
}

TEST(ProfilePprof, GoToolPprofReadsIt) {
    if (!have("go"))
        GTEST_SKIP() << "SKIPPED LOUDLY: `go` is not installed, so `go tool pprof` cannot check the pprof file; "
                        "scripts/bootstrap installs golang-go";
    testing::TempDir dir;
    PprofOptions opts;
    opts.period_ns = 10'000'000;
    const std::string file = write_temp(dir, "cpu.pb.gz", write_pprof(sample_stacks(), opts));
    auto counts = pprof_top(file, "-sample_index=samples");
    EXPECT_EQ(counts["hot_loop"], std::make_pair(std::string("10"), std::string("10")));
    EXPECT_EQ(counts["cpu_idle"], std::make_pair(std::string("6"), std::string("6")));
    EXPECT_EQ(counts["ksys_write"], std::make_pair(std::string("4"), std::string("4")));
    EXPECT_EQ(counts["main"], std::make_pair(std::string("0"), std::string("14")));
    // The default view is CPU time: 10 samples of 10ms.
    auto time = pprof_top(file, "");
    EXPECT_EQ(time["hot_loop"], std::make_pair(std::string("100ms"), std::string("100ms")));
    EXPECT_EQ(time["run"], std::make_pair(std::string("0"), std::string("140ms")));
}

// The page's data block, parsed.
nlohmann::json page_data(const std::string& html) {
    const std::string open = "<script type=\"application/json\" id=\"profile-data\">";
    size_t start = html.find(open);
    EXPECT_NE(start, std::string::npos);
    start += open.size();
    size_t end = html.find("</script>", start);
    return nlohmann::json::parse(html.substr(start, end - start));
}

void expect_self_contained(const std::string& html) {
    for (const char* ref : {"http:", "https:", "src=", "href=", "url(", "@import", "//cdn", "<link", "<iframe"})
        EXPECT_EQ(html.find(ref), std::string::npos) << "external reference " << ref;
    EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_NE(html.find("</html>"), std::string::npos);
}

// Runs the page's script under node with a minimal DOM, then `actions` (JS using the
// stubbed elements), and returns what the script printed.
std::string run_page(const std::string& html, const std::string& actions) {
    const std::string data_open = "<script type=\"application/json\" id=\"profile-data\">";
    size_t d0 = html.find(data_open) + data_open.size();
    size_t d1 = html.find("</script>", d0);
    size_t s0 = html.find("<script>", d1) + 8;
    size_t s1 = html.find("</script>", s0);
    testing::TempDir dir;
    const std::string harness = R"JS(
const fs = require('fs');
const data = fs.readFileSync(process.argv[2], 'utf8');
const script = fs.readFileSync(process.argv[3], 'utf8');
function el(id) {
  return { id, textContent: '', innerHTML: '', value: '', disabled: false, style: {}, clientWidth: 1000,
           offsetWidth: 100, offsetHeight: 40, listeners: {}, parentNode: null,
           addEventListener(t, f) { this.listeners[t] = f; }, getAttribute() { return null; }, focus() {} };
}
const els = {};
global.document = { getElementById(id) { if (!els[id]) els[id] = el(id); return els[id]; },
                    addEventListener(t, f) { (global.docListeners = global.docListeners || {})[t] = f; } };
global.window = { innerWidth: 1200, innerHeight: 800, addEventListener() {}, requestAnimationFrame(f) { f(); } };
els['profile-data'] = el('profile-data');
els['profile-data'].textContent = data;
eval(script);
const chart = els['chart'];
function frame(i) { return { getAttribute(a) { return a === 'data-i' ? String(i) : null; }, parentNode: chart }; }
function indexOf(name) {
  const d = JSON.parse(data);
  for (let i = 0; i < d.nodes.length; i++) if (d.names[d.nodes[i][0]] === name) return i;
  return -1;
}
)JS" + actions;
    const std::string js = write_temp(dir, "harness.js", harness);
    const std::string data = write_temp(dir, "data.json", html.substr(d0, d1 - d0));
    const std::string script = write_temp(dir, "page.js", html.substr(s0, s1 - s0));
    return test::shell("node " + js + " " + data + " " + script);
}

TEST(ProfileFlameGraph, SelfContainedPageWithTheProfile) {
    FlameGraphOptions opts;
    opts.title = "CPU <profile> & more";
    const std::string html = render_flamegraph(fold(sample_stacks()), opts);
    expect_self_contained(html);
    EXPECT_NE(html.find("<title>CPU &lt;profile&gt; &amp; more</title>"), std::string::npos);
    for (const char* name : {"hot_loop", "ksys_write", "cpu_idle", "swapper/0"})
        EXPECT_NE(html.find(name), std::string::npos) << name;
    nlohmann::json d = page_data(html);
    EXPECT_EQ(d["total"], 20);
    EXPECT_EQ(d["diff"], false);
    EXPECT_EQ(d["title"], "CPU <profile> & more");
    // Nodes: [name, kind, value, before, parent]; the root holds everything.
    const auto& nodes = d["nodes"];
    const auto& names = d["names"];
    EXPECT_EQ(nodes[0][2], 20);
    EXPECT_EQ(nodes[0][4], -1);
    std::map<std::string, std::pair<int, uint64_t>> by_name;  // name -> kind, value
    for (const auto& n : nodes)
        by_name[names[n[0].get<size_t>()]] = {n[1].get<int>(), n[2].get<uint64_t>()};
    EXPECT_EQ(by_name["app"], std::make_pair(2, uint64_t(14)));        // process
    EXPECT_EQ(by_name["run"], std::make_pair(0, uint64_t(14)));        // user
    EXPECT_EQ(by_name["ksys_write"], std::make_pair(1, uint64_t(4)));  // kernel, suffix gone
    EXPECT_EQ(nodes.size(), 11u);  // all, 2 processes, 8 functions
}

TEST(ProfileFlameGraph, NamesAreEscapedInTheDataBlock) {
    FoldedProfile p{{"app;</script><script>alert(1);x", 1}};
    const std::string html = render_flamegraph(p);
    EXPECT_EQ(html.find("</script><script>alert"), std::string::npos);
    EXPECT_EQ(page_data(html)["names"][2], "</script><script>alert(1)");
}

TEST(ProfileFlameGraph, ScriptDrawsZoomsAndSearches) {
    if (!have("node"))
        GTEST_SKIP() << "SKIPPED LOUDLY: node is not installed, so the page's script cannot be run";
    const std::string html = render_flamegraph(fold(sample_stacks()));
    std::string out = run_page(html, R"JS(
console.log('svg:' + chart.innerHTML.includes('<svg') + ' hot:' + chart.innerHTML.includes('>hot_loop<'));
console.log('kernel-color:' + /<g data-i="\d+"><rect[^>]*fill="rgb\(\d+,\d+,\d+\)"/.test(chart.innerHTML));
els['search'].value = 'hot|cpu_idle';
els['search'].listeners['input']();
console.log('matched:' + els['matched'].textContent);
chart.listeners['mousemove']({ target: frame(indexOf('run')), clientX: 10, clientY: 10 });
console.log('tip:' + els['tip'].textContent.replace(/\n/g, '|'));
chart.listeners['click']({ target: frame(indexOf('write_out')) });
console.log('zoomed:' + !els['reset'].disabled + ' hot-hidden:' + !chart.innerHTML.includes('>hot_loop<'));
els['reset'].listeners['click']();
console.log('reset:' + els['reset'].disabled);
)JS");
    EXPECT_NE(out.find("svg:true hot:true"), std::string::npos) << out;
    EXPECT_NE(out.find("kernel-color:true"), std::string::npos) << out;
    EXPECT_NE(out.find("matched:Matched: 80.00% (16 samples)"), std::string::npos) << out;
    EXPECT_NE(out.find("tip:run|14 samples (70.00% of all)|self: 0 samples (0.00%)"), std::string::npos) << out;
    EXPECT_NE(out.find("zoomed:true hot-hidden:true"), std::string::npos) << out;
    EXPECT_NE(out.find("reset:true"), std::string::npos) << out;
}

FoldedProfile before_profile() { return {{"app;main;f", 50}, {"app;main;g", 50}}; }
FoldedProfile after_profile() { return {{"app;main;f", 90}, {"app;main;g", 10}, {"app;main;h", 20}}; }

TEST(ProfileDiff, SharesComparedAgainstEachTotal) {
    DiffProfile d = diff(before_profile(), after_profile());
    EXPECT_EQ(d.before_total, 100u);
    EXPECT_EQ(d.after_total, 120u);
    EXPECT_EQ(d.stacks.size(), 3u);
    const auto& f = d.stacks.at("app;main;f");
    EXPECT_NEAR(d.share_change(f.before, f.after), 0.75 - 0.5, 1e-9);
    const auto& g = d.stacks.at("app;main;g");
    EXPECT_NEAR(d.share_change(g.before, g.after), 10.0 / 120 - 0.5, 1e-9);
    const auto& h = d.stacks.at("app;main;h");
    EXPECT_EQ(h.before, 0u);
    // main is 100% of both: no change although it has 20 more samples.
    EXPECT_NEAR(d.share_change(100, 120), 0.0, 1e-9);
}

TEST(ProfileDiff, ReadsSavedFoldedAndPprofFiles) {
    testing::TempDir dir;
    const std::string folded = write_temp(dir, "before.folded", write_folded(fold(sample_stacks())));
    const std::string pprof = write_temp(dir, "after.pb.gz", write_pprof(sample_stacks(), {}));
    auto a = load_profile_file(folded), b = load_profile_file(pprof);
    ASSERT_TRUE(a.ok()) << a.error().message;
    ASSERT_TRUE(b.ok()) << b.error().message;
    EXPECT_EQ(*a, fold(sample_stacks()));
    EXPECT_EQ(*b, fold(sample_stacks()));
    DiffProfile same = diff(*a, *b);
    for (const auto& [stack, c] : same.stacks)
        EXPECT_EQ(same.share_change(c.before, c.after), 0.0) << stack;
    auto missing = load_profile_file(dir / "nope");
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message.find("nope"), std::string::npos);
    const std::string bad = write_temp(dir, "bad.txt", "app;main no-count-here\n");
    auto broken = load_profile_file(bad);
    ASSERT_FALSE(broken.ok());
    EXPECT_NE(broken.error().message.find("bad.txt: line 1"), std::string::npos) << broken.error().message;
}

TEST(ProfileDiff, FlameGraphColorsHotterRedAndCoolerBlue) {
    const std::string html = render_diff_flamegraph(diff(before_profile(), after_profile()));
    expect_self_contained(html);
    nlohmann::json d = page_data(html);
    EXPECT_EQ(d["diff"], true);
    EXPECT_EQ(d["title"], "kscope differential profile");
    EXPECT_EQ(d["total"], 120);
    EXPECT_EQ(d["beforeTotal"], 100);
    std::map<std::string, std::pair<uint64_t, uint64_t>> nodes;  // name -> after, before
    for (const auto& n : d["nodes"])
        nodes[d["names"][n[0].get<size_t>()]] = {n[2].get<uint64_t>(), n[3].get<uint64_t>()};
    EXPECT_EQ(nodes["f"], std::make_pair(uint64_t(90), uint64_t(50)));
    EXPECT_EQ(nodes["h"], std::make_pair(uint64_t(20), uint64_t(0)));
    if (!have("node"))
        GTEST_SKIP() << "SKIPPED LOUDLY: node is not installed, so the page's colors cannot be checked";
    std::string out = run_page(html, R"JS(
function fill(name) {
  const m = chart.innerHTML.match(new RegExp('<g data-i="' + indexOf(name) + '"[^>]*><rect[^>]*fill="([^"]+)"'));
  return m ? m[1] : 'none';
}
console.log('f=' + fill('f') + ' g=' + fill('g') + ' main=' + fill('main'));
const text = chart.innerHTML.match(new RegExp('<g data-i="' + indexOf('g') + '"[^>]*>.*?<text[^>]*fill="([^"]+)"'));
console.log('g-text=' + (text ? text[1] : 'none'));
chart.listeners['mousemove']({ target: frame(indexOf('g')), clientX: 10, clientY: 10 });
console.log('tip:' + els['tip'].textContent.replace(/\n/g, '|'));
)JS");
    EXPECT_NE(out.find("f=rgb(255,"), std::string::npos) << out;   // red: hotter
    EXPECT_NE(out.find("g=rgb(45,45,255)"), std::string::npos) << out;  // the largest drop: deepest blue
    EXPECT_NE(out.find("g-text=#fff"), std::string::npos) << out;        // readable on it
    EXPECT_NE(out.find("main=rgb(235,235,235)"), std::string::npos) << out;
    EXPECT_NE(out.find("tip:g|after: 10 samples (8.33%)|before: 50 samples (50.00%)|change: -41.67 percentage points (cooler)"),
              std::string::npos)
        << out;
}

}  // namespace
}  // namespace kscope
