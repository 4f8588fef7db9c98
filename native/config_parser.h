#pragma once
// Parser for nats-server's configuration format (conf/lex.go + conf/parse.go):
//   key: value   key = value   key value        # and // comments
//   blocks { }, arrays [ ] (',' or new lines between items), ';' or ',' after a value
//   "double quoted" (\t \n \r \" \\ \xHH), 'single quoted', unquoted strings
//   integers with size suffixes (1K = 1000, 1KB = 1Ki = 1KiB = 1024, ... up to E),
//   floats, booleans (true/false/yes/no/on/off, any case), Zulu datetimes,
//   ( raw text until a ')' alone on a line ), include "file", $variables.
// Variables resolve against the keys defined so far in the enclosing blocks,
// innermost first, then the environment (whose value is parsed as a value).
// Includes are relative to the including file's directory and at most
// include_depth_max deep. Errors read "file:line:column: message".
#include <string>
#include <string_view>

#include "core/base/result.h"
#include "native/config_value.h"

namespace natrium::native::conf {

inline constexpr int include_depth_max = 10;

// Parses the file at `path` into a map (value_kind::map).
base::result<value> parse_file(const std::string& path);

// Parses `text` as if read from `file_name` (used in positions and to resolve includes).
base::result<value> parse_text(std::string_view text, const std::string& file_name);

}  // namespace natrium::native::conf
