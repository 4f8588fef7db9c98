#pragma once
// Text rules the configuration shares with Go's standard library, so values
// and messages read as the reference's: size suffixes (conf/parse.go),
// time.ParseDuration and Duration.String, filepath.Dir/Join/Clean, and
// os.ReadFile's error texts.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/base/result.h"

namespace natrium::native::conf {

std::string lowercase(std::string_view s);

// An integer with an optional size suffix: K/M/G/T/P/E are powers of 1000,
// KB/Ki/KiB (and so on) powers of 1024, any case. "1MB" = 1048576.
// Errors: "expected integer, but got '1x'", "integer '...' is out of the range".
base::result<std::int64_t> parse_size_integer(std::string_view text);

// Go's time.ParseDuration ("1h2m3.5s", "300ms", "-1.5h"; units ns us µs ms s m h),
// in nanoseconds; errors read "time: invalid duration \"x\"" and so on.
base::result<std::int64_t> parse_go_duration(std::string_view text);

// Go's Duration.String: "2m0s", "10s", "1.5ms", "0s".
std::string format_go_duration(std::int64_t ns);

// filepath.Clean, filepath.Dir, filepath.Join (which joins an absolute `name` too).
std::string clean_path(std::string_view path);
std::string parent_dir(std::string_view path);
std::string join_path(std::string_view dir, std::string_view name);

// The whole file; errors as Go's: "open PATH: no such file or directory".
base::result<std::string> read_text_file(const std::string& path);

}  // namespace natrium::native::conf
