"""Turning a benchmark result into the Markdown table of docs/performance.md (one section per backend,
replaced in place between markers, so running one backend leaves the other's figures alone)."""

import re
from pathlib import Path


def _ok(met: bool) -> str:
    return "yes" if met else "**MISSED**"


def rows(result: dict) -> list[tuple[str, str, str, str, str, str]]:
    """(measurement, product, floor, ratio, target, met)"""
    out = []
    for name, entry in result["list"].items():
        for depth in ("first", "deep"):
            row = entry.get(depth)
            if row is None:
                continue
            page = "page 1" if depth == "first" else f"page {entry['deep_page_number']}"
            http = row.get("http")
            ratio = row["service"]["p50_ms"] / row["floor"]["p50_ms"]
            met = ratio <= 2 and (http is None or http["p95_ms"] <= 20)
            out.append((
                f"list `{name}`, {page}",
                f"service {row['service']['p50_ms']:.2f} / {row['service']['p95_ms']:.2f} ms; "
                + (f"HTTP {http['p50_ms']:.2f} / {http['p95_ms']:.2f} ms" if http else "HTTP -"),
                f"{row['floor']['p50_ms']:.2f} / {row['floor']['p95_ms']:.2f} ms",
                f"{ratio:.1f}×",
                "HTTP p95 ≤ 20 ms; service ≤ 2× floor",
                _ok(met),
            ))
    ex = result["export"]
    big, floor = ex["http_big"], ex["floor"]
    out.append((
        f"export CSV over HTTP, {big['rows']:,} rows",
        f"{big['rows_per_s']:,} rows/s; peak RSS {big['peak_rss_mb']} MB",
        f"{floor['rows_per_s']:,} rows/s",
        f"{ex['ratio']:.1f}×",
        "≥ 100,000 rows/s; ≤ 3× floor",
        _ok(big["rows_per_s"] >= 100_000 and ex["ratio"] <= 3),
    ))
    out.append((
        f"export RSS growth, {ex['http_small']['rows']:,} → {big['rows']:,} rows",
        f"+{ex['http_small']['growth_mb']} MB → +{big['growth_mb']} MB "
        f"(difference {ex['rss_growth_small_to_big_mb']} MB)",
        "-", "-", "< 50 MB", _ok(ex["rss_growth_small_to_big_mb"] < 50),
    ))
    ing = result["ingest"]
    single = ing["single_post"]
    out.append(("ingest: single POST /api/v1/leads",
                f"{single['p50_ms']:.1f} / {single['p95_ms']:.1f} ms", "-", "-", "p95 ≤ 25 ms",
                _ok(single["p95_ms"] <= 25)))
    if rr := ing.get("single_post_round_robin"):
        out.append(("ingest: single POST, the location assigning by round robin",
                    f"{rr['p50_ms']:.1f} / {rr['p95_ms']:.1f} ms", "-", "-", "p95 ≤ 25 ms", _ok(rr["p95_ms"] <= 25)))
    raw = ing["raw_insert"]
    for key, label in (("batch_http", "ingest: POST /api/v1/leads/batch (1,000 a request)"),
                       ("ingest_many", "ingest: services.ingest.ingest_many (1,000 a call)")):
        figure = ing[key]
        ratio = ing[f"{key}_vs_raw"]
        out.append((f"{label}, {figure['leads']:,} leads", f"{figure['leads_per_s']:,} leads/s",
                    f"{raw['leads_per_s']:,} leads/s (raw executemany)", f"{ratio:.1f}×",
                    "≥ 3,000 leads/s; ≤ 4× raw", _ok(figure["leads_per_s"] >= 3000 and ratio <= 4)))
    sw = result["sweep"]
    product, sfloor = sw["product"], sw["floor"]
    out.append((f"sweep: expire {product['expired']:,} of {result['dataset']['leads']:,}",
                f"{product['seconds']:.2f} s; longest statement {product['max_statement_ms']:.0f} ms",
                f"{sfloor['seconds']:.2f} s; longest {sfloor['max_statement_ms']:.0f} ms", f"{sw['ratio']:.1f}×",
                "≤ 1.5× floor; no statement > 300 ms",
                _ok(sw["ratio"] <= 1.5 and product["max_statement_ms"] <= 300)))
    ins = result.get("insights")
    if ins:
        fold = ins["fold"]
        out.append(("insights: fold the change log", f"{fold['changes']:,} changes in {fold['seconds']:.1f} s"
                    + (f" ({fold['changes_per_s']:,}/s)" if fold["changes_per_s"] else ""), "-", "-", "-", "-"))
        for key, label, target in (
                ("api_big_year", "insights: GET /api/v1/insights, big partner, one year", 100),
                ("api_program_year", "insights: GET /api/v1/insights, program-wide, one year", 100),
                ("page_big_year", "insights: GET /insights page, big partner, one year", 150),
                ("api_partners_year", "insights: GET /api/v1/insights/partners, one year", None),
                ("api_quality_year", "insights: GET /api/v1/insights/quality, one year", None),
                ("page_program_year", "insights: GET /program/insights page, one year", None)):
            figure = ins[key]
            out.append((label, f"{figure['p50_ms']:.1f} / {figure['p95_ms']:.1f} ms", "-", "-",
                        f"p95 ≤ {target} ms" if target else "-", _ok(figure["p95_ms"] <= target) if target else "-"))
    page = result["page"]
    if "skipped" in page:
        out.append(("page: GET /leads (50 rows)", "not measured: " + page["skipped"], "-", "-", "p95 ≤ 50 ms",
                    "-"))
    else:
        out.append(("page: GET /leads (50 rows)", f"{page['p50_ms']:.1f} / {page['p95_ms']:.1f} ms", "-", "-",
                    "p95 ≤ 50 ms", _ok(page["p95_ms"] <= 50)))
    return out


def table(result: dict) -> str:
    ds = result["dataset"]
    head = (f"**{result['backend']}**, {ds['leads']:,} leads, {ds['partners']:,} partners, big partner "
            f"{ds['big_leads']:,} leads; measured {result['measured_at']} (load average at start "
            f"{result['machine']['load_avg_at_start']:.1f} on {result['machine']['cpus']} CPUs). "
            "Latencies are p50 / p95.\n\n")
    lines = ["| measurement | product | floor (hand-written) | ratio | target | met |",
             "|---|---|---|---|---|---|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows(result)]
    return head + "\n".join(lines) + "\n"


def update_doc(doc: Path, result: dict, label: str | None = None) -> None:
    """Replace this backend's section (quick runs have their own, labelled one) or append it."""
    key = result["backend"] + (f"-{label}" if label else "")
    start, end = f"<!-- bench:{key}:start -->", f"<!-- bench:{key}:end -->"
    body = f"{start}\n{table(result)}{end}"
    current = doc.read_text() if doc.exists() else "# Performance\n"
    if start in current and end in current:
        current = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _: body, current, flags=re.S)
    else:
        current = current.rstrip("\n") + f"\n\n### {key}\n\n{body}\n"
    doc.write_text(current)
