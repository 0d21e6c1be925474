"""Render ontology/graphkit.ttl to docs/ontology.html with pyLODE (pip install pylode==3.3.4).

pyLODE orders some sections by Python's string hashing, so the page is rendered with a
fixed PYTHONHASHSEED to stay byte-identical: python docs/make_ontology_html.py
"""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def render() -> str:
    code = "import sys, pylode; sys.stdout.write(pylode.OntPub(sys.argv[1]).make_html())"
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    out = subprocess.run(
        [sys.executable, "-c", code, str(REPO / "ontology" / "graphkit.ttl")],
        env=env, capture_output=True, check=True,
    )  # fmt: skip
    return out.stdout.decode("utf-8")


if __name__ == "__main__":
    (REPO / "docs" / "ontology.html").write_text(render(), encoding="utf-8")
