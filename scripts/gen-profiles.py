#!/usr/bin/env python3
"""Writes a profiles CSV of N rows for batch runs, cycling through varied valid profiles.

    scripts/gen-profiles.py 100000 > /tmp/profiles-100k.csv
"""
import sys

ROWS = [
    ("Southern German e-mobility cluster {i}", "DE", "automotive;electric vehicles",
     "battery systems;charging infrastructure", "high", "0.5", "rd_cooperation;market_access",
     "Pearl River Delta;Sichuan", "120"),
    ("Basque machine tools {i}", "ES", "machinery;smart manufacturing", "machine tools",
     "medium", "0.4", "market_access", "Yangtze River Delta", "80"),
    ("Danish offshore wind {i}", "DK", "wind energy", "offshore wind", "high", "0.3",
     "technology_transfer", "", ""),
    ("Lyon biotech {i}", "FR", "biotechnology;pharmaceuticals", "clinical trials", "high",
     "0.2", "rd_cooperation", "Shanghai", "200"),
    ("Prato textiles {i}", "IT", "textiles", "knitwear;silk", "low", "0.8", "sourcing",
     "Zhejiang", "400"),
]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    out = sys.stdout
    out.write("name,country,sectors,keywords,tech_level,control_tolerance,goals,"
              "preferred_regions,members\n")
    for i in range(n):
        row = ROWS[i % len(ROWS)]
        out.write(",".join([row[0].format(i=i)] + list(row[1:])) + "\n")


if __name__ == "__main__":
    main()
