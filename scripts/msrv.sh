#!/usr/bin/env bash
# The minimum supported Rust version (`rust-version` in Cargo.toml), checked two ways:
#
# 1. It is at least the `rust-version` of every locked package that the README's commands
#    build (`cargo run --release` and `cargo test`: normal, build and dev dependencies on this
#    platform, plus the optional rayon feature's), and the README's set-up line states it. A
#    `cargo update` that raises a dependency's minimum fails here, naming the package.
# 2. The README's test command passes on exactly that toolchain: `cargo +MSRV test --locked`
#    (library, command, tests, examples, benches and doc tests; `cargo run --release` compiles
#    the same code), and the library compiles with `--features rayon`.
#
#   scripts/msrv.sh
#
# Part 2 installs the toolchain with rustup (minimal profile) when it is missing. Without
# rustup, or when the install fails (no network), it says so and is skipped (exit 0), so that
# CI runs it where it can; part 1 needs only the current toolchain and python3.
# Its build goes to ${CARGO_TARGET_DIR:-target}/msrv-VERSION, apart from the current
# toolchain's.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

msrv=$(sed -n 's/^rust-version *= *"\([^"]*\)".*/\1/p' Cargo.toml | head -n 1)
if [ -z "$msrv" ]; then
  echo "MSRV check failed: Cargo.toml has no rust-version" >&2
  exit 1
fi

# 1. Dependencies' own minimums, and the README.
if ! grep -qF "Rust ($msrv or later)" README.md; then
  echo "MSRV check failed: Cargo.toml says rust-version = \"$msrv\", but README.md's set-up" \
    "line does not say \"Rust ($msrv or later)\"" >&2
  exit 1
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "MSRV dependency check skipped: python3 is not installed"
else
  # `cargo tree` gives what is built (the feature resolver's view; `cargo metadata`'s graph
  # also lists optional packages that are never built), `cargo metadata` each one's minimum.
  cargo tree --locked --features rayon -e normal,build,dev --prefix none --format '{p}' \
    > "$tmp/tree"
  cargo metadata --locked --format-version 1 --features rayon > "$tmp/metadata"
  python3 - "$msrv" "$tmp/tree" "$tmp/metadata" <<'EOF'
import json, sys

msrv, tree_path, meta_path = sys.argv[1:4]

def key(version):
    parts = [int(p) for p in version.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))

with open(meta_path) as f:
    meta = json.load(f)
minimum = {(p["name"], p["version"]): p.get("rust_version") for p in meta["packages"]}
built = set()
with open(tree_path) as f:
    for line in f:
        if not line.strip():
            continue
        name, version = line.split()[:2]
        built.add((name, version.lstrip("v")))
missing = sorted(built - minimum.keys())
if missing:
    sys.exit(f"MSRV check failed: cargo metadata does not list {missing}")
needs = sorted(
    ((key(minimum[p]), p, minimum[p]) for p in built if minimum[p]), reverse=True
)
over = [n for n in needs if n[0] > key(msrv)]
if over:
    print(
        f"MSRV check failed: Cargo.toml says rust-version = \"{msrv}\", but the README's"
        " commands (or the rayon feature) build packages that need a newer Rust:",
        file=sys.stderr,
    )
    for _, (name, version), need in over:
        print(f"  {name} {version} needs Rust {need}", file=sys.stderr)
    print(
        "Raise rust-version (and the README's set-up line), or keep the older version:"
        " cargo update NAME --precise VERSION",
        file=sys.stderr,
    )
    sys.exit(1)
_, (name, version), need = needs[0]
print(
    f"MSRV check: rust-version {msrv} covers the {len(built)} packages that the README's"
    f" commands and the rayon feature build (the highest minimum: {name} {version}, Rust {need})"
)
EOF
fi

# 2. The tests on that toolchain. "1.88" means 1.88.0, the oldest compiler it admits.
toolchain=$msrv
[[ $toolchain =~ ^[0-9]+\.[0-9]+$ ]] && toolchain=$toolchain.0
if ! command -v rustup >/dev/null 2>&1; then
  echo "MSRV build skipped: rustup is not installed, so Rust $toolchain cannot be installed"
  exit 0
fi
if ! rustup toolchain list | grep -qF "$toolchain-"; then
  echo "installing Rust $toolchain (rustup, minimal profile)"
  if ! rustup toolchain install "$toolchain" --profile minimal >"$tmp/rustup" 2>&1; then
    echo "MSRV build skipped: rustup could not install Rust $toolchain (no network?):" \
      "$(grep -m 1 '^error' "$tmp/rustup" || tail -n 1 "$tmp/rustup")"
    exit 0
  fi
fi
target="${CARGO_TARGET_DIR:-target}/msrv-$toolchain"
echo "MSRV build with $(cargo "+$toolchain" --version), in $target"
cargo "+$toolchain" test --locked --target-dir "$target"
cargo "+$toolchain" check --locked --lib --features rayon --target-dir "$target"
echo "MSRV build: the tests pass on Rust $toolchain"
