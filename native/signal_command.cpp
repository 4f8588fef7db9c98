#include "native/signal_command.h"

#include <dirent.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <vector>

namespace natrium::native {

namespace {

int signal_for(const std::string& cmd) {
  if (cmd == "stop") return SIGKILL;
  if (cmd == "quit") return SIGINT;
  if (cmd == "term") return SIGTERM;
  if (cmd == "reopen") return SIGUSR1;
  if (cmd == "reload") return SIGHUP;
  if (cmd == "ldm") return SIGUSR2;
  return 0;
}

bool parse_pid(const std::string& s, pid_t& out) {
  if (s.empty() || s.size() > 10) return false;
  long v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = static_cast<pid_t>(v);
  return v > 0;
}

// Every process whose executable name is natrium-server, but this one.
std::vector<pid_t> find_servers() {
  std::vector<pid_t> found;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return found;
  while (dirent* e = ::readdir(proc)) {
    pid_t pid = 0;
    if (!parse_pid(e->d_name, pid) || pid == ::getpid()) continue;
    std::ifstream comm(std::string("/proc/") + e->d_name + "/comm");
    std::string name;
    std::getline(comm, name);
    if (name == "natrium-server") found.push_back(pid);
  }
  ::closedir(proc);
  return found;
}

}  // namespace

int run_signal_command(const std::string& command, const std::string& pid_file) {
  std::string cmd = command, pid_text;
  if (auto eq = command.find('='); eq != std::string::npos) {
    cmd = command.substr(0, eq);
    pid_text = command.substr(eq + 1);
  }
  const int sig = signal_for(cmd);
  if (sig == 0) {
    std::fprintf(stderr, "unknown signal \"%s\"\n", cmd.c_str());
    return 1;
  }
  pid_t pid = 0;
  if (pid_text.empty() && !pid_file.empty()) {
    std::ifstream in(pid_file);
    std::getline(in, pid_text);
  }
  if (!pid_text.empty()) {
    if (!parse_pid(pid_text, pid)) {
      std::fprintf(stderr, "invalid pid: %s\n", pid_text.c_str());
      return 1;
    }
  } else {
    const auto pids = find_servers();
    if (pids.empty()) {
      std::fprintf(stderr, "no natrium-server processes running\n");
      return 1;
    }
    if (pids.size() > 1) {
      std::fprintf(stderr, "multiple natrium-server processes running:\n");
      for (pid_t p : pids) std::fprintf(stderr, "%d\n", static_cast<int>(p));
      return 1;
    }
    pid = pids[0];
  }
  if (::kill(pid, sig) != 0) {
    std::fprintf(stderr, "sending %s to %d: %s\n", cmd.c_str(), static_cast<int>(pid), std::strerror(errno));
    return 1;
  }
  return 0;
}

}  // namespace natrium::native
