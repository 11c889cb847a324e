#!/usr/bin/env python3
"""Writes a partner file of N synthetic records, all in the sample profile's field.

    scripts/gen-partners.py 100000 > /tmp/partners-100k.json

For load and scale runs only: the records are made up (their source says so), spread over
every place of data/regions.json and three kinds a user file is likely to add, with a
few sectors each from the automotive family so that every record is a match for the bundled
sample profile (the case where a Pareto view or a ranking has the most to do).
"""
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    rng = random.Random(seed)
    regions = json.load(open(os.path.join(HERE, "..", "data", "regions.json")))
    places = [(p["province"], p["id"]) for p in regions["places"]]
    kinds = ["industrial_cluster", "association", "research_institute"]
    sectors = ["automotive", "electric_vehicles", "auto_parts", "batteries"]
    taxonomy = json.load(open(os.path.join(HERE, "..", "data", "taxonomy.json")))
    known = {s["id"] for s in taxonomy["sectors"]}
    sectors = [s for s in sectors if s in known] or ["automotive"]
    out = sys.stdout
    out.write('{"partners": [\n')
    for i in range(n):
        province, place = places[rng.randrange(len(places))]
        kind = kinds[rng.randrange(len(kinds))]
        rec = {
            "id": f"synthetic-{i}",
            "kind": kind,
            "name": f"Synthetic partner {i}",
            "province": province,
            "place": place,
            "sectors": rng.sample(sectors, rng.randint(1, len(sectors))),
            # Associations and institutes are organisations; a cluster may or may not be one.
            "formal_organisation": kind != "industrial_cluster" or rng.random() < 0.5,
            "sources": [{"ref": "External: synthetic record for scale runs"}],
        }
        out.write(("," if i else "") + json.dumps(rec) + "\n")
    out.write("]}\n")


if __name__ == "__main__":
    main()
