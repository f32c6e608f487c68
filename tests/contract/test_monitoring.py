"""The monitoring component keeps its promises: every metric its alerts and dashboards query is
one the services export, every alert has its runbook entry, every service is scraped.

Every expression is parsed by ``promql-parser`` (Prometheus' grammar and type checks, offline:
no promtool here); the metric names its selectors name are compared with what the four apps
register in prometheus_client's registry on import.
"""

import importlib
import json
import re
from pathlib import Path
from typing import Any

import promql_parser
import pytest
import yaml
from prometheus_client import REGISTRY

ROOT = Path(__file__).resolve().parents[2]
MONITORING = ROOT / "deploy" / "k8s" / "components" / "monitoring"
RUNBOOK = ROOT / "docs" / "operations-alerts.md"
SERVICES = ("ingest", "profiles", "responder", "loyalty")
SCRAPED_PODS = "ingest-analyser"
SAMPLE_SUFFIXES = {
    "counter": ("_total", "_created"),
    "gauge": ("",),
    "histogram": ("_bucket", "_count", "_sum", "_created"),
    "summary": ("", "_count", "_sum", "_created"),
    "info": ("_info",),
}


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects; ValueError if Prometheus could not parse it."""
    names: set[str] = set()

    def selected(node: promql_parser.Expr) -> None:
        if isinstance(node, promql_parser.VectorSelector) and node.name:
            names.add(node.name)

    promql_parser.walk(promql_parser.parse(expr), pre_visit=selected)
    return names


def exported() -> set[str]:
    """Every sample name the four services can serve on GET /metrics."""
    for service in SERVICES:
        importlib.import_module(f"{service}.main")
    return {
        family.name + suffix
        for family in REGISTRY.collect()
        for suffix in SAMPLE_SUFFIXES.get(family.type, ("",))
    }


def documents(name: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all((MONITORING / name).read_text()) if doc]


def alerts() -> list[dict[str, Any]]:
    (rule,) = documents("alerts.yaml")
    return [alert for group in rule["spec"]["groups"] for alert in group["rules"]]


def dashboards() -> dict[str, dict[str, Any]]:
    return {
        path.name: json.loads(path.read_text())
        for path in sorted((MONITORING / "dashboards").glob("*.json"))
    }


def dashboard_queries() -> list[tuple[str, str]]:
    found = []
    for name, dashboard in dashboards().items():
        for panel in dashboard["panels"]:
            for target in panel.get("targets", []):
                found.append((f"{name}: {panel['title']}", target["expr"]))
        for variable in dashboard["templating"]["list"]:
            if variable["type"] == "query":
                query = re.sub(r"label_values\((.*),\s*\w+\)", r"\1", variable["definition"])
                found.append((f"{name}: ${variable['name']}", query))
    return found


QUERIES = [(f"alert {a['alert']}", str(a["expr"])) for a in alerts()] + dashboard_queries()


def test_metric_names_are_read_from_promql() -> None:
    expr = (
        'sum by (le, group) (rate(a_seconds_bucket{x="b c", y=~"5.."}[5m])) / on(z) '
        "b_total offset 1h > bool 1.5e3 * time() - c:recorded and histogram_quantile(0.9, d)"
    )
    assert metric_names(expr) == {"a_seconds_bucket", "b_total", "c:recorded", "d"}


@pytest.mark.parametrize(
    ("expr", "reason"),
    [
        ("sum(rate(a_total[5m])", "unclosed left parenthesis"),
        ("a_total and bool b_total", "bool modifier can only be used on comparison"),
        ("rate(a_total)", "expected type matrix in call to function 'rate'"),
        ('a_total{x="1"', "unexpected end of input inside braces"),
    ],
)
def test_an_expression_prometheus_would_refuse_is_refused(expr: str, reason: str) -> None:
    with pytest.raises(ValueError, match=re.escape(reason)):
        metric_names(expr)


@pytest.mark.parametrize(("where", "expr"), QUERIES, ids=[where for where, _ in QUERIES])
def test_every_queried_metric_is_exported_by_a_service(where: str, expr: str) -> None:
    names = metric_names(expr)
    assert names, f"{where} queries no metric"
    assert names <= exported(), f"{where} queries metrics no service exports"


def anchor(heading: str) -> str:
    """The anchor a Markdown renderer gives a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_alert_has_a_runbook_entry_and_every_entry_an_alert() -> None:
    headings = re.findall(r"^### (.+)$", RUNBOOK.read_text(), flags=re.MULTILINE)
    names = [alert["alert"] for alert in alerts()]
    assert sorted(headings) == sorted(names)
    for alert in alerts():
        annotations = alert["annotations"]
        assert annotations["summary"]
        assert alert["labels"]["severity"] in {"warning", "critical"}
        url = annotations["runbook_url"]
        assert url.endswith(f"operations-alerts.md#{anchor(alert['alert'])}"), url


def test_every_service_and_the_analysis_stage_are_scraped() -> None:
    monitors = {doc["metadata"]["name"]: doc for doc in documents("monitors.yaml")}
    assert {n for n, m in monitors.items() if m["kind"] == "ServiceMonitor"} == set(SERVICES)
    assert monitors[SCRAPED_PODS]["kind"] == "PodMonitor"
    for name, monitor in monitors.items():
        assert monitor["spec"]["selector"]["matchLabels"] == {"app.kubernetes.io/name": name}
        (endpoint,) = monitor["spec"].get("endpoints") or monitor["spec"]["podMetricsEndpoints"]
        assert (endpoint["port"], endpoint["path"]) == ("http", "/metrics")


def test_every_dashboard_is_generated_into_a_labelled_config_map() -> None:
    (kustomization,) = documents("kustomization.yaml")
    generated = kustomization["configMapGenerator"]
    files = sorted(f"dashboards/{name}" for name in dashboards())
    assert sorted(file for g in generated for file in g["files"]) == files
    for generator in generated:
        assert generator["options"]["labels"]["grafana_dashboard"] == "1"
    uids = [dashboard["uid"] for dashboard in dashboards().values()]
    assert len(set(uids)) == len(uids) == 2
