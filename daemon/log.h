#pragma once

#include <cstdio>
#include <string_view>

// The daemon's log, through spdlog to stderr (journald under systemd). One line per message,
// plain ("blobwatch: LEVEL: message") or JSON ({"time":...,"level":...,"msg":...}). Thread-safe.

namespace blobwatch::daemon {

enum class LogFormat { kPlain, kJson };

// Sets the output stream (stderr by default) and format. Call before other threads log.
void initLog(std::FILE* out, LogFormat format);

void logInfo(std::string_view message);
void logWarn(std::string_view message);
void logError(std::string_view message);

// A warning that may repeat at a high rate (parse errors): at most `burst` messages per `key`
// per minute; past that they are counted, and the next message of the key after the minute says
// how many were not shown.
void logWarnLimited(std::string_view key, std::string_view message, int burst = 10);

}  // namespace blobwatch::daemon
