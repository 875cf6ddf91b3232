"""Runs cells in a real tslab kernel and interrupts one of them (SIGINT, as Jupyter's Interrupt button does).

usage: /usr/bin/python3 test/notebooks/interrupt_cell.py CWD SETUP_CODE LONG_CODE INTERRUPT_AFTER_SECONDS [AFTER_CODE]

The interrupt is sent INTERRUPT_AFTER_SECONDS after the long cell's first progress display appeared (so the
computation is running, not still being compiled). The kernel is always shut down, also on a timeout.

Prints one JSON object: {"setup": [...], "long": [...], "after": [...]} where each list holds the iopub messages
({"type", "content"}) of that execution, "after" those of a cell run after the interrupt (AFTER_CODE, default a
trivial one: the kernel must still answer). Messages arriving up to 2 s after the long cell went idle are kept with it (a progress bar that is
closed when the event loop turns again).
"""
import json
import sys
import time

from jupyter_client.manager import start_new_kernel

cwd, setup, long_code, after_s = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
after_code = sys.argv[5] if len(sys.argv) > 5 else 'console.log("kernel alive");'
km, kc = start_new_kernel(kernel_name="tslab", cwd=cwd)


def collect(msg_id, linger=0.0, timeout=240, until=None):
    out, idle_at = [], None
    deadline = time.time() + timeout
    while time.time() < deadline:
        if until is not None and until(out):
            break
        if idle_at is not None and time.time() - idle_at > linger:
            break
        try:
            msg = kc.get_iopub_msg(timeout=0.2)
        except Exception:
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status":
            if msg["content"]["execution_state"] == "idle":
                idle_at = time.time()
            continue
        out.append({"type": msg["msg_type"], "content": msg["content"]})
    return out


try:
    result = {"setup": collect(kc.execute(setup))}
    msg_id = kc.execute(long_code)
    started = collect(msg_id, timeout=120, until=lambda out: any(m["type"] == "display_data" for m in out))
    time.sleep(after_s)
    km.interrupt_kernel()
    result["long"] = started + collect(msg_id, linger=2.0, timeout=120)
    result["after"] = collect(kc.execute(after_code))
    print(json.dumps(result))
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)
