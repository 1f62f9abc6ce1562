"""Live fan-out benchmark: how long until the last of N phones has the new state after "next speaker".

    .venv/bin/python bench/live_fanout.py [--clients 100,500,1000,2000] [--rounds 15] [--redis]

For each N it starts, side by side and fresh:
- the app exactly as ``make serve`` runs it (``gunicorn -k gevent -w 1 --worker-connections 5000 wsgi:app``,
  production configuration) on a scratch PostgreSQL database created for the run and dropped at the end;
- bench/bare_server.py, a bare Flask-SocketIO app on the same worker class and options, which broadcasts a copy
  of the app's latest snapshot (same size and same JSON shape for the clients to decode).

N real ``python-socketio`` clients connect to each over websocket, each as a different invited cell secretary
with their own API token (``auth={"token": ...}``), and join the session's room. Then, in alternating rounds, the
organizer calls "next speaker" through the API (``POST /api/v1/sessions/{id}/speakers/next``) and the bare
server is poked to broadcast the same payload; the time from sending the request until the last
client has received the new state is measured (median and p95 over the rounds), and the worker's resident memory
is read from ``/proc/<pid>/status`` (VmRSS) with the N clients connected.

The clients run in a few load-generator processes under gevent (``python-socketio``'s synchronous client,
monkey-patched: a few thousand connections per process). python-socketio's asyncio client would need aiohttp,
which is not a dependency of the project. Everything is on 127.0.0.1, bounded by timeouts, and stops by itself.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CONNECT_CONCURRENCY = 40  # simultaneous connection attempts per load process
ROUND_TIMEOUT = 60.0  # seconds for one broadcast to reach every client
CONNECT_TIMEOUT = 600.0
CELLS_PER_COMMUNE = 100
JOIN_TIMEOUT = 300.0  # a join answers with the full snapshot, built per join: slow when thousands join at once


def raise_open_files_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# The load generator (a child process) ----------------------------------------------------------------------


def load_worker() -> None:
    """Reads JSON commands on stdin, answers JSON lines on stdout. Runs under gevent."""
    from gevent import monkey

    monkey.patch_all()
    import gevent
    import gevent.event
    import gevent.pool
    import socketio
    from gevent.fileobject import FileObjectPosix

    raise_open_files_limit()
    stdin = FileObjectPosix(sys.stdin.fileno(), "rb")
    groups: dict[str, dict] = {}

    def answer(data: dict) -> None:
        sys.stdout.write(json.dumps(data) + "\n")
        sys.stdout.flush()

    def connect_one(group: dict, token: str | None) -> None:
        # websocket-client checks UTF-8 in pure Python (~10 ms per 60 KB frame) unless told not to; a phone's
        # browser does it in C, and the JSON decoding checks it anyway.
        client = socketio.Client(reconnection=False, websocket_extra_options={"skip_utf8_validation": True})
        joined = gevent.event.Event()

        def on_state(data):
            arrived = time.monotonic()
            group["arrivals"].setdefault(data["version"], []).append(arrived)
            if not joined.is_set():
                joined.set()

        client.on("state", on_state, namespace="/live")
        client.on("disconnect", lambda *a: group["disconnects"].append(time.monotonic()), namespace="/live")
        try:
            client.connect(
                group["url"],
                namespaces=["/live"],
                transports=["websocket"],
                auth={"token": token} if token else None,
                wait_timeout=60,
            )
            client.emit("join", {"session_id": group["session_id"]}, namespace="/live")
            if not joined.wait(timeout=JOIN_TIMEOUT):
                raise TimeoutError("no state after join")
            group["clients"].append(client)
        except Exception as exc:
            group["errors"].append(f"{type(exc).__name__}: {exc}")
            with contextlib.suppress(Exception):
                client.disconnect()

    def handle(command: dict) -> dict:
        kind = command["cmd"]
        if kind == "connect":
            group = {
                "url": command["url"],
                "session_id": command["session_id"],
                "clients": [],
                "errors": [],
                "arrivals": {},
                "disconnects": [],
            }
            groups[command["group"]] = group
            pool = gevent.pool.Pool(CONNECT_CONCURRENCY)
            for token in command["tokens"]:
                pool.spawn(connect_one, group, token)
            pool.join(timeout=CONNECT_TIMEOUT)
            pool.kill(timeout=5)
            return {"connected": len(group["clients"]), "errors": group["errors"][:5]}
        if kind == "wait":
            group = groups[command["group"]]
            version, expected = command["version"], len(group["clients"])
            deadline = time.monotonic() + command.get("timeout", ROUND_TIMEOUT)
            while len(group["arrivals"].get(version, [])) < expected and time.monotonic() < deadline:
                gevent.sleep(0.005)
            arrivals = sorted(group["arrivals"].get(version, []))
            return {
                "count": len(arrivals),
                "disconnects": len(group["disconnects"]),
                "first": arrivals[0] if arrivals else None,
                "last": arrivals[-1] if arrivals else None,
                "median": statistics.median(arrivals) if arrivals else None,
            }
        if kind == "close":
            for group in groups.values():
                for client in group["clients"]:
                    with contextlib.suppress(Exception):
                        client.disconnect()
                group["clients"].clear()
            return {"closed": True}
        raise ValueError(kind)

    while True:
        line = stdin.readline()
        if not line:
            break
        command = json.loads(line)
        try:
            answer(handle(command))
        except Exception as exc:
            answer({"error": f"{type(exc).__name__}: {exc}"})
        if command["cmd"] == "close":
            break


class LoadProcess:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--load-worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )

    def send(self, command: dict) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()

    def receive(self, timeout: float) -> dict:
        import selectors

        assert self.process.stdout is not None
        selector = selectors.DefaultSelector()
        selector.register(self.process.stdout, selectors.EVENT_READ)
        ready = selector.select(timeout)
        selector.close()
        if not ready:
            raise TimeoutError("load process did not answer")
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"load process exited ({self.process.poll()})")
        data = json.loads(line)
        if "error" in data:
            raise RuntimeError(data["error"])
        return data

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.send({"cmd": "close"})
            self.receive(timeout=60)
        with contextlib.suppress(Exception):
            self.process.wait(timeout=10)
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=5)


def broadcast_to_all(loaders: list[LoadProcess], command: dict, timeout: float) -> list[dict]:
    for loader in loaders:
        loader.send(command)
    return [loader.receive(timeout) for loader in loaders]


def last_arrival(answers: list[dict], n: int, what: str) -> float:
    """When the last of the n clients had the state; an error if any of them did not get it in time."""
    got = sum(a["count"] for a in answers)
    if got != n:
        lost = sum(a["disconnects"] for a in answers)
        raise RuntimeError(f"{what}: {got}/{n} clients got the state in {ROUND_TIMEOUT:.0f}s ({lost} disconnected)")
    return max(a["last"] for a in answers)


# The run --------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def uninterrupted():
    """Cleanup that a second Ctrl-C (or `timeout` forwarding one) must not cut short: servers and the scratch
    database are always removed."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN), signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous[0])
        signal.signal(signal.SIGTERM, previous[1])


