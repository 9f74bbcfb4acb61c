"""What the benchmark scripts share: a table of measures against their bars."""

from __future__ import annotations

import platform


def machine() -> str:
    return (
        f"{platform.node()} ({platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()})"
    )


def print_table(results: dict[str, float], bars: dict[str, tuple[str, float]]) -> bool:
    """Print ``results`` one per row, each beside its bar if it has one; True if all pass."""
    width = max(len(name) for name in results)
    print(f"{'measure':<{width}} {'value':>9}  {'bar':>8}  ok")
    passed = True
    for name, value in results.items():
        bar = ok = ""
        if name in bars:
            sign, limit = bars[name]
            good = value >= limit if sign == ">=" else value <= limit
            passed &= good
            bar, ok = f"{sign} {limit:g}", "yes" if good else "NO"
        print(f"{name:<{width}} {value:>9.3f}  {bar:>8}  {ok}")
    return passed
