"""feedmaker in a GitHub Actions workflow: the state store kept on a branch, the job's outcome."""

# Kept here, not in statebranch: the commands' defaults need them without loading git.
DEFAULT_BRANCH = "feedmaker-state"
DEFAULT_KEEP = 10     # saved states the branch keeps: the newest and nine before it
