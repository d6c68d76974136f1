"""`python -m bench`: every benchmark section, as Markdown tables."""

from __future__ import annotations

import argparse
import platform

from bench import booking, cold_start, core, heatmap, outlook, store
from bench.synthetic import FirmSize
from bench.timing import table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30, help="timed runs per row")
    parser.add_argument(
        "--webhook", action="store_true", help="also drive a running webhook (about 30 s)"
    )
    parser.add_argument("--webhook-requests", type=int, default=200, help="requests per row")
    args = parser.parse_args()
    size = FirmSize()
    print(
        f"Machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}"
    )
    print(
        f"Firm: {size.advisers} advisers × 54 weeks, {size.meetings:,} meetings, "
        f"{size.leave:,} leave, {size.closures} closures, {size.overrides} overrides, "
        f"{size.pending:,} pending deals\n"
    )
    print("## Allocation core (target: cold allocate on a ready MeetingTable under 15 ms)\n")
    print(table(core.run(args.runs), ["what", "median_ms", "p95_ms", "peak_mb", "runs"]))
    print("\n## Availability heatmap, 300 advisers × 52 weeks (target: under 300 ms)\n")
    print(table(heatmap.run(args.runs), heatmap.COLUMNS))
    print(
        "\n## Capacity outlook, 500 advisers (targets: full outlook under 1 s; batch what-if "
        "of 50 deals under 200 ms; both cold)\n"
    )
    print(table(outlook.run(min(args.runs, 10)), outlook.COLUMNS))
    print("\n## Documents read on embedded SQLite (bounded: the same with years of history)\n")
    print(table(store.run(), store.COLUMNS))
    print(
        "\n## One allocation, server-side, with another process booking in between "
        "(targets: SQLite 500 advisers under 40 ms p50; Firestore 100 advisers at most 20 "
        "documents and under 150 ms)\n"
    )
    print(table(booking.run(), booking.COLUMNS))
    print("\n## Webhook cold start, each run a new process\n")
    print(table(cold_start.run(), cold_start.COLUMNS))
    if args.webhook:
        from bench import webhook  # starts processes: only when asked

        print("\n## Webhook (target: at most 2 HubSpot calls per allocation)\n")
        print(table(webhook.run(args.webhook_requests), webhook.COLUMNS))


if __name__ == "__main__":
    main()
