// biolat and biotop: block requests followed in the kernel from creation to completion
// (bpf/lib/block_rq.bpf.h), counted per disk and operation, or per process and disk.
#pragma once

#include "events/block_io_stats.h"
#include "probes/interval_epoch.h"
#include "probes/probe.h"

namespace kscope {

// Whether this kernel has block:block_io_start (6.5+), the hook in the submitter's
// context; without it the submitter is the task that inserts or issues the request.
bool kernel_has_block_io_start();

class BiolatProbe final : public Probe {
public:
    std::string_view name() const override { return "biolat"; }
    std::string_view description() const override {
        return "block I/O latency per disk and operation (queue and device time) and bytes, counted in the kernel";
    }
    bool has_events() const override { return false; }

    Result<BlockLatencySnapshot> snapshot();
    void forget_exited(BlockLatencySnapshot&) {}
    // kscope_block_io_latency_seconds{disk,op}, kscope_block_io_bytes_total{disk,op}.
    void append_metrics(PrometheusText& m) override;

protected:
    std::span<const uint8_t> elf() const override;
    Result<void> configure(BpfObject& obj) override;

private:
    IntervalEpoch epoch_;
};

class BiotopProbe final : public Probe {
public:
    std::string_view name() const override { return "biotop"; }
    std::string_view description() const override {
        return "block I/O per submitting process and disk (requests, bytes, latency), counted in the kernel";
    }
    bool has_events() const override { return false; }

    Result<BlockTopSnapshot> snapshot();
    // Drops the kernel entries of processes that are gone.
    void forget_exited(BlockTopSnapshot& snap);

protected:
    std::span<const uint8_t> elf() const override;
    Result<void> configure(BpfObject& obj) override;
};

}  // namespace kscope
