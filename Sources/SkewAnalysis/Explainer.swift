// SkewAnalysis/Explainer: the report's first sentence — for the hottest host, the few users whose
// token lists there account for its excess over the mean. A list is read and rewritten whole at
// every token issue, so its traffic is estimated as size × issue rate × 2 (docs/report.md).

public enum Explainer {
    /// At most this many lists are named.
    public static let maxLists = 10
    /// Stop naming lists once they cover this share of all the lists' contribution on the host.
    public static let coverage = 0.9

    /// `useTraffic`: the capture-window traffic basis, else value bytes.
    public static func explain(hosts: [HostTotals], users: [UserTotals], useTraffic: Bool) -> Explanation? {
        explain(hosts: hosts, users: users, basis: useTraffic ? .traffic : .bytes)
    }

    /// The host figure the basis compares.
    public static func figure(_ h: HostTotals, _ basis: ExplanationBasis) -> Double {
        switch basis {
        case .traffic: return h.traffic?.rate ?? 0
        case .trafficSinceStart: return h.sinceStart?.rate ?? 0
        case .bytes: return Double(h.valueBytes)
        }
    }

    public static func explain(hosts: [HostTotals], users: [UserTotals], basis: ExplanationBasis) -> Explanation? {
        guard hosts.count >= 2 else { return nil }
        let values = hosts.map { figure($0, basis) }
        var top = 0
        for i in values.indices where values[i] > values[top] { top = i }
        let host = hosts[top].host
        let mean = values.reduce(0, +) / Double(values.count)
        let excess = values[top] - mean
        guard excess > 0 else { return nil }

        struct Candidate { var user: UserTotals; var list: TokenListSummary; var weight: Double }
        var candidates: [Candidate] = []
        for u in users {
            for l in u.lists where l.host == host {
                candidates.append(Candidate(user: u, list: l, weight: basis.isTraffic ? l.estimatedTraffic : Double(l.size)))
            }
        }
        candidates.sort {
            $0.weight != $1.weight ? $0.weight > $1.weight : ($0.user.id != $1.user.id ? $0.user.id < $1.user.id : $0.list.key < $1.list.key)
        }
        let total = candidates.reduce(0) { $0 + $1.weight }
        guard total > 0 else { return nil }
        var chosen: [Candidate] = []
        var sum = 0.0
        for c in candidates {
            chosen.append(c)
            sum += c.weight
            if sum >= excess || sum >= coverage * total || chosen.count >= maxLists { break }
        }
        var names: [String] = []
        var ids: [String] = []
        for c in chosen where !ids.contains(c.user.id) {
            names.append(c.user.label)
            ids.append(c.user.id)
        }
        let listBytes = chosen.reduce(Int64(0)) { $0 + $1.list.size }
        let allOnHost = users.filter { ids.contains($0.id) }.allSatisfy { u in u.lists.allSatisfy { $0.host == host } }
        let share = sum / excess
        let sentence = Explainer.sentence(
            users: names, listBytes: listBytes, allOnHost: allOnHost, host: host, basis: basis, explained: sum, excess: excess,
            mean: mean)
        return Explanation(
            host: host, basis: basis.rawValue, value: values[top], mean: mean, excess: excess, users: names,
            userIDs: ids, listBytes: listBytes, explained: sum, shareOfExcess: share, allOnHost: allOnHost, sentence: sentence)
    }

    /// "3 users' token lists (a, b, c), 335.0 kB, all on H, account for 91% of its excess … (X over the
    /// mean of Y)." When the estimate exceeds the excess the share is not written as "123% of": the lists
    /// "account for more than all of its excess …", with their estimate and the excess side by side.
    public static func sentence(
        users names: [String], listBytes: Int64, allOnHost: Bool, host: String, basis: ExplanationBasis, explained: Double,
        excess: Double, mean: Double
    ) -> String {
        let count = names.count == 1 ? "1 user's token list" : "\(names.count) users' token lists"
        func amount(_ v: Double) -> String { basis.isTraffic ? Units.rate(v) : Units.bytes(v) }
        let head =
            "\(count) (\(names.joined(separator: ", "))), \(Units.bytes(Double(listBytes))), "
            + "\(allOnHost ? "all on" : "on") \(host), account for "
        let share = explained / excess
        if Units.fixed(share * 100, 0) == "100" || share < 1 {
            return head + "\(Units.percent(share)) of its \(basis.excessPhrase) (\(amount(excess)) over the mean of \(amount(mean)))."
        }
        let estimate = basis.isTraffic ? "an estimated \(amount(explained))" : amount(explained)
        return head + "more than all of its \(basis.excessPhrase) (\(estimate), \(Units.percent(share)) of the "
            + "\(amount(excess)) it has over the mean of \(amount(mean)))."
    }
}

