"""The run's lifecycle (issue 10): a committed per-school lock that spans processes, refused or
waited for, released when its process died; and the five steps as five processes."""

from __future__ import annotations

import datetime as dt
import logging
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update

from leerlingimport import finish_run, load_run, release_run, start_run
from leerlingimport.db import make_engine, reading, upgrade, writing
from leerlingimport.db.tables import Credential, ImportRun
from leerlingimport.library import register_params
from leerlingimport.params import Params
from leerlingimport.pipeline import run_import
from leerlingimport.printable import read_school_list
from leerlingimport.runs import RunLocked
from leerlingimport.synthetic import demo_library, exports

from .conftest import REPO, _postgres_database
from .sync_helpers import NEXT_YEAR, NOW, snapshot


def test_a_second_run_of_the_school_is_refused_or_waits(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    first = start_run(engine, params, "99ZZ", data_dir=tmp_path, started_by="Ria Smit")
    with pytest.raises(RunLocked, match=f"{first.run_id}, gestart door Ria Smit"):
        start_run(engine, params, "99ZZ", data_dir=tmp_path)
    other = start_run(engine, params, "99YY", data_dir=tmp_path)  # another school is free
    threading.Timer(1.0, finish_run, (engine, first, "planned", {})).start()
    began = time.monotonic()
    second = start_run(engine, params, "99ZZ", data_dir=tmp_path, wait_seconds=30)
    assert time.monotonic() - began >= 0.9 and second.run_id != first.run_id
    for run in (other, second):
        finish_run(engine, run, "planned", {})


def test_a_run_whose_process_died_is_released_and_logged(
    engine: Engine, params: Params, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    stale = start_run(engine, params, "99ZZ", data_dir=tmp_path)
    with writing(engine) as conn:  # as if its process died
        conn.execute(update(ImportRun).where(ImportRun.id == stale.pk).values(pid=int(dead.stdout)))
    with caplog.at_level(logging.WARNING, logger="leerlingimport.runs"):
        fresh = start_run(engine, params, "99ZZ", data_dir=tmp_path)
    assert any(stale.run_id in r.getMessage() for r in caplog.records)
    with reading(engine) as conn:
        status, error = conn.execute(
            select(ImportRun.status, ImportRun.error).where(ImportRun.id == stale.pk)
        ).one()
    assert status == "failed" and "bestaat niet meer" in str(error)
    # A step on another machine silent for an hour is stale; a run between steps is stale only
    # after a day without a step; and an operator can release a run no step is running for.
    an_hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    with writing(engine) as conn:
        conn.execute(
            update(ImportRun)
            .where(ImportRun.id == fresh.pk)
            .values(host="elders", pid=4242, heartbeat_at=an_hour_ago)
        )
    idle = start_run(engine, params, "99ZZ", data_dir=tmp_path)
    with writing(engine) as conn:
        conn.execute(
            update(ImportRun).where(ImportRun.id == idle.pk).values(heartbeat_at=an_hour_ago)
        )
    with pytest.raises(RunLocked):  # an analyst pausing between steps keeps the school
        start_run(engine, params, "99ZZ", data_dir=tmp_path)
    a_day_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=25)
    with writing(engine) as conn:
        conn.execute(
            update(ImportRun).where(ImportRun.id == idle.pk).values(heartbeat_at=a_day_ago)
        )
    later = start_run(engine, params, "99ZZ", data_dir=tmp_path)
    assert release_run(engine, later.run_id, "vrijgegeven door de test") is True
    assert release_run(engine, later.run_id, "nog eens") is False


@pytest.fixture
def twin_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second empty database of the same kind."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'twin.db'}"
    else:
        yield from _postgres_database()


STEP = textwrap.dedent(
    """
    import sys, datetime as dt
    from pathlib import Path
    import leerlingimport as li
    url, data_dir, step, run_id = sys.argv[1:5]
    engine = li.make_engine(url)
    params = li.load_params(Path({params!r}))
    if step == "ingest":
        run = li.start_run(engine, params, "99ZZ", data_dir=Path(data_dir),
                           now=dt.datetime.fromisoformat(sys.argv[6]), data=Path(sys.argv[5]).read_bytes())
        li.ingest_step(run, Path(sys.argv[5]).read_bytes(), "leerlingen.csv")
        print(run.run_id)
    else:
        run = li.load_run(engine, run_id, Path(data_dir))
        if step == "validate":
            li.raise_for_rejection(li.validate_step(run, params))
        elif step == "enroll":
            li.enroll(engine, run, params)
        elif step == "passwords":
            li.issue_passwords(engine, run)
        elif step == "deregister":
            li.deregister(engine, run, params)
            from leerlingimport.steps import enrolled_counts
            status, counts, _ = enrolled_counts(run)
            li.finish_run(engine, run, status, counts)
            print(counts)
    """
).format(params=str(REPO / "params"))


def step_command(url: str, data_dir: Path, name: str, run_id: str, data: Path) -> list[str]:
    argv = [sys.executable, "-c", STEP, url, str(data_dir), name, run_id]
    return [*argv, str(data), NEXT_YEAR.isoformat()] if name == "ingest" else argv


def _state(engine: Engine) -> dict[str, object]:
    """Everything but what is random by design (one-time password hashes) or the run's id."""
    state = snapshot(engine)
    with reading(engine) as conn:
        state["credentials"] = sorted(
            (str(c), str(m))
            for c, m in conn.execute(select(Credential.customer_id, Credential.must_change))
        )
    return state


def test_five_steps_in_five_processes_do_what_run_import_does(
    engine: Engine, database_url: str, twin_url: str, params: Params, tmp_path: Path
) -> None:
    years = demo_library(seed=4, pupils=30)["99ZZ"]
    first = exports.parnassys_csv(years.spec, years.first)
    second = tmp_path / "next.csv"
    second.write_bytes(exports.parnassys_csv(years.next_spec, years.next))
    twin = make_engine(twin_url)
    upgrade(twin)
    with writing(twin) as conn:
        register_params(conn, params)
    for eng in (engine, twin):
        run_import(eng, first, "a.csv", params, "99ZZ", data_dir=tmp_path / "setup", now=NOW)
    reference = run_import(
        twin,
        second.read_bytes(),
        "leerlingen.csv",
        params,
        "99ZZ",
        data_dir=tmp_path / "ref",
        now=NEXT_YEAR,
    )
    steps_dir = tmp_path / "steps"

    def step(name: str, run_id: str = "-") -> str:
        done = subprocess.run(
            step_command(database_url, steps_dir, name, run_id, second),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout.strip()

    run_id = step("ingest")
    step("validate", run_id)
    with pytest.raises(RunLocked):  # the steps' processes are gone, the run still holds
        start_run(engine, params, "99ZZ", data_dir=steps_dir)
    for name in ("enroll", "passwords"):
        step(name, run_id)
    counts = step("deregister", run_id)
    assert counts == str(reference.counts)
    assert _state(engine) == _state(twin)
    with reading(engine) as conn:
        assert conn.scalar(select(ImportRun.status).where(ImportRun.run_id == run_id)) == "applied"
    twin.dispose()


def test_no_public_function_returns_a_plain_one_time_password(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    result = run_import(
        engine,
        exports.parnassys_csv(
            demo_library(seed=2, pupils=12)["99ZZ"].spec,
            demo_library(seed=2, pupils=12)["99ZZ"].first,
        ),
        "a.csv",
        params,
        "99ZZ",
        data_dir=tmp_path,
        now=NOW,
    )

    printed = read_school_list(result.passwords_file)
    secrets = set(printed["Eenmalig wachtwoord"])
    assert len(secrets) == result.passwords_issued > 0
    seen = repr(result) + repr(result.as_json()) + repr(load_run(engine, result.run_id, tmp_path))
    assert not any(s in seen for s in secrets)
    listing = Path(str(result.passwords_file))
    assert oct(listing.stat().st_mode & 0o777) == "0o600"
    assert oct(listing.parent.stat().st_mode & 0o777) == "0o700"


def test_the_plan_is_shown_without_personal_data_unless_asked(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    from leerlingimport.display import issues_frame, plan_frame

    years = demo_library(seed=2, pupils=12)["99ZZ"]
    result = run_import(
        engine,
        exports.parnassys_csv(years.spec, years.first),
        "a.csv",
        params,
        "99ZZ",
        data_dir=tmp_path,
        now=NOW,
    )
    run = load_run(engine, result.run_id, tmp_path)
    hidden = plan_frame(run)
    names = {p.surname for p in years.first} | {p.first_name for p in years.first}
    assert len(hidden) == 12 and set(hidden["action"]) == {"create"}
    assert not names & set(hidden.astype(str).to_numpy().ravel())
    assert hidden["pupil"].str.match(r"^ll-[0-9a-f]{10}$").all()
    assert plan_frame(run)["pupil"].tolist() == hidden["pupil"].tolist()  # stable
    shown = plan_frame(run, show_personal_data=True)
    assert set(shown["surname"]) == {p.surname for p in years.first}
    assert list(issues_frame(result.issues).columns) == [
        "code",
        "severity",
        "row",
        "column",
        "message",
    ]


def _steps_up_to_validate(
    engine: Engine, params: Params, data_dir: Path, data: bytes, **kw: object
) -> object:
    from leerlingimport import ingest_step, validate_step

    run = start_run(engine, params, "99ZZ", data_dir=data_dir, data=data, **kw)  # type: ignore[arg-type]
    ingest_step(run, data, "leerlingen.csv")
    validate_step(run, params)
    return run


def test_a_step_runs_only_for_a_run_that_is_still_running(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    from leerlingimport import deregister, enroll, issue_passwords
    from leerlingimport.runs import RunNotRunning

    years = demo_library(seed=6, pupils=12)["99ZZ"]
    data = exports.parnassys_csv(years.spec, years.first)
    run = _steps_up_to_validate(engine, params, tmp_path, data)
    assert release_run(engine, run.run_id, "vrijgegeven door de test")  # type: ignore[attr-defined]
    before = snapshot(engine)
    for step in (lambda: enroll(engine, run, params), lambda: issue_passwords(engine, run)):  # type: ignore[arg-type]
        with pytest.raises(RunNotRunning, match="loopt niet meer"):
            step()
    with pytest.raises(RunNotRunning):
        finish_run(engine, run, "planned", {})  # type: ignore[arg-type]
    assert snapshot(engine) == before
    # An old, finished run cannot roll the school back either.
    done = run_import(engine, data, "a.csv", params, "99ZZ", data_dir=tmp_path, now=NOW)
    old = load_run(engine, done.run_id, tmp_path)
    for step in (enroll, deregister):
        with pytest.raises(RunNotRunning):
            step(engine, old, params)


def test_steps_in_the_wrong_order_say_which_step_comes_first(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    from leerlingimport import deregister, enroll
    from leerlingimport.errors import NotFound
    from leerlingimport.steps import StepOrderError

    run = start_run(engine, params, "99ZZ", data_dir=tmp_path)
    with pytest.raises(StepOrderError, match="'validate'"):
        enroll(engine, run, params)
    with pytest.raises(StepOrderError, match="'enroll'"):
        deregister(engine, run, params)
    with pytest.raises(NotFound):
        load_run(engine, run.run_id, tmp_path / "elders")
    assert not (tmp_path / "elders").exists()


def test_passwords_are_never_lost_whatever_the_order_or_the_repeats(
    engine: Engine, params: Params, tmp_path: Path
) -> None:

    from leerlingimport import enroll, issue_passwords
    from leerlingimport.credentials import authenticate
    from leerlingimport.steps import StepOrderError, enrolled_counts

    years = demo_library(seed=7, pupils=20)["99ZZ"]
    data = exports.parnassys_csv(years.spec, years.first)
    dry = _steps_up_to_validate(engine, params, tmp_path, data, dry_run=True)
    enroll(engine, dry, params)  # type: ignore[arg-type]
    assert issue_passwords(engine, dry).count == 0  # type: ignore[arg-type]  # a dry run writes none
    finish_run(engine, dry, "planned", {})  # type: ignore[arg-type]
    run = _steps_up_to_validate(engine, params, tmp_path, data)
    with pytest.raises(StepOrderError, match="'enroll'"):
        issue_passwords(engine, run)  # type: ignore[arg-type]  # before enroll
    first = enroll(engine, run, params)  # type: ignore[arg-type]
    assert enroll(engine, run, params).counts == first.counts  # type: ignore[arg-type]  # never twice
    assert enrolled_counts(run)[1]["created"] == first.counts["created"] == 20  # type: ignore[arg-type]
    issued = issue_passwords(engine, run)  # type: ignore[arg-type]
    again = issue_passwords(engine, run)  # type: ignore[arg-type]
    assert (issued.count, again.count) == (20, 0) and again.list_path is None
    printed = read_school_list(issued.list_path)
    with writing(engine) as conn:
        for _, row in printed.iterrows():
            assert authenticate(conn, row["Pasnummer"], row["Eenmalig wachtwoord"], NOW).ok


def test_two_password_steps_of_one_run_at_once_lose_nothing(
    engine: Engine, database_url: str, params: Params, tmp_path: Path
) -> None:
    import os

    import pandas as pd

    from leerlingimport import enroll
    from leerlingimport.credentials import authenticate

    years = demo_library(seed=8, pupils=15)["99ZZ"]
    path = tmp_path / "a.csv"
    path.write_bytes(exports.parnassys_csv(years.spec, years.first))
    run = _steps_up_to_validate(engine, params, tmp_path, path.read_bytes())
    enroll(engine, run, params)  # type: ignore[arg-type]
    slow = {**os.environ, "LEERLINGIMPORT_SLOW_AT": "passwords-before-commit"}
    command = step_command(database_url, tmp_path, "passwords", run.run_id, path)  # type: ignore[attr-defined]
    first = subprocess.Popen(command, env=slow, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    second = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    errors = [p.communicate(timeout=120)[1] for p in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], errors
    lists = sorted(tmp_path.glob("runs/*/nieuwe_leerlingen*.xlsx"))
    printed = pd.concat([read_school_list(p) for p in lists])
    assert len(printed) == 15
    with writing(engine) as conn:
        assert all(
            authenticate(conn, r["Pasnummer"], r["Eenmalig wachtwoord"], NOW).ok
            for _, r in printed.iterrows()
        )


def test_enroll_refuses_a_rejected_file_even_when_asked(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    from leerlingimport import enroll
    from leerlingimport.steps import FileRejected

    years = demo_library(seed=9, pupils=6)["99ZZ"]
    run_import(
        engine,
        exports.parnassys_csv(years.spec, years.first),
        "a.csv",
        params,
        "99ZZ",
        data_dir=tmp_path,
        now=NOW,
    )
    before = snapshot(engine)
    empty = b"LEERLINGNUMMER;ROEPNAAM;NAAM;GROEP\r\n"  # no pupils: every pupil would 'leave'
    run = _steps_up_to_validate(engine, params, tmp_path, empty)
    with pytest.raises(FileRejected, match="geweigerd"):
        enroll(engine, run, params)  # type: ignore[arg-type]
    assert snapshot(engine) == before


def test_another_file_in_a_validated_run_needs_validating_again_and_none_after_enroll(
    engine: Engine, params: Params, tmp_path: Path
) -> None:
    from leerlingimport import enroll, ingest_step
    from leerlingimport.steps import StepOrderError

    years = demo_library(seed=10, pupils=8)
    first = exports.parnassys_csv(years["99ZZ"].spec, years["99ZZ"].first)
    other = exports.parnassys_csv(years["99YY"].spec, years["99YY"].first)
    run = _steps_up_to_validate(engine, params, tmp_path, first)
    ingest_step(run, other, "other.csv")  # type: ignore[arg-type]  # a librarian picks another file
    with pytest.raises(StepOrderError, match="'validate'"):
        enroll(engine, run, params)  # type: ignore[arg-type]  # never the old file's rows
    finish_run(engine, run, "planned", {})  # type: ignore[arg-type]
    run = _steps_up_to_validate(engine, params, tmp_path / "b", first)
    enroll(engine, run, params)  # type: ignore[arg-type]
    with pytest.raises(StepOrderError, match="'enroll' al gedaan"):
        ingest_step(run, other, "other.csv")  # type: ignore[arg-type]
