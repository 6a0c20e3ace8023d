#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

// Runs a program as a child process, the way a user would: real argv, real pipes via files,
// real exit status.

namespace blobwatch::testing {

struct ProcessResult {
  int exitCode = -1;  // -1 when killed by a signal
  std::string out;
  std::string err;
};

// A fresh directory under the build's temp area, removed by the destructor.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "bwtest-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

inline void writeFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
}

// Runs `args` (args[0] is the program path) with `input` on stdin and extra environment
// variables ("NAME=value"); waits for it.
inline ProcessResult runProcess(const std::vector<std::string>& args, const std::string& input = "",
                                const std::vector<std::string>& env = {}) {
  TempDir io;
  const std::string inPath = io.file("stdin"), outPath = io.file("stdout"),
                    errPath = io.file("stderr");
  writeFile(inPath, input);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int in = ::open(inPath.c_str(), O_RDONLY);
    const int out = ::open(outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open(errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    for (const auto& e : env) ::putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ProcessResult r;
  r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(outPath);
  r.err = slurp(errPath);
  return r;
}

inline std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

}  // namespace blobwatch::testing

namespace blobwatch::testing {

// A child process left running (a daemon); killed with SIGKILL by the destructor if still alive.
// `env` changes the child's environment only: "NAME=VALUE" sets NAME, "NAME" alone unsets it.
class Child {
 public:
  Child(const std::vector<std::string>& args, const std::string& outPath,
        const std::string& errPath, const std::vector<std::string>& env = {}) {
    pid_ = ::fork();
    if (pid_ == 0) {
      const int in = ::open("/dev/null", O_RDONLY);
      const int out = ::open(outPath.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      const int err = ::open(errPath.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      ::dup2(in, 0);
      ::dup2(out, 1);
      ::dup2(err, 2);
      for (const std::string& e : env) {
        const size_t eq = e.find('=');
        if (eq == std::string::npos) {
          ::unsetenv(e.c_str());
        } else {
          ::setenv(e.substr(0, eq).c_str(), e.c_str() + eq + 1, 1);
        }
      }
      std::vector<char*> argv;
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
  }
  ~Child() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  void signal(int sig) { ::kill(pid_, sig); }
  // Waits up to `timeoutMs` for the exit; returns the exit code, -1 for a signal, -2 on timeout.
  int wait(int timeoutMs) {
    for (int waited = 0; waited <= timeoutMs; waited += 10) {
      int status = 0;
      const pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      ::usleep(10000);
    }
    return -2;
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
};

// Polls `done` every 20 ms for up to `timeoutMs`; returns whether it became true.
template <typename F>
bool eventually(F&& done, int timeoutMs = 15000) {
  for (int waited = 0; waited < timeoutMs; waited += 20) {
    if (done()) return true;
    ::usleep(20000);
  }
  return done();
}

}  // namespace blobwatch::testing
