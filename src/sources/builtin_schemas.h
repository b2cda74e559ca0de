// The text of schemas/user.avsc and schemas/user_activity.avsc, compiled in
// (the .cc is generated from the files when the build is configured).
// Thread-safety: constants.
#pragma once

namespace lakepipe::sources {

const char* UserAvsc();
const char* UserActivityAvsc();

}  // namespace lakepipe::sources
