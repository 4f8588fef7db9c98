#pragma once
// The JetStream settings the monitoring endpoints report (varz, jsz): as
// configured, with the reference's estimates for unset limits
// (dynJetStreamConfig): 75% of physical memory, 75% of the free disk under
// the store directory. JetStream itself comes later.
#include "core/monitor/monitor.h"
#include "native/options.h"

namespace natrium::native {

monitor::jetstream_settings jetstream_settings_for(const options& o);

}  // namespace natrium::native
