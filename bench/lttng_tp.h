// The LTTng-UST tracepoint provider of bench/lttng_bench.cpp: one event carrying
// the payload taskscope records for a channel send (kind, two 64-bit fields, a
// 32-bit string id), so that both tracers write the same information.
// lttng_bench.cpp includes this header once with LTTNG_UST_TRACEPOINT_CREATE_PROBES
// and LTTNG_UST_TRACEPOINT_DEFINE, which builds the provider into the benchmark.
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER taskscope_bench

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "lttng_tp.h"

#if !defined(TASKSCOPE_BENCH_LTTNG_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define TASKSCOPE_BENCH_LTTNG_TP_H

#include <lttng/tracepoint.h>
#include <stdint.h>

// clang-format off
LTTNG_UST_TRACEPOINT_EVENT(
    taskscope_bench, event,
    LTTNG_UST_TP_ARGS(uint8_t, kind, uint64_t, a, uint64_t, b, uint32_t, str),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(uint8_t, kind, kind)
        lttng_ust_field_integer(uint64_t, a, a)
        lttng_ust_field_integer(uint64_t, b, b)
        lttng_ust_field_integer(uint32_t, str, str)))
// clang-format on

#endif  // TASKSCOPE_BENCH_LTTNG_TP_H

#include <lttng/tracepoint-event.h>
