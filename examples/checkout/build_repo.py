#!/usr/bin/env python3
"""Build checkout's git repository for one scenario of the demo world.

    python3 build_repo.py --scenario catalog-shape --out .fixloop/repos/checkout

Replays checkout_history/history.json: for each step of the scenario, copies the step folder's
files over the working tree and commits them with that step's author, message and date (dated
relative to now). File contents are the same on every build; only commit dates and hashes vary.
DIR is deleted first if it exists.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
HISTORY = HERE / "checkout_history"


def parse_ago(text: str) -> int:
    """'2d 3h 20m' -> seconds."""
    units = {"d": 86400, "h": 3600, "m": 60, "s": 1}
    parts = re.findall(r"(\d+)\s*([dhms])", text)
    if not parts or re.sub(r"[\d\sdhms]", "", text):
        raise ValueError(f"bad duration {text!r}")
    return sum(int(n) * units[u] for n, u in parts)


def check_out_dir(out: Path) -> None:
    """Refuse to delete anything that does not look like a repo this script built."""
    if out == Path(out.anchor) or out == Path.home() or out == HERE or HERE.is_relative_to(out):
        sys.exit(f"build_repo: refusing to use {out} as the output folder")
    if out.exists():
        if not out.is_dir():
            sys.exit(f"build_repo: {out} exists and is not a folder")
        if any(out.iterdir()) and not (out / ".git").exists():
            sys.exit(f"build_repo: {out} is not empty and is not a git repository; not deleting it")


def git(out: Path, *args: str, env: dict | None = None) -> str:
    base = ["git", "-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null", "-c", "core.autocrlf=false"]
    proc = subprocess.run([*base, *args], cwd=out, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"build_repo: git {' '.join(args)} failed: {proc.stderr.strip()}")
    return proc.stdout.strip()


def copy_step(src: Path, out: Path) -> None:
    for path in sorted(src.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            dest = out / path.relative_to(src)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)


def main() -> int:
    history = json.loads((HISTORY / "history.json").read_text(encoding="utf-8"))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", required=True, choices=sorted(history["scenarios"]))
    parser.add_argument("--out", required=True, help="folder to create (deleted first if it exists)")
    args = parser.parse_args()

    out = Path(args.out).resolve()
    check_out_dir(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)

    base_env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    base_env.update({"GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C.UTF-8"})
    git(out, "init", "-q", "-b", "main", env=base_env)

    now = int(time.time())
    steps = history["scenarios"][args.scenario]
    for name in steps:
        step = history["steps"][name]
        author = history["authors"][step["author"]]
        copy_step(HISTORY / name, out)
        date = f"{now - parse_ago(step['ago'])} {author['tz']}"
        env = {
            **base_env,
            "GIT_AUTHOR_NAME": author["name"],
            "GIT_AUTHOR_EMAIL": author["email"],
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_NAME": author["name"],
            "GIT_COMMITTER_EMAIL": author["email"],
            "GIT_COMMITTER_DATE": date,
        }
        git(out, "add", "-A", env=env)
        git(out, "commit", "-q", "--no-verify", "-m", step["message"], env=env)

    head = git(out, "log", "-1", "--format=%h %s", env=base_env)
    print(f"build_repo: {args.scenario}: {len(steps)} commits in {out} (HEAD {head})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
