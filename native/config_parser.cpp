// The configuration parser: one recursive-descent pass over the text that
// follows the reference lexer's decisions (conf/lex.go) state by state, and
// the reference parser's value rules (conf/parse.go). Messages are the
// reference's, prefixed with file:line:column.
#include "native/config_parser.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

#include "native/config_text.h"

namespace natrium::native::conf {

namespace {

constexpr int eof = -1;
constexpr int nesting_max = 64;  // blocks and arrays inside each other (bounds the recursion)

bool is_ws(int c) { return c == ' ' || c == '\t'; }
bool is_nl(int c) { return c == '\n' || c == '\r'; }
bool is_space(int c) { return is_ws(c) || is_nl(c) || c == '\v' || c == '\f'; }
bool is_digit(int c) { return c >= '0' && c <= '9'; }
bool is_key_separator(int c) { return c == ':' || c == '='; }
bool is_number_suffix(int c) {
  switch (c) {
    case 'k': case 'K': case 'm': case 'M': case 'g': case 'G':
    case 't': case 'T': case 'p': case 'P': case 'e': case 'E': return true;
    default: return false;
  }
}
bool is_binary_mark(int c) { return c == 'b' || c == 'B' || c == 'i' || c == 'I'; }  // 1KB, 1Ki, 1KiB
int hex_value(char h) {
  if (h >= '0' && h <= '9') return h - '0';
  if (h >= 'a' && h <= 'f') return h - 'a' + 10;
  if (h >= 'A' && h <= 'F') return h - 'A' + 10;
  return -1;
}
// What may follow a number for it to stay a number. The reference leaves out
// ']' (so "[1, 2]" breaks there); we accept it.
bool ends_number(int c) { return c == eof || is_nl(c) || is_ws(c) || c == '}' || c == ']' || c == ';' || c == ','; }

struct failure {
  position pos;
  std::string message;
};

class parser {
 public:
  parser(std::string_view text, std::string file, int depth) : in_(text), file_(std::move(file)), depth_(depth) {}

  std::optional<value> parse() {
    value root;
    root.kind = value_kind::map;
    root.pos = here();
    if (!parse_top(root)) return std::nullopt;
    return root;
  }
  const failure& error() const { return *error_; }

 private:
  std::string_view in_;
  std::size_t pos_ = 0;
  int line_ = 1;
  int col_ = 1;
  std::string file_;
  int depth_;
  std::vector<value*> scopes_;  // maps being built, outermost first (for $variables)
  int nesting_ = 0;             // blocks and arrays open now
  std::optional<failure> error_;

  // --- cursor ---
  int peek(std::size_t ahead = 0) const {
    return pos_ + ahead < in_.size() ? static_cast<unsigned char>(in_[pos_ + ahead]) : eof;
  }
  void advance() {
    if (pos_ >= in_.size()) return;
    const char c = in_[pos_++];
    if (c == '\n') {
      ++line_;
      col_ = 1;
    } else if (pos_ >= in_.size() || (static_cast<unsigned char>(in_[pos_]) & 0xC0) != 0x80) {
      ++col_;  // a whole character was consumed (UTF-8 continuation bytes do not count)
    }
  }
  position here() const { return {file_, line_, col_}; }
  bool fail(const position& p, std::string message) {
    if (!error_) error_ = failure{p, std::move(message)};
    return false;
  }
  // The character at the cursor, for messages ('\n' escaped as the reference does).
  std::string current_char() const {
    const int c = peek();
    if (c == eof) return "EOF";
    if (c == '\n') return "\\n";
    std::size_t n = 1;
    while (pos_ + n < in_.size() && (static_cast<unsigned char>(in_[pos_ + n]) & 0xC0) == 0x80) ++n;
    return std::string(in_.substr(pos_, n));
  }
  void skip_ws() {
    while (is_ws(peek())) advance();
  }
  void skip_spaces() {
    while (is_space(peek())) advance();
  }
  bool at_comment() const { return peek() == '#' || (peek() == '/' && peek(1) == '/'); }
  void skip_comment() {
    while (peek() != eof && !is_nl(peek())) advance();
  }

  // Counts one more open block or array for its scope; false past nesting_max.
  struct nest_guard {
    explicit nest_guard(int& n) : n_(n) { ++n_; }
    ~nest_guard() { --n_; }
    nest_guard(const nest_guard&) = delete;
    nest_guard& operator=(const nest_guard&) = delete;
    bool ok() const { return n_ <= nesting_max; }
    int& n_;
  };

