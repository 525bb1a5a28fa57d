// PipelineRecords/UserDescription: which of two descriptions of one user (the `user` object of the
// records: name and domain, either may be missing) is the fuller. attribute describes a user met in
// several token bodies by the fuller, and report keeps the fuller whatever the order of its records or
// partials, so both use this one rule.

public enum UserDescription {
    /// True when (`name`, `domain`) describes a user more fully than (`otherName`, `otherDomain`): more
    /// fields, then the greater name, then the greater domain, then a name rather than a domain. A total
    /// order, so the fullest of several descriptions does not depend on the order they come in.
    public static func fuller(name: String?, domain: String?, than otherName: String?, _ otherDomain: String?) -> Bool {
        let mine = (name != nil ? 1 : 0) + (domain != nil ? 1 : 0), theirs = (otherName != nil ? 1 : 0) + (otherDomain != nil ? 1 : 0)
        if mine != theirs { return mine > theirs }
        if (name ?? "") != (otherName ?? "") { return (name ?? "") > (otherName ?? "") }
        if (domain ?? "") != (otherDomain ?? "") { return (domain ?? "") > (otherDomain ?? "") }
        return name != nil && otherName == nil
    }
}
