#include "native/logger.h"

#include <sys/time.h>
#include <unistd.h>

#include <ctime>

namespace natrium::native {

logger::logger(bool debug, bool trace, bool with_time)
    : debug_(debug), trace_(trace), with_time_(with_time), prefix_("[" + std::to_string(::getpid()) + "] ") {}

logger::~logger() {
  if (out_ != stderr) std::fclose(out_);
}

bool logger::open_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "a");
  if (f == nullptr) return false;
  if (out_ != stderr) std::fclose(out_);
  out_ = f;
  path_ = path;
  std::fseek(out_, 0, SEEK_END);
  written_ = std::ftell(out_);
  return true;
}

void logger::rotate() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  std::tm tm{};
  ::localtime_r(&ts.tv_sec, &tm);
  char suffix[64];
  std::snprintf(suffix, sizeof suffix, ".%04d.%02d.%02d.%02d.%02d.%02d.%09ld", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long>(ts.tv_nsec));
  const std::string backup = path_ + suffix;
  std::fclose(out_);
  out_ = stderr;
  std::rename(path_.c_str(), backup.c_str());
  const std::string path = path_;
  if (!open_file(path)) return;  // stays on stderr
  rotating_ = true;  // the notice itself never triggers another rotation
  write(server::log_level::info, "Rotated log, backup saved as \"" + backup + "\"");
  rotating_ = false;
}

void logger::reopen() {
  if (path_.empty()) return;
  const std::string path = path_;
  open_file(path);
}

void logger::write(server::log_level level, std::string_view text) {
  using server::log_level;
  if (level == log_level::debug && !debug_) return;
  if (level == log_level::trace && !trace_) return;
  const char* tag = "[INF]";
  switch (level) {
    case log_level::error: tag = "[ERR]"; break;
    case log_level::warn: tag = "[WRN]"; break;
    case log_level::info: tag = "[INF]"; break;
    case log_level::debug: tag = "[DBG]"; break;
    case log_level::trace: tag = "[TRC]"; break;
  }
  char stamp[64] = "";
  if (with_time_) {
    timeval tv{};
    ::gettimeofday(&tv, nullptr);
    std::tm tm{};
    ::localtime_r(&tv.tv_sec, &tm);
    char date[32];
    std::strftime(date, sizeof date, "%Y/%m/%d %H:%M:%S", &tm);
    std::snprintf(stamp, sizeof stamp, "%s.%06ld ", date, static_cast<long>(tv.tv_usec));
  }
  const int n =
      std::fprintf(out_, "%s%s%s %.*s\n", prefix_.c_str(), stamp, tag, static_cast<int>(text.size()), text.data());
  std::fflush(out_);
  if (n > 0) written_ += n;
  if (size_limit_ > 0 && out_ != stderr && written_ > size_limit_ && !rotating_) rotate();
}

}  // namespace natrium::native
