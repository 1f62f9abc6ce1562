#!/usr/bin/env bash
# What the test suite needs from the machine besides the virtualenv, checked before the tests run (`make test`,
# .ci/run). Debian's packages: Chromium for the browser tests, LibreOffice and poppler to render and read the Word
# documents, nginx, openssl and systemd-analyze for the deployment tests, and PostgreSQL's client tools (pg_dump,
# pg_restore, psql) for the backup test when the suite runs on PostgreSQL (TEST_DATABASE_URL). Then a Redis on
# 127.0.0.1:6379 for the tests that run several server processes.
#
# A missing package is installed when this runs as root with apt-get; otherwise it stops at once and prints the
# exact command to run. Nothing is downloaded from anywhere but Debian's own archive.
set -euo pipefail

# command or file that must exist -> the Debian package that provides it
required=(
  "/usr/bin/chromium:chromium"
  "soffice:libreoffice-writer-nogui"
  "pdftotext:poppler-utils"
  "/usr/sbin/nginx:nginx"
  "openssl:openssl"
  "systemd-analyze:systemd"
  "redis-server:redis-server"
)
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  required+=("pg_dump:postgresql-client" "pg_restore:postgresql-client" "psql:postgresql-client")
fi

missing_packages() {
  local entry what package seen=" "
  for entry in "${required[@]}"; do
    what="${entry%%:*}"
    package="${entry#*:}"
    if [[ "$what" == /* ]]; then
      [ -x "$what" ] && continue
    else
      command -v "$what" >/dev/null 2>&1 && continue
    fi
    case "$seen" in *" $package "*) ;; *) seen+="$package "; printf '%s\n' "$package" ;; esac
  done
}

mapfile -t missing < <(missing_packages)
if [ "${#missing[@]}" -gt 0 ]; then
  command="apt-get update && apt-get install -y ${missing[*]}"
  if [ "$EUID" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "system-packages: installing ${missing[*]} (Debian packages the tests need)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    mapfile -t still < <(missing_packages)
    if [ "${#still[@]}" -gt 0 ]; then
      echo "system-packages: still missing after apt-get: ${still[*]}" >&2
      exit 1
    fi
  else
    echo "system-packages: the tests need Debian packages that are missing: ${missing[*]}" >&2
    echo "Run as root, then run the tests again:" >&2
    echo "    $command" >&2
    exit 1
  fi
fi

# Redis for the multi-process tests: started here, as .ci/run did, if nothing answers on 127.0.0.1:6379.
redis_answers() {
  local reply=""
  { exec 3<>/dev/tcp/127.0.0.1/6379; } 2>/dev/null || return 1
  printf 'PING\r\n' >&3
  read -r -t 2 reply <&3 || true
  exec 3<&- 3>&-
  [[ "$reply" == +PONG* ]]
}
if ! redis_answers; then
  echo "system-packages: starting redis-server on 127.0.0.1:6379 (no persistence) for the tests"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in $(seq 1 20); do redis_answers && break; sleep 0.5; done
  redis_answers || { echo "system-packages: Redis did not answer on 127.0.0.1:6379" >&2; exit 1; }
fi
