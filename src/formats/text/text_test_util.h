// Helpers for the text module's tests: an in-memory OutputStream, reading a
// whole file into rows, and comparing batches value by value.
#pragma once

#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/testing.h"
#include "formats/text/text_formats.h"
#include "formats/text/text_internal.h"
#include "storage/memory_file.h"

namespace lakepipe::text::testing {

// Collects appended bytes; Commit() publishes them to `*sink`.
class StringOutputStream final : public OutputStream {
 public:
  explicit StringOutputStream(std::string* sink, bool* aborted = nullptr)
      : sink_(sink), aborted_(aborted) {}
  const std::string& path() const override { return path_; }
  Status Append(std::string_view data) override {
    data_.append(data);
    return Status::OK();
  }
  uint64_t position() const override { return data_.size(); }
  Status Commit() override {
    *sink_ = data_;
    return Status::OK();
  }
  void Abort() override {
    data_.clear();
    if (aborted_ != nullptr) *aborted_ = true;
  }

 private:
  std::string path_ = "memory://out";
  std::string data_;
  std::string* sink_;
  bool* aborted_;
};

inline SchemaPtr ParseSchema(const std::string& avro_json) {
  Result<Schema> schema =
      Schema::FromAvroJson(avro_json, SchemaParseOptions{.complete_types = true});
  EXPECT_TRUE(schema.ok()) << schema.status().ToString();
  return std::make_shared<const Schema>(schema.ok() ? *schema : Schema());
}

enum class Format { kJsonLines, kJsonArray, kCsv };

inline Result<std::unique_ptr<RecordReader>> OpenReader(Format format, const std::string& data,
                                                        const ReadOptions& options,
                                                        const ReaderTuning& tuning = {}) {
  auto file = NewMemoryInputFile("test.txt", data);
  switch (format) {
    case Format::kJsonLines:
      return NewJsonLinesReader(std::move(file), options, tuning);
    case Format::kJsonArray:
      return NewJsonArrayReader(std::move(file), options, tuning);
    case Format::kCsv:
      return NewCsvReader(std::move(file), options, tuning);
  }
  return InternalError("unknown format");
}

// Reads every batch; returns all rows appended into one batch.
inline Result<RecordBatch> ReadAll(Format format, const std::string& data,
                                   const ReadOptions& options, const ReaderTuning& tuning = {},
                                   uint64_t* rejected = nullptr) {
  LP_ASSIGN_OR_RETURN(std::unique_ptr<RecordReader> reader,
                      OpenReader(format, data, options, tuning));
  RecordBatch all(options.schema);
  RecordBatch batch(options.schema);
  while (true) {
    LP_ASSIGN_OR_RETURN(bool more, reader->ReadBatch(&batch));
    if (!more) break;
    all.AppendBatch(batch);
  }
  if (rejected != nullptr) *rejected = reader->rejected();
  return all;
}

// Every row of `batch` as a JSON object.
inline std::vector<std::string> Rows(const RecordBatch& batch) {
  std::vector<std::string> rows;
  for (size_t r = 0; r < batch.num_rows(); ++r) {
    std::string row;
    AppendJsonRow(batch, r, &row);
    rows.push_back(std::move(row));
  }
  return rows;
}

inline Result<std::string> WriteAll(Format format, const RecordBatch& batch,
                                    const WriteOptions& options = {}) {
  std::string out;
  auto stream = std::make_unique<StringOutputStream>(&out);
  Result<std::unique_ptr<FileWriter>> writer = InternalError("unset");
  switch (format) {
    case Format::kJsonLines:
      writer = NewJsonLinesWriter(std::move(stream), batch.schema(), options);
      break;
    case Format::kJsonArray:
      writer = NewJsonArrayWriter(std::move(stream), batch.schema(), options);
      break;
    case Format::kCsv:
      writer = NewCsvWriter(std::move(stream), batch.schema(), options);
      break;
  }
  if (!writer.ok()) return writer.status();
  LP_RETURN_IF_ERROR((*writer)->Write(batch));
  LP_RETURN_IF_ERROR((*writer)->Finish());
  return out;
}

// Expects equal values; floating point compared bit for bit (NaN == NaN).
inline void ExpectSameBatch(const RecordBatch& want, const RecordBatch& got) {
  ASSERT_EQ(want.num_rows(), got.num_rows());
  ASSERT_EQ(want.num_columns(), got.num_columns());
  for (size_t c = 0; c < want.num_columns(); ++c) {
    const Column& a = want.column(c);
    const Column& b = got.column(c);
    const std::string& name = want.schema()->field(c).name;
    for (size_t r = 0; r < want.num_rows(); ++r) {
      SCOPED_TRACE("field " + name + " row " + std::to_string(r));
      ASSERT_EQ(a.IsNull(r), b.IsNull(r));
      if (a.IsNull(r)) continue;
      switch (a.storage()) {
        case Storage::kNone:
          break;
        case Storage::kBool:
          EXPECT_EQ(a.GetBool(r), b.GetBool(r));
          break;
        case Storage::kInt32:
          EXPECT_EQ(a.GetInt32(r), b.GetInt32(r));
          break;
        case Storage::kInt64:
          EXPECT_EQ(a.GetInt64(r), b.GetInt64(r));
          break;
        case Storage::kFloat: {
          float x = a.GetFloat(r);
          float y = b.GetFloat(r);
          if (std::isnan(x)) {
            EXPECT_TRUE(std::isnan(y));
          } else {
            EXPECT_EQ(0, std::memcmp(&x, &y, sizeof x)) << x << " vs " << y;
          }
          break;
        }
        case Storage::kDouble: {
          double x = a.GetDouble(r);
          double y = b.GetDouble(r);
          if (std::isnan(x)) {
            EXPECT_TRUE(std::isnan(y));
          } else {
            EXPECT_EQ(0, std::memcmp(&x, &y, sizeof x)) << x << " vs " << y;
          }
          break;
        }
        case Storage::kBinary:
          EXPECT_EQ(a.GetBytes(r), b.GetBytes(r));
          break;
      }
    }
  }
}

// A sink that records bad records.
struct BadRecords {
  std::vector<BadRecord> records;
  BadRecordSink Sink() {
    return [this](const BadRecord& r) {
      records.push_back(r);
      return Status::OK();
    };
  }
};

}  // namespace lakepipe::text::testing
