#pragma once
// Log lines in nats-server's shape: "[PID] 2006/01/02 15:04:05.000000 [INF] text".
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "core/server/action.h"

namespace natrium::native {

class logger {
 public:
  logger(bool debug, bool trace, bool with_time);
  ~logger();
  // Redirect to a file (appending); false if it cannot be opened.
  bool open_file(const std::string& path);
  // Close and open the log file again (SIGUSR1, after an external rotation).
  void reopen();
  // log_size_limit: past this many bytes the file is renamed to
  // FILE.YYYY.MM.DD.HH.MM.SS.NNNNNNNNN and a new one started (0: never).
  void set_size_limit(std::int64_t bytes) { size_limit_ = bytes; }
  void configure(bool debug, bool trace, bool with_time) {
    debug_ = debug;
    trace_ = trace;
    with_time_ = with_time;
  }
  void write(server::log_level level, std::string_view text);
  void info(std::string_view text) { write(server::log_level::info, text); }
  void warn(std::string_view text) { write(server::log_level::warn, text); }
  void error(std::string_view text) { write(server::log_level::error, text); }

 private:
  bool debug_, trace_, with_time_;
  std::FILE* out_ = stderr;
  std::string prefix_;
  std::string path_;
  std::int64_t size_limit_ = 0;
  std::int64_t written_ = 0;
  bool rotating_ = false;
  void rotate();
};

}  // namespace natrium::native
