# Compares decoder output with expected canonical JSON (the rules in docs/canonical-json.md: type-strict, key order, sets as multisets).
# usage: compare.py CASES.jsonl ACTUAL.jsonl  -> prints {"total": N, "passed": N, "mismatches": [...]} (first 20)
# CASES lines: {"id", "expected"} or {"id", "error": true}; ACTUAL lines: "<id>\t<decoder output line>".
import json, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import canon  # noqa: E402

cases = {}
order = []
for line in open(sys.argv[1], encoding='utf-8'):
    c = json.loads(line, object_pairs_hook=canon.collections.OrderedDict)
    cases[c['id']] = c
    order.append(c['id'])
actual = {}
for line in open(sys.argv[2], encoding='utf-8'):
    cid, _, out = line.rstrip('\n').partition('\t')
    actual[cid] = out
mismatches = []
passed = 0
for cid in order:
    c = cases[cid]
    out = actual.get(cid)
    valid = out is not None
    got = None
    try:
        got = canon.loads_ordered(out) if out is not None else None
    except ValueError:
        valid = False
    if not valid:
        mismatches.append({'id': cid, 'why': 'missing or invalid JSON', 'got': out})
        continue
    is_error = isinstance(got, dict) and '$error' in got
    if c.get('error'):
        if is_error:
            passed += 1
        else:
            mismatches.append({'id': cid, 'why': 'expected an error', 'got': out[:300]})
        continue
    if canon.same(c['expected'], got):
        passed += 1
    else:
        mismatches.append({'id': cid, 'why': 'value differs', 'expected': canon.dumps(c['expected'])[:400], 'got': out[:400]})
print(json.dumps({'total': len(order), 'passed': passed, 'mismatches': mismatches[:20], 'mismatch_count': len(mismatches)}))
