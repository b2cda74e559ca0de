#include "config/dotenv.h"

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace lakepipe::config {
namespace {

bool IsNameStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }
bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// A cursor over the text that counts lines.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}
  bool done() const { return pos_ >= text_.size(); }
  char peek() const { return done() ? '\0' : text_[pos_]; }
  char next() {
    const char c = text_[pos_++];
    if (c == '\n') ++line_;
    return c;
  }
  int line() const { return line_; }
  void SkipBlanks() {
    while (!done() && IsBlank(peek())) next();
  }
  bool AtLineEnd() const { return done() || peek() == '\n' || peek() == '\r'; }
  // Moves to the next line's start.
  void SkipLine() {
    SkipToLineEnd();
    if (!done()) next();
  }
  // Moves to this line's '\n' (or the end).
  void SkipToLineEnd() {
    while (!done() && peek() != '\n') next();
  }
  bool LookingAt(std::string_view word) const { return text_.substr(pos_, word.size()) == word; }
  void Skip(size_t n) {
    for (size_t i = 0; i < n && !done(); ++i) next();
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
};

// After a closing quote: blanks, then an optional comment, then the line end.
Status FinishLine(Cursor& c, std::string_view name, int line) {
  c.SkipBlanks();
  if (c.peek() == '#') c.SkipToLineEnd();
  if (!c.AtLineEnd()) {
    return InvalidArgumentError("{}:{}: unexpected text after the closing quote", name, line);
  }
  c.SkipLine();
  return Status::OK();
}

Status ReadQuoted(Cursor& c, std::string_view name, int line, std::string* value) {
  const char quote = c.next();
  while (true) {
    if (c.done()) {
      return InvalidArgumentError("{}:{}: the value's closing {} quote is missing", name, line,
                                  quote == '"' ? "double" : "single");
    }
    char ch = c.next();
    if (ch == quote) break;
    if (quote == '"' && ch == '\\' && !c.done()) {
      const char escaped = c.next();
      switch (escaped) {
        case 'n':
          ch = '\n';
          break;
        case 'r':
          ch = '\r';
          break;
        case 't':
          ch = '\t';
          break;
        case '"':
        case '\\':
        case '$':
          ch = escaped;
          break;
        default:
          value->push_back('\\');
          ch = escaped;
      }
    }
    value->push_back(ch);
  }
  return FinishLine(c, name, line);
}

void ReadUnquoted(Cursor& c, std::string* value) {
  while (!c.AtLineEnd()) {
    const char ch = c.next();
    if (ch == '#' && (value->empty() || IsBlank(value->back()))) {
      c.SkipToLineEnd();
      break;
    }
    value->push_back(ch);
  }
  while (!value->empty() && IsBlank(value->back())) value->pop_back();
  if (!c.done()) c.SkipLine();
}

}  // namespace

Result<std::vector<EnvAssignment>> ParseDotEnv(std::string_view text, std::string_view name) {
  std::vector<EnvAssignment> out;
  Cursor c(text);
  while (!c.done()) {
    c.SkipBlanks();
    if (c.AtLineEnd() || c.peek() == '#') {
      c.SkipLine();
      continue;
    }
    const int line = c.line();
    if (c.LookingAt("export ") || c.LookingAt("export\t")) {
      c.Skip(6);
      c.SkipBlanks();
    }
    EnvAssignment a;
    a.line = line;
    if (!IsNameStart(c.peek())) {
      return InvalidArgumentError("{}:{}: expected NAME=VALUE (names are letters, digits and _)",
                                  name, line);
    }
    while (IsNameChar(c.peek())) a.name.push_back(c.next());
    c.SkipBlanks();
    if (c.peek() != '=') {
      return InvalidArgumentError("{}:{}: expected '=' after {}", name, line, a.name);
    }
    c.next();
    c.SkipBlanks();
    if (c.peek() == '"' || c.peek() == '\'') {
      LP_RETURN_IF_ERROR(ReadQuoted(c, name, line, &a.value));
    } else {
      ReadUnquoted(c, &a.value);
    }
    out.push_back(std::move(a));
  }
  return out;
}

Result<std::vector<EnvAssignment>> ReadDotEnv(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::vector<EnvAssignment>{};
  std::ifstream in(path, std::ios::binary);
  if (!in) return ErrnoError(fmt::format("cannot open '{}'", path), errno);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return ErrnoError(fmt::format("cannot read '{}'", path), errno);
  return ParseDotEnv(text.str(), path);
}

}  // namespace lakepipe::config
