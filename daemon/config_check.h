#pragma once

#include <string>
#include <vector>

// `blobwatch check-config FILE`: every problem of a configuration file, each with its line.

namespace blobwatch::daemon {

struct ConfigProblem {
  int line = 0;            // 1-based line of the key in the file; 0 when not tied to one line
  std::string key;         // section.key as written
  std::string message;     // what is wrong
  std::string suggestion;  // "did you mean ...?" for a misspelt key, else ""
};

// Reads `path` as the INI blobwatch reads (sections, `key = value`, `#` and `;` comments) and
// checks every key: unknown keys (with the nearest known key when one is close), values the
// configuration table refuses, bad CIDRs, and [source.*], [sink.*] and [suppress.*] sections.
// `readable` is false when the file cannot be read.
std::vector<ConfigProblem> checkConfigFile(const std::string& path, bool& readable);

// "FILE:LINE: key: message (did you mean X?)" for each problem, one per line.
std::string formatProblems(const std::string& path, const std::vector<ConfigProblem>& problems);

}  // namespace blobwatch::daemon
