"""Oracle for `report --format json`: recomputes every figure of the report from the same NDJSON
records, independently of the Swift code, and compares it with the report's JSON.

usage: python report_oracle.py RECORDS.ndjson REPORT.json [--top N]
prints each mismatch and exits 1 if there is any; prints 'ok <n> figures' otherwise.
"""
import json
import sys
from decimal import Decimal, ROUND_HALF_UP

records_path, report_path = sys.argv[1], sys.argv[2]
top = int(sys.argv[sys.argv.index('--top') + 1]) if '--top' in sys.argv else 10


def hostkey(r):
    return '%s:%s' % (r.get('host', '?'), r['port']) if r.get('port') is not None else r.get('host', '?')


def counter(sample, name):
    v = (sample.get('general') or {}).get(name)
    if v is None:
        return None
    return float(v)


hosts, users, slabs, kinds, keys = {}, {}, {}, {}, []
records = 0
misplaced = 0
for line in open(records_path, encoding='utf-8'):
    if not line.strip():
        continue
    r = json.loads(line)
    records += 1
    if r.get('type') == 'source':
        h = hosts.setdefault(hostkey(r), {'items': 0, 'bytes': 0, 'by_kind': {}, 'traffic': None})
        h['traffic'] = None
        h['complete'] = r.get('complete')
        timed = [s for s in (r.get('stats') or {}).values() if counter(s, 'time') is not None]
        if len(timed) >= 2 and counter(timed[-1], 'time') > counter(timed[0], 'time'):
            a, b = timed[0], timed[-1]
            secs = counter(b, 'time') - counter(a, 'time')
            rd = counter(b, 'bytes_read') - counter(a, 'bytes_read')
            wr = counter(b, 'bytes_written') - counter(a, 'bytes_written')
            h['traffic'] = {'bytes_read': rd, 'bytes_written': wr, 'seconds': secs, 'read_rate': rd / secs,
                            'write_rate': wr / secs, 'rate': rd / secs + wr / secs,
                            'evictions': counter(b, 'evictions'),
                            'evictions_delta': counter(b, 'evictions') - counter(a, 'evictions')}
        # Since start: the first sample with an uptime (before the capture's own reads).
        h['since_start'] = None
        for smp in (r.get('stats') or {}).values():
            up, rd, wr = counter(smp, 'uptime'), counter(smp, 'bytes_read'), counter(smp, 'bytes_written')
            if up and up > 0 and rd is not None and wr is not None:
                h['since_start'] = {'bytes_read': rd, 'bytes_written': wr, 'uptime': up, 'read_rate': rd / up,
                                    'write_rate': wr / up, 'rate': rd / up + wr / up}
                break
        ev = [counter(smp, 'evictions') for smp in (r.get('stats') or {}).values() if counter(smp, 'evictions') is not None]
        h['evictions'] = ev[-1] if ev else None
    elif r.get('type') == 'item':
        hk = hostkey(r)
        size = r.get('size') or 0
        kind = r.get('kind')
        h = hosts.setdefault(hk, {'items': 0, 'bytes': 0, 'by_kind': {}, 'traffic': None, 'complete': None,
                                  'since_start': None, 'evictions': None})
        h['items'] += 1
        h['bytes'] += size
        h['by_kind'][kind or 'unattributed'] = h['by_kind'].get(kind or 'unattributed', 0) + size
        kinds[kind or 'unattributed'] = kinds.get(kind or 'unattributed', 0) + 1
        if (r.get('placement') or {}).get('ok') is False:
            misplaced += 1
        s = slabs.setdefault((hk, r.get('cls') or 0), [0, 0])
        s[0] += 1
        s[1] += size
        u = r.get('user')
        if u:
            e = users.setdefault(u['id'], {'id': u['id'], 'name': u.get('name'), 'items': 0, 'bytes': 0, 'by_host': {},
                                           'lists': [], 'token_keys': 0})
            e['items'] += 1
            e['bytes'] += size
            e['by_host'][hk] = e['by_host'].get(hk, 0) + size
            if kind == 'token':
                e['token_keys'] += 1
            if kind == 'usertokens' and r.get('tokens'):
                t = r['tokens']
                e['lists'].append({'key': r['key'], 'host': hk, 'size': size, 'entries': t['entries'],
                                   'expired': t['expired'], 'issue_rate': t['issue_rate'],
                                   'estimated_traffic': size * t['issue_rate'] * 2})
        keys.append((-size, r.get('key', ''), hk, kind, (u or {}).get('name') or (u or {}).get('id')))

