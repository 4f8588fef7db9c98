#pragma once
// The JetStream settings of the native server, resolved as the reference does
// at startup (EnableJetStream, dynJetStreamConfig): the store directory
// (<store_dir>/jetstream, or under os.TempDir() when none is given) and the
// limits, with the reference's estimates for unset ones: 75% of physical
// memory, 75% of the free disk under the store directory. The same values go
// to the startup log, the node's config and the monitoring endpoints (varz, jsz).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/base/result.h"
#include "core/monitor/monitor.h"
#include "native/options.h"

namespace natrium::native {

monitor::jetstream_settings jetstream_settings_for(const options& o);

// Where JetStream keeps its files, as the reference reports it ("Store
// Directory"): filepath.Join(store_dir, "jetstream"); without a store_dir,
// os.TempDir()/nats/jetstream, or os.TempDir()/jetstream when both limits are
// configured above zero (the reference skips its dynamic config then).
std::string jetstream_store_dir(const options& o);

// The reference's checks before JetStream starts (enableJetStream): create
// `dir` and its parents (mode 0750) if missing, else it must be a writable
// directory. Errors carry the reference's texts ("storage directory is not a
// directory", "could not create storage directory - mkdir ...").
base::result<bool> prepare_store_dir(const std::string& dir);

// Go's filepath.Clean: one slash between elements, no "." elements, ".."
// folded into its parent, "" becomes ".".
std::string go_clean_path(std::string_view path);

// The reference's friendlyBytes: "512 B", "1.50 KB", "17.66 GB".
std::string friendly_bytes(std::int64_t bytes);

// A config reload (SIGHUP) may not change JetStream's settings on a running
// server: the reference's refusal text, or nullopt if nothing changed.
// Natrium also cannot switch JetStream on or off without a restart.
std::optional<std::string> jetstream_reload_refusal(const options& running, const options& next);

}  // namespace natrium::native
