# Shared by the benchmarks (sourced): the tools they need, the release build, a scratch folder.
# Sets BIN (the rubfang binary) and WORK (removed on exit by the caller's cleanup).
command -v jq >/dev/null || { echo "needs jq"; exit 2; }
if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian package)"
  (apt-get install -y wrk >/dev/null 2>&1 || (apt-get update >/dev/null && apt-get install -y wrk >/dev/null))
fi
cargo build --release --locked --quiet -p rubfang-api
BIN=target/release/rubfang
WORK="$(mktemp -d)"
