"""`rapport import FILE`: streams the file, follows the rows processed with a progress bar,
prints counts, fails loudly."""

import io
from pathlib import Path
from typing import Any

import httpx
import pytest

from rapport import cli, import_cli
from rapport.testing import token_keys

DONE = {
    "id": "a" * 32,
    "state": "completed",
    "reason": None,
    "read": 3,
    "accepted": 1,
    "duplicate": 1,
    "rejected": 1,
    "processed": 1,
    "unanalysed": 0,
    "errors": [{"row": 3, "line": 4, "reason": "text: Field required"}],
}


def serve(monkeypatch: pytest.MonkeyPatch, *answers: httpx.Response) -> list[httpx.Request]:
    """Every httpx.Client the CLI makes talks to a handler that reads the whole upload and
    gives ``answers`` in turn (the last one again and again)."""
    seen: list[httpx.Request] = []
    monkeypatch.setattr(import_cli, "POLL_S", 0.001)

    def handle(request: httpx.Request) -> httpx.Response:
        request.read()
        seen.append(request)
        return answers[min(len(seen), len(answers)) - 1]

    real = httpx.Client

    def client(**kwargs: Any) -> httpx.Client:
        return real(transport=httpx.MockTransport(handle), **kwargs)

    monkeypatch.setattr(import_cli.httpx, "Client", client)  # type: ignore[attr-defined]
    monkeypatch.setenv("RAPPORT_AUTH_PRIVATE_KEY", str(token_keys().private_key))
    return seen


def test_the_file_is_streamed_and_the_counts_printed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seen = serve(monkeypatch, httpx.Response(201, json=DONE))
    data = b"header\n" + b"row\n" * 50_000
    (tmp_path / "m.jsonl").write_bytes(data)
    cli.main(["import", str(tmp_path / "m.jsonl"), "--url", "http://ingest"])
    (request,) = seen
    assert request.url.params["format"] == "jsonl"
    assert request.headers["content-type"] == "application/x-ndjson"
    assert request.headers["content-length"] == str(len(data))
    assert request.content == data
    assert request.headers["authorization"].startswith("Bearer ey")
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        f"import {'a' * 32} completed: read 3, accepted 1, duplicate 1, rejected 1, processed 1",
        "  row 3 (line 4): text: Field required",
    ]
    assert "100%" in err.splitlines()[-1]


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (httpx.Response(415, json={"detail": "send a csv file as text/csv"}), "415"),
        (httpx.Response(201, json={**DONE, "state": "failed", "reason": "interrupted"}), None),
    ],
)
def test_a_refused_or_failed_import_exits_non_zero(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, answer: httpx.Response, message: str | None
) -> None:
    serve(monkeypatch, answer)
    (tmp_path / "m.csv").write_text("a,b\n")
    with pytest.raises(SystemExit) as exit:
        cli.main(["import", str(tmp_path / "m.csv"), "--format", "twcs", "--url", "http://i"])
    assert exit.value.code != 0
    if message:
        assert message in str(exit.value.code)


def test_the_bar_follows_the_rows_processed_until_every_accepted_row_is(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stored = {**DONE, "read": 4, "accepted": 4, "processed": 0}
    answers = [{**stored, "processed": n} for n in (0, 1, 3, 4)]
    seen = serve(
        monkeypatch,
        *(httpx.Response(201 if i == 0 else 200, json=a) for i, a in enumerate(answers)),
    )
    (tmp_path / "m.csv").write_text("a,b\n")
    cli.main(["import", str(tmp_path / "m.csv"), "--url", "http://ingest"])
    assert [r.method for r in seen] == ["POST", "GET", "GET", "GET"]
    assert seen[-1].url.path == f"/v1/imports/{'a' * 32}"
    out, err = capsys.readouterr()
    assert err.splitlines()[-1].endswith("[" + "#" * 30 + "] 100%  4/4 rows processed")
    assert "processed 4" in out


def test_rows_still_unprocessed_when_the_wait_ends_exit_non_zero(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    serve(monkeypatch, httpx.Response(201, json={**DONE, "processed": 0}))
    (tmp_path / "m.csv").write_text("a,b\n")
    with pytest.raises(SystemExit) as exit:
        cli.main(["import", str(tmp_path / "m.csv"), "--url", "http://i", "--timeout", "0.05"])
    assert exit.value.code == 1


def test_a_missing_file_exits_non_zero(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="no such file"):
        cli.main(["import", str(tmp_path / "absent.csv")])


def test_the_bar_draws_in_place() -> None:
    out = io.StringIO()
    bar = import_cli.ProgressBar(4 * 2**20, out, width=4)
    bar.advance(2**21)
    bar.close()
    assert out.getvalue() == "\r[##..]  50%  2.0/4.0 MiB\n"


def test_rows_of_erased_authors_are_counted_suppressed() -> None:
    done = {**DONE, "read": 4, "suppressed": 1}

    assert import_cli.summary(done).splitlines()[0] == (
        f"import {'a' * 32} completed: read 4, accepted 1, duplicate 1, rejected 1,"
        " suppressed 1, processed 1"
    )
