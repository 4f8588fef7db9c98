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
  return true;
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
  std::fprintf(out_, "%s%s%s %.*s\n", prefix_.c_str(), stamp, tag, static_cast<int>(text.size()), text.data());
  std::fflush(out_);
}

}  // namespace natrium::native
