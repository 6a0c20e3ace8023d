#include "schemas/text.h"

#include <array>
#include <charconv>
#include <cstring>

namespace blobwatch::schemas {
namespace {

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    const char c = s[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

bool validTime(int year, int month, int day, int hour, int minute, int second) {
  if (year < 1970 || year > 9999 || month < 1 || month > 12 || day < 1 || hour > 23 ||
      minute > 59 || second > 60) {
    return false;
  }
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day <= kDays[month - 1] + (month == 2 && leap ? 1 : 0);
}

int64_t toMicros(int year, int month, int day, int hour, int minute, int second) {
  const int64_t days =
      daysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return ((days * 24 + hour) * 60 + minute) * 60'000'000LL + int64_t{second} * 1'000'000LL;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

int64_t daysFromCivil(int64_t year, unsigned month, unsigned day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool parseIso8601(std::string_view s, int64_t& timeUs) {
  if (s.size() < 19) return false;
  // The last valid date seen on this thread, as its 10 bytes YYYY-MM-DD and its day number: the
  // records of a log mostly share their date, and its checks and arithmetic are half the work.
  struct DayCache {
    uint64_t head = 0;  // bytes 0-7
    uint16_t tail = 0;  // bytes 8-9
    int64_t days = 0;
    bool valid = false;
  };
  thread_local DayCache cache;
  uint64_t head;
  uint16_t tail;
  std::memcpy(&head, s.data(), 8);
  std::memcpy(&tail, s.data() + 8, 2);
  int64_t days;
  if (cache.valid && cache.head == head && cache.tail == tail) {
    days = cache.days;
  } else {
    int year, month, day;
    if (!digits(s, 0, 4, year) || s[4] != '-' || !digits(s, 5, 2, month) || s[7] != '-' ||
        !digits(s, 8, 2, day) || !validTime(year, month, day, 0, 0, 0)) {
      return false;
    }
    days = daysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
    cache = DayCache{head, tail, days, true};
  }
  int hour, minute, second;
  if ((s[10] != 'T' && s[10] != ' ' && s[10] != 't') || !digits(s, 11, 2, hour) || s[13] != ':' ||
      !digits(s, 14, 2, minute) || s[16] != ':' || !digits(s, 17, 2, second) || hour > 23 ||
      minute > 59 || second > 60) {
    return false;
  }
  size_t pos = 19;
  int64_t micros = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int n = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (n < 6) micros = micros * 10 + (s[pos] - '0');
      ++n;
      ++pos;
    }
    if (n == 0) return false;
    for (int i = n; i < 6; ++i) micros *= 10;
  }
  int64_t offsetSeconds = 0;
  if (pos < s.size()) {
    const char c = s[pos];
    if (c == 'Z' || c == 'z') {
      ++pos;
    } else if (c == '+' || c == '-') {
      int oh, om;
      if (!digits(s, pos + 1, 2, oh)) return false;
      size_t mpos = pos + 3;
      if (mpos < s.size() && s[mpos] == ':') ++mpos;
      if (!digits(s, mpos, 2, om) || oh > 23 || om > 59) return false;
      offsetSeconds = (oh * 60 + om) * 60 * (c == '-' ? -1 : 1);
      pos = mpos + 2;
    } else {
      return false;
    }
  }
  if (pos != s.size()) return false;
  timeUs = ((days * 24 + hour) * 60 + minute) * 60'000'000LL + int64_t{second} * 1'000'000LL +
           micros - offsetSeconds * 1'000'000;
  return true;
}

bool parseClfTime(std::string_view s, int64_t& timeUs) {
  // dd/Mon/yyyy:HH:MM:SS +zzzz
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int day, year, hour, minute, second, oh, om;
  if (s.size() != 26 || !digits(s, 0, 2, day) || s[2] != '/' || s[6] != '/' ||
      !digits(s, 7, 4, year) || s[11] != ':' || !digits(s, 12, 2, hour) || s[14] != ':' ||
      !digits(s, 15, 2, minute) || s[17] != ':' || !digits(s, 18, 2, second) || s[20] != ' ' ||
      (s[21] != '+' && s[21] != '-') || !digits(s, 22, 2, oh) || !digits(s, 24, 2, om)) {
    return false;
  }
  int month = 0;
  const std::string_view mon = s.substr(3, 3);
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (kMonths[i] == mon) month = static_cast<int>(i) + 1;
  }
  if (month == 0 || !validTime(year, month, day, hour, minute, second) || oh > 23 || om > 59) {
    return false;
  }
  const int64_t offsetSeconds = (oh * 60 + om) * 60 * (s[21] == '-' ? -1 : 1);
  timeUs = toMicros(year, month, day, hour, minute, second) - offsetSeconds * 1'000'000;
  return true;
}

void formatRfc3339(int64_t timeUs, std::string& out) {
  int64_t secs = timeUs / 1'000'000;
  int64_t micros = timeUs % 1'000'000;
  if (micros < 0) {
    micros += 1'000'000;
    --secs;
  }
  int64_t days = secs / 86400;
  int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  // civil_from_days (Howard Hinnant).
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
  char buf[40];
  auto put = [&](char* p, int64_t v, int width) {
    for (int i = width - 1; i >= 0; --i) {
      p[i] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
  };
  put(buf, y, 4);
  buf[4] = '-';
  put(buf + 5, m, 2);
  buf[7] = '-';
  put(buf + 8, d, 2);
  buf[10] = 'T';
  put(buf + 11, rem / 3600, 2);
  buf[13] = ':';
  put(buf + 14, (rem / 60) % 60, 2);
  buf[16] = ':';
  put(buf + 17, rem % 60, 2);
  buf[19] = '.';
  put(buf + 20, micros, 6);
  buf[26] = 'Z';
  out.append(buf, 27);
}

void percentDecode(std::string_view in, bool plusIsSpace, std::string& out) {
  if (in.empty()) {
    out.clear();
    return;
  }
  // Most keys need no decoding: find the first byte that does with memchr (keys are long: a
  // byte loop here cost more than the rest of an Azure record's key handling) and copy up to it
  // in one go.
  size_t first = in.size();
  if (const void* pct = std::memchr(in.data(), '%', in.size()); pct != nullptr) {
    first = static_cast<size_t>(static_cast<const char*>(pct) - in.data());
  }
  if (plusIsSpace) {
    if (const void* plus = std::memchr(in.data(), '+', first); plus != nullptr) {
      first = static_cast<size_t>(static_cast<const char*>(plus) - in.data());
    }
  }
  out.assign(in.data(), first);
  if (first == in.size()) return;
  for (size_t i = first; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%' && i + 2 < in.size()) {
      const int hi = hexValue(in[i + 1]);
      const int lo = hexValue(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plusIsSpace && c == '+' ? ' ' : c);
  }
}

bool parseCount(std::string_view text, int64_t& out) {
  if (text.empty() || text == "-") {
    out = -1;
    return true;
  }
  int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v < 0) return false;
  out = v;
  return true;
}

bool base64Decode(std::string_view in, std::string& out) {
  // 0-63 for the alphabet, 64 for everything else.
  static constexpr std::array<uint8_t, 256> kValue = [] {
    std::array<uint8_t, 256> t{};
    t.fill(64);
    for (int i = 0; i < 26; ++i) {
      t[static_cast<size_t>('A' + i)] = static_cast<uint8_t>(i);
      t[static_cast<size_t>('a' + i)] = static_cast<uint8_t>(26 + i);
    }
    for (int i = 0; i < 10; ++i) t[static_cast<size_t>('0' + i)] = static_cast<uint8_t>(52 + i);
    t[static_cast<size_t>('+')] = 62;
    t[static_cast<size_t>('/')] = 63;
    return t;
  }();
  out.clear();
  size_t n = in.size();
  if (n % 4 == 0 && n >= 4) {
    // Padding: at most two '=' and only in a complete last group.
    if (in[n - 1] == '=') --n;
    if (in[n - 1] == '=') --n;
  }
  if (n % 4 == 1) return false;  // truncated: 6 bits cannot make a byte
  out.reserve(n / 4 * 3 + 2);
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t v = kValue[static_cast<unsigned char>(in[i])];
    if (v == 64) return false;  // '=' before the end, whitespace, '-', '_', ...
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return true;
}

std::string_view withoutPort(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    const size_t close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(1, close - 1);
  }
  const size_t colon = host.find(':');
  // One colon: host:port. None: a bare IPv4 address or a name. More: a bare IPv6 address.
  if (colon != std::string_view::npos && host.find(':', colon + 1) == std::string_view::npos) {
    return host.substr(0, colon);
  }
  return host;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace blobwatch::schemas
