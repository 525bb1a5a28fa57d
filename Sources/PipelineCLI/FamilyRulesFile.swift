// PipelineCLI/FamilyRulesFile: `--families FILE` of decode and attribute — reads the operator's
// family rules (docs/families.md) and says what is wrong with them in one line naming file and line.
import Foundation
import KeyFamilies
import KeyPlacement

public enum FamilyRulesFile {
    /// The classifier with the rules of `path` (nil: the built-in profiles and patterns only), or the
    /// one-line message for a file that cannot be read or holds a bad rule.
    public static func classifier(path: String?) -> Result<FamilyClassifier, FamilyRulesFileError> {
        guard let path else { return .success(FamilyClassifier()) }
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(FamilyRulesFileError(message: "\(path): cannot read the family rules file"))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return .failure(FamilyRulesFileError(message: "\(path): the family rules file is not UTF-8 text"))
        }
        let rules: FamilyRules
        do throws(FamilyRulesError) {
            rules = try FamilyRules(parsing: text)
        } catch {
            return .failure(FamilyRulesFileError(message: "\(path):\(error.line): \(error.message)"))
        }
        for rule in rules.rules {
            guard let client = rule.client else { continue }
            do throws(PlacementError) { _ = try ClientPlacement.named(client) } catch {
                return .failure(FamilyRulesFileError(message: "\(path):\(rule.line): client=\(client): \(error.message)"))
            }
        }
        return .success(FamilyClassifier(rules: rules))
    }
}

public struct FamilyRulesFileError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
