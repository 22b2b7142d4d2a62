// Decoders fed synthetic raw events built exactly as the BPF side lays them out.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "events/decode.h"
#include "kscope/abi/exec.h"
#include "kscope/abi/exit.h"

namespace kscope {
namespace {

kscope_event_header header(uint16_t type, uint32_t pid) {
    kscope_event_header h{};
    h.ts_ns = 1000;
    h.cgroup_id = 77;
    h.pid = pid;
    h.tid = pid + 1;
    h.ppid = 1;
    h.uid = 1000;
    h.type = type;
    std::strncpy(h.comm, "bash", sizeof h.comm);
    return h;
}

std::vector<std::byte> exec_raw(const std::string& filename, const std::string& args, uint32_t flags = 0,
                                int32_t ret = 0) {
    kscope_exec_event e{};
    e.hdr = header(KSCOPE_EVENT_EXEC, 42);
    e.ret = ret;
    e.flags = flags;
    e.filename_len = filename.size();
    e.args_len = args.size();
    e.hdr.size = sizeof(e) + filename.size() + args.size();
    std::vector<std::byte> raw(e.hdr.size);
    std::memcpy(raw.data(), &e, sizeof e);
    std::memcpy(raw.data() + sizeof e, filename.data(), filename.size());
    std::memcpy(raw.data() + sizeof e + filename.size(), args.data(), args.size());
    return raw;
}

TEST(DecodeExec, SplitsArgvIncludingEmptyArguments) {
    using namespace std::string_literals;
    auto raw = exec_raw("/bin/ls", "ls\0-l\0\0a b\0"s);
    DecodeContext ctx{.boot_to_epoch_ns = 5};
    auto e = decode_exec(raw, ctx);
    ASSERT_TRUE(e.ok()) << e.error().message;
    EXPECT_EQ(e->filename, "/bin/ls");
    EXPECT_EQ(e->argv, (std::vector<std::string>{"ls", "-l", "", "a b"}));
    EXPECT_FALSE(e->args_truncated);
    EXPECT_EQ(e->common.ts_ns, 1005u);
    EXPECT_EQ(e->common.pid, 42u);
    EXPECT_EQ(e->common.tid, 43u);
    EXPECT_EQ(e->common.uid, 1000u);
    EXPECT_EQ(e->common.comm, "bash");
    EXPECT_EQ(e->common.cgroup_id, 77u);
}

TEST(DecodeExec, LastArgumentWithoutNulIsMarkedTruncated) {
    using namespace std::string_literals;
    auto e = decode_exec(exec_raw("/x", "a\0bc"s), {});
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e->argv, (std::vector<std::string>{"a", "bc"}));
    EXPECT_TRUE(e->args_truncated);
}

TEST(DecodeExec, KeepsAtMostMaxArgs) {
    std::string args;
    for (int i = 0; i < 10; i++)
        args += std::to_string(i) + '\0';
    auto e = decode_exec(exec_raw("/x", args), {.max_args = 4});
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e->argv.size(), 4u);
    EXPECT_TRUE(e->args_truncated);
}

TEST(DecodeExec, CarriesFlagsAndFailure) {
    auto e = decode_exec(exec_raw("/missing", std::string("m\0", 2),
                                  KSCOPE_EXEC_EXECVEAT | KSCOPE_EXEC_ARGS_UNREADABLE, -2),
                         {});
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e->ret, -2);
    EXPECT_TRUE(e->execveat);
    EXPECT_TRUE(e->args_unreadable);
    EXPECT_FALSE(e->args_truncated);
}

TEST(DecodeExec, RejectsMalformedRecords) {
    auto raw = exec_raw("/bin/ls", std::string("ls\0", 3));
    // Shorter than the fixed part.
    auto short_one = decode_exec(std::span(raw).first(20), {});
    ASSERT_FALSE(short_one.ok());
    EXPECT_NE(short_one.error().message.find("shorter than its"), std::string::npos) << short_one.error().message;
    // Cut short of the size its header claims: the header check refuses it.
    auto cut = decode_exec(std::span(raw).first(raw.size() - 2), {});
    ASSERT_FALSE(cut.ok());
    EXPECT_NE(cut.error().message.find("claims"), std::string::npos) << cut.error().message;
    // Wrong type.
    auto exit_like = raw;
    reinterpret_cast<kscope_event_header*>(exit_like.data())->type = KSCOPE_EVENT_EXIT;
    EXPECT_FALSE(decode_exec(exit_like, {}).ok());
}

// A record whose header is sound (its size is the buffer's) but whose own lengths run
// past its end: only the exec decoder's length check can refuse it.
TEST(DecodeExec, RejectsInnerLengthsPastTheEnd) {
    const std::string past = "exec event: filename, argv and cwd run past the event's end";
    auto with_lengths = [](uint32_t filename_len, uint32_t args_len) {
        auto raw = exec_raw("/bin/ls", std::string("ls\0-l\0", 6));  // 7 + 6 bytes after the fixed part
        auto* e = reinterpret_cast<kscope_exec_event*>(raw.data());
        EXPECT_EQ(e->hdr.size, raw.size());
        e->filename_len = filename_len;
        e->args_len = args_len;
        return raw;
    };
    // Exactly filling the record is fine.
    auto exact = decode_exec(with_lengths(7, 6), {});
    ASSERT_TRUE(exact.ok()) << exact.error().message;
    EXPECT_EQ(exact->argv, (std::vector<std::string>{"ls", "-l"}));
    for (auto [filename_len, args_len] : std::vector<std::pair<uint32_t, uint32_t>>{
             {7, 7}, {8, 6}, {14, 0}, {0, 14}, {0xFFFFFFFFu, 1}, {1, 0xFFFFFFFFu}, {0xFFFFFFFFu, 0xFFFFFFFFu}}) {
        auto r = decode_exec(with_lengths(filename_len, args_len), {});
        ASSERT_FALSE(r.ok()) << filename_len << " + " << args_len;
        EXPECT_EQ(r.error().message, past) << filename_len << " + " << args_len;
    }
}

std::vector<std::byte> exit_raw(uint32_t status, uint64_t duration) {
    kscope_exit_event e{};
    e.hdr = header(KSCOPE_EVENT_EXIT, 7);
    e.hdr.size = sizeof e;
    e.exit_code = status;
    e.duration_ns = duration;
    std::vector<std::byte> raw(sizeof e);
    std::memcpy(raw.data(), &e, sizeof e);
    return raw;
}

TEST(DecodeExit, ExitStatusLikeWait) {
    auto normal = decode_exit(exit_raw(3 << 8, 99), {});
    ASSERT_TRUE(normal.ok());
    EXPECT_EQ(normal->exit_code, 3);
    EXPECT_EQ(normal->signal, 0);
    EXPECT_EQ(normal->duration_ns, 99u);

    auto killed = decode_exit(exit_raw(9, 1), {});
    EXPECT_EQ(killed->signal, 9);
    EXPECT_EQ(killed->exit_code, 0);
    EXPECT_FALSE(killed->core_dumped);

    auto core = decode_exit(exit_raw(0x80 | 11, 1), {});
    EXPECT_EQ(core->signal, 11);
    EXPECT_TRUE(core->core_dumped);
}

}  // namespace
}  // namespace kscope
