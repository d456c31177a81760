"""feedmaker in a GitHub Actions workflow: the state store kept on a branch, the job's outcome."""
