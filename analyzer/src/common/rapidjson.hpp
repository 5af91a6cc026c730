// RapidJSON, as the analyzer includes it. RapidJSON 1.1's internal::Stack
// computes `nullptr + n` before its first allocation (stack.h, Reserve), which
// clang's UBSan reports in the fuzz build; the arithmetic is only compared,
// never dereferenced. That one check is off for RapidJSON's own functions and
// stays on for ours.
#pragma once

#if defined(__clang__)
#pragma clang attribute push(__attribute__((no_sanitize("pointer-overflow"))), apply_to = function)
#endif
#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#if defined(__clang__)
#pragma clang attribute pop
#endif