names = sorted(hosts)


def skew(metric, values):
    n = len(values)
    s = sum(values)
    mean = s / n
    t = max(range(n), key=lambda i: (values[i], -i))
    pairs = sum(abs(a - b) for a in values for b in values)
    return {'metric': metric, 'max_over_mean': values[t] / mean if mean > 0 else 0,
            'top_share': values[t] / s if s > 0 else 0, 'gini': pairs / (2 * n * n * mean) if mean > 0 else 0,
            'top_host': names[t]}


def first_max(values):
    best = 0
    for i, v in enumerate(values):
        if v > values[best]:
            best = i
    return best


expected_skew = [skew('bytes', [float(hosts[h]['bytes']) for h in names]),
                 skew('items', [float(hosts[h]['items']) for h in names])]
use_traffic = bool(names) and all(hosts[h]['traffic'] for h in names)
use_since = bool(names) and all(hosts[h].get('since_start') for h in names)
if use_traffic:
    expected_skew.append(skew('traffic', [hosts[h]['traffic']['rate'] for h in names]))
if use_since:
    expected_skew.append(skew('traffic since start', [hosts[h]['since_start']['rate'] for h in names]))
for s in expected_skew:
    vals = {'bytes': [hosts[h]['bytes'] for h in names], 'items': [hosts[h]['items'] for h in names],
            'traffic': [hosts[h]['traffic']['rate'] for h in names] if use_traffic else None,
            'traffic since start': [hosts[h]['since_start']['rate'] for h in names] if use_since else None}[s['metric']]
    s['top_host'] = names[first_max(vals)]
basis = 'traffic-since-start' if use_since else ('traffic' if use_traffic else 'bytes')


def fixed(v, digits):
    return str(Decimal(repr(abs(v))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)) if v >= 0 else '-' + fixed(-v, digits)


def mb(b):
    return fixed(b / 1e6, 0 if b >= 1e7 else 1) + ' MB'


def human(b):
    if b >= 1e9:
        return fixed(b / 1e9, 1) + ' GB'
    if b >= 1e6:
        return fixed(b / 1e6, 1) + ' MB'
    if b >= 1e3:
        return fixed(b / 1e3, 1) + ' kB'
    return fixed(b, 0) + ' B'


user_list = sorted(users.values(), key=lambda u: (-u['bytes'], u['id']))
explanation = None
if len(names) >= 2:
    values = [hosts[h]['traffic']['rate'] if basis == 'traffic' else
              hosts[h]['since_start']['rate'] if basis == 'traffic-since-start' else float(hosts[h]['bytes']) for h in names]
    t = first_max(values)
    hot = names[t]
    mean = sum(values) / len(values)
    excess = values[t] - mean
    cands = [(l['estimated_traffic'] if basis != 'bytes' else float(l['size']), u, l)
             for u in user_list for l in u['lists'] if l['host'] == hot]
    cands.sort(key=lambda c: (-c[0], c[1]['id'], c[2]['key']))
    total = sum(c[0] for c in cands)
    if excess > 0 and total > 0:
        chosen, acc = [], 0.0
        for c in cands:
            chosen.append(c)
            acc += c[0]
            if acc >= excess or acc >= 0.9 * total or len(chosen) >= 10:
                break
        ids, labels = [], []
        for c in chosen:
            if c[1]['id'] not in ids:
                ids.append(c[1]['id'])
                labels.append(c[1]['name'] or c[1]['id'])
        list_bytes = sum(c[2]['size'] for c in chosen)
        all_on = all(l['host'] == hot for u in user_list if u['id'] in ids for l in u['lists'])
        what = {'traffic': 'excess traffic during the capture', 'traffic-since-start': 'excess traffic since server start',
                'bytes': 'excess bytes'}[basis]
        count = "1 user's token list" if len(labels) == 1 else "%d users' token lists" % len(labels)
        fmt = (lambda v: human(v) + '/s') if basis != 'bytes' else human
        head = '%s (%s), %s, %s %s, account for ' % (count, ', '.join(labels), human(list_bytes),
                                                      'all on' if all_on else 'on', hot)
        pct = fixed(acc / excess * 100, 0)
        if acc < excess or pct == '100':
            sentence = head + '%s%% of its %s (%s over the mean of %s).' % (pct, what, fmt(excess), fmt(mean))
        else:
            est = ('an estimated ' + fmt(acc)) if basis != 'bytes' else fmt(acc)
            sentence = head + 'more than all of its %s (%s, %s%% of the %s it has over the mean of %s).' % (
                what, est, pct, fmt(excess), fmt(mean))
        explanation = {'sentence': sentence, 'host': hot, 'basis': basis,
                       'value': values[t], 'mean': mean, 'excess': excess, 'users': labels, 'user_ids': ids,
                       'list_bytes': list_bytes, 'explained': acc, 'share_of_excess': acc / excess, 'all_on_host': all_on}

