# Sourced by bash (the runner sets BASH_ENV) before each command it starts, so it holds before any of the command's
# code runs: when the sandbox runs out of memory the kernel should kill the command, not the runner (that would end
# the session). Raising oom_score_adj needs no privilege; what the command starts inherits it.
echo 1000 > /proc/self/oom_score_adj 2>/dev/null
unset BASH_ENV
