#pragma once

#include <cstdint>
#include <string>
#include <string_view>

// Small, allocation-free text helpers shared by the parsers. None of them throws.

namespace blobwatch::schemas {

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t daysFromCivil(int64_t year, unsigned month, unsigned day);

// Parses an ISO 8601 / RFC 3339 timestamp: YYYY-MM-DD, then 'T' or ' ', HH:MM:SS, optional
// fraction of up to 9 digits (truncated to microseconds), then 'Z', +hh:mm, -hh:mm, +hhmm or
// nothing (taken as UTC). Writes microseconds since the epoch, UTC. Returns false on any other
// shape or an out-of-range field.
[[nodiscard]] bool parseIso8601(std::string_view text, int64_t& timeUs);

// Parses the S3 access-log time `dd/Mon/yyyy:HH:MM:SS +zzzz` (without the brackets).
[[nodiscard]] bool parseClfTime(std::string_view text, int64_t& timeUs);

// Formats microseconds since the epoch as RFC 3339 UTC with microseconds, e.g.
// 2024-01-02T03:04:05.000006Z, appending to `out`.
void formatRfc3339(int64_t timeUs, std::string& out);

// Replaces `out` with `in` percent-decoded once; with plusIsSpace, '+' becomes ' ' (the
// form S3 access logs use for keys). Malformed escapes are kept literally.
void percentDecode(std::string_view in, bool plusIsSpace, std::string& out);

// Parses a non-negative decimal integer; "-" and "" give -1 (the "unknown" of AccessEvent).
// Returns false for anything else that is not all digits or overflows int64.
[[nodiscard]] bool parseCount(std::string_view text, int64_t& out);

// Replaces `out` with the bytes `in` encodes in standard base64 (RFC 4648 section 4: A-Z a-z 0-9
// + /). Padding is optional, but when present it must complete the last group of four. Returns
// false (with `out` unspecified) for any other byte, whitespace included, for misplaced '=' and for
// a truncated input (one character left over after the last full group).
[[nodiscard]] bool base64Decode(std::string_view in, std::string& out);

// A logged client address without its port: "1.2.3.4:5678" -> "1.2.3.4",
// "[2001:db8::1]:443" -> "2001:db8::1". A bare IPv6 address (several colons, no brackets) and
// anything without a port are returned whole.
std::string_view withoutPort(std::string_view host);

// ASCII case-insensitive equality.
bool equalsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace blobwatch::schemas
