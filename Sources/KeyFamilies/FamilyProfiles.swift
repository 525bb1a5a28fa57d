// KeyFamilies/FamilyProfiles: the key shapes of the big memcached applications, recognised by their
// documented prefixes — Keystone, Django, Rails (fragments, sessions, Rack::Attack), WordPress object
// cache groups, Laravel, php-memcached sessions — each giving a family named `<profile>:<what>`.

/// A key family: its name, where it came from, and its owner and client when a rule names them.
public struct KeyFamily: Sendable, Equatable, Hashable {
    public enum Source: String, Sendable, Hashable {
        /// A user rule (`--families FILE`).
        case rule
        /// A built-in application profile.
        case profile
        /// The automatic pattern.
        case pattern
    }
    public var name: String
    public var source: Source
    public var owner: String?
    /// The client that places the family's keys, when a rule names it.
    public var client: String?

    public init(name: String, source: Source, owner: String? = nil, client: String? = nil) {
        self.name = name
        self.source = source
        self.owner = owner
        self.client = client
    }
}

/// The built-in application profiles, tried in order before the automatic pattern.
public enum FamilyProfiles {
    /// WordPress object-cache groups (core's `wp_cache_*` groups): `<salt><prefix>:<group>:<id>`.
    static let wordpressGroups: Set<Substring> = [
        "options", "site-options", "site-transient", "transient", "posts", "post_meta", "post-queries", "terms", "term_meta",
        "term-queries", "terms_relationships", "category_relationships", "post_tag_relationships", "post_format_relationships",
        "users", "userlogins", "useremail", "userslugs", "user_meta", "user-queries", "usermeta", "comment", "comment_meta",
        "comment-queries", "counts", "plugins", "themes", "theme_json", "timeinfo", "networks", "sites", "site-details",
        "blog-details", "blog-id-cache", "blog-lookup", "blog_meta", "global-posts", "rss", "bookmark", "calendar",
        "networks-queries", "site-queries", "network-queries", "default",
    ]

    /// The first part of every family name a profile gives (`django:session` → `django`), and the
    /// `keystone` names `attribute`'s kinds give.
    public static let profileNames: Set<Substring> = ["keystone", "keystonemiddleware", "php", "rails", "django", "wordpress", "laravel"]

    /// True when `family` is a name a profile gives (such a family is meaningful however few its keys).
    public static func isProfileFamily(_ family: String) -> Bool {
        guard let colon = family.firstIndex(of: ":") else { return false }
        return profileNames.contains(family[..<colon])
    }

    /// The family of `key` by the profiles, or nil when none applies.
    public static func family(of key: [UInt8]) -> KeyFamily? {
        guard let first = key.first else { return nil }
        // Keystone: dogpile's sha1-mangled keys (the kind is only known from the value; `attribute`
        // refines it), keystonemiddleware's token cache, Keystone's token-list locks.
        if key.count == 40, key.allSatisfy({ isLowerHex($0) }) { return profile("keystone:sha1-key") }
        guard let s = String(validating: key, as: UTF8.self) else { return nil }
        if first == UInt8(ascii: "t"), s.hasPrefix("tokens/") || s.hasPrefix("tokens%2F") { return profile("keystonemiddleware:tokens") }
        if first == UInt8(ascii: "_"), s.hasPrefix("_lockusertokens-") || s == "_lockrevocation-list" { return profile("keystone:lock") }
        // php-memcached's session handler.
        if s.hasPrefix("memc.sess.key.lock.") { return profile("php:session-lock") }
        if s.hasPrefix("memc.sess.key.") { return profile("php:session") }
        if s.hasPrefix("memc.sess.lock_key.") { return profile("php:session-lock") }
        // Rack::Attack (Rails): `rack::attack:<period>:<rule name>:<discriminator>`.
        if let r = s.firstRange(of: "rack::attack:") {
            let rest = s[r.upperBound...].split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            return profile(rest.count >= 2 ? "rails:rack-attack:\(rest[1])" : "rails:rack-attack")
        }
        let parts = s.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
        if s.hasPrefix("_session_id:") || (parts.count >= 2 && parts[1] == "_session_id") { return profile("rails:session") }
        // Django: `<KEY_PREFIX>:<VERSION>:<key>`. With the default empty prefix any key; with a prefix
        // only Django's own families (`app:7:items` is as likely some other application's).
        if parts.count >= 3, !parts[1].isEmpty, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }) {
            let prefix = parts[0]
            let inner = s[parts[2].startIndex...]
            if prefix.isEmpty { return profile("django:" + djangoFamily(inner)) }
            if let own = djangoOwnFamily(inner) { return profile("django:\(prefix):\(own)") }
        }
        // WordPress object cache: `<salt+prefix>:<group>:<id>`.
        if parts.count >= 3, wordpressGroups.contains(parts[1]) { return profile("wordpress:\(parts[1])") }
        // Rails: fragment caching (`views/…`, also under a namespace), the session cache store.
        if s.hasPrefix("views/") { return profile("rails:views/" + KeyPattern.pattern(Array(s.utf8.dropFirst(6)))) }
        if parts.count >= 2, parts[1].hasPrefix("views/") {
            return profile("rails:views/" + KeyPattern.pattern(Array(s[parts[1].startIndex...].utf8.dropFirst(6))))
        }
        // Laravel: `<app>_cache[_]:<key>` (the cache prefix plus the `:` its memcached store adds).
        if parts.count >= 2, parts[0].hasSuffix("_cache") || parts[0].hasSuffix("_cache_") {
            return profile("laravel:" + KeyPattern.pattern(Array(s[parts[1].startIndex...].utf8)))
        }
        return nil
    }

    /// Django's own key families inside the versioned key.
    static func djangoFamily(_ inner: Substring) -> String { djangoOwnFamily(inner) ?? KeyPattern.pattern(Array(inner.utf8)) }

    /// Sessions, per-page cache, template fragments: the keys Django itself makes.
    static func djangoOwnFamily(_ inner: Substring) -> String? {
        if inner.hasPrefix("django.contrib.sessions.cached_db") { return "session(cached_db)" }
        if inner.hasPrefix("django.contrib.sessions.cache") { return "session" }
        if inner.hasPrefix("views.decorators.cache.cache_page.") { return "cache_page" }
        if inner.hasPrefix("views.decorators.cache.cache_header.") { return "cache_header" }
        if inner.hasPrefix("template.cache.") {
            let rest = inner.dropFirst("template.cache.".count)
            // `template.cache.<fragment name>.<md5 of the vary-on arguments>`
            if let dot = rest.lastIndex(of: "."), rest.distance(from: dot, to: rest.endIndex) == 33 {
                return "template.cache.\(rest[..<dot])"
            }
            return "template.cache.\(rest)"
        }
        return nil
    }

    @inline(__always) static func isLowerHex(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "f"))
    }

    static func profile(_ name: String) -> KeyFamily { KeyFamily(name: name, source: .profile) }
}
