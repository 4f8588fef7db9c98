#include "native/cli/format.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>

namespace natrium::cli {

namespace {

bool g_color = true;

// Display width of UTF-8 text (code points; enough for our cells).
std::size_t width_of(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool numeric_cell(std::string_view s) {
  if (s.empty()) return false;
  const char c = s.front();
  return (c >= '0' && c <= '9') || (c == '-' && s.size() > 1);
}

std::string cut(const std::string& s, std::size_t w) {
  if (width_of(s) <= w) return s;
  if (w == 0) return {};
  std::string out;
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size() && n + 1 < w; ++i) {
    out += s[i];
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) ++n;
  }
  while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0xC0) out.pop_back();
  return out + "…";
}

std::string paint(std::string_view s, const char* code) {
  if (!color_enabled()) return std::string(s);
  return fmt::format("\033[{}m{}\033[0m", code, s);
}

}  // namespace

std::string human_bytes(std::uint64_t n) {
  if (n < 1024) return fmt::format("{} B", n);
  const char* units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = static_cast<double>(n);
  int u = -1;
  while (v >= 1024 && u < 5) {
    v /= 1024;
    ++u;
  }
  return fmt::format("{:.1f} {}", v, units[u]);
}

std::string human_count(std::uint64_t n) {
  std::string d = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (i > 0 && (d.size() - i) % 3 == 0) out += ',';
    out += d[i];
  }
  return out;
}

std::string human_duration_ns(std::int64_t ns) {
  if (ns == 0) return "0s";
  std::string sign = ns < 0 ? "-" : "";
  std::uint64_t v = static_cast<std::uint64_t>(ns < 0 ? -ns : ns);
  constexpr std::uint64_t us = 1000, ms = 1000 * us, s = 1000 * ms, m = 60 * s, h = 60 * m, d = 24 * h;
  if (v < us) return fmt::format("{}{}ns", sign, v);
  if (v < ms) return fmt::format("{}{:g}µs", sign, static_cast<double>(v) / us);
  if (v < s) return fmt::format("{}{:g}ms", sign, std::round(static_cast<double>(v) / ms * 10) / 10);
  if (v < m) return fmt::format("{}{:g}s", sign, std::round(static_cast<double>(v) / s * 100) / 100);
  if (v >= d) {
    const std::uint64_t days = v / d, hours = (v % d) / h;
    return hours == 0 ? fmt::format("{}{}d", sign, days) : fmt::format("{}{}d{}h", sign, days, hours);
  }
  const std::uint64_t hours = v / h, mins = (v % h) / m, secs = (v % m) / s;
  if (hours > 0) return fmt::format("{}{}h{}m{}s", sign, hours, mins, secs);
  return fmt::format("{}{}m{}s", sign, mins, secs);
}

std::optional<std::int64_t> parse_duration_ns(std::string_view t) {
  if (t.empty()) return std::nullopt;
  bool neg = false;
  if (t.front() == '-') {
    neg = true;
    t.remove_prefix(1);
  }
  // A bare number is seconds.
  if (std::all_of(t.begin(), t.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; })) {
    char* end = nullptr;
    const std::string s(t);
    const double v = std::strtod(s.c_str(), &end);
    if (end == s.c_str() || *end != '\0') return std::nullopt;
    const auto ns = static_cast<std::int64_t>(v * 1e9);
    return neg ? -ns : ns;
  }
  double total = 0;
  while (!t.empty()) {
    std::size_t i = 0;
    while (i < t.size() && ((t[i] >= '0' && t[i] <= '9') || t[i] == '.')) ++i;
    if (i == 0) return std::nullopt;
    const std::string num(t.substr(0, i));
    char* end = nullptr;
    const double v = std::strtod(num.c_str(), &end);
    if (*end != '\0') return std::nullopt;
    t.remove_prefix(i);
    std::size_t j = 0;
    while (j < t.size() && !((t[j] >= '0' && t[j] <= '9') || t[j] == '.')) ++j;
    const std::string_view unit = t.substr(0, j);
    t.remove_prefix(j);
    double mult = 0;
    if (unit == "ns") mult = 1;
    else if (unit == "us" || unit == "µs") mult = 1e3;
    else if (unit == "ms") mult = 1e6;
    else if (unit == "s") mult = 1e9;
    else if (unit == "m") mult = 60e9;
    else if (unit == "h") mult = 3600e9;
    else if (unit == "d") mult = 86400e9;
    else if (unit == "w") mult = 7 * 86400e9;
    else if (unit == "y") mult = 365 * 86400e9;
    else return std::nullopt;
    total += v * mult;
  }
  const auto ns = static_cast<std::int64_t>(total);
  return neg ? -ns : ns;
}

std::optional<std::int64_t> parse_size(std::string_view t) {
  if (t == "-1") return -1;
  std::size_t i = 0;
  while (i < t.size() && ((t[i] >= '0' && t[i] <= '9') || t[i] == '.')) ++i;
  if (i == 0) return std::nullopt;
  const std::string num(t.substr(0, i));
  char* end = nullptr;
  const double v = std::strtod(num.c_str(), &end);
  if (*end != '\0') return std::nullopt;
  std::string unit(t.substr(i));
  for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (!unit.empty() && unit.back() == 'B') unit.pop_back();
  if (!unit.empty() && unit.back() == 'I') unit.pop_back();
  double mult = 1;
  if (unit.empty()) mult = 1;
  else if (unit == "K") mult = 1024.0;
  else if (unit == "M") mult = 1024.0 * 1024;
  else if (unit == "G") mult = 1024.0 * 1024 * 1024;
  else if (unit == "T") mult = 1024.0 * 1024 * 1024 * 1024;
  else return std::nullopt;
  return static_cast<std::int64_t>(v * mult);
}

