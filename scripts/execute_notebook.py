"""Execute one notebook with nbclient (Debian's python3-nbclient) and always save what ran.

usage: /usr/bin/python3 scripts/execute_notebook.py IN.ipynb OUT.ipynb TIMEOUT_SECONDS

Exit 0 when every cell ran; exit 1 after a failing cell, printing a JSON line {"failed_cell": i, ...} to stderr.
The partially executed notebook is written either way, so the failing cell's output can be inspected.
"""
import json
import os
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

src, dst, timeout = sys.argv[1], sys.argv[2], int(float(sys.argv[3]))
nb = nbformat.read(src, as_version=4)
client = NotebookClient(nb, timeout=timeout, kernel_name="tslab",
                        resources={"metadata": {"path": os.path.dirname(os.path.abspath(src))}})
failure = None
try:
    client.execute()
except (CellExecutionError, CellTimeoutError, DeadKernelError) as e:
    failed = None
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and cell.get("execution_count") is not None:
            failed = i
    # the failing cell is the last one that started executing
    failure = {"failed_cell": failed, "error": type(e).__name__, "message": str(e)[-3000:]}
nbformat.write(nb, dst)
if failure:
    sys.stderr.write(json.dumps(failure) + "\n")
    sys.exit(1)
