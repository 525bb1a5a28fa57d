"""Runs the DuckDB queries docs/records.md shows ("Querying the records") on a records file, through the
duckdb Python package, and prints {query name: rows} as JSON (Tests/ReportTests/QueryTests.swift).

usage: records_queries.py DOCS_RECORDS_MD RECORDS_NDJSON
"""
import json
import re
import sys

import duckdb

docs, records = sys.argv[1], sys.argv[2]
text = open(docs, encoding="utf-8").read()
queries = {}
for block in re.findall(r"```sql\n(.*?)```", text, flags=re.S):
    m = re.match(r"-- query: (\S+)\n", block)
    if m:
        queries[m.group(1)] = block[m.end():].replace("'records.ndjson'", "'" + records.replace("'", "''") + "'")
if len(queries) != 3:
    sys.exit("expected 3 named queries in %s, found %d" % (docs, len(queries)))
con = duckdb.connect()
print(json.dumps({name: [list(r) for r in con.sql(q).fetchall()] for name, q in queries.items()}))
