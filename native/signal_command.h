#pragma once
// `--signal CMD[=PID]` (nats-server's -sl): send a control signal to a running
// server. CMD: stop (KILL), quit (INT), term (TERM), reopen (USR1), reload (HUP),
// ldm (USR2). Without a PID: the pid file named by -P/pid_file, else the one
// natrium-server process running (an error if none or several).
#include <string>

namespace natrium::native {

// Returns the process exit code (0 on success) and prints errors to stderr.
int run_signal_command(const std::string& command, const std::string& pid_file);

}  // namespace natrium::native