keys.sort()
expected = {
    'records': records, 'misplaced': misplaced, 'explanation': explanation,
    'hosts': [{'host': h, 'items': hosts[h]['items'], 'value_bytes': hosts[h]['bytes'],
               'bytes_by_kind': hosts[h]['by_kind'], 'traffic': hosts[h]['traffic'],
               'since_start': hosts[h].get('since_start'), 'evictions': hosts[h].get('evictions')} for h in names],
    'skew': expected_skew,
    'users': {'count': len(users), 'top': [
        {'id': u['id'], 'name': u['name'], 'items': u['items'], 'bytes': u['bytes'], 'token_keys': u['token_keys'],
         'estimated_traffic': sum(l['estimated_traffic'] for l in u['lists']),
         'share_by_host': {h: b / u['bytes'] for h, b in u['by_host'].items()} if u['bytes'] else {},
         'lists': u['lists']} for u in user_list[:top]]},
    'keys': [{'key': k[1], 'size': -k[0], 'host': k[2], 'kind': k[3], 'owner': k[4]} for k in keys[:top]],
    'slabs': [{'host': h, 'cls': c, 'items': v[0], 'bytes': v[1]} for (h, c), v in sorted(slabs.items())],
    'kinds': kinds,
}

report = json.load(open(report_path, encoding='utf-8'))
mismatches = []
checked = [0]


def compare(path, exp, got):
    if isinstance(exp, dict):
        if not isinstance(got, dict):
            mismatches.append('%s: expected an object, got %r' % (path, got))
            return
        for k, v in exp.items():
            if k not in got:
                mismatches.append('%s.%s: missing' % (path, k))
            else:
                compare('%s.%s' % (path, k), v, got[k])
        if path.endswith('bytes_by_kind') or path.endswith('share_by_host') or path == '.kinds':
            extra = set(got) - set(exp)
            if extra:
                mismatches.append('%s: unexpected members %s' % (path, sorted(extra)))
    elif isinstance(exp, list):
        if not isinstance(got, list) or len(got) != len(exp):
            mismatches.append('%s: expected %d elements, got %r' % (path, len(exp), got if not isinstance(got, list) else len(got)))
            return
        for i, (a, b) in enumerate(zip(exp, got)):
            compare('%s[%d]' % (path, i), a, b)
    elif isinstance(exp, bool) or exp is None or isinstance(exp, str):
        checked[0] += 1
        if exp != got:
            mismatches.append('%s: expected %r, got %r' % (path, exp, got))
    else:
        checked[0] += 1
        if not isinstance(got, (int, float)) or abs(exp - got) > 1e-9 * max(1.0, abs(exp)):
            mismatches.append('%s: expected %r, got %r' % (path, exp, got))


compare('', expected, report)
for m in mismatches[:50]:
    print(m)
if mismatches:
    sys.exit(1)
print('ok %d figures' % checked[0])
