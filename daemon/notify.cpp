#include "daemon/notify.h"

#include <systemd/sd-daemon.h>

#include <cstdlib>
#include <ctime>
#include <string>

namespace blobwatch::daemon {
namespace {

void send(const std::string& state) {
  if (!notifyEnabled()) return;
  // unset_environment = 0: NOTIFY_SOCKET stays set for the next notification. Errors are
  // ignored: a notification is advice to the service manager, never a reason to stop.
  (void)sd_notify(0, state.c_str());
}

// A status is one line: newlines would start new assignments in the datagram.
std::string oneLine(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

}  // namespace

bool notifyEnabled() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  return socket != nullptr && *socket != '\0';
}

void notifyReady(std::string_view status) { send("READY=1\nSTATUS=" + oneLine(status)); }

void notifyReloading() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  const long long usec = static_cast<long long>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
  send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
}

void notifyStopping() { send("STOPPING=1"); }

void notifyStatus(std::string_view text) { send("STATUS=" + oneLine(text)); }

void notifyWatchdog() { send("WATCHDOG=1"); }

std::chrono::microseconds watchdogPingInterval() {
  if (!notifyEnabled()) return std::chrono::microseconds(0);
  uint64_t usec = 0;
  // > 0: a watchdog is expected of this process (WATCHDOG_PID, when set, is checked).
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::chrono::microseconds(0);
  return std::chrono::microseconds(static_cast<int64_t>(usec / 2));
}

}  // namespace blobwatch::daemon
