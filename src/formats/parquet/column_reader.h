// Reads the values of one Parquet leaf column, column chunk after column
// chunk: a flat leaf (one optional or required top-level column) straight
// into a lakepipe Column; a leaf of a nested field as its definition and
// repetition levels plus its non-null values (LeafLevels), which
// record_assembly.h turns into nested Columns.
//
// Pages are streamed: the page header is read through a small window, then
// the page body; at most one page (compressed and decompressed) and the
// chunk's dictionary are held at a time. Supported: DICTIONARY_PAGE (PLAIN),
// DATA_PAGE (v1; RLE or the deprecated BIT_PACKED definition levels),
// DATA_PAGE_V2; INDEX_PAGE and unknown page types are skipped. Encodings:
// PLAIN, PLAIN_DICTIONARY / RLE_DICTIONARY, RLE (booleans),
// DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY,
// BYTE_STREAM_SPLIT. Codecs: UNCOMPRESSED, SNAPPY, GZIP, ZSTD.
//
// Page CRCs are verified when the header has one. Every size and count is
// checked against the bytes that exist; damage gives kCorruption, features
// outside the list above kUnimplemented. Errors name the file, row group,
// column, and the page by its index in the chunk and its offset.
//
// Thread-safety: a ColumnReader is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "compress/codec.h"
#include "core/column.h"
#include "formats/parquet/decoders.h"
#include "formats/parquet/encoding.h"
#include "formats/parquet/metadata.h"
#include "formats/parquet/schema_mapping.h"
#include "storage/object_store.h"

namespace lakepipe::parquet {

// Where a validated column chunk lies in the file.
struct ChunkExtent {
  uint64_t start = 0;  // first page (the dictionary page when there is one)
  uint64_t size = 0;   // total_compressed_size
};

// Maps a Parquet codec to lakepipe's; kUnimplemented for codecs lakepipe
// lacks, kCorruption for unknown values. `column` names the column.
Result<Codec> ParquetCodec(CompressionCodec codec, std::string_view column);

// The levels and values of a run of records of one nested leaf.
struct LeafLevels {
  explicit LeafLevels(Storage storage) : values(storage, false) {}
  std::vector<uint8_t> def;
  std::vector<uint8_t> rep;
  Column values;  // the non-null values, in order (not nullable)
  // Assembly cursors.
  size_t pos = 0;
  size_t value_pos = 0;
  void Clear() {
    def.clear();
    rep.clear();
    values.Clear();
    pos = 0;
    value_pos = 0;
  }
};

class ColumnReader {
 public:
  // `file`, `codecs` and `leaf` must outlive the reader. `nested`: the leaf
  // is read with ReadRecords (its levels kept), else with Read.
  ColumnReader(InputFile* file, CodecContext* codecs, const LeafMapping* leaf, bool nested = false);

  // kUnimplemented when the leaf's physical type, conversion and lakepipe
  // storage do not form a combination this reader decodes.
  static Status CheckLeaf(const LeafMapping& leaf);

  // Starts the chunk of row group `row_group`. REQUIRES: `meta` was
  // validated against the file (offsets inside it, codec supported,
  // num_values >= 0) and outlives the chunk.
  Status StartChunk(int row_group, const ColumnMetaData* meta, ChunkExtent extent);

  // Values of the current chunk not yet read.
  uint64_t chunk_values_left() const { return chunk_values_ - values_read_; }

  // Appends the next `n` values of the current chunk to `out`.
  // REQUIRES: n <= chunk_values_left(); `out` has the leaf field's storage.
  Status Read(size_t n, Column* out);

  // Appends the levels and values of the next `rows` records of the
  // current chunk to `out`; `*got` gets how many records it held (fewer
  // when the chunk ends first). REQUIRES: constructed with `nested`.
  Status ReadRecords(size_t rows, LeafLevels* out, size_t* got);

 private:
  enum class LevelMode { kNone, kRle, kBitPackedMsb };

