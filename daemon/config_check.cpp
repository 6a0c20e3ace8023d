#include "daemon/config_check.h"

#include <algorithm>
#include <fstream>
#include <map>

#include "daemon/config.h"
#include "daemon/run.h"

namespace blobwatch::daemon {
namespace {

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

size_t editDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// Keys a dynamic section may hold, written as they would be under a section named NAME.
const std::vector<std::string>& dynamicKeys() {
  static const std::vector<std::string> kKeys = {
      "source.NAME.type",
      "source.NAME.format",
      "source.NAME.paths",
      "source.NAME.rescan_ms",
      "source.NAME.rotate_wait_ms",
      "source.NAME.topics",
      "sink.NAME.type",
      "sink.NAME.format",
      "sink.NAME.path",
      "sink.NAME.url",
      "sink.NAME.ca_file",
      "sink.NAME.tls_verify",
      "sink.NAME.timeout_ms",
      "sink.NAME.batch",
      "sink.NAME.secret_file",
      "sink.NAME.secret_env",
      "suppress.NAME.detector",
      "suppress.NAME.principal",
      "suppress.NAME.bucket",
      "suppress.NAME.object_prefix",
      "suppress.NAME.network",
      "suppress.NAME.expires",
  };
  return kKeys;
}

// The known key nearest to `key` when it is close enough to be a typo, else "".
std::string suggest(const std::string& key) {
  std::string best;
  size_t bestDistance = std::max<size_t>(3, key.size() / 5) + 1;
  auto consider = [&](const std::string& candidate) {
    const size_t d = editDistance(key, candidate);
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  };
  for (const auto& k : configTable()) consider(k.name);
  // For dynamic sections, compare with the user's own section name filled in.
  const size_t firstDot = key.find('.');
  const size_t secondDot =
      firstDot == std::string::npos ? std::string::npos : key.find('.', firstDot + 1);
  if (secondDot != std::string::npos) {
    const std::string name = key.substr(firstDot + 1, secondDot - firstDot - 1);
    for (std::string pattern : dynamicKeys()) {
      pattern.replace(pattern.find("NAME"), 4, name);
      consider(pattern);
    }
  }
  return best == key ? "" : best;
}

}  // namespace

std::vector<ConfigProblem> checkConfigFile(const std::string& path, bool& readable) {
  std::vector<ConfigProblem> problems;
  std::ifstream in(path);
  readable = static_cast<bool>(in);
  if (!readable) return problems;

  std::map<std::string, int> lineOf;  // full key -> line
  std::vector<std::pair<std::string, std::string>> sources, sinks, suppressions;
  std::map<std::string, const ConfigKey*> table;
  for (const auto& k : configTable()) table[k.name] = &k;
  Settings scratch;
  std::string section;
  std::string raw;
  int lineNo = 0;
  while (std::getline(in, raw)) {
    ++lineNo;
    const std::string line = trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[') {
      if (line.back() != ']') {
        problems.push_back({lineNo, "", "a section header must end with ']'", ""});
        continue;
      }
      section = trim(line.substr(1, line.size() - 2));
      continue;
    }
    const size_t eq = line.find('=');
    if (eq == std::string::npos) {
      problems.push_back({lineNo, "", "expected 'key = value'", ""});
      continue;
    }
    const std::string name = trim(line.substr(0, eq));
    const std::string value = trim(line.substr(eq + 1));
    const std::string key = section.empty() ? name : section + "." + name;
    if (lineOf.count(key) != 0) {
      problems.push_back(
          {lineNo, key, "set twice (first on line " + std::to_string(lineOf[key]) + ")", ""});
      continue;
    }
    lineOf[key] = lineNo;
    if (auto it = table.find(key); it != table.end()) {
      const std::string problem = it->second->apply(value, scratch);
      if (!problem.empty()) problems.push_back({lineNo, key, problem, ""});
    } else if (key.rfind("source.", 0) == 0) {
      sources.emplace_back(key, value);
    } else if (key.rfind("sink.", 0) == 0) {
      sinks.emplace_back(key, value);
    } else if (key.rfind("suppress.", 0) == 0) {
      suppressions.emplace_back(key, value);
    } else {
      problems.push_back({lineNo, key, "unknown key", suggest(key)});
    }
  }

  // The dynamic sections are checked one entry at a time, so that each problem has its line;
  // then each section as a whole (required keys), reported on its first line.
  auto checkGroup = [&](const std::vector<std::pair<std::string, std::string>>& entries,
                        auto&& parse) {
    std::map<std::string, std::vector<std::pair<std::string, std::string>>> bySection;
    for (const auto& entry : entries) {
      std::vector<std::pair<std::string, std::string>> one = {entry};
      const std::string problem = parse(one);
      // A lone entry lacks its section's other keys: only per-key problems count here.
      if (!problem.empty() && problem.find("is required") == std::string::npos &&
          problem.find("matches every alert") == std::string::npos &&
          problem.find("belong") == std::string::npos) {
        ConfigProblem p{lineOf[entry.first], entry.first, problem, ""};
        if (problem.find("unknown key") != std::string::npos) {
          p.message = "unknown key";
          p.suggestion = suggest(entry.first);
        }
        problems.push_back(p);
        continue;
      }
      const size_t dot = entry.first.find('.', entry.first.find('.') + 1);
      bySection[entry.first.substr(0, dot)].push_back(entry);
    }
    for (const auto& [name, group] : bySection) {
      const std::string problem = parse(group);
      if (!problem.empty()) {
        int first = 0;
        for (const auto& e : group) {
          if (first == 0 || lineOf[e.first] < first) first = lineOf[e.first];
        }
        problems.push_back({first, name, problem, ""});
      }
    }
  };
  checkGroup(sources, [](const auto& e) {
    std::vector<SourceConfig> out;
    return parseSources(e, out);
  });
  checkGroup(sinks, [](const auto& e) {
    std::vector<SinkConfig> out;
    return parseSinks(e, out);
  });
  checkGroup(suppressions, [](const auto& e) {
    std::vector<detectors::SuppressionRule> out;
    return parseSuppressions(e, out);
  });
  std::stable_sort(problems.begin(), problems.end(),
                   [](const ConfigProblem& a, const ConfigProblem& b) { return a.line < b.line; });
  return problems;
}

std::string formatProblems(const std::string& path, const std::vector<ConfigProblem>& problems) {
  std::string out;
  for (const auto& p : problems) {
    out += path + ":" + std::to_string(p.line) + ": ";
    if (!p.key.empty()) out += p.key + ": ";
    out += p.message;
    if (!p.suggestion.empty()) out += " (did you mean " + p.suggestion + "?)";
    out += "\n";
  }
  return out;
}

}  // namespace blobwatch::daemon