def _terminate(signum, frame):
    raise KeyboardInterrupt


def percentile(values: list[float], fraction: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def machine() -> dict:
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) // 1024} MiB"
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory": memory, "python": platform.python_version()}


def create_scratch_database(admin_url: str) -> tuple[str, str]:
    import psycopg

    name = f"dialogue_bench_{os.getpid()}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    base = admin_url.rsplit("/", 1)[0]
    return name, f"{base}/{name}"


def drop_scratch_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


SETUP_SCRIPT = r"""
import json, sys
from dialogue import create_app
from dialogue.accounts.services import create_api_token, create_user
from dialogue.extensions import db
from dialogue.units.services import create_unit

count, cells_per_commune = int(sys.argv[1]), int(sys.argv[2])
app = create_app("production")
with app.app_context():
    district = create_unit(None, name="Huyện ủy Châu Thành", kind="district")
    tokens, commune, communes = [], None, []
    for i in range(count):
        if i % cells_per_commune == 0:
            commune = create_unit(None, name=f"Đảng ủy xã số {i // cells_per_commune + 1}", kind="grassroots",
                                  parent_id=district.id, commit=False)
            communes.append(commune.id)
        cell = create_unit(None, name=f"Chi bộ ấp {i + 1}", kind="cell", parent_id=commune.id, commit=False)
        user = create_user(None, name=f"Nguyễn Văn Bí Thư {i + 1}", email=f"bithu{i + 1}@bench.vn",
                           roles=["secretary"], unit_id=cell.id, commit=False)
        _token, secret = create_api_token(None, user, "bench")  # commits
        tokens.append(secret)
    print(json.dumps({"district_id": district.id, "commune_ids": communes, "tokens": tokens}))
"""


