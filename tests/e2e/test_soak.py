"""The soak run in small: 2,000 requests at concurrency 64, 10% of them faulty (`make soak` runs
20,000)."""

from __future__ import annotations

from support.soak import run


def test_two_thousand_requests_with_faults_get_the_right_answers() -> None:
    report = run(requests=2000, concurrency=64, fault_mix=0.1)
    print(report.table())
    assert report.server_errors == 0
    assert report.wrong == []
    assert sum(report.by_status.values()) == 2000
    faulty = sum(n for kind, n in report.by_fault.items() if kind != "None")
    assert 100 < faulty < 300, "about 10% of the requests met a fault they could not retry away"
    assert report.rss_growth_mb < 20