extension Explanation {
    /// `sentence` with each user name and the host passed through `escape` first: a renderer's escaping
    /// for a format whose project-written words must stay as they are (Markdown). The identity gives `sentence`.
    public func sentence(escapingNames escape: (String) -> String) -> String {
        Explainer.sentence(
            users: users.map(escape), listBytes: listBytes, allOnHost: allOnHost, host: escape(host),
            basis: ExplanationBasis(rawValue: basis) ?? .bytes, explained: explained, excess: excess, mean: mean)
    }
}

/// Number formatting shared by the sentence and the renderers (decimal units, as operators' graphs show).
public enum Units {
    public static func megabytes(_ b: Double) -> String { fixed(b / 1_000_000, b >= 10_000_000 ? 0 : 1) + " MB" }

    public static func bytes(_ b: Double) -> String {
        if b >= 1_000_000_000 { return fixed(b / 1e9, 1) + " GB" }
        if b >= 1_000_000 { return fixed(b / 1e6, 1) + " MB" }
        if b >= 1_000 { return fixed(b / 1e3, 1) + " kB" }
        return fixed(b, 0) + " B"
    }

    public static func rate(_ b: Double) -> String { bytes(b) + "/s" }

    /// `45 s`, `12 min`, `3.5 h`, `2.0 d`.
    public static func duration(_ s: Double) -> String {
        if s < 120 { return fixed(s, 0) + " s" }
        if s < 7200 { return fixed(s / 60, 0) + " min" }
        if s < 172_800 { return fixed(s / 3600, 1) + " h" }
        return fixed(s / 86400, 1) + " d"
    }

    public static func percent(_ share: Double) -> String { fixed(share * 100, 0) + "%" }

    /// `v` rounded to `digits` decimals, half away from zero, applied to the shortest decimal form of
    /// `v` (as Python's `Decimal(repr(v))`), so 1.005 gives 1.01; no locale, no exponent.
    public static func fixed(_ v: Double, _ digits: Int) -> String {
        guard v.isFinite else { return "-" }
        let negative = v < 0
        let text = abs(v).description
        guard !text.contains("e") else { return approximate(v, digits) }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        var intDigits = Array(parts[0].utf8).map { Int($0) - 48 }
        var frac = parts.count > 1 ? Array(parts[1].utf8).map { Int($0) - 48 } : []
        while frac.count <= digits { frac.append(0) }
        let roundUp = frac[digits] >= 5
        var kept = intDigits + Array(frac[0..<digits])
        if roundUp {
            var i = kept.count - 1
            while i >= 0 {
                if kept[i] == 9 { kept[i] = 0; i -= 1 } else { kept[i] += 1; break }
            }
            if i < 0 { kept.insert(1, at: 0); intDigits.insert(0, at: 0) }
        }
        let intPart = kept[0..<(kept.count - digits)].map(String.init).joined()
        let fracPart = kept[(kept.count - digits)...].map(String.init).joined()
        let isZero = kept.allSatisfy { $0 == 0 }
        return (negative && !isZero ? "-" : "") + intPart + (digits > 0 ? "." + fracPart : "")
    }

    static func approximate(_ v: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let n = (abs(v) * scale).rounded(.toNearestOrAwayFromZero)
        guard n < 1e15 else { return String(format15: v) }
        let whole = Int64(n)
        let sign = v < 0 && whole != 0 ? "-" : ""
        if digits == 0 { return sign + String(whole) }
        let ip = whole / Int64(scale)
        var fp = String(whole % Int64(scale))
        fp = String(repeating: "0", count: digits - fp.count) + fp
        return sign + String(ip) + "." + fp
    }
}

extension String {
    init(format15 v: Double) { self = v.description }
}
