/* exit probe: one event per process (thread group) exit. */
#ifndef KSCOPE_ABI_EXIT_H
#define KSCOPE_ABI_EXIT_H

#include "kscope/abi/common.h"

struct kscope_exit_event {
	struct kscope_event_header hdr;
	__u64 duration_ns;    /* process lifetime: exit time - group leader start */
	__u32 exit_code;      /* raw wait status: (code << 8) | core << 7 | signal */
	__u32 _pad;
};

#endif
