// The text of schemas/user.avsc, user_activity.avsc and user_api.avsc,
// compiled in
// (the .cc is generated from the files when the build is configured).
// Thread-safety: constants.
#pragma once

namespace lakepipe::sources {

const char* UserAvsc();
const char* UserActivityAvsc();
const char* UserApiAvsc();

}  // namespace lakepipe::sources