def setup_data(env: dict[str, str], invitees: int) -> dict:
    from tests.server_processes import create_token, create_user, prepare_database

    prepare_database(env)
    # The 2,000 secretaries through the same services as `flask users create` / `flask tokens create`, in one
    # process (2,000 CLI runs would take most of an hour); the staff accounts through the CLI itself.
    done = subprocess.run(
        [sys.executable, "-c", SETUP_SCRIPT, str(invitees), str(CELLS_PER_COMMUNE)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"setup failed:\n{done.stderr[-3000:]}")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    organizer_id = create_user(
        env, email="van.phong@bench.vn", name="Văn phòng Huyện ủy", roles=["organizer"], unit_id=data["district_id"]
    )
    host_id = create_user(
        env, email="bi.thu@bench.vn", name="Bí thư Huyện ủy", roles=["host"], unit_id=data["district_id"]
    )
    data.update(organizer_token=create_token(env, "van.phong@bench.vn"), organizer_id=organizer_id, host_id=host_id)
    return data


def run_size(n: int, data: dict, app_env: dict, bare_env: dict, rounds: int, loaders_count: int, log_dir: Path) -> dict:
    from tests.server_processes import ServerProcess, call_api, open_live_session

    app_server = ServerProcess(app_env, name=f"app-{n}", log_dir=log_dir).start()
    bare_server = ServerProcess(
        bare_env, name=f"bare-{n}", log_dir=log_dir, app_spec="bare_server:app", cwd=ROOT / "bench"
    ).start()
    loaders: list[LoadProcess] = []
    try:
        app_server.wait_ready("/login")
        bare_server.wait_ready("/ready")
        organizer = data["organizer_token"]
        session_id = open_live_session(
            app_server.url,
            organizer,
            host_unit_id=data["district_id"],
            # N phones are N invitees: the first communes, a hundred cells (one secretary each) apiece.
            invited_unit_ids=data["commune_ids"][: math.ceil(n / CELLS_PER_COMMUNE)],
            host_ids=[data["host_id"]],
            title=f"Đối thoại trực tiếp — đo {n} máy",
        )
        # Speakers waiting for the rounds, plus ten more so that the queue in the snapshot stays realistic.
        speaker_tokens = data["tokens"][: rounds + 12]
        for token in speaker_tokens:
            status, body = call_api(app_server.url, token, "POST", f"/api/v1/sessions/{session_id}/speakers", {})
            if status != 201:
                raise RuntimeError(f"ask to speak: {status} {body}")
        status, snapshot = call_api(app_server.url, organizer, "GET", f"/api/v1/sessions/{session_id}/live")
        size = len(json.dumps(snapshot, separators=(",", ":")))
        version = snapshot["version"]
        requests_session = __import__("requests").Session()
        requests_session.post(
            bare_server.url + "/poke", json={"session_id": session_id, "version": 0, "state": snapshot}, timeout=10
        )
        rss_idle = {"app": app_server.worker_rss_kib(), "bare": bare_server.worker_rss_kib()}

        loaders = [LoadProcess() for _ in range(loaders_count)]
        tokens = data["tokens"][:n]
        shares = [tokens[i::loaders_count] for i in range(loaders_count)]
        started = time.monotonic()
        for group, url in (("app", app_server.url), ("bare", bare_server.url)):
            for loader, share in zip(loaders, shares, strict=True):
                loader.send({"cmd": "connect", "group": group, "url": url, "session_id": session_id, "tokens": share})
            answers = [loader.receive(CONNECT_TIMEOUT + 30) for loader in loaders]
            connected = sum(a["connected"] for a in answers)
            if connected != n:
                errors = [e for a in answers for e in a["errors"]]
                raise RuntimeError(f"{group}: {connected}/{n} clients connected; {errors[:5]}")
        connect_seconds = time.monotonic() - started
        time.sleep(1.0)
        rss_connected = {"app": app_server.worker_rss_kib(), "bare": bare_server.worker_rss_kib()}

        times: dict[str, list[float]] = {"app": [], "bare": []}
        # (HTTP answer received, first client has the state), seconds after the request was sent
        phases: dict[str, list[tuple[float, float]]] = {"app": [], "bare": []}
        sizes: list[int] = []
        for round_number in range(rounds + 2):  # two warm-up rounds are not counted
            # The app: the organizer calls the next speaker, sending the version seen (as the console does).
            t0 = time.monotonic()
            status, body = call_api(
                app_server.url,
                organizer,
                "POST",
                f"/api/v1/sessions/{session_id}/speakers/next",
                {"version": version},
            )
            app_response = time.monotonic() - t0
            if status != 200:
                raise RuntimeError(f"next speaker: {status} {body}")
            version += 1
            answers = broadcast_to_all(loaders, {"cmd": "wait", "group": "app", "version": version}, ROUND_TIMEOUT + 30)
            app_elapsed = last_arrival(answers, n, f"app round {round_number}") - t0
            app_first = min(a["first"] for a in answers) - t0
            status, snapshot = call_api(app_server.url, organizer, "GET", f"/api/v1/sessions/{session_id}/live")
            size = len(json.dumps(snapshot, separators=(",", ":")))
            time.sleep(0.3)

            # The bare server: the same payload (a copy of the app's snapshot), the same clients.
            bare_version = round_number + 1
            t0 = time.monotonic()
            requests_session.post(
                bare_server.url + "/poke",
                json={"session_id": session_id, "version": bare_version, "state": snapshot},
                timeout=30,
            )
            bare_response = time.monotonic() - t0
            answers = broadcast_to_all(
                loaders, {"cmd": "wait", "group": "bare", "version": bare_version}, ROUND_TIMEOUT + 30
            )
            bare_elapsed = last_arrival(answers, n, f"bare round {round_number}") - t0
            bare_first = min(a["first"] for a in answers) - t0
            time.sleep(0.3)
            if round_number >= 2:
                times["app"].append(app_elapsed)
                times["bare"].append(bare_elapsed)
                phases["app"].append((app_response, app_first))
                phases["bare"].append((bare_response, bare_first))
                sizes.append(size)
        rss_after = {"app": app_server.worker_rss_kib(), "bare": bare_server.worker_rss_kib()}
        result = {
            "clients": n,
            "payload_bytes": int(statistics.median(sizes)),
            "connect_seconds": connect_seconds,
            "rss_idle_kib": rss_idle,
            "rss_kib": {k: max(rss_connected[k], rss_after[k]) for k in rss_idle},
            "rss_connected_kib": rss_connected,
            "rss_after_rounds_kib": rss_after,
        }
        for kind in ("app", "bare"):
            result[kind] = {
                "median_ms": statistics.median(times[kind]) * 1000,
                "p95_ms": percentile(times[kind], 0.95) * 1000,
                "all_ms": [round(t * 1000, 1) for t in times[kind]],
                "response_median_ms": statistics.median(p[0] for p in phases[kind]) * 1000,
                "first_client_median_ms": statistics.median(p[1] for p in phases[kind]) * 1000,
            }
        for server in (app_server, bare_server):
            if "Traceback" in server.log(tail=1_000_000):
                result.setdefault("warnings", []).append(f"{server.name}: Traceback in log {server.log_path}")
        return result
    finally:
        with uninterrupted():
            for loader in loaders:
                loader.close()
            app_server.stop()
            bare_server.stop()


def print_table(results: list[dict], info: dict) -> str:
    lines = [
        f"Machine: {info['nproc']} CPU ({info['cpu']}), {info['memory']} RAM, Python {info['python']}; "
        f"message queue: {info['queue']}; {info['rounds']} rounds per size; {info['loaders']} load processes",
        "",
        "| clients | payload B | app median ms | app p95 ms | bare median ms | bare p95 ms | time ratio (median / p95)"
        " | app RSS MiB | bare RSS MiB | RSS ratio | per-client KiB app / bare |",
        "|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|",
    ]
    for r in results:
        app, bare = r["app"], r["bare"]
        rss_app, rss_bare = r["rss_kib"]["app"], r["rss_kib"]["bare"]
        per_app = (rss_app - r["rss_idle_kib"]["app"]) / r["clients"]
        per_bare = (rss_bare - r["rss_idle_kib"]["bare"]) / r["clients"]
        lines.append(
            f"| {r['clients']} | {r['payload_bytes']} | {app['median_ms']:.0f} | {app['p95_ms']:.0f} | "
            f"{bare['median_ms']:.0f} | {bare['p95_ms']:.0f} | "
            f"{app['median_ms'] / bare['median_ms']:.2f}× / {app['p95_ms'] / bare['p95_ms']:.2f}× | "
            f"{rss_app / 1024:.0f} | {rss_bare / 1024:.0f} | {rss_app / rss_bare:.2f}× | "
            f"{per_app:.0f} / {per_bare:.0f} |"
        )
    lines += [
        "",
        "Where the time goes (medians, ms after the request was sent): HTTP answer received → first client → last.",
        "",
        "| clients | app answer | app first | app last | bare answer | bare first | bare last | connect s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        app, bare = r["app"], r["bare"]
        lines.append(
            f"| {r['clients']} | {app['response_median_ms']:.0f} | {app['first_client_median_ms']:.0f} | "
            f"{app['median_ms']:.0f} | {bare['response_median_ms']:.0f} | {bare['first_client_median_ms']:.0f} | "
            f"{bare['median_ms']:.0f} | {r['connect_seconds']:.0f} |"
        )
    text = "\n".join(lines)
    print(text, flush=True)
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", default="100,500,1000,2000", help="comma-separated client counts")
    parser.add_argument("--rounds", type=int, default=15, help="measured triggers per size (after 2 warm-ups)")
    parser.add_argument("--loaders", type=int, default=0, help="load-generator processes (default: by size)")
    parser.add_argument("--redis", action="store_true", help="both servers use Redis as the message queue")
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="PostgreSQL maintenance database used to create and drop the scratch database",
    )
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--load-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load_worker:
        load_worker()
        return 0

    from tests.server_processes import redis_reachable, redis_url, server_env

    signal.signal(signal.SIGTERM, _terminate)
    limit = raise_open_files_limit()
    sizes = [int(x) for x in args.clients.split(",") if x.strip()]
    if limit < max(sizes) * 2 + 200:
        print(f"open files limit {limit} is too low for {max(sizes)} clients", file=sys.stderr)
        return 2
    queue = None
    if args.redis:
        problem = redis_reachable()
        if problem:
            print(problem, file=sys.stderr)
            return 2
        queue = redis_url(0)
    name, url = create_scratch_database(args.admin_url)
    log_dir = Path(f"/tmp/dialogue-bench-{os.getpid()}")
    log_dir.mkdir(parents=True, exist_ok=True)
    channel = {"SOCKETIO_CHANNEL": f"dialogue-bench-{uuid.uuid4().hex[:8]}"}
    secret = {"SECRET_KEY": uuid.uuid4().hex}
    app_env = server_env(url, message_queue=queue, secret_key=secret["SECRET_KEY"], extra=channel)
    bare_env = server_env(url, message_queue=queue, secret_key=secret["SECRET_KEY"], extra=channel)
    results: list[dict] = []
    info = machine() | {"queue": queue or "none (one process)", "rounds": args.rounds}
    try:
        print(f"Preparing {max(sizes)} invited secretaries on {name} ...", flush=True)
        started = time.monotonic()
        data = setup_data(app_env, max(sizes))
        print(f"  done in {time.monotonic() - started:.0f}s", flush=True)
        for n in sizes:
            loaders = args.loaders or max(1, min(4, math.ceil(n / 500)))
            info["loaders"] = loaders
            print(f"{n} clients ({loaders} load processes) ...", flush=True)
            result = run_size(n, data, app_env, bare_env, args.rounds, loaders, log_dir)
            result["loaders"] = loaders
            results.append(result)
            print(
                f"  payload {result['payload_bytes']} B; connected in {result['connect_seconds']:.0f}s; app {result['app']['median_ms']:.0f} ms, "
                f"bare {result['bare']['median_ms']:.0f} ms; RSS app {result['rss_kib']['app'] // 1024} MiB, "
                f"bare {result['rss_kib']['bare'] // 1024} MiB",
                flush=True,
            )
    finally:
        with uninterrupted():
            drop_scratch_database(args.admin_url, name)
    info["loaders"] = "/".join(str(r["loaders"]) for r in results)
    print()
    print_table(results, info)
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": info, "results": results}, indent=2))
    print(f"\nServer logs: {log_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
