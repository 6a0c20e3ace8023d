#include "daemon/cli.h"

#include <unistd.h>

#include <boost/program_options.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/config.h"
#include "daemon/config_check.h"
#include "daemon/run.h"
#include "daemon/scan.h"

namespace blobwatch::daemon {
namespace {

namespace po = boost::program_options;

constexpr const char* kVersion = "0.1.0";

po::options_description configOptions() {
  po::options_description desc(
      "Configuration keys (config file [section] key = value, or "
      "--section.key=value)");
  for (const auto& k : configTable()) {
    const std::string shown = *k.defaultValue ? k.defaultValue : "\"\"";
    desc.add_options()(k.name, po::value<std::string>()->default_value(k.defaultValue, shown),
                       k.help);
  }
  return desc;
}

po::options_description scanOptions() {
  po::options_description desc(
      "blobwatch scan [options] FILE...   (FILE '-' reads standard input)");
  desc.add_options()("format", po::value<std::string>(),
                     "Log format for every file (s3-access, cloudtrail, azure-blob, "
                     "azure-analytics, gcs-audit, gcs-usage, minio-audit) "
                     "(default: detected per file from its first bytes)")(
      "state-dir", po::value<std::string>(),
      "Keep baselines and alerts here across runs "
      "(default: a temporary directory removed at exit)")("config", po::value<std::string>(),
                                                          "INI configuration file")(
      "alerts", po::value<std::string>(), "Write alerts (NDJSON) to this file instead of stdout")(
      "help,h", "Show this help");
  return desc;
}

void printHelp(std::FILE* out) {
  std::string text =
      "blobwatch " + std::string(kVersion) +
      ": watches object-storage access logs and alerts on access behind the controls.\n\n"
      "Usage:\n"
      "  blobwatch scan [options] FILE...   Run the detection pipeline over log files; alerts to\n"
      "                                     stdout as NDJSON, a summary to stderr.\n"
      "  blobwatch parse [options] FILE...  Only parse: normalized events to stdout as NDJSON\n"
      "                                     (schemas/event.schema.json), a summary to stderr.\n"
      "  blobwatch run --config FILE [--section.key=value ...]\n"
      "                                     The daemon: follows the [source.NAME] sections of\n"
      "                                     FILE until SIGTERM; SIGHUP reloads detector settings.\n"
      "  blobwatch inspect --state-dir DIR  What a state holds, as JSON.\n"
      "  blobwatch check-config FILE        Every problem of a config file, with its line.\n"
      "  blobwatch print-config             Every configuration key at its default, as a\n"
      "                                     commented INI file (systemd/blobwatch.conf).\n"
      "  blobwatch --help | --version\n\n"
      "Exit status: 0 ran (alerts or not), 1 a file or the state could not be read or written,\n"
      "2 usage or configuration error.\n\n";
  std::ostringstream os;
  os << scanOptions() << "\n" << configOptions();
  text += os.str();
  std::fputs(text.c_str(), out);
}

int usageError(std::FILE* err, const std::string& message) {
  std::fprintf(err, "blobwatch: %s (see blobwatch --help)\n", message.c_str());
  return 2;
}

int scanCommand(const std::vector<std::string>& args, bool eventsOnly, std::FILE* out,
                std::FILE* err) {
  po::options_description all;
  all.add(scanOptions()).add(configOptions());
  all.add_options()("files", po::value<std::vector<std::string>>());
  po::positional_options_description positional;
  positional.add("files", -1);
  po::variables_map vm;
  std::vector<std::pair<std::string, std::string>> suppressions;
  try {
    po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
    if (vm.count("help")) {
      printHelp(out);
      return 0;
    }
    if (vm.count("config")) {
      const std::string path = vm["config"].as<std::string>();
      std::ifstream in(path);
      if (!in) return usageError(err, "cannot read config file " + path);
      try {
        // parsed_options keeps a pointer to the description: it must outlive store().
        const po::options_description fileOptions = configOptions();
        po::parsed_options parsed = po::parse_config_file(in, fileOptions, true);
        // Sections only `run` uses are accepted and ignored; suppressions apply to scans too;
        // anything else is a typo.
        for (const auto& opt : parsed.options) {
          if (!opt.unregistered) continue;
          const std::string& key = opt.string_key;
          if (key.rfind("suppress.", 0) == 0) {
            suppressions.emplace_back(key, opt.value.empty() ? "" : opt.value.front());
          } else if (key.rfind("source.", 0) != 0 && key.rfind("sink.", 0) != 0) {
            return usageError(err, path + ": unknown key '" + key + "'");
          }
        }
        po::store(parsed, vm);
      } catch (const po::error& e) {
        return usageError(err, path + ": " + e.what());
      }
    }
    po::notify(vm);
  } catch (const po::error& e) {
    return usageError(err, e.what());
  }

  ScanOptions options;
  options.eventsOnly = eventsOnly;
  for (const auto& k : configTable()) {
    const std::string value = vm[k.name].as<std::string>();
    const std::string problem = k.apply(value, options.settings);
    if (!problem.empty()) return usageError(err, std::string("invalid ") + k.name + ": " + problem);
  }
  if (std::string problem =
          parseSuppressions(suppressions, options.settings.detectors.suppressions);
      !problem.empty()) {
    return usageError(err, problem);
  }
  if (vm.count("format")) {
    const std::string f = vm["format"].as<std::string>();
    options.format = schemas::formatFromString(f);
    if (options.format == schemas::Format::kUnknown) {
      return usageError(err, "unknown --format '" + f + "' (expected one of: " +
                                 std::string(schemas::formatNames()) + ")");
    }
  }
  if (vm.count("state-dir")) options.stateDir = vm["state-dir"].as<std::string>();
  if (vm.count("alerts")) options.alertsPath = vm["alerts"].as<std::string>();
  if (!vm.count("files")) return usageError(err, "scan needs at least one FILE");
  options.files = vm["files"].as<std::vector<std::string>>();
  for (const auto& f : options.files) {
    if (f != "-" && ::access(f.c_str(), R_OK) != 0) {
      return usageError(err, "cannot read " + f + ": " + std::strerror(errno));
    }
  }
  return runScan(options, out, err);
}

int runCommand(const std::vector<std::string>& args, std::FILE* out, std::FILE* err) {
  std::string config;
  std::vector<std::string> overrides;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") {
      printHelp(out);
      return 0;
    }
    if (args[i] == "--config" && i + 1 < args.size()) {
      config = args[++i];
    } else if (args[i].rfind("--config=", 0) == 0) {
      config = args[i].substr(9);
    } else if (args[i].rfind("--", 0) == 0) {
      overrides.push_back(args[i]);
      // "--key value" form: keep the value with its key.
      if (args[i].find('=') == std::string::npos && i + 1 < args.size()) {
        overrides.push_back(args[++i]);
      }
    } else {
      return usageError(err, "run takes no file arguments; name sources in the config file");
    }
  }
  if (config.empty()) return usageError(err, "run needs --config FILE");
  // The same checks as check-config, with lines: a config with any problem is refused.
  bool readable = false;
  if (const auto problems = checkConfigFile(config, readable); readable && !problems.empty()) {
    std::fputs(formatProblems(config, problems).c_str(), err);
    return 2;
  }
  RunOptions options;
  const std::string problem = loadRunConfig(config, overrides, options);
  if (!problem.empty()) return usageError(err, problem);
  return runDaemon(std::move(options), out, err);
}

}  // namespace

