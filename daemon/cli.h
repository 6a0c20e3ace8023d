#pragma once

#include <cstdio>

namespace blobwatch::daemon {

// Parses the command line and runs the command. Returns the process exit code: 0 success,
// 1 runtime failure, 2 usage or configuration error (with a message naming the problem on `err`).
int runCli(int argc, const char* const* argv, std::FILE* out, std::FILE* err);

}  // namespace blobwatch::daemon