int terminal_width() {
  if (const char* c = std::getenv("COLUMNS"); c != nullptr) {
    const int w = std::atoi(c);
    if (w > 20) return w;
  }
  winsize ws{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20) return ws.ws_col;
  return 120;
}

void set_color_enabled(bool enabled) { g_color = enabled; }

bool color_enabled() {
  static const bool tty = isatty(STDOUT_FILENO) != 0 && std::getenv("NO_COLOR") == nullptr;
  return g_color && tty;
}

std::string bold(std::string_view s) { return paint(s, "1"); }
std::string red(std::string_view s) { return paint(s, "31"); }
std::string green(std::string_view s) { return paint(s, "32"); }
std::string yellow(std::string_view s) { return paint(s, "33"); }

table::table(std::vector<std::string> headers, std::string title) : title_(std::move(title)), headers_(std::move(headers)) {}

void table::add_row(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  rows_.push_back(std::move(cells));
}

std::string table::render(int width) const {
  // Too wide for the terminal: columns with nothing in them go first.
  std::vector<std::size_t> keep;
  std::size_t natural = 1;
  for (std::size_t c = 0; c < headers_.size(); ++c) {
    std::size_t cw = width_of(headers_[c]);
    for (const auto& r : rows_) cw = std::max(cw, width_of(r[c]));
    natural += cw + 3;
  }
  for (std::size_t c = 0; c < headers_.size(); ++c) {
    const bool empty = !rows_.empty() && std::all_of(rows_.begin(), rows_.end(), [c](const auto& r) { return r[c].empty(); });
    if (!empty || natural <= static_cast<std::size_t>(width)) keep.push_back(c);
  }
  if (keep.size() != headers_.size()) {
    table t(std::vector<std::string>{}, title_);
    for (std::size_t c : keep) t.headers_.push_back(headers_[c]);
    for (const auto& r : rows_) {
      std::vector<std::string> cells;
      for (std::size_t c : keep) cells.push_back(r[c]);
      t.rows_.push_back(std::move(cells));
    }
    return t.render(width);
  }
  const std::size_t cols = headers_.size();
  std::vector<std::size_t> w(cols, 0);
  std::vector<bool> right(cols, true);
  for (std::size_t c = 0; c < cols; ++c) {
    w[c] = width_of(headers_[c]);
    bool any = false;
    for (const auto& r : rows_) {
      w[c] = std::max(w[c], width_of(r[c]));
      if (!r[c].empty()) {
        any = true;
        right[c] = right[c] && numeric_cell(r[c]);
      }
    }
    if (!any) right[c] = false;
  }
  // " a │ b " : 3 per column boundary plus 2 at the edges.
  auto total = [&] {
    std::size_t t = 1;
    for (std::size_t x : w) t += x + 3;
    return t;
  };
  // Then the widest text column gives way, down to 8 characters; numbers
  // (right-aligned) are cut only when nothing else can.
  while (total() > static_cast<std::size_t>(std::max(width, 20))) {
    std::size_t pick = cols;
    for (std::size_t c = 0; c < cols; ++c) {
      if (!right[c] && w[c] > 8 && (pick == cols || w[c] > w[pick])) pick = c;
    }
    if (pick == cols) {
      for (std::size_t c = 0; c < cols; ++c) {
        if (w[c] > 4 && (pick == cols || w[c] > w[pick])) pick = c;
      }
    }
    if (pick == cols) break;
    --w[pick];
  }
  auto line = [&](const char* l, const char* m, const char* r) {
    std::string s = l;
    for (std::size_t c = 0; c < cols; ++c) {
      for (std::size_t i = 0; i < w[c] + 2; ++i) s += "─";
      s += c + 1 < cols ? m : r;
    }
    return s + "\n";
  };
  auto row = [&](const std::vector<std::string>& cells, bool header) {
    std::string s = "│";
    for (std::size_t c = 0; c < cols; ++c) {
      std::string cell = cut(cells[c], w[c]);
      const std::size_t pad = w[c] - width_of(cell);
      if (header) cell = bold(cell);
      s += " ";
      s += right[c] && !header ? std::string(pad, ' ') + cell : cell + std::string(pad, ' ');
      s += " │";
    }
    return s + "\n";
  };
  std::string out;
  if (!title_.empty()) out += bold(title_) + "\n\n";
  out += line("╭", "┬", "╮");
  out += row(headers_, true);
  out += line("├", "┼", "┤");
  for (const auto& r : rows_) out += row(r, false);
  out += line("╰", "┴", "╯");
  return out;
}

void table::print() const { std::fputs(render(terminal_width()).c_str(), stdout); }

void print_json(const nlohmann::json& j) { std::puts(j.dump(2).c_str()); }

}  // namespace natrium::cli
