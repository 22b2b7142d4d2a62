// A live-stream client that stops reading while many events flow loses events, and the
// agent counts them in kscope_stream_dropped_events_total while the client is still
// connected; what it reads afterwards plus what was dropped is every event exactly.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fcntl.h>

#include "agent_harness.h"
#include "wait_util.h"

namespace kscope::test {
namespace {

using namespace std::chrono_literals;

// A child named ksstream_open that opens /dev/null n times whenever asked.
class NamedOpener {
public:
    NamedOpener() {
        if (pipe2(to_, O_CLOEXEC) != 0 || pipe2(from_, O_CLOEXEC) != 0)
            return;
        pid_ = spawn([this] {
            close(to_[1]);
            close(from_[0]);
            prctl(PR_SET_NAME, "ksstream_open");
            for (int n; read(to_[0], &n, sizeof n) == ssize_t(sizeof n);) {
                for (int i = 0; i < n; i++)
                    close(open("/dev/null", O_RDONLY));
                if (write(from_[1], "d", 1) != 1)
                    _exit(3);
            }
            _exit(0);
        });
        close(to_[0]);
        close(from_[1]);
    }
    ~NamedOpener() {
        close(to_[1]);
        close(from_[0]);
        if (pid_ > 0)
            wait_child(pid_);
    }
    bool round(int n) {
        char done;
        return write(to_[1], &n, sizeof n) == ssize_t(sizeof n) && read(from_[0], &done, 1) == 1;
    }

private:
    int to_[2] = {-1, -1}, from_[2] = {-1, -1};
    pid_t pid_ = -1;
};

// Counts "event: open" records in a raw (chunked) server-sent-events response; each event
// is one chunk, so a record never has a chunk header inside it.
class SseCounter {
public:
    size_t feed(const char* data, size_t n) {
        buf_.append(data, n);
        static const std::string marker = "event: open\ndata: {";
        size_t at = 0;
        for (size_t hit; (hit = buf_.find(marker, at)) != std::string::npos; at = hit + marker.size())
            count_++;
        // Keep only a tail that may hold the start of a marker cut by this read.
        const size_t tail = marker.size() - 1;
        buf_.erase(0, std::max(at, buf_.size() > tail ? buf_.size() - tail : 0));
        return count_;
    }
    size_t count() const { return count_; }

private:
    std::string buf_;
    size_t count_ = 0;
};

TEST(StreamDrops, ASlowClientLosesEventsAndTheyAreCountedWhileItIsConnected) {
    REQUIRE_ROOT();
    Agent a("probes:\n  open:\n    enabled: true\n    comms: [ksstream_open]\n  exec: false\n  exit: false\n"
            "  tcp: false\n  drops: false\n  dns: false\n  syscalls: false\n  filetop: false\n");
    ASSERT_TRUE(a.ready()) << a.process().stderr_text();
    const std::string dropped = "kscope_stream_dropped_events_total";
    const std::string events = "kscope_events_total{probe=\"open\"}";
    ASSERT_EQ(a.metric(dropped), 0);

    NamedOpener opener;  // forked first: it must not hold a copy of the client's socket
    // A client with a small receive buffer that sends its request and then reads nothing.
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int small = 4096;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(a.port());
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    const std::string request = "GET /api/v1/stream?type=open&comm=ksstream_open HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    ASSERT_EQ(write(fd, request.data(), request.size()), ssize_t(request.size()));
    ASSERT_TRUE(a.wait_metric("kscope_stream_clients", 1, 10));

    // Opens in rounds until the client's queue (4096 events, behind the socket buffers)
    // overflows; the counter must rise while the client is connected (the server gives
    // up on a client that takes nothing for 5 s: the test reads well before).
    bool rose = false;
    for (int round = 0; round < 15 && !rose; round++) {
        ASSERT_TRUE(opener.round(10000));
        rose = eventually([&] { return a.metric(dropped) > 0; }, 500ms, 50ms);
    }
    ASSERT_TRUE(rose) << "no stream drop counted after 150000 opens; events: " << a.metric(events);
    ASSERT_EQ(a.metric("kscope_stream_clients"), 1) << "the client was disconnected";

    // Everything the pipeline had is through the stream sink once the queue is empty and
    // the count stands still.
    double total = -1;
    ASSERT_TRUE(eventually([&] {
        const double before = a.metric(events);
        if (a.metric("kscope_queue_depth") != 0)
            return false;
        usleep(100'000);
        total = a.metric(events);
        return total == before && a.metric("kscope_queue_depth") == 0;
    }, 20s));
    double lost = a.metric(dropped);
    ASSERT_GT(lost, 0);
    ASSERT_GT(total, lost);

    // Now the client reads: it gets exactly the events that were not dropped (the target
    // is read again as it goes, in case the last batch was still on its way).
    SseCounter counter;
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    std::vector<char> buf(1 << 16);
    auto target = [&] {
        total = a.metric(events);
        lost = a.metric(dropped);
        return total - lost;
    };
    while (double(counter.count()) != target() && std::chrono::steady_clock::now() < deadline) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 1000) <= 0)
            continue;
        const ssize_t n = read(fd, buf.data(), buf.size());
        if (n <= 0)
            break;
        counter.feed(buf.data(), size_t(n));
    }
    EXPECT_EQ(double(counter.count()), total - lost) << "events " << total << ", dropped " << lost;
    EXPECT_GT(lost, 0);

    // After the client leaves, its drops stay counted once.
    close(fd);
    EXPECT_TRUE(a.wait_metric("kscope_stream_clients", 0, 10));
    EXPECT_EQ(a.metric(dropped), lost);
    a.process().stop(SIGTERM);
}

}  // namespace
}  // namespace kscope::test
