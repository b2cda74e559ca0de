#include "formats/text/record_splitter.h"

#include <gtest/gtest.h>

#include "core/testing.h"
#include "formats/text/text_internal.h"
#include "storage/memory_file.h"

namespace lakepipe::text {
namespace {

struct Seen {
  std::string text;
  uint64_t line;
  uint64_t offset;
  bool terminated;
  bool oversized;
};

std::vector<Seen> Split(const std::string& data, RecordScanner* scanner, size_t chunk,
                        size_t max = kDefaultMaxRecordBytes) {
  auto file = NewMemoryInputFile("f", data);
  RecordSplitter splitter(file.get(), scanner, chunk, max);
  std::vector<Seen> out;
  RawRecord r;
  while (true) {
    Result<bool> more = splitter.Next(&r);
    EXPECT_TRUE(more.ok()) << more.status().ToString();
    if (!more.ok() || !*more) break;
    out.push_back(Seen{std::string(r.text), r.line, r.offset, r.terminated, r.oversized});
  }
  return out;
}

TEST(RecordSplitterTest, SplitsLinesAtEveryChunkSize) {
  const std::string data = "first\nsecond line\n\nfourth, the last without newline";
  for (size_t chunk : {1, 2, 3, 5, 7, 64, 4096}) {
    SCOPED_TRACE("chunk " + std::to_string(chunk));
    LineScanner scanner;
    std::vector<Seen> got = Split(data, &scanner, chunk);
    ASSERT_EQ(got.size(), 4u);
    EXPECT_EQ(got[0].text, "first");
    EXPECT_EQ(got[1].text, "second line");
    EXPECT_EQ(got[2].text, "");
    EXPECT_EQ(got[3].text, "fourth, the last without newline");
    EXPECT_EQ(got[1].line, 2u);
    EXPECT_EQ(got[3].line, 4u);
    EXPECT_EQ(got[1].offset, 6u);
    EXPECT_EQ(got[3].offset, 19u);
    EXPECT_TRUE(got[2].terminated);
    EXPECT_FALSE(got[3].terminated);
  }
}

TEST(RecordSplitterTest, SkipsByteOrderMarkAndHandlesEmptyFiles) {
  LineScanner scanner;
  std::vector<Seen> got = Split("\xEF\xBB\xBFone\ntwo\n", &scanner, 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].text, "one");
  EXPECT_EQ(got[0].offset, 3u);
  LineScanner empty;
  EXPECT_TRUE(Split("", &empty, 16).empty());
}

TEST(RecordSplitterTest, ReportsOversizedRecordsWithoutKeepingThem) {
  LineScanner scanner;
  std::string data = "short\n" + std::string(5000, 'x') + "\nafter\n";
  std::vector<Seen> got = Split(data, &scanner, 64, 2000);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_FALSE(got[0].oversized);
  EXPECT_TRUE(got[1].oversized);
  EXPECT_EQ(got[1].text.size(), 1024u);
  EXPECT_EQ(got[2].text, "after");
  EXPECT_EQ(got[2].line, 3u);
}

TEST(RecordSplitterTest, CsvRowsKeepLineBreaksInsideQuotes) {
  const std::string data = "a,\"multi\nline\",c\r\nd,\"e\"\"\",f\n\"x,\ny\"\n";
  for (size_t chunk : {1, 3, 4096}) {
    CsvScanner scanner(',');
    std::vector<Seen> got = Split(data, &scanner, chunk);
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0].text, "a,\"multi\nline\",c\r");
    EXPECT_EQ(got[1].text, "d,\"e\"\"\",f");
    EXPECT_EQ(got[1].line, 3u);
    EXPECT_EQ(got[2].text, "\"x,\ny\"");
    EXPECT_EQ(got[2].line, 4u);
  }
}

TEST(RecordSplitterTest, CsvScannerReportsOpenQuoteAtEnd) {
  CsvScanner scanner(',');
  std::vector<Seen> got = Split("a,b\n\"open,\nno close", &scanner, 4);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_FALSE(got[1].terminated);
  EXPECT_TRUE(scanner.in_quotes());
}

TEST(RecordSplitterTest, CsvRowParserHandlesQuotes) {
  CsvRowParser parser(',');
  std::string reason;
  ASSERT_TRUE(parser.Parse("a,\"b,c\",\"say \"\"hi\"\"\",,\"\",x\r", &reason));
  const auto& f = parser.fields();
  ASSERT_EQ(f.size(), 6u);
  EXPECT_EQ(f[0].text, "a");
  EXPECT_EQ(f[1].text, "b,c");
  EXPECT_TRUE(f[1].quoted);
  EXPECT_EQ(f[2].text, "say \"hi\"");
  EXPECT_EQ(f[3].text, "");
  EXPECT_FALSE(f[3].quoted);
  EXPECT_EQ(f[4].text, "");
  EXPECT_TRUE(f[4].quoted);
  EXPECT_EQ(f[5].text, "x");
  EXPECT_FALSE(parser.Parse("\"closed\"junk,b", &reason));
  EXPECT_EQ(reason, "field 1: unexpected text after the closing quote: junk,b");
  EXPECT_FALSE(parser.Parse("a,\"never", &reason));
  ASSERT_TRUE(parser.Parse("", &reason));
  EXPECT_EQ(parser.fields().size(), 1u);
}

TEST(RecordSplitterTest, JsonArrayElementsAndSeparators) {
  const std::string data = "[\n  {\"a\": \"}]\\\"\"},\n  {\"b\": [1, {\"c\": 2}]}\n]\n";
  for (size_t chunk : {1, 5, 4096}) {
    JsonArrayScanner scanner;
    auto file = NewMemoryInputFile("f", data);
    RecordSplitter splitter(file.get(), &scanner, chunk);
    RawRecord r;
    std::vector<std::pair<std::string, JsonArrayScanner::End>> got;
    while (true) {
      Result<bool> more = splitter.Next(&r);
      ASSERT_OK(more);
      if (!*more) break;
      got.emplace_back(std::string(r.text),
                       r.terminated ? scanner.last_end() : JsonArrayScanner::End::kNone);
    }
    ASSERT_EQ(got.size(), 5u);
    EXPECT_EQ(got[0].first, "[\n  {\"a\": \"}]\\\"\"}");
    EXPECT_EQ(got[0].second, JsonArrayScanner::End::kElement);
    EXPECT_EQ(got[1].second, JsonArrayScanner::End::kComma);
    EXPECT_EQ(got[2].first, "\n  {\"b\": [1, {\"c\": 2}]}");
    EXPECT_EQ(got[3].second, JsonArrayScanner::End::kArrayEnd);
    EXPECT_EQ(got[4].first, "\n");
    EXPECT_TRUE(scanner.closed());
  }
}

}  // namespace
}  // namespace lakepipe::text
