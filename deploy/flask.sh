#!/usr/bin/env bash
# The app's command line with the installation's settings, as the systemd units run it:
#     sudo -u dialogue /srv/dialogue/deploy/flask.sh users create --email ... --name ... --role admin --password ...
#     sudo -u dialogue /srv/dialogue/deploy/flask.sh sessions remind 12
# Reads /etc/dialogue/dialogue.env (or the file named by DIALOGUE_ENV) the way systemd's EnvironmentFile= does:
# KEY=value lines, comments and blank lines skipped, one pair of surrounding quotes removed.
set -euo pipefail
env_file="${DIALOGUE_ENV:-/etc/dialogue/dialogue.env}"
[ -r "$env_file" ] || { echo "flask.sh: cannot read $env_file (set DIALOGUE_ENV to another file)" >&2; exit 1; }
while IFS= read -r line || [ -n "$line" ]; do
  line="${line#"${line%%[![:space:]]*}"}"
  case "$line" in '' | '#'* | ';'*) continue ;; esac
  key="${line%%=*}"
  value="${line#*=}"
  [[ "$key" =~ ^[A-Za-z_][A-Za-z0-9_]*$ && "$line" == *=* ]] || continue
  if [[ ${#value} -ge 2 && ( ( "$value" == \"*\" ) || ( "$value" == \'*\' ) ) ]]; then
    value="${value:1:${#value}-2}"
  fi
  export "$key=$value"
done <"$env_file"
cd "$(dirname "$0")/.."
exec .venv/bin/flask --app dialogue:create_app "$@"
