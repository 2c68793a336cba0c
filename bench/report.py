"""Results → the Markdown table and the issue-7 target checks (ratios within one run)."""

from __future__ import annotations

from typing import Any

TARGET_ROW = (10_000, 100_000, 20.0)  # datasets, jobs, latency of the headline targets


def _row(result: dict[str, Any], datasets: int, jobs: int, latency: float) -> dict[str, Any] | None:
    for row in result["plans"]:
        if (row["datasets"], row["jobs"], row["latency_ms"]) == (datasets, jobs, latency):
            return dict(row)
    return None


def _check(name: str, value: float, limit: float, above: bool = False) -> dict[str, Any]:
    ok = value >= limit if above else value <= limit
    return {"target": name, "value": round(value, 3), "limit": limit, "met": ok}


def targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Every target of issue 7 that this run's sizes let us evaluate."""
    checks: list[dict[str, Any]] = []
    largest = max(result["plans"], key=lambda r: (r["datasets"], r["jobs"], r["latency_ms"]))
    row = _row(result, *TARGET_ROW) or largest
    plan, floor, refresh = row["plan"], row["floor"], row["refresh"]
    where = f"{row['datasets']} datasets, {row['jobs']} jobs, {row['latency_ms']:g} ms"
    checks.append(_check(f"plan / floor ({where})", plan["seconds"] / floor["seconds"], 1.2))
    checks.append(
        _check(f"refresh / plan ({where})", refresh["seconds"] / plan["seconds"], 10, above=True)
    )
    if "plan_warm" in row:
        warm = row["plan_warm"]["seconds"]
        checks.append(
            _check(f"refresh / repeat plan ({where})", refresh["seconds"] / warm, 10, above=True)
        )
    checks.append(_check(f"plan CPU s ({where})", plan["cpu_seconds"], 3.0))
    checks.append(_check(f"plan peak MB ({where})", plan["max_rss_mb"], 400))
    for apply in result["apply"]:
        if apply["latency_ms"] == 20.0:
            ratio = apply["apply_phase_seconds"] / apply["floor_seconds"]
            checks.append(_check(f"apply {apply['creates']} creates / floor (20 ms)", ratio, 1.3))
    small, big = _row(result, 10_000, 10_000, 20.0), _row(result, 10_000, 100_000, 20.0)
    if small and big:
        for key, label in (("seconds", "time"), ("max_rss_mb", "memory")):
            ratio = big["plan"][key] / small["plan"][key]
            checks.append(_check(f"plan {label} 100k / 10k jobs", ratio, 11))
    pages = [
        r["emulator_page_ms"]
        for r in result["plans"]
        if r["jobs"] == 100_000 and "emulator_page_ms" in r
    ]
    if pages:
        checks.append(_check("emulator 100-job page ms (100k jobs)", max(pages), 20))
    return checks


def _s(value: float) -> str:
    return f"{value:.2f}"


def _warm(row: dict[str, Any]) -> str:
    warm = row.get("plan_warm")
    return f"{_s(warm['seconds'])} ({warm['requests']})" if warm else "-"


HEADER = (
    "| datasets | jobs | latency | floor s (req) | plan s (req) | plan/floor | plan CPU s "
    "| plan peak MB | repeat plan s (req) | refresh s (GETs) | refresh/plan | aepp s |"
)


def table(result: dict[str, Any]) -> str:
    lines = [HEADER, "|" + "---|" * 12]
    for row in result["plans"]:
        plan, floor, refresh, aepp = row["plan"], row["floor"], row["refresh"], row["aepp"]
        est = "~" if refresh.get("extrapolated") else ""
        lines.append(
            f"| {row['datasets']} | {row['jobs']} | {row['latency_ms']:g} ms "
            f"| {_s(floor['seconds'])} ({floor['requests']}) "
            f"| {_s(plan['seconds'])} ({plan['requests']}) "
            f"| {plan['seconds'] / floor['seconds']:.2f}x | {_s(plan['cpu_seconds'])} "
            f"| {plan['max_rss_mb']:.0f} | {_warm(row)} "
            f"| {est}{_s(refresh['seconds'])} ({refresh['requests']}) "
            f"| {refresh['seconds'] / plan['seconds']:.1f}x "
            f"| {_s(aepp['seconds']) if 'seconds' in aepp else 'failed'} |"
        )
    lines += [
        "",
        "| apply creates | latency | floor s | raw httpx s | apply phase s | phase/floor "
        "| whole command s | CPU s | peak MB |",
        "|" + "---|" * 9,
    ]
    for a in result["apply"]:
        ratio = a["apply_phase_seconds"] / a["floor_seconds"] if a["floor_seconds"] else 0.0
        lines.append(
            f"| {a['creates']} | {a['latency_ms']:g} ms | {_s(a['floor_seconds'])} "
            f"| {_s(a['raw_httpx_seconds'])} | {_s(a['apply_phase_seconds'])} "
            f"| {ratio:.2f}x | {_s(a['seconds'])} | {_s(a['cpu_seconds'])} "
            f"| {a['max_rss_mb']:.0f} |"
        )
    lines += ["", "| target | value | limit | met |", "|---|---|---|---|"]
    for check in result["targets"]:
        lines.append(
            f"| {check['target']} | {check['value']} | {check['limit']} "
            f"| {'yes' if check['met'] else 'NO'} |"
        )
    return "\n".join(lines)