  Status WithContext(Status st) const;
  Status ReadImpl(size_t n, Column* out);
  Status LoadNextDataPage();
  Status ReadPageHeader(PageHeader* header, uint64_t* body_offset);
  Status ReadPageBody(uint64_t offset, size_t size);
  // kCorruption when the header carries a CRC that the stored page lacks.
  Status CheckCrc(const PageHeader& header) const;
  Status Decompress(std::string_view in, size_t uncompressed_size, std::string* out);
  Status LoadDictionary(const PageHeader& header);
  Status StartDataPageV1(const PageHeader& header);
  Status StartDataPageV2(const PageHeader& header);
  Status InitValues(Encoding encoding, const uint8_t* data, size_t size);
  Status DecodeLevels(size_t k, size_t* non_null);
  Status DecodeValues(size_t m);
  Status DecodePlain(size_t m);
  Status DecodeDictionary(size_t m);
  Status Emit(const uint8_t* levels, size_t k, size_t m, Column* out);
  Status FinishPage();
  Status ReadRecordsImpl(size_t rows, LeafLevels* out, size_t* got);
  // Nested leaves: decodes every level of the page.
  Status DecodePageLevels(const uint8_t** p, const uint8_t* end, Encoding encoding, int max_level,
                          uint64_t n, std::vector<uint8_t>* out, std::string_view what,
                          bool length_prefixed);

  // Static facts of the leaf.
  InputFile* file_;
  CodecContext* codecs_;
  const LeafMapping* leaf_;
  bool nested_ = false;
  Storage storage_ = Storage::kNone;
  size_t value_width_ = 0;  // bytes per PLAIN value for fixed-width types

  // Current chunk.
  int row_group_ = -1;
  Codec codec_ = Codec::kNone;
  uint64_t pos_ = 0;  // next page header
  uint64_t end_ = 0;  // end of the chunk
  uint64_t chunk_values_ = 0;
  uint64_t values_in_pages_ = 0;  // values of the pages started so far
  uint64_t values_read_ = 0;
  bool data_page_seen_ = false;

  // Dictionary of the current chunk, decoded into the typed vectors below.
  bool has_dictionary_ = false;
  size_t dictionary_size_ = 0;
  std::string dictionary_buffer_;
  std::vector<uint8_t> dict_bools_;
  std::vector<int32_t> dict_i32_;
  std::vector<int64_t> dict_i64_;
  std::vector<float> dict_f32_;
  std::vector<double> dict_f64_;
  std::vector<std::string_view> dict_views_;

  // Current page.
  int page_index_ = 0;  // of the current page in its chunk, from 0
  uint64_t page_offset_ = 0;
  std::string header_window_;
  std::string raw_;        // the page as stored
  std::string page_data_;  // decompressed
  uint64_t page_left_ = 0;
  bool page_v2_ = false;
  int64_t page_num_nulls_ = 0;
  int64_t page_nulls_seen_ = 0;
  LevelMode level_mode_ = LevelMode::kNone;
  RleDecoder levels_{nullptr, 0, 1};
  const uint8_t* msb_levels_ = nullptr;
  uint64_t msb_level_pos_ = 0;
  Encoding encoding_ = Encoding::kPlain;
  const uint8_t* values_ = nullptr;  // PLAIN cursor
  const uint8_t* values_end_ = nullptr;
  uint64_t bool_bit_ = 0;          // PLAIN BOOLEAN bit cursor
  bool values_missing_ = false;    // the page stores no value bytes
  RleDecoder rle_{nullptr, 0, 1};  // dictionary indices or RLE booleans
  DeltaBinaryPackedDecoder delta_;
  DeltaLengthByteArrayDecoder delta_length_;
  DeltaByteArrayDecoder delta_bytes_;
  ByteStreamSplitDecoder split_;

  // Nested leaves: the current page's levels and the next one to read.
  std::vector<uint8_t> page_def_;
  std::vector<uint8_t> page_rep_;
  size_t page_level_pos_ = 0;

  // Scratch for one step of decoding.
  std::vector<uint8_t> levels_scratch_;
  std::vector<uint32_t> indices_;
  std::vector<uint8_t> bools_;
  std::vector<int32_t> i32_;
  std::vector<int64_t> i64_;
  std::vector<float> f32_;
  std::vector<double> f64_;
  std::vector<std::string_view> views_;
  std::string arena_;
};

}  // namespace lakepipe::parquet