  bool parse_top(value& root);
  bool top_value_end();
  bool parse_entry(value& map, bool in_map, bool& dangling);
  bool read_key(std::string& key, bool in_map, bool& quoted);
  bool parse_include(value& map);
  bool include_file(value& map, const std::string& path, const position& at);
  bool parse_value(value& v);
  bool parse_array(value& v);
  bool parse_map(value& v);
  bool parse_quoted(value& v, char quote);
  bool parse_bare(value& v, std::string text);
  bool read_escape(std::string& out, const position& at);
  bool parse_number(value& v, bool negative);
  bool parse_datetime(value& v, std::string text);
  bool parse_block(value& v);
  bool finish_integer(value& v, std::string text);
  bool finish_float(value& v, std::string text);
  bool resolve_variable(value& v, const std::string& name);
  static void set_entry(value& map, entry e);
};

bool parser::parse_top(value& root) {
  scopes_.push_back(&root);
  for (;;) {
    // The reference skips a '{' where a key may start, so a file may be one block.
    while (is_space(peek()) || peek() == '{' || peek() == '}') advance();
    if (peek() == eof) return true;
    if (at_comment()) {
      skip_comment();
      continue;
    }
    if (peek() == '/') return fail(here(), "Unexpected EOF.");
    bool dangling = false;
    if (!parse_entry(root, false, dangling)) return false;
    if (dangling) return true;  // a key at the very end without a value: ignored, as the reference
    if (!top_value_end()) return false;
  }
}

bool parser::top_value_end() {
  skip_ws();
  if (at_comment()) {
    skip_comment();
    return true;
  }
  const int c = peek();
  if (c == eof || is_nl(c) || c == ';' || c == ',' || c == '}') {
    advance();
    return true;
  }
  return fail(here(), "Expected a top-level value to end with a new line, comment or EOF, but got '" +
                          current_char() + "' instead.");
}

bool parser::parse_entry(value& map, bool in_map, bool& dangling) {
  entry e;
  e.key_pos = here();
  bool quoted = false;
  if (!read_key(e.key, in_map, quoted)) return false;
  if (!quoted && is_space(peek()) && lowercase(e.key) == "include") return parse_include(map);
  skip_spaces();
  if (peek() == eof) {
    if (in_map) return fail(here(), "Unexpected EOF processing map.");
    dangling = true;
    return true;
  }
  const bool separator = is_key_separator(peek());
  if (separator) advance();
  if (in_map) {
    skip_spaces();  // inside a block, a value may start on the next line
    if (peek() == ',') return fail(here(), "Unexpected map value terminator \",\".");
    if (peek() == '}') return fail(e.key_pos, "Expected a value for key '" + e.key + "'.");
    if (peek() == eof) return fail(here(), "Unexpected EOF processing map.");
  } else if (separator) {
    skip_ws();
    if (is_nl(peek())) return fail(here(), "Expected value but found new line");
  }
  if (!parse_value(e.val)) return false;
  set_entry(map, std::move(e));
  return true;
}

bool parser::read_key(std::string& key, bool in_map, bool& quoted) {
  const int c = peek();
  if (is_key_separator(c)) {
    return fail(here(), "Unexpected key separator '" + current_char() + (in_map ? "'." : "'"));
  }
  if (in_map && c == ']') return fail(here(), "Unexpected array end ']' processing map.");
  if (c == '"' || c == '\'') {
    quoted = true;
    advance();
    while (peek() != c) {
      if (peek() == eof) {
        if (!in_map) return fail(here(), "Unexpected EOF.");
        return fail(here(), c == '"' ? "Unexpected EOF processing double quoted map key."
                                     : "Unexpected EOF processing quoted map key.");
      }
      key += static_cast<char>(peek());
      advance();
    }
    advance();
    return true;
  }
  while (peek() != eof && !is_space(peek()) && !is_key_separator(peek())) {
    key += static_cast<char>(peek());
    advance();
  }
  if (in_map && peek() == eof) return fail(here(), "Unexpected EOF processing map key.");
  return true;
}

bool parser::parse_include(value& map) {
  skip_ws();
  const position at = here();
  const int c = peek();
  std::string path;
  if (c == '"' || c == '\'') {
    advance();
    while (peek() != c) {
      if (peek() == eof) {
        return fail(here(), c == '"' ? "Unexpected EOF in double quoted include" : "Unexpected EOF in quoted include");
      }
      path += static_cast<char>(peek());
      advance();
    }
    advance();
    return include_file(map, path, at);
  }
  if (c == '[') return fail(at, "Expected include value but found start of an array");
  if (c == '{') return fail(at, "Expected include value but found start of a map");
  if (c == '(') return fail(at, "Expected include value but found start of a block");
  if (is_digit(c) || c == '-') return fail(at, "Expected include value but found start of a number");
  if (c == '\\') return fail(at, "Expected include value but found escape sequence");
  if (is_nl(c)) return fail(at, "Expected include value but found new line");
  while (peek() != eof && !is_nl(peek()) && !is_ws(peek()) && peek() != ';' && peek() != '}' && peek() != '\'') {
    path += static_cast<char>(peek());
    advance();
  }
  if (peek() == '\'') advance();
  return include_file(map, path, at);
}

bool parser::include_file(value& map, const std::string& path, const position& at) {
  const std::string prefix = "error parsing include file '" + path + "', ";
  if (depth_ >= include_depth_max) {
    return fail(at, prefix + "includes nest deeper than " + std::to_string(include_depth_max) + " levels");
  }
  const std::string full = join_path(parent_dir(file_), path);
  auto text = read_text_file(full);
  if (!text) return fail(at, prefix + text.err().text);
  parser sub(text.value(), full, depth_ + 1);
  auto sub_root = sub.parse();
  if (!sub_root) {
    error_ = sub.error();  // points into the included file
    return false;
  }
  for (auto& e : sub_root->entries) set_entry(map, std::move(e));
  return true;
}

bool parser::parse_value(value& v) {
  skip_ws();
  v.pos = here();
  const int c = peek();
  switch (c) {
    case '[': advance(); return parse_array(v);
    case '{': advance(); return parse_map(v);
    case '\'': advance(); return parse_quoted(v, '\'');
    case '"': advance(); return parse_quoted(v, '"');
    case '-': advance(); return parse_number(v, true);
    case '(': advance(); return parse_block(v);
    case '.': return fail(here(), "Floats must start with a digit");
    default: break;
  }
  if (is_digit(c)) return parse_number(v, false);
  if (is_nl(c)) return fail(here(), "Expected value but found new line");
  return parse_bare(v, {});
}

bool parser::parse_array(value& v) {
  v.kind = value_kind::array;
  const nest_guard nest(nesting_);
  if (!nest.ok()) return fail(v.pos, "blocks and arrays nest deeper than " + std::to_string(nesting_max) + " levels");
  for (;;) {
    skip_spaces();
    if (at_comment()) {
      skip_comment();
      continue;
    }
    if (peek() == ',') return fail(here(), "Unexpected array value terminator ','.");
    if (peek() == ']') {
      advance();
      return true;
    }
    if (peek() == eof) return fail(here(), "Unexpected EOF processing array.");
    value item;
    if (!parse_value(item)) return false;
    v.items.push_back(std::move(item));
    for (;;) {  // between items
      skip_ws();
      if (at_comment()) {
        skip_comment();
        continue;
      }
      const int c = peek();
      if (c == ',' || is_nl(c)) {
        advance();
        break;
      }
      if (c == ']') {
        advance();
        return true;
      }
      if (c == eof) return fail(here(), "Unexpected EOF processing array.");
      return fail(here(), "Expected an array value terminator \",\" or an array terminator \"]\", but got '" +
                              current_char() + "' instead.");
    }
  }
}

bool parser::parse_map(value& v) {
  v.kind = value_kind::map;
  const nest_guard nest(nesting_);
  if (!nest.ok()) return fail(v.pos, "blocks and arrays nest deeper than " + std::to_string(nesting_max) + " levels");
  scopes_.push_back(&v);
  for (;;) {
    skip_spaces();
    if (at_comment()) {
      skip_comment();
      continue;
    }
    if (peek() == '}') {
      advance();
      scopes_.pop_back();
      return true;
    }
    if (peek() == eof) return fail(here(), "Unexpected EOF processing map.");
    bool dangling = false;
    if (!parse_entry(v, true, dangling)) return false;
    for (;;) {  // between entries
      skip_ws();
      if (at_comment()) {
        skip_comment();
        continue;
      }
      const int c = peek();
      if (c == ';' || c == ',' || is_nl(c)) {
        advance();
        break;
      }
      if (c == '}') {
        advance();
        scopes_.pop_back();
        return true;
      }
      if (c == eof) return fail(here(), "Unexpected EOF processing map.");
      return fail(here(), "Expected a map value terminator \",\" or a map terminator \"}\", but got '" +
                              current_char() + "' instead.");
    }
  }
}

bool parser::parse_quoted(value& v, char quote) {
  v.kind = value_kind::string;
  for (;;) {
    const int c = peek();
    if (c == eof) return fail(here(), "Unexpected EOF.");
    if (c == quote) {
      advance();
      return true;
    }
    if (c == '\\' && quote == '"') {
      const position at = here();
      advance();
      if (!read_escape(v.text, at)) return false;
      continue;
    }
    v.text += static_cast<char>(c);
    advance();
  }
}

// An unquoted string, which may turn out to be a boolean or a $variable.
// `text`: what a number state already consumed.
bool parser::parse_bare(value& v, std::string text) {
  bool escaped = false;
  bool quote_ended = false;
  for (;;) {
    const int c = peek();
    if (c == '\\') {
      const position at = here();
      advance();
      if (!read_escape(text, at)) return false;
      escaped = true;
      continue;
    }
    if (c == eof || is_nl(c) || is_ws(c) || c == ';' || c == ',' || c == ']' || c == '}') break;
    advance();
    if (c == '\'') {
      quote_ended = true;
      break;
    }
    text += static_cast<char>(c);
  }
  v.kind = value_kind::string;
  if (escaped || quote_ended) {
    v.text = std::move(text);
    return true;
  }
  const std::string lower = lowercase(text);
  if (lower == "true" || lower == "yes" || lower == "on" || lower == "false" || lower == "no" || lower == "off") {
    v.kind = value_kind::boolean;
    v.boolean = lower == "true" || lower == "yes" || lower == "on";
    v.text = std::move(text);
    return true;
  }
  if (!text.empty() && text[0] == '$') return resolve_variable(v, text.substr(1));
  v.text = std::move(text);
  return true;
}

// After a '\\' (at `at`): \t \n \r \" \\ or \xHH.
bool parser::read_escape(std::string& out, const position& at) {
  const int c = peek();
  advance();
  switch (c) {
    case 't': out += '\t'; return true;
    case 'n': out += '\n'; return true;
    case 'r': out += '\r'; return true;
    case '"': out += '"'; return true;
    case '\\': out += '\\'; return true;
    case 'x': break;
    default:
      return fail(at, std::string("Invalid escape character '") + (c == eof ? "EOF" : std::string(1, char(c))) +
                          "'. Only the following escape characters are allowed: \\xXX, \\t, \\n, \\r, \\\", \\\\.");
  }
  std::string hex;
  for (int i = 0; i < 2; ++i) {
    if (is_nl(peek())) return fail(here(), "Expected two hexadecimal digits after '\\x', but hit end of line");
    if (peek() != eof) hex += static_cast<char>(peek());
    advance();
  }
  if (hex.size() != 2 || hex_value(hex[0]) < 0 || hex_value(hex[1]) < 0) {
    return fail(at, "Expected two hexadecimal digits after '\\x', but got '" + hex + "'");
  }
  out += static_cast<char>(hex_value(hex[0]) * 16 + hex_value(hex[1]));
  return true;
}

// An integer, float, datetime or IP address; or a string that starts with a digit ("10s").
bool parser::parse_number(value& v, bool negative) {
  std::string text = negative ? "-" : "";
  if (negative && !is_digit(peek())) {
    if (peek() == '.') return fail(here(), "Floats must start with a digit, not '.'.");
    return fail(here(), "Expected a digit but got '" + current_char() + "'.");
  }
  while (is_digit(peek())) {
    text += static_cast<char>(peek());
    advance();
  }
  const int c = peek();
  if (!negative && c == '-') {
    if (text.size() != 4) return fail(here(), "All ISO8601 dates must be in full Zulu form.");
    return parse_datetime(v, std::move(text));
  }
  if (c == '.') {
    text += '.';
    advance();
    if (!is_digit(peek())) {
      return fail(here(), "Floats must have a digit after the '.', but got '" + current_char() + "' instead.");
    }
    while (is_digit(peek())) {
      text += static_cast<char>(peek());
      advance();
    }
    if (peek() != '.') return finish_float(v, std::move(text));
    while (is_digit(peek()) || peek() == '.' || peek() == ':' || peek() == '-') {  // an IP address (and port)
      text += static_cast<char>(peek());
      advance();
    }
    v.kind = value_kind::string;
    v.text = std::move(text);
    return true;
  }
  if (is_number_suffix(c)) {
    text += static_cast<char>(c);
    advance();
    while (is_binary_mark(peek())) {
      text += static_cast<char>(peek());
      advance();
    }
    if (ends_number(peek()) || is_digit(peek())) return finish_integer(v, std::move(text));
    return parse_bare(v, std::move(text));
  }
  if (negative || ends_number(c)) return finish_integer(v, std::move(text));
  return parse_bare(v, std::move(text));
}

bool parser::parse_datetime(value& v, std::string text) {
  static constexpr std::string_view format = "-00-00T00:00:00Z";
  for (char f : format) {
    const int c = peek();
    if (f == '0' && !is_digit(c)) {
      return fail(here(), "Expected digit in ISO8601 datetime, but found '" + current_char() + "' instead.");
    }
    if (f != '0' && c != f) {
      return fail(here(), std::string("Expected '") + f + "' in ISO8601 datetime, but found '" + current_char() +
                              "' instead.");
    }
    text += static_cast<char>(c);
    advance();
  }
  auto num = [&text](std::size_t at) { return (text[at] - '0') * 10 + (text[at + 1] - '0'); };
  if (num(5) < 1 || num(5) > 12 || num(8) < 1 || num(8) > 31 || num(11) > 23 || num(14) > 59 || num(17) > 59) {
    return fail(v.pos, "expected Zulu formatted DateTime, but got '" + text + "'");
  }
  v.kind = value_kind::datetime;
  v.text = std::move(text);
  return true;
}

// "(" raw text until a ")" alone on its line; the text keeps its new lines.
bool parser::parse_block(value& v) {
  const std::size_t start = pos_;
  for (;;) {
    const int c = peek();
    if (c == eof) return fail(here(), "Unexpected EOF processing block.");
    if (c == ')' && pos_ > start && in_[pos_ - 1] == '\n' && (peek(1) == eof || is_nl(peek(1)))) {
      v.kind = value_kind::string;
      v.text = std::string(in_.substr(start, pos_ - start));
      advance();
      return true;
    }
    advance();
  }
}

bool parser::finish_integer(value& v, std::string text) {
  auto n = parse_size_integer(text);
  if (!n) return fail(v.pos, n.err().text);
  v.kind = value_kind::integer;
  v.integer = n.value();
  v.text = std::move(text);
  return true;
}

bool parser::finish_float(value& v, std::string text) {
  errno = 0;
  char* end = nullptr;
  const double d = std::strtod(text.c_str(), &end);
  if (errno == ERANGE) return fail(v.pos, "float '" + text + "' is out of the range");
  if (end != text.c_str() + text.size()) return fail(v.pos, "expected float, but got '" + text + "'");
  v.kind = value_kind::floating;
  v.floating = d;
  v.text = std::move(text);
  return true;
}

bool parser::resolve_variable(value& v, const std::string& name) {
  const position at = v.pos;
  if (name.starts_with("2a$")) {  // a bcrypt hash, not a variable
    v.kind = value_kind::string;
    v.text = "$" + name;
    return true;
  }
  for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
    for (auto& e : (*it)->entries) {
      if (e.key != name) continue;
      e.used_as_variable = true;
      v = e.val;
      v.pos = at;
      return true;
    }
  }
  const char* env = std::getenv(name.c_str());
  if (env == nullptr) return fail(at, "variable reference for '" + name + "' can not be found");
  if (depth_ >= include_depth_max) {
    return fail(at, "variable reference for '" + name + "' could not be parsed: nested too deeply");
  }
  const std::string text = "pk=" + std::string(env);
  parser env_parser(text, "", depth_ + 1);
  auto root = env_parser.parse();
  if (!root) {
    return fail(at, "variable reference for '" + name + "' could not be parsed: " + env_parser.error().message);
  }
  const entry* e = find(*root, "pk");
  if (e == nullptr) return fail(at, "variable reference for '" + name + "' can not be found");
  v = e->val;
  v.pos = at;
  return true;
}

void parser::set_entry(value& map, entry e) {
  for (auto& existing : map.entries) {
    if (existing.key == e.key) {  // last one wins, as the reference's map
      existing = std::move(e);
      return;
    }
  }
  map.entries.push_back(std::move(e));
}

}  // namespace

base::result<value> parse_text(std::string_view text, const std::string& file_name) {
  parser p(text, file_name, 0);
  auto root = p.parse();
  if (!root) return base::error{to_string(p.error().pos) + ": " + p.error().message};
  return std::move(*root);
}

base::result<value> parse_file(const std::string& path) {
  auto text = read_text_file(path);
  if (!text) return base::error{text.err().text};
  return parse_text(text.value(), path);
}

}  // namespace natrium::native::conf