int runCli(int argc, const char* const* argv, std::FILE* out, std::FILE* err) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return usageError(err, "missing command");
  const std::string command = args.front();
  if (command == "--help" || command == "-h" || command == "help") {
    printHelp(out);
    return 0;
  }
  if (command == "--version") {
    std::fprintf(out, "blobwatch %s\n", kVersion);
    return 0;
  }
  args.erase(args.begin());
  if (command == "scan") return scanCommand(args, /*eventsOnly=*/false, out, err);
  if (command == "parse") return scanCommand(args, /*eventsOnly=*/true, out, err);
  if (command == "run") return runCommand(args, out, err);
  if (command == "check-config") {
    if (args.size() != 1) return usageError(err, "check-config needs one FILE");
    bool readable = false;
    const auto problems = checkConfigFile(args[0], readable);
    if (!readable) return usageError(err, "cannot read config file " + args[0]);
    if (!problems.empty()) {
      std::fputs(formatProblems(args[0], problems).c_str(), err);
      return 2;
    }
    std::fprintf(out, "%s: OK\n", args[0].c_str());
    return 0;
  }
  if (command == "print-config") {
    if (!args.empty()) return usageError(err, "print-config takes no arguments");
    std::fputs(defaultConfigText().c_str(), out);
    return 0;
  }
  if (command == "inspect") {
    if (args.size() == 2 && args[0] == "--state-dir") return inspectState(args[1], out, err);
    if (args.size() == 1 && args[0].rfind("--state-dir=", 0) == 0) {
      return inspectState(args[0].substr(12), out, err);
    }
    return usageError(err, "inspect needs --state-dir DIR");
  }
  return usageError(err, "unknown command '" + command + "'");
}

}  // namespace blobwatch::daemon
