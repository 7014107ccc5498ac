"""`newsdesk train` as a user runs it on a wrong or damaged data folder: a typed error naming the
file, exit 1, no traceback, and the model folder left as it was. Real processes, own fixtures."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

ROWS = [
    {"id": f"w{i}", "title": title, "text": text, "label": label}
    for i, (title, text, label) in enumerate(
        [
            ("省委书记调研春耕", "省委书记来到田间地头，调研春耕备耕工作。", "leadership"),
            ("钢铁产量稳步回升", "今年以来，全省钢铁产量稳步回升，企业效益好转。", "industry"),
            ("本台短评：实干为先", "干部要把心思用在干事创业上，少说空话。", "commentary"),
            ("高校开学迎新生", "各地高校陆续开学，迎接新生入校报到。", "education"),
            ("今日天气晴转多云", "气象台预计，明天全省大部晴转多云。", "other"),
        ]
        * 6
    )
]


def _write(path: Path, rows: list[dict], tail: bytes = b"") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    path.write_bytes(text.encode("utf-8") + tail)


def _train(data: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", "train", "--data", str(data), "--out", str(out)]
        + list(extra),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )


def _old_model(out: Path) -> dict[str, bytes]:
    """A stand-in for the previous model: train must leave its files byte for byte."""
    out.mkdir(parents=True)
    (out / "manifest.json").write_text('{"version": "before"}\n', encoding="utf-8")
    return {p.name: p.read_bytes() for p in out.iterdir()}


def test_a_folder_without_the_read_labels_is_refused(tmp_path: Path) -> None:
    """A DATA folder holding only the weak corpus used to train, exit 0, a model with no read
    labels and no review thresholds, over models/desk by default."""
    data = tmp_path / "data"
    _write(data / "classify" / "train.jsonl", ROWS)
    _write(data / "classify" / "other.jsonl", ROWS[:5])
    before = _old_model(tmp_path / "desk")
    done = _train(data, tmp_path / "desk")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    for name in ("newspaper_gold.jsonl", "articles.jsonl.gz", "train_gold.jsonl"):
        assert name in done.stderr
    assert "--partial" in done.stderr
    assert {p.name: p.read_bytes() for p in (tmp_path / "desk").iterdir()} == before

    missing = _train(tmp_path / "nowhere", tmp_path / "desk")
    assert missing.returncode == 1 and "no such folder" in missing.stderr, missing.stderr
    assert "Traceback" not in missing.stderr


def test_partial_trains_on_what_is_there(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _write(data / "classify" / "train.jsonl", ROWS)
    _write(data / "classify" / "other.jsonl", ROWS[:5])
    done = _train(data, tmp_path / "desk", "--partial")
    assert done.returncode == 0, done.stderr
    manifest = json.loads((tmp_path / "desk" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["data"]["files"] == ["classify/train.jsonl", "classify/other.jsonl"]


def test_seed_is_recorded_and_the_help_says_the_model_does_not_depend_on_it(
    tmp_path: Path,
) -> None:
    """`--seed` was helped as the seed "of sampling and fitting": the recipe samples no rows and
    its solvers are deterministic, so two seeds wrote the same model.npz (a 4,000-row
    two-month corpus at seeds 1 and 13 too) and a seed spread measured nothing."""
    data = tmp_path / "data"
    _write(data / "classify" / "train.jsonl", ROWS)
    _write(data / "classify" / "other.jsonl", ROWS[:5])
    for seed in ("1", "13"):
        done = _train(data, tmp_path / seed, "--partial", "--seed", seed)
        assert done.returncode == 0, done.stderr
        manifest = json.loads((tmp_path / seed / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["seed"] == int(seed)
    assert (tmp_path / "1" / "model.npz").read_bytes() == (
        tmp_path / "13" / "model.npz"
    ).read_bytes()
    helped = _train(data, tmp_path / "x", "--help").stdout
    assert "every seed writes the same model" in " ".join(helped.split())


def test_a_corpus_line_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    """It used to end `newsdesk train` in a UnicodeDecodeError traceback naming no file."""
    data = tmp_path / "data"
    _write(data / "classify" / "train.jsonl", ROWS[:3], b'{"id": "bad", "title": "\xff"}\n')
    _write(data / "classify" / "other.jsonl", ROWS[:5])
    before = _old_model(tmp_path / "desk")
    done = _train(data, tmp_path / "desk", "--partial")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert f"{data / 'classify' / 'train.jsonl'}:4: not UTF-8 (byte 0xff" in done.stderr
    assert {p.name: p.read_bytes() for p in (tmp_path / "desk").iterdir()} == before


def test_a_byte_order_mark_is_read_past(tmp_path: Path) -> None:
    from training.corpus import read_jsonl

    path = tmp_path / "train.jsonl"
    _write(path, ROWS[:2])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert [r.id for r in read_jsonl(path)] == ["w0", "w1"]


def _articles(data: Path, damage: str) -> None:
    """A data folder whose newspaper/articles.jsonl.gz (the extra read labels' text) is damaged."""
    import gzip

    _write(data / "classify" / "train.jsonl", ROWS)
    _write(data / "classify" / "other.jsonl", ROWS[:5])
    news = [dict(r, id=f"n{i}", date="20191001") for i, r in enumerate(ROWS[:10])]
    _write(data / "classify" / "newspaper_gold.jsonl", news)
    rows = [dict(r, id=f"a{i}", date="20191002") for i, r in enumerate(ROWS[:10])]
    whole = gzip.compress("".join(json.dumps(r) + "\n" for r in rows).encode("utf-8"))
    target = data / "newspaper" / "articles.jsonl.gz"
    target.parent.mkdir(parents=True)
    target.write_bytes(
        {
            "truncated": whole[: len(whole) // 2],
            "not-gzip": b"an html error page",
            "not-json": gzip.compress(b'{"id": "a0", "date": "20191002"}\n{"id": "a1", "da\n'),
        }[damage]
    )


@pytest.mark.parametrize(
    "damage, said",
    [("truncated", "cannot be read to its end"), ("not-gzip", "cannot be read to its end"),
     ("not-json", "articles.jsonl.gz:2: not an article row")],
)  # fmt: skip
def test_a_damaged_articles_file_is_named(tmp_path: Path, damage: str, said: str) -> None:
    """A cut or wrong articles.jsonl.gz said only `the input ends early` or `Not a gzipped
    file`, naming no file; a bad row there was a traceback."""
    data = tmp_path / "data"
    _articles(data, damage)
    before = _old_model(tmp_path / "desk")
    done = _train(data, tmp_path / "desk", "--partial")  # no train_gold in this folder
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert f"{data / 'newspaper' / 'articles.jsonl.gz'}" in done.stderr and said in done.stderr
    assert {p.name: p.read_bytes() for p in (tmp_path / "desk").iterdir()} == before


def test_train_and_evaluate_show_their_steps_in_a_log(tmp_path: Path) -> None:
    """In a log (`make train > log 2>&1`) both were silent for their ~8 and ~3 minutes."""
    data = tmp_path / "data"
    _write(data / "classify" / "train.jsonl", ROWS)
    _write(data / "classify" / "other.jsonl", ROWS[:5])
    _write(data / "classify" / "dev.jsonl", ROWS[:10])  # a split to evaluate on
    done = _train(data, tmp_path / "desk", "--partial")
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("train: ")]
    # each step named when it starts, not only when it ends: a log read `train: read done`
    # and nothing else through the fit's minutes
    assert [line.split(" (")[0] for line in lines] == [
        "train: read …", "train: read done", "train: fit …", "train: fit done",
        "train: score …", "train: score done", "train: write …", "train: write done",
    ]  # fmt: skip
    assert lines[2].split(" (")[1].startswith("2/4, ")
    assert lines[-1].split(" done (")[1].startswith("4/4, ") and "\r" not in done.stderr
    evaluated = subprocess.run(
        [sys.executable, "-m", "service.cli", "evaluate", "--data", str(data)]
        + ["--model", str(tmp_path / "desk"), "--partial"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert evaluated.returncode == 0, evaluated.stderr
    assert "evaluate: usual script … (1/" in evaluated.stderr
    assert "evaluate: usual script done (1/" in evaluated.stderr and "\r" not in evaluated.stderr
    # it ended on the figures alone, never saying where the report went
    assert f"report written to {tmp_path / 'desk' / 'report'} (" in evaluated.stderr


def _evaluate(data: Path, model: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", "evaluate", "--data", str(data)]
        + ["--model", str(model), *extra],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )


@pytest.fixture(scope="module")
def small_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model of the weak rows alone (train --partial), for evaluate to refuse or report on."""
    root = tmp_path_factory.mktemp("small")
    _write(root / "data" / "classify" / "train.jsonl", ROWS)
    _write(root / "data" / "classify" / "other.jsonl", ROWS[:5])
    done = _train(root / "data", root / "desk", "--partial")
    assert done.returncode == 0, done.stderr
    return root / "desk"


def _old_report(model: Path) -> dict[str, bytes]:
    """A stand-in for the previous report: a refused or failed evaluate leaves it byte for byte."""
    report = model / "report"
    shutil.rmtree(report, ignore_errors=True)
    report.mkdir()
    (report / "metrics.json").write_text('{"before": true}\n', encoding="utf-8")
    (report / "confusion_dev_weak.png").write_bytes(b"the old plot")
    return {p.name: p.read_bytes() for p in report.iterdir()}


def _report(model: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (model / "report").iterdir()}


def test_evaluate_refuses_a_folder_without_the_splits(small_model: Path, tmp_path: Path) -> None:
    """A DATA folder lacking split or read-label files used to report, exit 0, on the splits
    that were there (or on none: an empty report.md), over the previous report."""
    data = tmp_path / "data"
    _write(data / "classify" / "train.jsonl", ROWS)
    _write(data / "classify" / "other.jsonl", ROWS[:5])
    _write(data / "classify" / "dev.jsonl", ROWS[:10])
    before = _old_report(small_model)
    done = _evaluate(data, small_model)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "--partial" in done.stderr
    missing = ["newspaper_gold.jsonl", "articles.jsonl.gz", "train_gold.jsonl", "dev_gold.jsonl"]
    assert all(name in done.stderr for name in missing) and "dev.jsonl," not in done.stderr
    assert "done (1/" not in done.stderr  # refused before any step
    assert _report(small_model) == before

    (data / "classify" / "dev.jsonl").unlink()  # no split at all: even --partial refuses
    done = _evaluate(data, small_model, "--partial")
    assert done.returncode == 1 and "nothing to evaluate on" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and _report(small_model) == before

    done = _evaluate(tmp_path / "nowhere", small_model)
    assert done.returncode == 1 and "no such folder" in done.stderr, done.stderr
    assert _report(small_model) == before


def test_a_failed_evaluate_leaves_the_previous_report_whole(
    small_model: Path, tmp_path: Path
) -> None:
    """report/ was written file by file: a run failing after its plots left them beside the
    previous metrics.json and report.md. The failure here: a sample page that is not UTF-8."""
    data = tmp_path / "data"
    _write(data / "classify" / "train.jsonl", ROWS)
    _write(data / "classify" / "other.jsonl", ROWS[:5])
    _write(data / "classify" / "dev.jsonl", ROWS[:10])
    page = tmp_path / "samples" / "guiyang-daily-page.txt"
    page.parent.mkdir()
    page.write_bytes("省委书记调研春耕\n\n".encode() + b"\xff\xfe")
    before = _old_report(small_model)
    done = _evaluate(data, small_model, "--partial")
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert f"{page} cannot be read (UnicodeDecodeError" in done.stderr
    assert _report(small_model) == before
    assert sorted(p.name for p in small_model.iterdir()) == ["manifest.json", "model.npz", "report"]

    page.unlink()  # the next run replaces the whole report: nothing of the old one stays
    done = _evaluate(data, small_model, "--partial")
    assert done.returncode == 0, done.stderr
    after = _report(small_model)
    assert after["confusion_dev_weak.png"] != before["confusion_dev_weak.png"]
    metrics = json.loads(after["metrics.json"])
    assert metrics["splits"].keys() == {"dev_weak"}
    # a partial report says so (it read as whole, the missing splits simply absent)
    assert "classify/dev_gold.jsonl" in metrics["data_missing"]
    assert "classify/dev.jsonl" not in metrics["data_missing"]
    assert after["report.md"].decode().count("**Partial report**") == 1
    assert sorted(p.name for p in small_model.iterdir()) == ["manifest.json", "model.npz", "report"]


def test_an_out_that_cannot_be_written_is_refused_before_fitting(tmp_path: Path) -> None:
    """It was found only at the write, after the whole fit (~8 minutes on the shared data)."""
    data = tmp_path / "data"
    _write(data / "classify" / "train.jsonl", ROWS)
    _write(data / "classify" / "other.jsonl", ROWS[:5])
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n", encoding="utf-8")
    for out, said in [(blocker / "desk", "is a file, not a folder"), (blocker, "not a folder")]:
        done = _train(data, out, "--partial")
        assert done.returncode == 1, done.stderr
        assert f"cannot write --out {out}: " in done.stderr and said in done.stderr
        assert "Traceback" not in done.stderr and "train: read done" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "data"]


def _heldout_data(root: Path, n: int = 4000) -> None:
    """Two newspaper months and a weak corpus big enough that each month's held-out fit takes
    seconds: made-up text from a few desk words, not corpus text."""
    import random

    rng = random.Random(5)
    words = {
        "leadership": "书记 省长 调研 会见 强调 部署 视察 座谈",
        "industry": "钢铁 产量 企业 工厂 订单 出口 制造 物流",
        "commentary": "评论 观点 应当 必须 不能 短评 思考 担当",
        "education": "学校 学生 教师 高校 课堂 考试 招生 教育",
        "other": "天气 体育 比赛 文化 旅游 节日 演出 交通",
    }
    common = "今年 以来 全省 各地 工作 发展 群众 记者 近日 进一步".split()
    labels = list(words)

    def row(i: int, label: str, **extra: str) -> dict:
        own = words[label].split()
        text = "".join(
            rng.choice(own if rng.random() < 0.4 else common) + ("。" if rng.random() < 0.1 else "")
            for _ in range(rng.randint(150, 400))
        )
        title = "".join(rng.choice(own) for _ in range(4))
        return {"id": f"r{i}", "title": title, "text": text, "label": label, **extra}

    _write(root / "classify" / "train.jsonl", [row(i, labels[i % 5]) for i in range(n)])
    _write(root / "classify" / "other.jsonl", [row(n + i, "other") for i in range(50)])
    news = [
        row(i, labels[i % 5], date="20191001" if i % 2 else "20200101")
        for i in range(n + 50, n + 250)
    ]
    _write(root / "classify" / "newspaper_gold.jsonl", news)


def _cpu_seconds(pid: int) -> float:
    import os

    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_sigkill_of_train_takes_its_month_heldout_workers_with_it(tmp_path: Path) -> None:
    """The review thresholds' month-held-out fits run in joblib workers; a SIGKILLed train
    (a CI timeout, the OOM killer) left them fitting on both cores for minutes, then idle."""
    import os
    import signal
    import time

    data = tmp_path / "data"
    _heldout_data(data)
    cmd = [sys.executable, "-m", "service.cli", "train", "--data", str(data), "--partial"]
    proc = subprocess.Popen(
        cmd + ["--out", str(tmp_path / "desk")],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            kids = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
            workers = [
                int(k) for k in kids
                if b"popen_loky_posix" in Path(f"/proc/{k}/cmdline").read_bytes()
            ]  # fmt: skip
            # a worker past its imports is fitting its month
            if workers and all(_cpu_seconds(w) > 2.5 for w in workers):
                break
            time.sleep(0.1)
        assert proc.poll() is None and workers, "the held-out fits ended before they were seen"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(Path(f"/proc/{w}").exists() for w in workers):
            time.sleep(0.1)
        alive = [w for w in workers if Path(f"/proc/{w}").exists()]
        assert not alive, "month-held-out workers outlived a SIGKILLed train"
    finally:
        proc.kill()
        for w in workers:  # ours: started by the train above
            try:
                os.kill(w, signal.SIGKILL)
            except ProcessLookupError:
                pass


def test_an_out_folder_that_is_not_a_model_is_refused_not_deleted(tmp_path: Path) -> None:
    """Training replaces the --out folder whole: `--out ~/work` trained, exit 0, and deleted
    everything that folder held. A folder holding anything but a model's files is refused."""
    data = tmp_path / "data"
    _write(data / "classify" / "train.jsonl", ROWS)
    _write(data / "classify" / "other.jsonl", ROWS[:5])
    theirs = tmp_path / "work"
    (theirs / "drafts").mkdir(parents=True)
    (theirs / "notes.txt").write_text("mine\n", encoding="utf-8")
    done = _train(data, theirs, "--partial")
    assert done.returncode == 1, done.stderr
    assert f"cannot write --out {theirs}: " in done.stderr and "(drafts, notes.txt)" in done.stderr
    assert "Traceback" not in done.stderr and "train: read done" not in done.stderr
    assert sorted(p.name for p in theirs.iterdir()) == ["drafts", "notes.txt"]
    model = tmp_path / "model"  # a model folder (and an empty one) is still written over
    _old_model(model)
    (model / "report").mkdir()
    (tmp_path / "empty").mkdir()
    for out in (model, tmp_path / "empty"):
        done = _train(data, out, "--partial")
        assert done.returncode == 0, done.stderr
        assert (out / "model.npz").is_file()
    assert (model / "report").is_dir()


def test_a_retrain_says_the_report_it_carried_is_the_previous_models(tmp_path: Path) -> None:
    """`newsdesk train --out models/desk` carries the old report/ into the new folder (README);
    the run ended on `model written to …` alone, so the old model's figures sat beside the
    new model unmarked. A retrain that reproduces the artifact keeps its report quietly."""
    data = tmp_path / "data"
    _write(data / "classify" / "train.jsonl", ROWS)
    _write(data / "classify" / "other.jsonl", ROWS[:5])
    model = tmp_path / "desk"
    _old_model(model)
    (model / "report").mkdir()
    (model / "report" / "metrics.json").write_text("{}\n", encoding="utf-8")
    done = _train(data, model, "--partial")
    assert done.returncode == 0, done.stderr
    said = " ".join(done.stderr.split())
    assert f"{model}/report/ is still the previous model's: `newsdesk evaluate" in said
    again = _train(data, model, "--partial")  # the same artifact: its report is this model's
    assert again.returncode == 0 and "still the previous model's" not in again.stderr
    assert (model / "report" / "metrics.json").read_text(encoding="utf-8") == "{}\n"


@pytest.mark.parametrize(("signame", "code"), [("SIGINT", 130), ("SIGTERM", 143)])
def test_a_train_stopped_mid_fit_leaves_the_model_and_says_so(
    tmp_path: Path, signame: str, code: int
) -> None:
    """Ctrl-C or SIGTERM minutes into a train: exit 130 / 143, the --out folder byte for byte,
    no temporary folder beside it, and a message naming the folder (it said `interrupted`
    alone, leaving the user to wonder whether models/desk was half written)."""
    import signal
    import time

    data = tmp_path / "data"
    _heldout_data(data)
    out = tmp_path / "models" / "desk"
    before = _old_model(out)
    # A run started in the background (`pytest … &`) inherits SIGINT ignored, and so would the
    # train, as a shell's background job should: the child is given Ctrl-C's default here.
    ignored = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "train", "--data", str(data), "--partial"]
            + ["--out", str(out)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
    finally:
        signal.signal(signal.SIGINT, ignored)
    try:
        for line in proc.stderr:  # the fit has begun (a line as each step starts)
            if line.startswith("train: fit …"):
                break
        time.sleep(1)
        assert proc.poll() is None, "the fit ended before it could be stopped"
        proc.send_signal(getattr(signal, signame))
        err = proc.stderr.read()
        assert proc.wait(timeout=60) == code, err
    finally:
        proc.kill()
    how = "interrupted" if code == 130 else "terminated"
    assert f"newsdesk train: {how}; {out} left as it was (no model written)" in err
    assert "Traceback" not in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["desk"]


def test_a_terminal_bar_names_the_running_step_and_guesses_no_end(capsys) -> None:
    """On a terminal the bar stood at `1/4 [00:02<00:07, read]` through the fit's minutes: the
    finished step's name and an ETA of seconds from it."""
    from training.progress import stage_done, stage_start, stages

    with stages(True, 4, "train") as bar:
        stage_start(bar, "read")
        stage_done(bar, "read")
        stage_start(bar, "fit")
        shown = capsys.readouterr().err.split("\r")[-1]
    assert "fit …" in shown and "1/4" in shown and "<" not in shown, shown


def test_a_terminal_bar_keeps_its_clock_running_through_a_long_step(capsys) -> None:
    """tqdm redraws only when a step starts or ends: through the fit's minutes the bar read
    `[00:02, fit …]` as if the run had hung. It now redraws itself while a step runs."""
    from training.progress import stage_start, stages

    with stages(True, 4, "train") as bar:
        stage_start(bar, "fit")
        before = capsys.readouterr().err.count("\r")
        time.sleep(2.5)  # (a step of seconds; the bar is told nothing meanwhile)
        redraws = capsys.readouterr().err.split("\r")
    assert len(redraws) - 1 >= 1 and before >= 1, redraws
    assert any("00:01" in r or "00:02" in r for r in redraws) and "fit …" in redraws[-1], redraws


@pytest.mark.parametrize("command", ["train", "classify"])
def test_train_pins_the_fits_floating_point_whatever_the_callers_environment(command) -> None:
    # The same texts fitted on an earlier machine and on this AVX2 one gave other coefficients and
    # thresholds (stop 47): `train` fixes numpy's loops and OpenBLAS's threads before numpy
    # loads, overriding the caller; other commands keep the caller's settings.
    import os

    script = (
        f"import sys; sys.argv = ['newsdesk', {command!r}, '--help']\n"
        "import service.cli, numpy, os\n"
        "from threadpoolctl import threadpool_info\n"
        "blas = [i['num_threads'] for i in threadpool_info() if i['internal_api'] == 'openblas']\n"
        "print(os.environ.get('NPY_DISABLE_CPU_FEATURES', ''), blas)\n"
    )
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "2"}
    env.pop("NPY_DISABLE_CPU_FEATURES", None)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    if command == "train":
        assert done.stdout.split("[")[0].split() == ["X86_V4", "AVX512_ICL", "AVX512_SPR"]
        assert done.stdout.strip().endswith("[1]")
    else:
        assert done.stdout.strip() == "[2]"
