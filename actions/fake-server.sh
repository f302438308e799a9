#!/usr/bin/env bash
# The shell steps of fake_server's GitHub Actions (action.yml at the
# repository root, actions/save/action.yml). Kept here, not inline in the
# YAML, so the test suite runs them as they are, with stand-in GITHUB_ENV,
# GITHUB_OUTPUT and GITHUB_PATH files.
#
#   fake-server.sh install   a virtual environment in RUNNER_TEMP with the package:
#                            INPUT_WHEEL (a wheel file), else INPUT_VERSION (from
#                            the package index), else this checkout of the action
#   fake-server.sh start     serve INPUT_SCENARIO on INPUT_PORT in the background,
#                            wait until ready, export the URLs and the API key
#   fake-server.sh save      the journal, the client report (of every session) and
#                            the server's log (the admin token taken out) into
#                            INPUT_PATH, for upload
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/fake-server-venv"
log="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/fake-server.log"
ready="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/fake-server-ready.json"
# Any non-empty key is accepted unless the scenario lists keys (auth.api_keys).
api_key="sk-fake-server-test"

install() {
    local package
    if [ -n "${INPUT_WHEEL:-}" ]; then
        package="$INPUT_WHEEL"
    elif [ -n "${INPUT_VERSION:-}" ]; then
        package="vector-store-fake==${INPUT_VERSION}"
    else
        package="$here/.."
    fi
    # Its own environment: the project's dependencies and the fake's never meet.
    "${PYTHON:-python3}" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$package"
    echo "$venv/bin" >> "$GITHUB_PATH"
    echo "fake-server.sh: installed $("$venv/bin/fake-server" --version)"
}

start() {
    local command=("$venv/bin/fake-server" serve --port "${INPUT_PORT:-8080}" --ready-file "$ready")
    if [ -n "${INPUT_SCENARIO:-}" ]; then
        command+=(--scenario "$INPUT_SCENARIO")
    fi
    rm -f "$ready"
    # In the background, past this step: the job's later steps use it.
    nohup "${command[@]}" > "$log" 2>&1 &
    local pid=$!
    # The ready file says where it listens (port 0 picks one), once it accepts
    # connections; then ready means the validators are compiled too.
    local tries=$((${INPUT_TIMEOUT:-30} * 10))
    until [ -s "$ready" ]; do
        tries=$((tries - 1))
        if [ "$tries" -le 0 ] || ! kill -0 "$pid" 2> /dev/null; then
            echo "fake-server.sh: the server did not start; its log:" >&2
            cat "$log" >&2
            kill "$pid" 2> /dev/null || true
            exit 1
        fi
        sleep 0.1
    done
    local url
    url="$("$venv/bin/python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["url"])' "$ready")"
    "$venv/bin/fake-server" wait --ready --timeout "${INPUT_TIMEOUT:-30}" "$url" > /dev/null
    {
        echo "FAKE_SERVER_URL=$url"
        echo "OPENAI_BASE_URL=$url/v1"
        echo "OPENAI_API_KEY=$api_key"
        echo "FAKE_SERVER_LOG=$log"
    } >> "$GITHUB_ENV"
    {
        echo "url=$url"
        echo "openai-base-url=$url/v1"
        echo "openai-api-key=$api_key"
        echo "pid=$pid"
    } >> "$GITHUB_OUTPUT"
    echo "fake-server.sh: fake_server ready on $url (pid $pid)"
}

save() {
    local folder="${INPUT_PATH:-fake-server-report}"
    mkdir -p "$folder"
    "$venv/bin/python" - "${FAKE_SERVER_URL:?start the server first}" "$folder" "${FAKE_SERVER_LOG:-$log}" <<'PYTHON'
import json, os, re, sys, urllib.parse, urllib.request

url, folder, log = sys.argv[1], sys.argv[2], sys.argv[3]
token = os.environ.get("FAKE_SERVER_ADMIN_TOKEN")

def get(path, session=None):
    request = urllib.request.Request(url + "/__fake__" + path)
    if token:
        request.add_header("Authorization", "Bearer " + token)
    if session is not None:
        request.add_header("X-Fake-Session", session)
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)

def write(name, value):
    with open(os.path.join(folder, name), "w", encoding="utf-8") as out:
        json.dump(value, out, indent=2)
        out.write("\n")

sessions = [None, *get("/sessions")["sessions"]]
for session in sessions:
    suffix = "" if session is None else "-" + urllib.parse.quote(session, safe="")
    write(f"journal{suffix}.json", get("/requests", session))
    write(f"report{suffix}.json", get("/report", session))

# The server's log, without the admin token: serve never prints it when its log
# is a file, and this guards against any line that quotes it all the same.
if os.path.isfile(log):
    with open(log, encoding="utf-8", errors="replace") as source:
        text = source.read()
    if token:
        text = text.replace(token, "[redacted]")
        text = text.replace(urllib.parse.quote(token, safe=""), "[redacted]")
    text = re.sub(r"([?&]token=)[^&\s)\"']+", r"\1[redacted]", text)
    with open(os.path.join(folder, "fake-server.log"), "w", encoding="utf-8") as out:
        out.write(text)
PYTHON
    echo "path=$folder" >> "$GITHUB_OUTPUT"
    echo "fake-server.sh: saved $(ls "$folder" | wc -l) files into $folder"
}

case "${1:-}" in
    install | start | save) "$1" ;;
    *)
        echo "usage: fake-server.sh install|start|save" >&2
        exit 2
        ;;
esac
