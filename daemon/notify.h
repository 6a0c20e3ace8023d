#pragma once

#include <chrono>
#include <string_view>

// A thin wrapper over sd_notify(3) for `blobwatch run` under systemd (Type=notify). Every call
// is a no-op when NOTIFY_SOCKET is not set (run from a shell, the tests, another supervisor).

namespace blobwatch::daemon {

// True when a service manager listens (NOTIFY_SOCKET is set).
bool notifyEnabled();

// READY=1 with STATUS=`status`: startup is over (sources started, the outbox being delivered).
// Also ends a reload started with notifyReloading().
void notifyReady(std::string_view status);

// RELOADING=1 (with MONOTONIC_USEC): a SIGHUP reload has begun; notifyReady() ends it.
void notifyReloading();

// STOPPING=1: shutdown has begun (SIGTERM/SIGINT, or run.exit_idle_ms).
void notifyStopping();

// STATUS=`text`: one line shown by `systemctl status`.
void notifyStatus(std::string_view text);

// WATCHDOG=1: the main loop is alive.
void notifyWatchdog();

// How often to send WATCHDOG=1: half of the service's WatchdogSec (WATCHDOG_USEC, for this
// process when WATCHDOG_PID names it), or zero when no watchdog is expected.
std::chrono::microseconds watchdogPingInterval();

}  // namespace blobwatch::daemon
