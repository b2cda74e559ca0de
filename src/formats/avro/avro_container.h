// Avro object container files: "Obj\x01", a metadata map (avro.schema,
// avro.codec, ...), a 16-byte sync marker, then blocks of
// (record count, byte size, records, sync marker).
//
// Writer: keeps the schema's original text in avro.schema, draws the sync
// marker from std::random_device, cuts a block once its encoded records reach
// AvroWriteOptions::block_bytes, and compresses blocks with null, deflate
// (raw RFC 1951), snappy (block + big-endian CRC32 of the uncompressed
// bytes), zstandard, bzip2 or xz.
//
// Reader: reads one block at a time (memory bounded by the largest block),
// checks every sync marker and snappy checksum, and resolves the file's
// schema into ReadOptions::schema when one is given. Damaged or truncated
// files give kCorruption with the file, block and offset in the message.
//
// Thread-safety: a reader or writer is used by one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "formats/format.h"

namespace lakepipe::avro {

enum class BlockCodec { kNull, kDeflate, kSnappy, kZstandard, kBzip2, kXz };

// The codec's name in avro.codec: "null", "deflate", "snappy", "zstandard",
// "bzip2", "xz".
std::string_view BlockCodecName(BlockCodec codec);

// Parses a codec name given by a user: null, deflate, snappy, zstandard,
// bzip2, xz, and
// the aliases none (null) and zstd (zstandard). Others: kInvalidArgument
// listing the valid names.
Result<BlockCodec> ParseBlockCodec(std::string_view name);

// Checks that `schema` can be written as Avro: record, field, enum names and
// enum symbols must be valid Avro names ([A-Za-z_][A-Za-z0-9_]*). Fails with
// kInvalidArgument naming the first bad one.
Status CheckAvroNames(const Schema& schema);

// A FileWriter for one container file. The header is written at once.
Result<std::unique_ptr<FileWriter>> NewContainerWriter(std::unique_ptr<OutputStream> out,
                                                       SchemaPtr schema,
                                                       const AvroWriteOptions& options);

// A RecordReader over `file`, producing batches of options.schema (or the
// file's schema when that is null).
Result<std::unique_ptr<RecordReader>> OpenContainerReader(std::unique_ptr<InputFile> file,
                                                          const ReadOptions& options);

// Facts for `inspect`: format, codec, num_rows, blocks, file_size,
// sync_marker (hex), schema (the header's text) and metadata (the other
// header keys). Reads block headers and sync markers only.
Result<nlohmann::json> DescribeContainer(InputFile* file);

}  // namespace lakepipe::avro
