"""The workbook's cost: one school through `leerlingimport import` (the five notebooks, the
archive) next to the in-process `run_import` of the same file, and a batch of schools through
the `process-inbox` flow, projected to a September batch of 100 schools.

    python bench/workbook.py [--pupils 1000] [--schools 20] [--batch-pupils 300]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]


def run(pupils: int = 1000, schools: int = 20, batch_pupils: int = 300) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-workbook-") as tmp:
        root = Path(tmp)
        params_dir = _params(root / "params", max(schools, 1))
        one = _one_school(root, params_dir, pupils)
        batch = _batch(root, params_dir, schools, batch_pupils)
    return {"one_school": one, "inbox": batch}


def _params(folder: Path, schools: int) -> Path:
    """The repo's library, with ``schools`` schools that apply their uploads themselves."""
    shutil.copytree(REPO / "params", folder)
    template = yaml.safe_load((folder / "schools" / "99ZZ.yaml").read_text())
    for path in (folder / "schools").glob("*.yaml"):
        path.unlink()
    for brin in _brins(schools):
        settings = {**template, "brin": brin, "name": f"Bench {brin}", "auto_apply": True}
        (folder / "schools" / f"{brin}.yaml").write_text(yaml.safe_dump(settings))
    return folder


def _brins(count: int) -> list[str]:
    return [f"{10 + i // 26:02d}{chr(65 + i % 26)}B" for i in range(count)]


def _file(brin: str, pupils: int, seed: int) -> bytes:
    from leerlingimport.synthetic.exports import parnassys_csv
    from leerlingimport.synthetic.people import SchoolSpec, make_pupils

    spec = SchoolSpec(brin, f"Bench {brin}", "po", ("nl", "tr", "ma"), 2026)
    return parnassys_csv(spec, make_pupils(spec, pupils, random.Random(seed), 1000))


def _fresh(root: Path, name: str, params_dir: Path) -> tuple[str, Path]:
    data_dir = root / name
    url = f"sqlite:///{data_dir / 'bench.db'}"
    data_dir.mkdir()
    _cli(url, params_dir, data_dir, "init")
    return url, data_dir


def _cli(url: str, params_dir: Path, data_dir: Path, *args: str) -> float:
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "leerlingimport",
            "--database-url",
            url,
            "--params-dir",
            str(params_dir),
            "--data-dir",
            str(data_dir),
            *args,
        ],
        check=False,
        capture_output=True,
    )
    return time.perf_counter() - start


def _one_school(root: Path, params_dir: Path, pupils: int) -> dict[str, Any]:
    from leerlingimport.db import make_engine
    from leerlingimport.params import load_params
    from leerlingimport.pipeline import run_import

    brin = _brins(1)[0]
    file = root / "school.csv"
    file.write_bytes(_file(brin, pupils, 1))
    url, data_dir = _fresh(root, "inprocess", params_dir)
    engine = make_engine(url)
    start = time.perf_counter()
    result = run_import(
        engine, file.read_bytes(), file.name, load_params(params_dir), brin, data_dir=data_dir
    )
    in_process = time.perf_counter() - start
    engine.dispose()
    assert result.status == "applied", result
    url, data_dir = _fresh(root, "workbook", params_dir)
    workbook = _cli(url, params_dir, data_dir, "import", str(file), "--school", brin)
    print(
        f"  one school, {pupils} pupils: in-process {in_process:.1f} s, through the workbook "
        f"(`leerlingimport import`) {workbook:.1f} s: overhead {workbook - in_process:.1f} s",
        flush=True,
    )
    return {
        "pupils": pupils,
        "in_process_s": round(in_process, 2),
        "workbook_s": round(workbook, 2),
        "overhead_s": round(workbook - in_process, 2),
    }


def _batch(root: Path, params_dir: Path, schools: int, pupils: int) -> dict[str, Any]:
    url, data_dir = _fresh(root, "inbox", params_dir)
    _uploads(url, params_dir, data_dir, schools, pupils)
    env = {
        **os.environ,
        "LEERLINGIMPORT_DATABASE_URL": url,
        "LEERLINGIMPORT_PARAMS_DIR": str(params_dir),
        "LEERLINGIMPORT_DATA_DIR": str(data_dir),
        "PREFECT_HOME": str(root / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    env.pop("PREFECT_API_URL", None)
    code = (
        "import sys, time; sys.path.insert(0, sys.argv[1]);"
        "from flows.process_inbox import process_inbox; t = time.perf_counter();"
        "out = process_inbox(); print(time.perf_counter() - t);"
        "assert set(out.values()) == {'applied'}, out"
    )
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, str(REPO)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    total = time.perf_counter() - start
    assert done.returncode == 0, done.stderr[-2000:]
    flow = float(done.stdout.strip().splitlines()[-1])
    per_school = flow / schools
    print(
        f"  {schools} schools of {pupils} pupils through process-inbox: {flow:.0f} s in the "
        f"flow ({total:.0f} s with Prefect's start), {per_school:.1f} s a school; 100 "
        f"schools projected: {100 * per_school / 60:.1f} min",
        flush=True,
    )
    return {
        "schools": schools,
        "pupils": pupils,
        "flow_s": round(flow, 1),
        "with_startup_s": round(total, 1),
        "per_school_s": round(per_school, 2),
        "projected_100_min": round(100 * per_school / 60, 1),
    }


def _uploads(url: str, params_dir: Path, data_dir: Path, schools: int, pupils: int) -> None:
    from sqlalchemy import insert, select

    from leerlingimport.customers import NewCustomer, add_customer
    from leerlingimport.db import make_engine, writing
    from leerlingimport.db.tables import School, Upload
    from leerlingimport.params import load_params

    engine = make_engine(url)
    now = dt.datetime.now(dt.UTC)
    inbox = data_dir / "inbox"
    inbox.mkdir()
    with writing(engine) as conn:
        prefix = load_params(params_dir).library.card_prefix
        teacher = add_customer(conn, NewCustomer(surname="Bench"), prefix, now, dt.timedelta(1))
        for number, brin in enumerate(_brins(schools)):
            data = _file(brin, pupils, number + 10)
            name = f"{brin}-{hashlib.sha256(data).hexdigest()[:20]}.csv"
            (inbox / name).write_bytes(data)
            school = conn.execute(
                select(School.id, School.branch_id).where(School.brin == brin)
            ).one()
            conn.execute(
                insert(Upload).values(
                    school_id=school.id,
                    branch_id=school.branch_id,
                    uploader_id=teacher.customer_id,
                    original_name="leerlingen.csv",
                    stored_name=name,
                    size=len(data),
                    sha256=hashlib.sha256(data).hexdigest(),
                    received_at=now,
                    status="received",
                )
            )
    engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--pupils", type=int, default=1000)
    parser.add_argument("--schools", type=int, default=20)
    parser.add_argument("--batch-pupils", type=int, default=300)
    args = parser.parse_args()
    print(run(args.pupils, args.schools, args.batch_pupils))
